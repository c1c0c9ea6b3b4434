/**
 * CPU and memory requests and memory limits of every always-on container the platform runs:
 * ours and the charts' (Argo Workflows controller and server, Argo Events controller, the
 * JetStream EventBus, the webhook EventSource). One table, so the components and the cost
 * estimate read the same figures.
 *
 * Why every container sets them: the scheduler packs nodes by requests (a container without
 * requests is "free" and overcommits the node), and Autopilot bills Pods by their requests and
 * gives a container without any 0.5 vCPU and 2 GiB. Memory limits stop one leaking container
 * from evicting the others; CPU limits are left off on purpose (throttling a bursty Python
 * service hurts latency and saves nothing).
 *
 * Sizes are what each process needs idle plus headroom for a small team (dev and prod alike);
 * raise them here when `kubectl top pods` says otherwise.
 */

import { ARGO_EVENTS_NAMES, SERVICE_NAMES } from "./wellKnown";

/** JetStream servers of the EventBus: three keep a quorum through one restart. */
export const EVENTBUS_REPLICAS = 3;

/**
 * Kubernetes `resources` with a CPU and memory request and a memory limit; an ephemeral-storage
 * request only where a container is known to write to the node's disk (none of ours or the
 * charts' set one; GKE's FUSE sidecar gets one because the driver would otherwise ask for 5Gi).
 */
export interface ContainerResources {
    readonly requests: { readonly cpu: string; readonly memory: string; readonly "ephemeral-storage"?: string };
    readonly limits: { readonly memory: string };
}

function sized(cpu: string, memory: string, memoryLimit: string): ContainerResources {
    return { requests: { cpu, memory }, limits: { memory: memoryLimit } };
}

export const CONTAINER_RESOURCES = {
    /** metaflow-service metadata server (aiohttp + a 10-connection pool). */
    metadata: sized("100m", "256Mi", "512Mi"),
    /** goose migrations in the metadata Pod's init container (short-lived, counted per Pod). */
    metadataMigrations: sized("50m", "128Mi", "256Mi"),
    /** UI backend (serves the bundled UI too): caches runs and artifacts in memory, hence the higher limit. */
    uiBackend: sized("250m", "512Mi", "2Gi"),
    /** Argo Workflows controller (chart value `controller.resources`). */
    argoController: sized("100m", "256Mi", "1Gi"),
    /** Argo Server, UI and API (chart value `server.resources`). */
    argoServer: sized("50m", "128Mi", "512Mi"),
    /** Argo Events controller-manager (chart value `controller.resources`). */
    argoEventsController: sized("50m", "128Mi", "512Mi"),
    /** NATS JetStream server of the EventBus (`spec.jetstream.containerTemplate`). */
    jetstream: sized("100m", "256Mi", "1Gi"),
    /** EventBus config reloader sidecar (`spec.jetstream.reloaderContainerTemplate`). */
    jetstreamReloader: sized("10m", "32Mi", "64Mi"),
    /** EventBus metrics exporter sidecar (`spec.jetstream.metricsContainerTemplate`). */
    jetstreamMetrics: sized("10m", "32Mi", "64Mi"),
    /** Webhook EventSource (`spec.template.container`). */
    eventSource: sized("50m", "64Mi", "256Mi"),
    /**
     * Airflow (chart values, components/kubernetes/specs/airflowValues.ts). Kept modest so that with two replicas
     * of each (prod) an e2-standard-4 still runs Metaflow's default step beside every service.
     */
    airflowScheduler: sized("200m", "512Mi", "1Gi"),
    airflowDagProcessor: sized("100m", "384Mi", "768Mi"),
    airflowTriggerer: sized("50m", "192Mi", "384Mi"),
    /** Two gunicorn workers: memory-bound, nearly idle on CPU between page loads. */
    airflowWebserver: sized("100m", "768Mi", "1536Mi"),
    /** The chart's log-groomer sidecar (a shell loop deleting old local logs). */
    airflowLogGroomer: sized("10m", "32Mi", "128Mi"),
    /** A KubernetesExecutor worker Pod: runs KubernetesPodOperator, which starts the step's Pod and follows it. */
    airflowWorker: sized("100m", "384Mi", "768Mi"),
    /** The chart's database migration Job (per upgrade). */
    airflowMigrations: sized("100m", "384Mi", "768Mi"),
    /**
     * Kueue's controller-manager (chart value `controllerManager.manager.resources`, merged over
     * the chart's 500m / 512Mi, which is sized for large clusters; its CPU limit of 2 stays).
     */
    kueueController: sized("100m", "256Mi", "512Mi"),
    /** The chart's PgBouncer (a C event loop: a few MiB per hundred clients). */
    airflowPgbouncer: sized("50m", "32Mi", "128Mi"),
    /** PgBouncer's metrics exporter sidecar (the chart always runs it beside PgBouncer). */
    airflowPgbouncerExporter: sized("10m", "32Mi", "64Mi"),
    /**
     * GKE's Cloud Storage FUSE sidecar (the read-only DAG folder), set through `gke-gcsfuse/*` Pod
     * annotations (components/kubernetes/specs/airflowValues.ts, which also lifts the CPU and
     * ephemeral-storage limits). 64Mi of ephemeral storage: with no file cache (the volume sets
     * none) and nothing written through a read-only mount, the sidecar's disk use is its own log,
     * which the kubelet rotates at 5 files of 10Mi (KubeletConfiguration defaults
     * containerLogMaxFiles 5, containerLogMaxSize 10Mi).
     */
    gcsFuseSidecar: { requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { memory: "256Mi" } },
} as const satisfies Record<string, ContainerResources>;

/** CPU cores of a Kubernetes CPU quantity ("250m", "1", "0.5"). */
export function cpuCores(quantity: string): number {
    const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(quantity.trim());
    if (!match) {
        throw new Error(`not a CPU quantity: "${quantity}"`);
    }
    return Number(match[1]) / (match[2] === "m" ? 1000 : 1);
}

const BINARY: Record<string, number> = { "": 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** GiB of a Kubernetes memory or storage quantity ("256Mi", "2Gi", "4096M"). */
export function gibibytes(quantity: string): number {
    const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity.trim());
    if (!match) {
        throw new Error(`not a memory quantity: "${quantity}"`);
    }
    const unit = match[2] ?? "";
    const bytes = Number(match[1]) * (BINARY[unit] ?? DECIMAL[unit]);
    return bytes / 2 ** 30;
}

/** One always-on workload: its replica count and the resources of its Pod. */
export interface AlwaysOnPod {
    readonly name: string;
    readonly replicas: number;
    readonly containers: readonly ContainerResources[];
    /** Init containers; a Pod's request is the larger of the init and the regular sum. */
    readonly initContainers?: readonly ContainerResources[];
}

/** What the services settings deploy, always on. */
export interface AlwaysOnSettings {
    readonly enabled: boolean;
    readonly metadata: boolean;
    readonly metadataReplicas: number;
    readonly ui: boolean;
    readonly uiReplicas: number;
    readonly argoWorkflows: boolean;
    readonly argoEvents: boolean;
    /** JetStream replicas of the EventBus. */
    readonly eventBusReplicas: number;
    /** Airflow's scheduler, triggerer, webserver and PgBouncer (metadataReplicas each) and one DAG processor. Default false. */
    readonly airflow?: boolean;
    /** Kueue's controller replicas (config `queues`). Default 0: no queues. */
    readonly kueueReplicas?: number;
}

/** Every always-on Pod. */
export function alwaysOnPods(s: AlwaysOnSettings): AlwaysOnPod[] {
    if (!s.enabled) {
        return [];
    }
    const r = CONTAINER_RESOURCES;
    const pods: AlwaysOnPod[] = [];
    if (s.metadata) {
        // Migrations run in a Job once per version (services.ts), not in an init container.
        pods.push({ name: SERVICE_NAMES.metadata, replicas: s.metadataReplicas, containers: [r.metadata] });
        if (s.ui) {
            pods.push({ name: SERVICE_NAMES.uiBackend, replicas: s.uiReplicas, containers: [r.uiBackend] });
        }
    }
    if (s.argoWorkflows) {
        pods.push({ name: "argo-workflows-controller", replicas: s.metadataReplicas, containers: [r.argoController] });
        pods.push({ name: "argo-workflows-server", replicas: s.metadataReplicas, containers: [r.argoServer] });
    }
    if (s.argoEvents) {
        pods.push({ name: "argo-events-controller", replicas: 1, containers: [r.argoEventsController] });
        pods.push({ name: `eventbus-${ARGO_EVENTS_NAMES.eventBus}`, replicas: s.eventBusReplicas, containers: [r.jetstream, r.jetstreamReloader, r.jetstreamMetrics] });
        pods.push({ name: `eventsource-${ARGO_EVENTS_NAMES.eventSource}`, replicas: 1, containers: [r.eventSource] });
    }
    if (s.airflow) {
        pods.push({ name: "airflow-scheduler", replicas: s.metadataReplicas, containers: [r.airflowScheduler, r.airflowLogGroomer, r.gcsFuseSidecar] });
        pods.push({ name: "airflow-dag-processor", replicas: 1, containers: [r.airflowDagProcessor, r.airflowLogGroomer, r.gcsFuseSidecar] });
        pods.push({ name: "airflow-triggerer", replicas: s.metadataReplicas, containers: [r.airflowTriggerer, r.airflowLogGroomer] });
        pods.push({ name: "airflow-webserver", replicas: s.metadataReplicas, containers: [r.airflowWebserver] });
        pods.push({ name: "airflow-pgbouncer", replicas: s.metadataReplicas, containers: [r.airflowPgbouncer, r.airflowPgbouncerExporter] });
    }
    if (s.kueueReplicas) {
        pods.push({ name: "kueue-controller-manager", replicas: s.kueueReplicas, containers: [r.kueueController] });
    }
    return pods;
}

/** A Pod's ephemeral-storage request in MiB (its containers' sum; init containers request none here). */
export function podEphemeralRequestMiB(pod: Pick<AlwaysOnPod, "containers">): number {
    return pod.containers.reduce((sum, c) => sum + (c.requests["ephemeral-storage"] === undefined ? 0 : gibibytes(c.requests["ephemeral-storage"]) * 1024), 0);
}

/** A Pod's effective request: max(largest init container, sum of containers), per resource. */
export function podRequest(pod: Pick<AlwaysOnPod, "containers" | "initContainers">): { cpu: number; memoryGib: number } {
    const sum = (list: readonly ContainerResources[], f: (c: ContainerResources) => number) => list.reduce((acc, c) => acc + f(c), 0);
    const max = (list: readonly ContainerResources[], f: (c: ContainerResources) => number) => list.reduce((acc, c) => Math.max(acc, f(c)), 0);
    const cpu = (c: ContainerResources) => cpuCores(c.requests.cpu);
    const mem = (c: ContainerResources) => gibibytes(c.requests.memory);
    const init = pod.initContainers ?? [];
    return { cpu: Math.max(sum(pod.containers, cpu), max(init, cpu)), memoryGib: Math.max(sum(pod.containers, mem), max(init, mem)) };
}
