/** Small pure helpers shared by the policies. */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { REGION_ZONES, builtInGpus } from "../components/model/catalog";
import { cidrContains, normalizeCidr } from "../components/model/cidr";

// The error the pack's property proxy throws when a policy reads a value unknown during a
// preview (@pulumi/policy 1.21 `proxy.js`, `proxyHelper`'s `get` trap); internal, so not in the typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UnknownValueError } = require("@pulumi/policy/proxy") as { UnknownValueError: new (...args: any[]) => Error };

/** What `peek` returns for a value that is unknown until the update runs. */
export const UNKNOWN: unique symbol = Symbol("unknown until the update runs");

/**
 * Reads a value that may be unknown during a preview. The engine's proxy throws on such a read,
 * which makes the server report "can't run during preview" for the whole policy; a policy that
 * can still decide without the value peeks at it instead.
 */
export function peek<T>(read: () => T): T | typeof UNKNOWN {
    try {
        return read();
    } catch (err) {
        if (err instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw err;
    }
}

/** Every known string in a value, with its path; unknown parts are skipped. */
export function knownStrings(value: unknown, path = ""): Array<{ path: string; value: string }> {
    if (typeof value === "string") {
        return [{ path, value }];
    }
    if (value === null || typeof value !== "object") {
        return [];
    }
    const found: Array<{ path: string; value: string }> = [];
    // Object.keys does not throw on the proxy; reading an unknown member does.
    for (const key of Object.keys(value)) {
        const child = peek(() => (value as Record<string, unknown>)[key]);
        if (child !== UNKNOWN) {
            found.push(...knownStrings(child, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key));
        }
    }
    return found;
}

type Check = (props: Record<string, any>, args: ResourceValidationArgs, report: ReportViolation) => void;

/** A resource validation that runs `check` on resources of the given types only. */
export function forTypes(types: readonly string[], check: Check) {
    return (args: ResourceValidationArgs, report: ReportViolation): void => {
        if (types.includes(args.type)) {
            check(args.props, args, report);
        }
    };
}

/** `type name` for messages. */
export function describe(args: { type: string; name: string }): string {
    return `${args.type.split(":").pop()} "${args.name}"`;
}

/**
 * The known members of an IAM grant: `member`, `members`, or the bindings of an IAM policy
 * document (`policyData`). Unknown members are left out.
 */
export function grantMembers(props: Record<string, any>): string[] {
    const member = peek(() => props.member);
    if (typeof member === "string") {
        return [member];
    }
    const members = peek(() => props.members);
    if (members !== UNKNOWN && Array.isArray(members)) {
        return knownStrings(members).map((m) => m.value);
    }
    const policyData = peek(() => props.policyData);
    if (typeof policyData === "string") {
        try {
            const doc = JSON.parse(policyData) as { bindings?: Array<{ members?: string[] }> };
            return (doc.bindings ?? []).flatMap((b) => b.members ?? []);
        } catch {
            return [];
        }
    }
    return [];
}

/** The region of a location: a zone (`us-central1-a`) or a region (`us-central1`). */
export function regionOf(location: string): string {
    const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(location);
    return (zone ? zone[1] : location).toLowerCase();
}

/**
 * True when `inner` is a CIDR inside `outer`, with the platform's own CIDR maths. Host bits are
 * normalized away (GCP does the same); text that is no IPv4 CIDR counts as outside.
 */
export function cidrWithin(inner: string, outer: string): boolean {
    const normalizedInner = normalizeCidr(inner);
    const normalizedOuter = normalizeCidr(outer);
    return normalizedInner !== undefined && normalizedOuter !== undefined && cidrContains(normalizedOuter, normalizedInner);
}

/** GPUs and node limits of a node pool, as the autoscaler will use them. */
export interface PoolFootprint {
    readonly machineType?: string;
    /** GPUs per node (0 for CPU pools); UNKNOWN when nothing known decides it (see `nodeGpus`). */
    readonly gpusPerNode: number | typeof UNKNOWN;
    readonly gpuType?: string;
    /** Most nodes the pool can reach in total. */
    readonly maxNodes: number;
    /**
     * Zones the pool spans: its nodeLocations; for a regional pool without them, every zone of
     * the region (GKE's default), from the catalog; 1 for a zonal pool.
     */
    readonly zones: number;
    /** True when the pool is regional and lists no nodeLocations. */
    readonly regionWide: boolean;
    /** True when limits are per zone (min/maxNodeCount), false for totals. */
    readonly perZone: boolean;
}

/** GPUs on each node of a pool, or UNKNOWN when nothing known decides it. */
export type NodeGpus = { readonly gpusPerNode: number; readonly gpuType?: string } | typeof UNKNOWN;

/**
 * The GPUs on each node of a pool's `nodeConfig`: its `guestAccelerators` when known. A pool that
 * leaves them out gets them computed by the provider, so a first preview shows the list unknown
 * (offline/plannedState.ts has the provider's code); the node then carries what its machine
 * type comes with (`builtInGpus`: G2/A2/A3), and nothing on any other machine. UNKNOWN only when
 * the machine type is unknown too.
 */
export function nodeGpus(nodeConfig: Record<string, any> | undefined): NodeGpus {
    const accelerators = peek(() => nodeConfig?.guestAccelerators as any[] | undefined);
    if (accelerators !== UNKNOWN) {
        const list = accelerators ?? [];
        const known = list.map((a) => ({ count: peek(() => a.count), type: peek(() => a.type) }));
        if (known.every((a) => a.count !== UNKNOWN && a.type !== UNKNOWN)) {
            return { gpusPerNode: known.reduce((sum, a) => sum + (Number(a.count) || 0), 0), gpuType: known[0]?.type as string | undefined };
        }
    }
    const machineType = peek(() => nodeConfig?.machineType as string | undefined);
    if (machineType === UNKNOWN) {
        return UNKNOWN;
    }
    const builtIn = machineType ? builtInGpus(machineType) : undefined;
    return builtIn ? { gpusPerNode: builtIn.count, gpuType: builtIn.gpuType } : { gpusPerNode: 0 };
}

/**
 * `maxNodeCount` is per zone and multiplies by the pool's zones; `totalMaxNodeCount` is already a
 * total. A pool without autoscaling holds `nodeCount` (per zone) or `initialNodeCount`. Reads
 * only what is known in a first preview: unknown `nodeLocations` (computed when left out) count
 * as every zone of a regional pool's region, GKE's default. `gpusPerNode` is UNKNOWN when
 * `nodeGpus` cannot decide.
 */
export function poolFootprint(props: Record<string, any>): PoolFootprint {
    const gpus = nodeGpus(props.nodeConfig);
    const location = peek(() => props.location);
    const regional = typeof location === "string" && !/-[a-z]$/.test(location);
    const nodeLocations = peek(() => props.nodeLocations);
    const listed = Array.isArray(nodeLocations) && nodeLocations.length > 0 ? nodeLocations.length : 0;
    const regionWide = regional && listed === 0;
    // A region missing from the catalog counts as 3 zones, the smallest GCP region.
    const zones = listed > 0 ? listed : regionWide ? (REGION_ZONES[location]?.length ?? 3) : 1;
    const autoscaling = props.autoscaling ?? {};
    let maxNodes: number;
    let perZone: boolean;
    if (autoscaling.totalMaxNodeCount !== undefined) {
        maxNodes = Number(autoscaling.totalMaxNodeCount);
        perZone = false;
    } else if (autoscaling.maxNodeCount !== undefined) {
        maxNodes = Number(autoscaling.maxNodeCount) * zones;
        perZone = true;
    } else {
        const nodeCount = peek(() => props.nodeCount);
        const initial = peek(() => props.initialNodeCount);
        maxNodes = Number((nodeCount === UNKNOWN ? undefined : nodeCount) ?? (initial === UNKNOWN ? undefined : initial) ?? 1) * zones;
        perZone = true;
    }
    const machineType = peek(() => props.nodeConfig?.machineType);
    return {
        machineType: machineType === UNKNOWN ? undefined : machineType,
        gpusPerNode: gpus === UNKNOWN ? UNKNOWN : gpus.gpusPerNode,
        gpuType: gpus === UNKNOWN ? undefined : gpus.gpuType,
        maxNodes,
        zones,
        perZone,
        regionWide,
    };
}
