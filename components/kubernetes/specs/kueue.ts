/**
 * Kueue's chart values and the queue objects (kubernetes-sigs/kueue v0.19.2; chart
 * charts/kueue/values.yaml and templates, APIs as the chart's CRDs serve them, storage version
 * v1beta2). Pure.
 */
import * as YAML from "yaml";
import { CONTAINER_RESOURCES } from "../../model/workloadRequests";
import { DEFAULT_LOCAL_QUEUE, KUEUE_NAMESPACE, QUEUE_FLAVOR, QUEUED_RESOURCES, clusterQueueName, type QueuePlan, type Quota } from "../../model/queues";
import { KUEUE_IMAGE } from "./versions";

/**
 * The controller's configuration (config.kueue.x-k8s.io/v1beta2 Configuration, apis/config/v1beta2
 * configuration_types.go at v0.19.2). The chart's default settings are kept as the chart writes
 * them (health, metrics, webhook, leader election, concurrency, client QPS); ours:
 * - `integrations.frameworks`: batch/job (Metaflow's `run --with kubernetes`) and pod (Argo's step
 *   pods; pods a Job owns are left to the Job's integration). The chart enables twelve, whose
 *   webhooks would intercept Deployments and StatefulSets too.
 * - `managedJobsNamespaceSelector`: the Metaflow namespace only. It is also the namespaceSelector
 *   of the chart's pod webhook (templates/webhook/manifests.yaml, failurePolicy Fail with `pod`
 *   on), so pods elsewhere (kube-system, gmp-system, Argo's controller) never wait on Kueue.
 * - `manageJobsWithoutQueueName: false` (the default, said aloud): only labelled steps queue; the
 *   services' pods in the namespace are never held.
 * - `resources.quotaCheckStrategy: IgnoreUndeclared`: count only what the ClusterQueue covers
 *   (CPU, GPUs); a step's memory and ephemeral-storage requests would otherwise need quota too.
 * - `fairSharing` with teams: idle quota is shared by dominant-resource share, and preemption
 *   reclaims a team's nominal quota (LessThanOrEqualToFinalShare, then LessThanInitialShare).
 */
export function kueueManagerConfig(namespace: string, fairSharing: boolean): Record<string, unknown> {
    return {
        apiVersion: "config.kueue.x-k8s.io/v1beta2",
        kind: "Configuration",
        health: { healthProbeBindAddress: ":8081" },
        metrics: { bindAddress: ":8443" },
        webhook: { port: 9443 },
        leaderElection: { leaderElect: true, resourceName: "c1f6bfd2.kueue.x-k8s.io" },
        controller: {
            groupKindConcurrency: {
                "Job.batch": 5,
                Pod: 5,
                "Workload.kueue.x-k8s.io": 10,
                "LocalQueue.kueue.x-k8s.io": 5,
                "ClusterQueue.kueue.x-k8s.io": 5,
                "ResourceFlavor.kueue.x-k8s.io": 1,
            },
        },
        clientConnection: { qps: 300, burst: 500 },
        manageJobsWithoutQueueName: false,
        managedJobsNamespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
        integrations: { frameworks: ["batch/job", "pod"] },
        resources: { quotaCheckStrategy: "IgnoreUndeclared" },
        ...(fairSharing ? { fairSharing: { preemptionStrategies: ["LessThanOrEqualToFinalShare", "LessThanInitialShare"] } } : {}),
    };
}

/** The chart's values: the released image, our requests, our configuration; nothing else enabled. */
export function kueueValues(namespace: string, replicas: number, fairSharing: boolean): Record<string, unknown> {
    return {
        controllerManager: {
            replicas,
            manager: {
                image: { repository: KUEUE_IMAGE.repository, tag: KUEUE_IMAGE.tag, pullPolicy: "IfNotPresent" },
                resources: CONTAINER_RESOURCES.kueueController,
            },
            // Two replicas in production: the pod webhook fails closed, so a lone pod being
            // replaced would hold every step pod's creation in the namespace.
            podDisruptionBudget: { enabled: replicas > 1, minAvailable: 1 },
        },
        managerConfig: { controllerManagerConfigYaml: YAML.stringify(kueueManagerConfig(namespace, fairSharing)) },
    };
}

/** The Helm release's name; the chart names its objects after it (`kueue.fullname`). */
export const KUEUE_RELEASE = "kueue";

/** Kueue's controller pods: the chart's `kueue.selectorLabels` for release KUEUE_RELEASE (templates/_helpers.tpl at v0.19.2). */
export const KUEUE_CONTROLLER_SELECTOR = {
    "app.kubernetes.io/name": "kueue",
    "app.kubernetes.io/instance": KUEUE_RELEASE,
    "control-plane": "controller-manager",
} as const;

/** The controller's webhook container port (templates/manager/manager.yaml: `webhook-server`, 9443). */
export const KUEUE_WEBHOOK_PORT = { name: "webhook-server", port: 9443 } as const;

/**
 * A Service of ours selecting Kueue's controller pods on the webhook port, which Pulumi's
 * Kubernetes provider holds until it has a ready endpoint (await/service.go: ready addresses,
 * then 10 s to settle). A pod is Ready when Kueue's /readyz passes, which it does only once its
 * certificates are injected and its webhook server answers (cmd/kueue/main.go
 * setupProbeEndpoints at v0.19.2). The queue objects, which Kueue's fail-closed webhooks check,
 * are created after it. The release itself does not wait (kubernetes/queues.ts says why).
 */
export function kueueReadinessService(labels: Record<string, string>) {
    return {
        metadata: { name: "metaflow-kueue-webhook-ready", namespace: KUEUE_NAMESPACE, labels },
        spec: {
            type: "ClusterIP",
            selector: { ...KUEUE_CONTROLLER_SELECTOR },
            ports: [{ name: "https", port: 443, targetPort: KUEUE_WEBHOOK_PORT.name, protocol: "TCP" }],
        },
    };
}

/** A Kueue object as the API takes it. */
export interface KueueObject {
    readonly apiVersion: "kueue.x-k8s.io/v1beta2";
    readonly kind: "ResourceFlavor" | "ClusterQueue" | "LocalQueue";
    readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels: Record<string, string> };
    readonly spec: Record<string, unknown>;
}

function quotaResources(quota: Quota) {
    return [
        { name: "cpu", nominalQuota: `${quota.cpuMillis}m` },
        { name: "nvidia.com/gpu", nominalQuota: String(quota.gpus) },
    ];
}

/** A ClusterQueue for steps of `namespace`; in a cohort when teams share the environment. */
function clusterQueue(name: string, namespace: string, quota: Quota, labels: Record<string, string>, cohort?: string, borrowing = true): KueueObject {
    return {
        apiVersion: "kueue.x-k8s.io/v1beta2",
        kind: "ClusterQueue",
        metadata: { name, labels },
        spec: {
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
            queueingStrategy: "BestEffortFIFO",
            resourceGroups: [
                {
                    coveredResources: [...QUEUED_RESOURCES],
                    flavors: [{ name: QUEUE_FLAVOR, resources: quotaResources(quota).map((r) => (cohort && !borrowing ? { ...r, borrowingLimit: "0" } : r)) }],
                },
            ],
            // A queue takes back what it lent when its own steps need it; it never preempts its own steps.
            ...(cohort ? { cohortName: cohort, preemption: { reclaimWithinCohort: "Any", withinClusterQueue: "Never" } } : {}),
        },
    };
}

/** The flavor, every ClusterQueue and a LocalQueue for each in the Metaflow namespace. */
export function kueueObjects(environment: string, namespace: string, plan: QueuePlan, labels: Record<string, string>): KueueObject[] {
    const local = (name: string, queue: string): KueueObject => ({
        apiVersion: "kueue.x-k8s.io/v1beta2",
        kind: "LocalQueue",
        metadata: { name, namespace, labels },
        spec: { clusterQueue: queue },
    });
    return [
        { apiVersion: "kueue.x-k8s.io/v1beta2", kind: "ResourceFlavor", metadata: { name: QUEUE_FLAVOR, labels }, spec: {} },
        clusterQueue(clusterQueueName(environment), namespace, plan.environment, labels, plan.cohort),
        ...plan.teams.map((t) => clusterQueue(clusterQueueName(environment, t.name), namespace, t.quota, labels, plan.cohort, t.borrowing)),
        local(DEFAULT_LOCAL_QUEUE, clusterQueueName(environment)),
        ...plan.teams.map((t) => local(t.name, clusterQueueName(environment, t.name))),
    ];
}
