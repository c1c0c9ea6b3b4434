/** Small pure helpers shared by the policies. */
import type { ReportViolation, ResourceValidationArgs } from "@pulumi/policy";
import { cidrContains, normalizeCidr } from "../components/cidr";

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

/** The members of an IAM grant (`member` or `members`). */
export function grantMembers(props: Record<string, any>): string[] {
    if (typeof props.member === "string") {
        return [props.member];
    }
    return Array.isArray(props.members) ? props.members.filter((m: unknown): m is string => typeof m === "string") : [];
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
    /** GPUs per node (0 for CPU pools). */
    readonly gpusPerNode: number;
    readonly gpuType?: string;
    /** Most nodes the pool can reach in total. */
    readonly maxNodes: number;
    /** Zones the pool spans (1 when not listed). */
    readonly zones: number;
    /** True when limits are per zone (min/maxNodeCount), false for totals. */
    readonly perZone: boolean;
}

/**
 * `maxNodeCount` is per zone and multiplies by the pool's zones; `totalMaxNodeCount` is already a
 * total. A pool without autoscaling holds `nodeCount` (per zone) or `initialNodeCount`.
 */
export function poolFootprint(props: Record<string, any>): PoolFootprint {
    const accelerators: any[] = props.nodeConfig?.guestAccelerators ?? [];
    const gpusPerNode = accelerators.reduce((sum, a) => sum + (Number(a.count) || 0), 0);
    const zones = Array.isArray(props.nodeLocations) && props.nodeLocations.length > 0 ? props.nodeLocations.length : 1;
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
        maxNodes = Number(props.nodeCount ?? props.initialNodeCount ?? 1) * zones;
        perZone = true;
    }
    return { gpusPerNode, gpuType: accelerators[0]?.type, maxNodes, zones, perZone };
}
