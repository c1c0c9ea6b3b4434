/**
 * The capacity ladder of a GPU pool: the kinds of capacity GKE tries, in order, when a GPU step
 * needs a node. Each rung is one node pool of ours (hardened like every pool, with its own node
 * limit, so quotas, cost and the `gpu-quota` policy stay exact), and a GKE custom compute class
 * named after the pool orders them (kubernetes/specs/computeClass.ts). Pure: the config rules, the
 * platform, the estimate and the outputs all read the rungs from here.
 *
 * Sources: GKE "About custom ComputeClasses" and the ComputeClass CRD reference
 * (docs.cloud.google.com/kubernetes-engine/docs/reference/crds/computeclass): manually created node
 * pools join a class through the node label and taint `cloud.google.com/compute-class=<class>`;
 * the autoscaler moves to the next priority when one cannot scale up (no capacity, or its maximum
 * reached). Compute Engine "About Flex-start VMs": flex-start serves accelerator-optimized machine
 * types (not N1 with attached GPUs), runs a VM for at most seven days and draws on preemptible
 * quota; GKE runs GPU flex-start from 1.32.2-gke.1652000 ("About flex-start", concepts/dws).
 */
import { machineFamily } from "./catalog";

/** Kinds of capacity, in the order the ladder tries them: the cheapest that starts now, the one that is always sold, the one that may wait for capacity. */
export const CAPACITIES = ["spot", "onDemand", "flexStart"] as const;
export type Capacity = (typeof CAPACITIES)[number];

/** Words for people (outputs, errors, the preview). */
export const CAPACITY_WORDS: Record<Capacity, string> = { spot: "spot", onDemand: "on-demand", flexStart: "flex-start" };

/** Node label (and taint key) that ties a node to a compute class, and pods to it as a node selector. */
export const COMPUTE_CLASS_LABEL = "cloud.google.com/compute-class";

/** A flex-start VM runs at most seven days (Compute Engine, "Flex-start VM limited run duration"). */
export const FLEX_START_MAX_RUN_HOURS = 7 * 24;

/**
 * Machine families flex-start provisions, of those the catalog knows: the accelerator-optimized
 * G2 (L4), A2 (A100) and A3 (H100). N1 with attached T4s is general-purpose, so never.
 */
export const FLEX_START_FAMILIES: readonly string[] = ["g2", "a2", "a3"];

/** Why flex-start cannot serve a machine type, or undefined when it can. */
export function flexStartRefusal(machineType: string): string | undefined {
    const family = machineFamily(machineType);
    return FLEX_START_FAMILIES.includes(family)
        ? undefined
        : `flex-start provisions only accelerator-optimized machines (${FLEX_START_FAMILIES.map((f) => f.toUpperCase()).join(", ")} here), not ${family.toUpperCase()} (${machineType})`;
}

/** Extra rungs a pool may list beside its own capacity. */
export interface LadderSettings {
    readonly spot?: { readonly maxNodes: number };
    readonly onDemand?: { readonly maxNodes: number };
    readonly flexStart?: { readonly maxNodes: number; readonly maxRunHours: number };
}

/** What the ladder reads of a GPU pool. */
export interface LadderPool {
    readonly name: string;
    /** The pool's own capacity: spot or on demand. */
    readonly spot: boolean;
    readonly minNodes: number;
    readonly maxNodes: number;
    readonly ladder?: LadderSettings;
}

/** One rung: one node pool. */
export interface Rung {
    readonly capacity: Capacity;
    /** Pool name as GpuNodePool takes it; its node pool is `gpu-<poolName>`. */
    readonly poolName: string;
    /** The GKE node pool's name. */
    readonly nodePoolName: string;
    /** The pool itself (created before any ladder, keeps its name); the others are added rungs. */
    readonly base: boolean;
    readonly minNodes: number;
    readonly maxNodes: number;
    /** Flex-start only: how long a node may run, in seconds. */
    readonly maxRunSeconds?: number;
}

/** Suffix of an added rung's pool name. */
const RUNG_SUFFIX: Record<Capacity, string> = { spot: "spot", onDemand: "ondemand", flexStart: "flex" };

/** The capacity of a pool's own nodes. */
export function baseCapacity(pool: Pick<LadderPool, "spot">): Capacity {
    return pool.spot ? "spot" : "onDemand";
}

/** The compute class of a laddered pool: the pool's node pool name (`gpu-<name>`). */
export function computeClassName(poolName: string): string {
    return `gpu-${poolName}`;
}

/** Whether the pool has a ladder (at least one added rung). */
export function hasLadder(pool: Pick<LadderPool, "ladder">): boolean {
    return CAPACITIES.some((c) => pool.ladder?.[c] !== undefined);
}

/**
 * The pool's rungs in the order GKE tries them: the pool itself plus each added rung, sorted by
 * CAPACITIES (so a production pool on demand can gain a spot rung tried before it without being
 * replaced). Without a ladder: the pool alone.
 */
export function ladderRungs(pool: LadderPool): Rung[] {
    const own = baseCapacity(pool);
    const rungs: Rung[] = [{ capacity: own, poolName: pool.name, nodePoolName: `gpu-${pool.name}`, base: true, minNodes: pool.minNodes, maxNodes: pool.maxNodes }];
    for (const capacity of CAPACITIES) {
        const added = pool.ladder?.[capacity];
        if (!added || capacity === own) {
            continue;
        }
        const poolName = `${pool.name}-${RUNG_SUFFIX[capacity]}`;
        const maxRunHours = capacity === "flexStart" ? (added as NonNullable<LadderSettings["flexStart"]>).maxRunHours : undefined;
        rungs.push({
            capacity,
            poolName,
            nodePoolName: `gpu-${poolName}`,
            base: false,
            // Added rungs scale from zero: they are fallbacks.
            minNodes: 0,
            maxNodes: added.maxNodes,
            ...(maxRunHours !== undefined ? { maxRunSeconds: maxRunHours * 3600 } : {}),
        });
    }
    return rungs.sort((a, b) => CAPACITIES.indexOf(a.capacity) - CAPACITIES.indexOf(b.capacity));
}
