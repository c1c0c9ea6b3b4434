/**
 * What the platform watches (config `observability`): the PromQL of its Cloud Monitoring
 * dashboard and alert policies. Pure; monitoringBodies.ts wraps the queries in API bodies. Tests
 * parse every query with Prometheus's own grammar and check every metric name against the list
 * it comes from (tests/fixtures/metricSources.ts).
 *
 * Where the metrics come from:
 * - GKE system metrics (free; on in every cluster), in PromQL as `kubernetes_io:<path>` (Cloud
 *   Monitoring's mapping: the first `/` becomes `:`, other `/` and `.` become `_`), with the
 *   monitored resource's labels (`cluster_name`, `node_name`) and the node's own labels as
 *   `metadata_user_<label>` (`"metadata_user_cloud.google.com/gke-nodepool"`, quoted: the name
 *   has dots and a slash) - as Google's sample dashboards query them.
 * - GKE's kube state metrics (`monitoringConfig.enableComponents` POD): kube_pod_status_phase,
 *   kube_pod_status_unschedulable, labelled `cluster`, `namespace`, `pod`.
 * - GKE's managed DCGM package (DCGM): DCGM_FI_DEV_GPU_UTIL with `modelName`.
 * - Argo Workflows v3.7.6's controller, scraped by our PodMonitoring (its names are
 *   util/telemetry/metrics_list.go's, prefixed `argo_workflows_`, counters without `_total`).
 * - Cloud SQL: cloudsql.googleapis.com/database/postgresql/num_backends, by `database_id`.
 * Managed Service for Prometheus adds `cluster` (and project_id, location, namespace, job,
 * instance) to every series it scrapes.
 */

/** The node label GKE puts the node pool's name in. */
export const NODE_POOL_LABEL = "cloud.google.com/gke-nodepool";

/** Share of max_connections above which the database alert fires (issue 22: 80%). */
export const CONNECTIONS_ALERT_FRACTION = 0.8;

/**
 * Stands for the Cloud SQL instance's `<project>:<name>` where it is not known yet (the instance's
 * name is generated when it is created); gcp/monitoring.ts puts the real one in.
 */
export const DATABASE_ID_PLACEHOLDER = "DATABASE_ID_OF_THE_INSTANCE";

/** How long the alerts wait (config `observability`). */
export interface AlertSettings {
    /** A GPU node whose GPUs did nothing for this long. */
    readonly idleGpuMinutes: number;
    /** A step pod the scheduler could not place for this long. */
    readonly unschedulableMinutes: number;
}

/** What the dashboard and the alerts are built from. */
export interface WatchedPlatform {
    readonly environment: string;
    /** The GKE cluster's name (`metaflow-<environment>`). */
    readonly clusterName: string;
    /** The Metaflow namespace, where steps run. */
    readonly namespace: string;
    /** Every node pool (GKE's name) with what one of its nodes costs per hour at list prices, if priced. */
    readonly nodePools: ReadonlyArray<{ readonly name: string; readonly gpu: boolean; readonly hourlyUsd?: number }>;
    /** Argo Workflows runs, and its controller is scraped. */
    readonly argoWorkflows: boolean;
    /** Cloud SQL: `<project>:<instance>` (the metric's database_id) and its max_connections. */
    readonly database?: { readonly databaseId: string; readonly maxConnections: number };
    /** billing.budget.amount, per month, when a budget is set. */
    readonly monthlyBudget?: number;
    readonly alerts: AlertSettings;
}

const POOL_LABEL = JSON.stringify(`metadata_user_${NODE_POOL_LABEL}`);

/** A GKE system metric of the cluster's nodes (the cluster's own, by name). */
function nodeMetric(metric: string, w: WatchedPlatform, extra = ""): string {
    return `${metric}{monitored_resource="k8s_node", cluster_name="${w.clusterName}"${extra}}`;
}

/** The same, with a `pool` label holding the node's pool. */
function byPool(metric: string, w: WatchedPlatform): string {
    return `label_replace(${nodeMetric(metric, w)}, "pool", "$1", ${POOL_LABEL}, "(.*)")`;
}

/** A kube state metric of the Metaflow namespace. */
function stepPods(metric: string, w: WatchedPlatform, extra = ""): string {
    return `${metric}{cluster="${w.clusterName}", namespace="${w.namespace}"${extra}}`;
}

/** The queries of the dashboard and the alerts, by purpose. */
export function watchQueries(w: WatchedPlatform) {
    const c = w.clusterName;
    const pricedPools = w.nodePools.filter((p) => p.hourlyUsd !== undefined);
    return {
        gpuUtilisationByPool: `avg by (pool) (${byPool("kubernetes_io:node_accelerator_duty_cycle", w)})`,
        gpuMemoryByPool: `100 * sum by (pool) (${byPool("kubernetes_io:node_accelerator_memory_used", w)}) / sum by (pool) (${byPool("kubernetes_io:node_accelerator_memory_total", w)})`,
        gpuUtilisationByModel: `avg by (modelName) (DCGM_FI_DEV_GPU_UTIL{cluster="${c}"})`,
        nodesByPool: `count by (pool) (${byPool("kubernetes_io:node_cpu_allocatable_cores", w)})`,
        /** Steps waiting for anything: queued by Kueue (gated), or for a node. */
        pendingSteps: `sum(${stepPods("kube_pod_status_phase", w, ', phase="Pending"')})`,
        /** Steps past the queue the scheduler cannot place: no rung has capacity. */
        unschedulableSteps: `sum(${stepPods("kube_pod_status_unschedulable", w)})`,
        /** Step pods pending through the whole last `unschedulableMinutes` (how long they wait). */
        longPendingSteps: `sum(min_over_time(${stepPods("kube_pod_status_phase", w, ', phase="Pending"')}[${w.alerts.unschedulableMinutes}m]))`,
        stepsByPhase: `sum by (phase) (increase(argo_workflows_pods_total_count{cluster="${c}"}[1h]))`,
        workflowsByPhase: `sum by (phase) (increase(argo_workflows_total_count{cluster="${c}"}[1h]))`,
        /** One series per step pod the scheduler cannot place (an alert fires per pod). */
        unschedulablePods: `max by (pod) (${stepPods("kube_pod_status_unschedulable", w)}) > 0`,
        /** GPU nodes none of whose GPUs did any work (no pod holds them, or the one holding them idles). */
        idleGpuNodes: `max by (node_name, pool) (${byPool("kubernetes_io:node_accelerator_duty_cycle", w)}) == 0`,
        workflowFailures: `sum(increase(argo_workflows_total_count{cluster="${c}", phase="Failed"}[10m])) > 0`,
        ...(w.database
            ? {
                  sqlConnections: `sum(cloudsql_googleapis_com:database_postgresql_num_backends{monitored_resource="cloudsql_database", database_id="${w.database.databaseId}"})`,
              }
            : {}),
        /** $/hour of the nodes running now, per pool, at list prices. */
        spendRate: pricedPools.map((p) => ({
            pool: p.name,
            query: `count(${nodeMetric("kubernetes_io:node_cpu_allocatable_cores", w, `, ${POOL_LABEL}="${p.name}"`)}) * ${p.hourlyUsd!.toFixed(4)}`,
        })),
    };
}

/** Every query's text, flattened (for tests and the preview). */
export function allQueries(w: WatchedPlatform): string[] {
    return Object.values(watchQueries(w)).flatMap((q) => (typeof q === "string" ? [q] : q.map((s) => s.query)));
}
