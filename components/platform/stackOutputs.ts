/**
 * The stack outputs of one environment, computed from its validated config and the components
 * MetaflowPlatform created; secrets stay secrets. The stack program (index.ts) exports them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { GpuPoolConfig, PlatformConfig } from "../config/config";
import { servicesSizing } from "../config/sizing";
import { queuePlanFromConfig } from "../config/queues";
import { DEFAULT_LOCAL_QUEUE, QUEUE_NAME_LABEL, clusterQueueName } from "../model/queues";
import { CAPACITY_WORDS, computeClassName, hasLadder, ladderRungs } from "../model/capacityLadder";
import { maxGpus } from "../gcp/gpuNodePool";
import { AIRFLOW_BUCKET_PREFIXES, AIRFLOW_WEBSERVER } from "../kubernetes/specs/airflowValues";
import { kubeContextName, type KubeContext } from "../model/kubeconfig";
import { buildMetaflowProfile, type MetaflowProfile } from "../model/metaflowConfig";
import { KUBERNETES_IDENTITIES } from "../model/naming";
import { gpuScheduling } from "../model/scheduling";
import { largestSteps } from "../model/sizing";
import { taskImageRef } from "../model/taskImage";
import { ARGO_EVENTS_NAMES } from "../model/wellKnown";
import { dashboardName } from "../model/monitoringBodies";
import type { PlatformParts } from "./platform";

/** The Metaflow client profile for this environment (no secrets in it). */
export function metaflowProfile(cfg: PlatformConfig, p: PlatformParts): pulumi.Output<MetaflowProfile> | undefined {
    const services = p.services;
    if (!services) {
        return undefined;
    }
    const clientAccountOutput = p.endpoint ? p.endpoint.clientServiceAccountEmail : pulumi.output("");
    return pulumi.all([p.storage.datastoreRoot, p.storage.registryUrl, clientAccountOutput, p.identity.secretManagerPrefix]).apply(([datastoreRoot, registryUrl, clientAccount, secretManagerPrefix]) =>
        buildMetaflowProfile({
            datastoreRoot,
            namespace: services.namespace,
            taskServiceAccount: KUBERNETES_IDENTITIES.task,
            metadataInternalUrl: services.metadataInternalUrl,
            taskImage: taskImageRef(registryUrl),
            clusterMode: cfg.cluster.mode,
            spotSteps: cfg.cluster.spotSteps,
            metadata: p.database ? "service" : "local",
            ui: cfg.services.ui && p.database !== undefined,
            argoWorkflows: services.argoServerService !== undefined,
            queue: p.queues?.localQueue,
            secretManagerPrefix,
            endpoint: p.endpoint && cfg.endpoint && { hostname: p.endpoint.hostname, oauthClientId: cfg.endpoint.oauthClientId, clientServiceAccount: clientAccount },
            argoEvents:
                services.argoEventsWebhookUrl !== undefined
                    ? {
                          eventBus: ARGO_EVENTS_NAMES.eventBus,
                          eventSource: ARGO_EVENTS_NAMES.eventSource,
                          event: ARGO_EVENTS_NAMES.event,
                          serviceAccount: KUBERNETES_IDENTITIES.argoEvents,
                          internalWebhookUrl: services.argoEventsWebhookUrl,
                      }
                    : undefined,
        }),
    );
}

/** A laddered pool's compute class and its rungs in the order GKE tries them. */
function ladderSummary(pool: GpuPoolConfig) {
    return {
        className: computeClassName(pool.name),
        rungs: ladderRungs(pool).map((r) => ({
            nodePool: r.nodePoolName,
            capacity: CAPACITY_WORDS[r.capacity],
            maxNodes: r.maxNodes,
            maxGpus: r.maxNodes * pool.gpusPerNode,
            ...(r.maxRunSeconds !== undefined ? { maxRunHours: r.maxRunSeconds / 3600 } : {}),
        })),
    };
}

/** The queues steps wait in (config `queues`): the label, and each ClusterQueue with its quota. */
function queuesSummary(cfg: PlatformConfig) {
    const plan = queuePlanFromConfig(cfg);
    const quota = (q: { cpuMillis: number; gpus: number }) => ({ cpus: q.cpuMillis / 1000, gpus: q.gpus });
    return {
        label: `${QUEUE_NAME_LABEL}=${DEFAULT_LOCAL_QUEUE}`,
        clusterQueues: [
            { name: clusterQueueName(cfg.environment), localQueue: DEFAULT_LOCAL_QUEUE, nominal: quota(plan.environment) },
            ...plan.teams.map((t) => ({ name: clusterQueueName(cfg.environment, t.name), localQueue: t.name, nominal: quota(t.quota), borrowing: t.borrowing })),
        ],
        ...(plan.cohort ? { cohort: plan.cohort } : {}),
    };
}

/** What watches the environment (config `observability`): the dashboard, the alerts and whom they notify, what is scraped. */
function observabilitySummary(cfg: PlatformConfig, p: PlatformParts) {
    const o = cfg.observability;
    const budgetEmails = cfg.billing.budget?.emails ?? [];
    return {
        dashboard: dashboardName(cfg.environment),
        dashboardId: p.monitoring?.dashboard.id,
        alerts: p.monitoring?.alertNames ?? [],
        notify: o.emails.length > 0 ? o.emails : budgetEmails.length > 0 ? budgetEmails.map((e) => `${e} (billing.budget)`) : [],
        scraped: p.scraping?.podMonitorings ?? [],
    };
}

/** The stack outputs of the Google Cloud half; secrets stay secrets. */
export function platformOutputs(cfg: PlatformConfig, p: PlatformParts) {
    return {
        environment: cfg.environment,
        production: cfg.production,
        project: cfg.project,
        region: cfg.region,
        networkName: p.network.network.name,
        clusterName: p.cluster.name,
        clusterLocation: p.cluster.location,
        clusterEndpoint: p.cluster.endpoint,
        kubeContext: p.cluster.endpoint.apply(
            (endpoint): KubeContext => ({ name: kubeContextName(cfg.environment), server: `https://${endpoint}`, controlPlaneAccess: cfg.cluster.controlPlaneAccess }),
        ),
        clusterMode: cfg.cluster.mode,
        kubeconfig: p.cluster.kubeconfig,
        bucketName: p.storage.bucketName,
        bucketUrl: p.storage.bucketUrl,
        datastoreRoot: p.storage.datastoreRoot,
        registryUrl: p.storage.registryUrl,
        taskServiceAccount: p.identity.taskServiceAccountEmail,
        database: p.database
            ? pulumi.secret({
                  host: p.database.host,
                  port: p.database.port,
                  name: p.database.databaseName,
                  user: p.database.username,
                  password: p.database.password,
                  connectionName: p.database.connectionName,
              })
            : undefined,
        gpuPools: cfg.gpuPools.map((pool) => ({
            name: pool.name,
            gpuType: pool.gpuType,
            machineType: pool.machineType,
            gpusPerNode: pool.gpusPerNode,
            zones: pool.zones,
            minNodes: pool.minNodes,
            maxNodes: pool.maxNodes,
            spot: pool.spot,
            maxGpus: maxGpus(pool),
            created: !p.cluster.autopilot,
            ...(hasLadder(pool) ? { ladder: ladderSummary(pool) } : {}),
        })),
        gpuScheduling: gpuScheduling(
            cfg.cluster.mode,
            cfg.gpuPools.map((pool) => ({ gpuType: pool.gpuType, spot: pool.spot, ...(hasLadder(pool) ? { computeClass: ladderSummary(pool) } : {}) })),
        ),
        /**
         * The largest step each pool runs, in Metaflow's units (`@kubernetes(cpu=, memory=, disk=,
         * gpu=)`; memory and disk in MB): `cpu` for the CPU pool, GPU pools by name.
         */
        largestStep: largestSteps({ ...cfg, services: servicesSizing(cfg) }),
        kubernetesNamespace: p.services?.namespace,
        queues: p.queues ? queuesSummary(cfg) : undefined,
        observability: p.monitoring ? observabilitySummary(cfg, p) : undefined,
        endpoint: p.endpoint?.summary(),
        // Only when Airflow is on: `npm run tunnel` and `npm run airflow-deploy` read it.
        ...(p.services?.airflowWebserverService
            ? {
                  airflow: {
                      dagsUrl: pulumi.interpolate`gs://${p.storage.bucketName}/${AIRFLOW_BUCKET_PREFIXES.dags}`,
                      logsUrl: pulumi.interpolate`gs://${p.storage.bucketName}/${AIRFLOW_BUCKET_PREFIXES.logs}`,
                      webserverService: AIRFLOW_WEBSERVER.service,
                      webserverPort: AIRFLOW_WEBSERVER.port,
                  },
              }
            : {}),
        metaflowConfig: metaflowProfile(cfg, p),
    };
}
