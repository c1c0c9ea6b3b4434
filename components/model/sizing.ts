/**
 * Sizing decisions that depend on more than one setting: how many Postgres connections the
 * database offers (`max_connections`, from the tier or an explicit value) and how many its
 * clients may open at once; what a node offers pods and the largest Metaflow step each pool runs.
 *
 * `max_connections` never follows replica counts: Postgres reads it only at start, so Cloud SQL
 * restarts the instance whenever the flag changes. It is derived from the tier (which restarts
 * the instance anyway when it changes) or set explicitly, and validation checks that every
 * client's pools fit it.
 */
import { KNOWN_MACHINE_SERIES, machineShape } from "./catalog";
import { EVENTBUS_REPLICAS, alwaysOnPods, podEphemeralRequestMiB, podRequest, type AlwaysOnPod } from "./workloadRequests";

/**
 * Each service replica's database pools, set per environment (PROFILE_DEFAULTS, overridable as
 * `services.metadataDbPoolMax` / `services.uiDbPoolMax`). Both services read
 * `MF_METADATA_DB_POOL_MIN/MAX` through `DBConfiguration` (Netflix/metaflow-service v2.5.0
 * `services/utils/__init__.py` `DBConfiguration`: aiopg defaults 1 and 10).
 */
export interface ServicePools {
    /** MF_METADATA_DB_POOL_MAX of the metadata service: its one pool (no separate reader pool). */
    readonly metadataDbPoolMax: number;
    /** MF_METADATA_DB_POOL_MAX of the UI backend, applied to each of its UI_BACKEND_POOLS pools. */
    readonly uiDbPoolMax: number;
}
/** MF_METADATA_DB_POOL_MIN of both services: one connection per pool kept open. */
export const DB_POOL_MIN = 1;
/**
 * Pools one UI backend process opens, each of `uiDbPoolMax` connections (metaflow-service v2.5.0
 * `services/ui_backend_service/ui_server.py` `app`): `ui`, `ui:cache`, and with the default
 * features `ui:notify` (LISTEN, holds one connection), `ui:heartbeat`, `ui:websocket`, plus the
 * read-only metadata service mounted at /metadata with its own pool.
 */
export const UI_BACKEND_POOLS = 6;
/**
 * Connections kept out of the services' reach: Postgres's `superuser_reserved_connections`
 * (default 3; ordinary roles such as ours get max_connections - 3, the rest is for Cloud SQL's
 * own superuser), the migration Job (goose applies migrations on one connection; 2 allowed),
 * and an operator's `psql` or Cloud SQL Studio session (2).
 */
export const RESERVED_CONNECTIONS = 3 + 2 + 2;
/**
 * Extra pods a rolling update of the metadata service and UI backend starts before it stops old
 * ones (their Deployments' maxSurge), unless `services.rolloutSurge` says 0 (they then restart
 * in place, maxUnavailable 1).
 */
export const ROLLING_UPDATE_SURGE = 1;
/** A Postgres backend costs memory; ~12 MB each keeps shared_buffers and work_mem room. */
const MB_PER_CONNECTION = 12;

/**
 * Airflow's database settings, passed to every Airflow process through the chart's `config`
 * (apache-airflow 2.10.5 `airflow/config_templates/config.yml`: `[database]
 * sql_alchemy_pool_size` default 5, `sql_alchemy_max_overflow` default 10, `[webserver] workers`
 * default 4, `[scheduler] parsing_processes` default 2, `[core] parallelism` default 32). The
 * defaults allow 15 connections per process and 32 task pods: more than a small Cloud SQL tier
 * carries, so they are set smaller and counted here.
 */
export const AIRFLOW_DB = {
    poolSize: 2,
    maxOverflow: 1,
    /** Gunicorn workers per webserver replica. */
    webserverWorkers: 2,
    /** DAG-parsing processes of the DAG processor (each opens its own pool). */
    parsingProcesses: 2,
    /** Task instances running at once: one KubernetesExecutor worker pod each. */
    parallelism: 8,
    /** A worker pod runs `airflow tasks run` and the forked task process, each with a pool. */
    processesPerWorkerPod: 2,
    /**
     * Server connections each PgBouncer pod opens to the metadata database (`pool_size` of its one
     * database). PgBouncer pools by transaction (the chart's `pool_mode = transaction`), so
     * Airflow's processes hold a server connection only while a transaction runs. Four: the
     * scheduler loop, the DAG processor, and `airflow db migrate` (which holds
     * `pg_advisory_lock` in one open transaction while it migrates on another, apache-airflow
     * 2.10.5 `airflow/utils/db.py` `create_global_lock`: one connection would deadlock) each get
     * one; task pods' heartbeats queue for a moment (PgBouncer's query_wait_timeout, 120 s).
     */
    pgbouncerPoolSize: 4,
} as const;

/**
 * PgBouncer pods a rollout adds beside the running ones: the chart's Deployment has maxSurge 1,
 * maxUnavailable 0, not configurable (apache/airflow chart 1.16.0
 * `templates/pgbouncer/pgbouncer-deployment.yaml`).
 */
export const PGBOUNCER_ROLLOUT_SURGE = 1;

/**
 * Client connections Airflow's processes open at peak with `replicas` schedulers, webservers and
 * triggerers (every process's SQLAlchemy pool full, `parallelism` task pods). They go to
 * PgBouncer, which serves them from its own few server connections (airflowServerConnections).
 */
export function airflowConnections(replicas: number): number {
    const perProcess = AIRFLOW_DB.poolSize + AIRFLOW_DB.maxOverflow;
    const processes =
        replicas /* schedulers */ +
        (1 + AIRFLOW_DB.parsingProcesses) /* one DAG processor */ +
        replicas /* triggerers */ +
        replicas * AIRFLOW_DB.webserverWorkers +
        AIRFLOW_DB.parallelism * AIRFLOW_DB.processesPerWorkerPod;
    return processes * perProcess;
}

/**
 * What Airflow holds on the database at peak: PgBouncer's server connections, `pool_size` per
 * PgBouncer pod, with one more pod during its rollout. PgBouncer runs as many pods as the
 * scheduler.
 */
export function airflowServerConnections(replicas: number): number {
    return (replicas + PGBOUNCER_ROLLOUT_SURGE) * AIRFLOW_DB.pgbouncerPoolSize;
}

/**
 * PgBouncer's `max_client_conn` per pod: every Airflow client connection, twice, since during a
 * rollout of PgBouncer or of an Airflow Deployment they can all land on one pod, beside the
 * surge pods' own (file descriptors are cheap).
 */
export function pgbouncerMaxClientConnections(replicas: number): number {
    return 2 * airflowConnections(replicas);
}

/** The connection arithmetic of Airflow through PgBouncer, as messages and docs state it. */
export function airflowConnectionArithmetic(replicas: number): string {
    const p = AIRFLOW_DB.pgbouncerPoolSize;
    return (
        `its ${airflowConnections(replicas)} client connections (with ${replicas} scheduler${replicas > 1 ? "s" : ""}) go to PgBouncer, which holds ` +
        `(${replicas} + ${PGBOUNCER_ROLLOUT_SURGE} during rollouts) × ${p} = ${airflowServerConnections(replicas)} on the database`
    );
}

/** One client of the database and the most connections it holds at once. */
export interface ConnectionUse {
    /** Who opens them, for messages ("metadata service x2 (+1 during rollouts)"). */
    readonly who: string;
    readonly connections: number;
}

/** The Metaflow services' settings that decide their connection pools. */
export interface ServicesConnectionSettings extends ServicePools {
    readonly enabled: boolean;
    readonly metadataReplicas: number;
    readonly ui: boolean;
    readonly uiReplicas: number;
    /** Airflow on the same instance; its scheduler, webserver, triggerer and PgBouncer run `metadataReplicas` each. */
    readonly airflow?: boolean;
    /** Surge pods of the metadata service's and UI backend's rollouts (0 or 1). Default: ROLLING_UPDATE_SURGE. */
    readonly rolloutSurge?: number;
}

/**
 * Connections of the Metaflow services at their peak: during a rolling update every Deployment
 * runs one surge pod beside its replicas, each with full pools.
 */
export function serviceConnectionUses(s: ServicesConnectionSettings): ConnectionUse[] {
    if (!s.enabled) {
        return [];
    }
    const surge = s.rolloutSurge ?? ROLLING_UPDATE_SURGE;
    const during = surge > 0 ? `+${surge} during rollouts` : "no rollout surge";
    const uses: ConnectionUse[] = [
        {
            who: `metadata service x${s.metadataReplicas} (${during})`,
            connections: (s.metadataReplicas + surge) * s.metadataDbPoolMax,
        },
    ];
    if (s.ui) {
        uses.push({
            who: `UI backend x${s.uiReplicas} (${during}; ${UI_BACKEND_POOLS} pools each)`,
            connections: (s.uiReplicas + surge) * UI_BACKEND_POOLS * s.uiDbPoolMax,
        });
    }
    if (s.airflow) {
        uses.push({
            who: `Airflow through PgBouncer (x${s.metadataReplicas} (+${PGBOUNCER_ROLLOUT_SURGE} during rollouts) × pool_size ${AIRFLOW_DB.pgbouncerPoolSize}, serving ${airflowConnections(s.metadataReplicas)} client connections)`,
            connections: airflowServerConnections(s.metadataReplicas),
        });
    }
    return uses;
}

/** Connections needed at peak: every client's pools plus the reserved ones. */
export function requiredConnections(uses: readonly ConnectionUse[]): number {
    return uses.reduce((sum, use) => sum + use.connections, RESERVED_CONNECTIONS);
}

/** The sum requiredConnections makes, written out: "metadata service x1: 3 + ... + 7 reserved = 24". */
export function connectionSum(uses: readonly ConnectionUse[]): string {
    return `${[...uses.map((u) => `${u.who}: ${u.connections}`), `${RESERVED_CONNECTIONS} reserved`].join(" + ")} = ${requiredConnections(uses)}`;
}

/** Largest `max_connections` a tier with `memoryMb` carries safely. */
export function connectionCapacity(memoryMb: number): number {
    return Math.floor(memoryMb / MB_PER_CONNECTION);
}

/**
 * The `max_connections` flag for a tier when the stack sets none: the tier's capacity rounded
 * down to ten (Cloud SQL's own default below 1 GiB). Depends on the tier's memory only, so replica changes never touch it.
 */
export function maxConnectionsForTier(memoryMb: number): number {
    if (memoryMb < 1024) {
        return SMALLEST_TIER_MAX_CONNECTIONS;
    }
    return Math.floor(connectionCapacity(memoryMb) / 10) * 10;
}

/**
 * Cloud SQL's own default max_connections for db-f1-micro (0.6 GB), kept for any tier under
 * 1 GiB: the 12 MB-per-connection rule would spend the whole instance on backends (51 x 12 MB
 * = 612 of 614 MB) and leave nothing for shared_buffers. Cloud SQL docs, "Quotas and limits",
 * maximum concurrent connections (PostgreSQL): db-f1-micro 25, db-g1-small 50; the same table in
 * cloud.google.com/sql/docs/postgres/faq ("0.6 (db-f1-micro) 25"), read 2026-11-28.
 */
export const SMALLEST_TIER_MAX_CONNECTIONS = 25;

// ---------------------------------------------------------------------------------------------
// Steps and nodes: what a node of a pool offers pods, and the largest Metaflow step it runs.
// ---------------------------------------------------------------------------------------------

/** CPU in millicores and memory in MiB: the units Kubernetes schedules in. */
export interface PodResources {
    readonly cpuMillis: number;
    readonly memoryMiB: number;
}

/**
 * Metaflow's default step (`@kubernetes` defaults, `plugins/kubernetes/kubernetes_decorator.py`,
 * Metaflow 2.19.39): cpu "1", memory "4096", disk "10240". Metaflow sends memory and disk as
 * `<n>M` (`plugins/kubernetes/kube_utils.py`): megabytes of 10^6 bytes, not MiB.
 */
export const METAFLOW_DEFAULT_STEP = { cpu: 1, memoryMb: 4096, diskMb: 10240 } as const;

/** A step's size in Metaflow's own units: vCPUs, MB (10^6 bytes), GPUs. */
export interface StepSize {
    readonly cpu: number;
    readonly memoryMb: number;
    readonly diskMb: number;
    readonly gpus: number;
}

const MIB = 1024 * 1024;
/** MiB (what nodes offer) to Metaflow's MB (10^6 bytes), rounded down: what still fits. */
export function mibToMb(mib: number): number {
    return Math.floor((mib * MIB) / 1e6);
}
/** Metaflow's MB to MiB, rounded up: what a request really takes. */
export function mbToMib(mb: number): number {
    return Math.ceil((mb * 1e6) / MIB);
}

/** Percent of each band reserved, from the bottom up: [band size, fraction]. */
type Bands = ReadonlyArray<readonly [size: number, fraction: number]>;
function reservedByBands(total: number, bands: Bands): number {
    let reserved = 0;
    let rest = total;
    for (const [size, fraction] of bands) {
        const inBand = Math.min(rest, size);
        reserved += inBand * fraction;
        rest -= inBand;
    }
    return reserved;
}

/**
 * GKE's reservation for system daemons and the kubelet (GKE docs, "Plan GKE Standard node
 * sizes", node allocatable resources). CPU: 6% of the first core, 1% of the second, 0.5% of the
 * next two, 0.25% of every core above four. Memory (GiB): 25% of the first 4, 20% of the next 4,
 * 10% of the next 8, 6% of the next 112, 2% above 128 (255 MiB flat below 1 GiB), plus the
 * kubelet's 100 MiB hard eviction threshold.
 */
const CPU_RESERVED_BANDS: Bands = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
const MEMORY_RESERVED_BANDS: Bands = [[4, 0.25], [4, 0.2], [8, 0.1], [112, 0.06], [Infinity, 0.02]];
/**
 * Image streaming reserves memory on top (GKE docs, "Use Image streaming", memory reservation):
 * 10% of the first 4 GiB, 8% of the next 4, 4% of the next 8, 2.4% of the next 112, 0.8% above.
 */
const IMAGE_STREAMING_BANDS: Bands = [[4, 0.1], [4, 0.08], [8, 0.04], [112, 0.024], [Infinity, 0.008]];
const EVICTION_THRESHOLD_MIB = 100;

/**
 * What one node of `machineType` offers pods (Kubernetes "allocatable"), by GKE's documented
 * reservation formula, from the machine's nominal shape. The kernel keeps a little of the VM's
 * memory, so a real node reports slightly less (tens to a few hundred MiB).
 */
export function nodeAllocatable(machineType: string, options: { imageStreaming?: boolean } = {}): PodResources {
    const shape = machineShape(machineType);
    if (!shape) {
        throw new Error(`unknown machine type "${machineType}"; known series: ${KNOWN_MACHINE_SERIES.join(", ")}`);
    }
    const cpuMillis = Math.floor(shape.vcpus * 1000 - reservedByBands(shape.vcpus, CPU_RESERVED_BANDS) * 1000);
    const memoryGiB = shape.memoryMb / 1024;
    let reservedGiB = memoryGiB < 1 ? 255 / 1024 : reservedByBands(memoryGiB, MEMORY_RESERVED_BANDS);
    if (options.imageStreaming) {
        reservedGiB += reservedByBands(memoryGiB, IMAGE_STREAMING_BANDS);
    }
    const memoryMiB = Math.floor(shape.memoryMb - reservedGiB * 1024 - EVICTION_THRESHOLD_MIB);
    return { cpuMillis, memoryMiB };
}

/**
 * Ephemeral storage a node offers pods from its boot disk, in MiB (GKE docs, "Plan GKE
 * Standard node sizes", local ephemeral storage reservation, boot disk without local SSD):
 * eviction threshold 10% of the disk, system reservation min(50% of the disk, 6 GiB + 35% of
 * the disk, 100 GiB). Node pool disk sizes are GiB. Images and containers' writable layers
 * share the same disk, so large task images eat into what is left in practice.
 */
export function nodeEphemeralStorageMiB(bootDiskGb: number): number {
    const evictionThreshold = 0.1 * bootDiskGb;
    const systemReservation = Math.min(0.5 * bootDiskGb, 6 + 0.35 * bootDiskGb, 100);
    return Math.floor((bootDiskGb - evictionThreshold - systemReservation) * 1024);
}

/**
 * GKE's own pods, as requested, that we plan for (assumptions, not documented figures; sources:
 * a GKE 1.29 node listing in cryptnono/cryptnono#34 and GKE's add-on manifests):
 * - every node runs DaemonSets: fluentbit-gke (105m/230Mi), gke-metadata-server for Workload
 *   Identity (100m/100Mi), ip-masq-agent (10m/16Mi), Dataplane V2's anetd, gke-metrics-agent,
 *   pdcsi-node: about 400m / 600 MiB together;
 * - the cluster runs add-on Deployments: kube-dns x2 (260m/110Mi each), konnectivity-agent x2
 *   (15m/60Mi), their autoscalers, metrics-server, l7-default-backend: about 700m / 500 MiB,
 *   counted with our services on the pool's minimum nodes (cpuPoolPlan);
 * - GPU nodes add the NVIDIA device plugin: about 50m / 100 MiB.
 */
export const GKE_SYSTEM_PODS = {
    perNode: { cpuMillis: 400, memoryMiB: 600 },
    clusterAddons: { cpuMillis: 700, memoryMiB: 500 },
    perGpuNode: { cpuMillis: 50, memoryMiB: 100 },
} as const;

/** The services settings the CPU pool has to carry. */
export interface ServicesSizing {
    readonly enabled: boolean;
    readonly metadataReplicas: number;
    readonly ui: boolean;
    readonly uiReplicas: number;
    readonly argoWorkflows: boolean;
    /** Argo Events: its controller, the JetStream EventBus and the webhook EventSource. Default false. */
    readonly argoEvents?: boolean;
    /** Airflow's scheduler, DAG processor, triggerer and webserver (as many replicas as the metadata service). */
    readonly airflow?: boolean;
    /** Kueue's controller replicas when the queues are on. Default 0. */
    readonly kueueReplicas?: number;
}

/**
 * The always-on services' requests in total, as deployed: every Pod of `alwaysOnPods`, whose
 * container sizes are the single table in workloadRequests.ts (tests/sizing.test.ts holds this
 * to the rendered stacks: every Deployment, chart value and Argo Events resource).
 */
export function servicesRequests(s: ServicesSizing): PodResources {
    return servicesPods(s).reduce(
        (sum, pod) => {
            const r = podRequest(pod);
            return {
                cpuMillis: sum.cpuMillis + Math.round(pod.replicas * r.cpu * 1000),
                memoryMiB: sum.memoryMiB + Math.round(pod.replicas * r.memoryGib * 1024),
            };
        },
        { cpuMillis: 0, memoryMiB: 0 },
    );
}

/**
 * The always-on pods' ephemeral-storage requests in total, MiB: the scheduler's and DAG
 * processor's FUSE sidecars (the only containers that ask for any). The scheduler places pods by
 * these against the node's allocatable ephemeral storage (nodeEphemeralStorageMiB), as it does
 * CPU and memory.
 */
export function servicesEphemeralMiB(s: ServicesSizing): number {
    return Math.round(servicesPods(s).reduce((sum, pod) => sum + pod.replicas * podEphemeralRequestMiB(pod), 0));
}

/**
 * Every always-on Pod the services settings deploy: what validation sizes the nodes for and what
 * the cost estimate prices (the metadata service and UI only with a database, `metadata`).
 */
export function servicesPods(s: ServicesSizing, metadata = true): AlwaysOnPod[] {
    return alwaysOnPods({
        enabled: s.enabled,
        metadata,
        metadataReplicas: s.metadataReplicas,
        ui: s.ui,
        uiReplicas: s.uiReplicas,
        argoWorkflows: s.argoWorkflows,
        argoEvents: (s.argoEvents ?? false) && s.argoWorkflows,
        eventBusReplicas: EVENTBUS_REPLICAS,
        airflow: s.airflow ?? false,
        kueueReplicas: s.kueueReplicas ?? 0,
    });
}

function minus(a: PodResources, ...others: PodResources[]): PodResources {
    return others.reduce((r, o) => ({ cpuMillis: r.cpuMillis - o.cpuMillis, memoryMiB: r.memoryMiB - o.memoryMiB }), a);
}

/** A step size from what is left on a node (never negative). */
function stepFrom(left: PodResources, diskMiB: number, gpus: number): StepSize {
    return {
        cpu: Math.max(0, Math.floor(left.cpuMillis / 10) / 100),
        memoryMb: Math.max(0, mibToMb(left.memoryMiB)),
        diskMb: Math.max(0, mibToMb(diskMiB)),
        gpus,
    };
}

/** The CPU pool's settings that decide what a step gets. */
export interface CpuPoolSizing {
    readonly machineType: string;
    readonly maxNodes: number;
    readonly diskSizeGb: number;
}

/**
 * The largest step beside the services: on one node, after GKE's DaemonSets, the cluster
 * add-ons and all our services' requests (everything on one node, as on a one-node pool).
 */
export function stepRoomBesideServices(pool: CpuPoolSizing, services: ServicesSizing): StepSize {
    const left = minus(nodeAllocatable(pool.machineType), GKE_SYSTEM_PODS.perNode, GKE_SYSTEM_PODS.clusterAddons, servicesRequests(services));
    return stepFrom(left, nodeEphemeralStorageMiB(pool.diskSizeGb) - servicesEphemeralMiB(services), 0);
}

/** The largest step on a node of its own: the node minus GKE's DaemonSets. */
export function stepRoomOnFreshNode(pool: CpuPoolSizing): StepSize {
    return stepFrom(minus(nodeAllocatable(pool.machineType), GKE_SYSTEM_PODS.perNode), nodeEphemeralStorageMiB(pool.diskSizeGb), 0);
}

/** Where the CPU pool puts the always-on pods and the largest step. */
export interface CpuPoolPlan {
    /** Requests that stay on the pool: our services plus GKE's cluster add-ons. */
    readonly alwaysOn: PodResources;
    /** What one node offers pods besides GKE's DaemonSets. */
    readonly perNode: PodResources;
    /** Nodes the always-on pods need (at least one), by total requests. */
    readonly servicesNodes: number;
    /**
     * "fresh node" when maxNodes leaves the autoscaler room to add a node for a step beyond
     * the services' nodes; "beside services" otherwise (the worst case: one node shared).
     */
    readonly stepNode: "fresh node" | "beside services";
    readonly stepRoom: StepSize;
}

/**
 * How the CPU pool carries the services and steps. The always-on pods (our services, GKE's
 * add-ons) need `servicesNodes` nodes after the DaemonSets every node runs; the largest step
 * runs on a fresh node (only DaemonSets beside it) when maxNodes exceeds that, because the
 * cluster autoscaler adds a node for a pending step, and otherwise beside the services.
 * Counting by totals assumes the scheduler can pack the always-on pods, which are small next to
 * a node (the largest asks for 0.5 vCPU / 1 GiB).
 */
export function cpuPoolPlan(pool: CpuPoolSizing, services: ServicesSizing): CpuPoolPlan {
    const alwaysOn = { cpuMillis: servicesRequests(services).cpuMillis + GKE_SYSTEM_PODS.clusterAddons.cpuMillis, memoryMiB: servicesRequests(services).memoryMiB + GKE_SYSTEM_PODS.clusterAddons.memoryMiB };
    const perNode = minus(nodeAllocatable(pool.machineType), GKE_SYSTEM_PODS.perNode);
    const perNodeEphemeralMiB = nodeEphemeralStorageMiB(pool.diskSizeGb);
    const servicesNodes =
        perNode.cpuMillis <= 0 || perNode.memoryMiB <= 0 || perNodeEphemeralMiB <= 0
            ? Infinity
            : Math.max(
                  1,
                  Math.ceil(alwaysOn.cpuMillis / perNode.cpuMillis),
                  Math.ceil(alwaysOn.memoryMiB / perNode.memoryMiB),
                  Math.ceil(servicesEphemeralMiB(services) / perNodeEphemeralMiB),
              );
    const fresh = pool.maxNodes > servicesNodes;
    return {
        alwaysOn,
        perNode,
        servicesNodes,
        stepNode: fresh ? "fresh node" : "beside services",
        stepRoom: fresh ? stepRoomOnFreshNode(pool) : stepRoomBesideServices(pool, services),
    };
}

/** The largest step the CPU pool runs (see cpuPoolPlan). */
export function largestCpuStep(pool: CpuPoolSizing, services: ServicesSizing): StepSize {
    return cpuPoolPlan(pool, services).stepRoom;
}

/**
 * The largest step a GPU pool runs: a whole node (the GPU taint keeps every other pod off),
 * minus GKE's DaemonSets and the device plugin, with image streaming's reservation (our GPU
 * pools stream images), and all the node's GPUs.
 */
export function largestGpuStep(pool: { machineType: string; diskSizeGb: number; gpusPerNode: number }): StepSize {
    const left = minus(nodeAllocatable(pool.machineType, { imageStreaming: true }), GKE_SYSTEM_PODS.perNode, GKE_SYSTEM_PODS.perGpuNode);
    return stepFrom(left, nodeEphemeralStorageMiB(pool.diskSizeGb), pool.gpusPerNode);
}

/** Whether a step of `step` size fits in `room`. */
export function stepFits(step: Omit<StepSize, "gpus"> & { gpus?: number }, room: StepSize): boolean {
    return step.cpu <= room.cpu && step.memoryMb <= room.memoryMb && step.diskMb <= room.diskMb && (step.gpus ?? 0) <= room.gpus;
}

/**
 * Autopilot's limits for a Pod of the general-purpose compute class (GKE docs, "Resource
 * requests in Autopilot", minimum and maximum requests): at least 50m CPU and 52 MiB, CPU to
 * memory between 1:1 and 1:6.5 (GiB per vCPU), at most 30 vCPU and 110 GiB; ephemeral storage
 * is held to 10 GiB, the general-purpose maximum on every version (newer ones allow more).
 */
export const AUTOPILOT_GENERAL_PURPOSE = {
    minCpuMillis: 50,
    maxCpuMillis: 30_000,
    minMemoryMiB: 52,
    maxMemoryMiB: 110 * 1024,
    minGiBPerVcpu: 1,
    maxGiBPerVcpu: 6.5,
    maxEphemeralMiB: 10 * 1024,
} as const;

/** Why Autopilot would refuse (or resize) a step, or undefined when it takes it as asked. */
export function autopilotStepProblem(step: Omit<StepSize, "gpus">): string | undefined {
    const a = AUTOPILOT_GENERAL_PURPOSE;
    const cpuMillis = step.cpu * 1000;
    const memoryMiB = mbToMib(step.memoryMb);
    const ratio = memoryMiB / 1024 / step.cpu;
    if (cpuMillis < a.minCpuMillis || cpuMillis > a.maxCpuMillis) {
        return `CPU must be ${a.minCpuMillis / 1000}-${a.maxCpuMillis / 1000} vCPU`;
    }
    if (memoryMiB < a.minMemoryMiB || memoryMiB > a.maxMemoryMiB) {
        return `memory must be ${mibToMb(a.minMemoryMiB)}-${mibToMb(a.maxMemoryMiB)} MB`;
    }
    if (ratio < a.minGiBPerVcpu || ratio > a.maxGiBPerVcpu) {
        return `memory must be ${a.minGiBPerVcpu}-${a.maxGiBPerVcpu} GiB per vCPU (here ${ratio.toFixed(2)})`;
    }
    if (mbToMib(step.diskMb) > a.maxEphemeralMiB) {
        return `disk must be at most ${mibToMb(a.maxEphemeralMiB)} MB`;
    }
    return undefined;
}

/** The largest step Autopilot schedules on its general-purpose class. */
export function largestAutopilotStep(): StepSize {
    const a = AUTOPILOT_GENERAL_PURPOSE;
    return { cpu: a.maxCpuMillis / 1000, memoryMb: mibToMb(a.maxMemoryMiB), diskMb: mibToMb(a.maxEphemeralMiB), gpus: 0 };
}

/**
 * Smallest machine types of common series whose pool (of `minNodes` to `maxNodes` nodes)
 * carries the always-on pods on its minimum nodes and runs Metaflow's default step.
 */
export function cpuMachinesThatFit(services: ServicesSizing, pool: { minNodes: number; maxNodes: number; diskSizeGb: number }): string[] {
    const fits: string[] = [];
    for (const series of ["e2-standard", "n2-standard", "e2-highmem"]) {
        for (const vcpus of [2, 4, 8, 16, 32]) {
            const machineType = `${series}-${vcpus}`;
            if (!machineShape(machineType)) {
                continue;
            }
            const plan = cpuPoolPlan({ machineType, maxNodes: pool.maxNodes, diskSizeGb: pool.diskSizeGb }, services);
            if (plan.servicesNodes <= Math.max(1, pool.minNodes) && stepFits({ ...METAFLOW_DEFAULT_STEP, diskMb: 0 }, plan.stepRoom)) {
                fits.push(machineType);
                break;
            }
        }
    }
    return fits;
}

/** The settings `largestSteps` reads (a subset of PlatformConfig). */
export interface StepCapacityInput {
    readonly cluster: { readonly mode: "standard" | "autopilot"; readonly cpuPool: CpuPoolSizing };
    readonly services: ServicesSizing;
    readonly gpuPools: ReadonlyArray<{ readonly name: string; readonly machineType: string; readonly diskSizeGb: number; readonly gpusPerNode: number }>;
}

/**
 * The largest step each pool runs, keyed `cpu` for the CPU pool and by GPU pool name. In
 * Autopilot there are no pools: `cpu` is the general-purpose class's maximum and GPU steps are
 * sized by Autopilot from their requests (see the gpuScheduling output).
 */
export function largestSteps(cfg: StepCapacityInput): Record<string, StepSize> {
    if (cfg.cluster.mode === "autopilot") {
        return { cpu: largestAutopilotStep() };
    }
    const steps: Record<string, StepSize> = { cpu: largestCpuStep(cfg.cluster.cpuPool, cfg.services) };
    for (const pool of cfg.gpuPools) {
        steps[pool.name] = largestGpuStep(pool);
    }
    return steps;
}

/**
 * `initialNodeCount` of a node pool whose autoscaler keeps `totalMinNodes` across `zoneCount`
 * zones. GKE reads `initialNodeCount` per zone and creates a pool with 0 nodes without it
 * (terraform-provider-google #8270), so the pool would wait for a pending pod before its first
 * node; rounding up starts at least the minimum.
 */
export function initialNodesPerZone(totalMinNodes: number, zoneCount: number): number {
    return zoneCount === 0 ? 0 : Math.ceil(totalMinNodes / zoneCount);
}

/**
 * Boot disk (GB, pd-standard) of the default pool GKE creates with a cluster and that we delete
 * at once: small and standard, so creating a cluster does not spend the SSD_TOTAL_GB quota of a
 * new project (its nodes never run a pod of ours).
 */
export const DEFAULT_POOL_DISK_GB = 20;
