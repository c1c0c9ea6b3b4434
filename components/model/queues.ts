/**
 * Fair queues for steps (config `queues`): Kueue admits a step only while its ClusterQueue has
 * quota left, so steps wait in a queue, in order, instead of as pending pods that compete for
 * nodes. Names and quotas here; the objects in kubernetes/specs/kueue.ts. Pure.
 *
 * The environment's quota is what its pools can hold: GPUs are every GPU pool's rungs at their
 * maxNodes (the sum the `gpu-quota` policy compares with its limit), CPU what steps can have of
 * those nodes after GKE and the always-on pods (sizing.ts `largestSteps`). Per-team queues carve
 * their share out of it, and the rest stays with the environment's queue; all of them are one
 * cohort, so idle quota is lent and borrowed (Kueue concepts/cluster_queue, "Cohort").
 */

/** The label a Job or pod carries to name its LocalQueue (Kueue; read by the batch/job and pod integrations). */
export const QUEUE_NAME_LABEL = "kueue.x-k8s.io/queue-name";

/** The Metaflow namespace's default LocalQueue, which the profile's label names. */
export const DEFAULT_LOCAL_QUEUE = "metaflow";

/** Kueue's own namespace (the chart's default release namespace). */
export const KUEUE_NAMESPACE = "kueue-system";

/** The one ResourceFlavor: no node labels, so Kueue adds no node selector; the pools and classes place pods. */
export const QUEUE_FLAVOR = "metaflow";

/** Resources the queues count; memory and ephemeral storage are left to the scheduler (QuotaCheckStrategy IgnoreUndeclared). */
export const QUEUED_RESOURCES = ["cpu", "nvidia.com/gpu"] as const;

/** The environment's ClusterQueue, and its cohort when teams share it. */
export function clusterQueueName(environment: string, team?: string): string {
    return team ? `metaflow-${environment}-${team}` : `metaflow-${environment}`;
}

/** A pool as the queues count it: its nodes at most, and what each offers steps. */
export interface QueuedPool {
    readonly maxNodes: number;
    /** CPU a step may request on one node (largestSteps), in cores. */
    readonly stepCpu: number;
    readonly gpusPerNode: number;
}

/** Quota in the units the ClusterQueue writes: CPU in millicores, whole GPUs. */
export interface Quota {
    readonly cpuMillis: number;
    readonly gpus: number;
}

/**
 * What steps can hold at once: every pool at maxNodes, less the always-on pods' CPU (they sit on
 * the CPU pool's nodes). Never negative.
 */
export function environmentCapacity(pools: readonly QueuedPool[], alwaysOnCpuMillis: number): Quota {
    const cpuMillis = pools.reduce((sum, p) => sum + p.maxNodes * Math.floor(p.stepCpu * 1000), 0) - alwaysOnCpuMillis;
    return { cpuMillis: Math.max(0, cpuMillis), gpus: pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0) };
}

/** A team's queue as configured. */
export interface TeamQueue {
    readonly name: string;
    readonly gpus: number;
    readonly cpus: number;
    /** May borrow quota the others leave idle. */
    readonly borrowing: boolean;
}

/** The ClusterQueues of an environment: its own (the remainder) and one per team. */
export interface QueuePlan {
    readonly environment: Quota;
    readonly teams: ReadonlyArray<TeamQueue & { readonly quota: Quota }>;
    /** The cohort that joins them, when there are teams. */
    readonly cohort?: string;
}

/** Teams take their share; the environment's queue keeps the rest (refused in config when teams ask for more than there is). */
export function queuePlan(environment: string, capacity: Quota, teams: readonly TeamQueue[]): QueuePlan {
    const taken = teams.reduce((sum, t) => ({ cpuMillis: sum.cpuMillis + Math.round(t.cpus * 1000), gpus: sum.gpus + t.gpus }), { cpuMillis: 0, gpus: 0 });
    return {
        environment: { cpuMillis: Math.max(0, capacity.cpuMillis - taken.cpuMillis), gpus: Math.max(0, capacity.gpus - taken.gpus) },
        teams: teams.map((t) => ({ ...t, quota: { cpuMillis: Math.round(t.cpus * 1000), gpus: t.gpus } })),
        ...(teams.length > 0 ? { cohort: clusterQueueName(environment) } : {}),
    };
}

/**
 * Kueue's controller replicas: two in production, where its pod webhook (failurePolicy Fail)
 * must answer while one replica is replaced, one elsewhere.
 */
export function kueueReplicas(production: boolean): number {
    return production ? 2 : 1;
}
