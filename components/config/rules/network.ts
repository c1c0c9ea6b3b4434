/**
 * Rule: the network plan's ranges are disjoint, each has a size GKE and Cloud SQL accept, and
 * the pods and node ranges hold every node the pools may run at once.
 */
import * as ipaddr from "ipaddr.js";
import { cidrsOverlap, findOverlaps, isPrivateCidr, parseIpv4Cidr } from "../../model/cidr";
import { SURGE_NODES_PER_POOL } from "../../estimate/quotas";
import { initialNodesPerZone } from "../../model/sizing";
import { CONFIG_NAMESPACE, keyName } from "../namespace";
import { problemAt, type Problem } from "../problems";
import { NETWORK_PREFIX_LIMITS } from "../schema";
import type { RuleInput } from "./rule";

/**
 * The pod range each Standard node takes: GKE gives a node a block of at least twice its maximum
 * pods, a /24 for the default 110 pods per node, which this platform keeps ("Configure maximum
 * Pods per node", cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr: 65-110 pods,
 * /24). Autopilot nodes run at most 32 pods and take a /26 each (same page), but Autopilot sizes
 * its own nodes, so the config sets no node count to check there.
 */
export const STANDARD_POD_BLOCK_PREFIX = 24;

/** Addresses Google Cloud keeps in every subnet's primary range (network, gateway, two more): cloud.google.com/vpc/docs/subnets, "Reserved IP addresses". */
const SUBNET_RESERVED_ADDRESSES = 4;

export function networkProblems({ config }: RuleInput): Problem[] {
    const problems: Problem[] = [];
    const network = config.network;
    const keys = Object.keys(NETWORK_PREFIX_LIMITS) as Array<keyof typeof NETWORK_PREFIX_LIMITS>;
    const ranges = Object.fromEntries(keys.map((key) => [key, network[key]]));
    for (const [a, b] of findOverlaps(ranges)) {
        problems.push({
            path: ["network", a],
            message: `overlaps ${CONFIG_NAMESPACE}:network.${b} (${ranges[b]}): every range of the plan must be disjoint`,
            value: "parenthesized",
        });
    }
    let sizesOk = true;
    for (const key of keys) {
        const [min, max] = NETWORK_PREFIX_LIMITS[key];
        const length = parseIpv4Cidr(network[key]).prefixLength;
        if (length < min || length > max) {
            sizesOk = false;
            problems.push(problemAt(["network", key], `prefix length must be between /${min} and /${max}`));
        }
    }
    if (sizesOk && config.cluster.mode === "standard") {
        problems.push(...nodeRangeProblems(config, ranges));
    }
    return problems;
}

/** One pool's peak node count: its maximum (or its first size, if larger) plus a surge node. */
interface PoolPeak {
    readonly key: string;
    readonly nodes: number;
}

/** Every pool's nodes at their peak: during an upgrade at full scale. */
export function poolPeaks(config: RuleInput["config"]): PoolPeak[] {
    const cpu = config.cluster.cpuPool;
    const cpuZones = config.cluster.regional ? config.zones.length : 1;
    const peak = (minNodes: number, maxNodes: number, zones: number) => Math.max(maxNodes, initialNodesPerZone(minNodes, zones) * zones) + SURGE_NODES_PER_POOL;
    return [
        { key: "cluster.cpuPool.maxNodes", nodes: peak(cpu.minNodes, cpu.maxNodes, cpuZones) },
        ...config.gpuPools.flatMap((pool, i) => [
            { key: `gpuPools[${i}].maxNodes`, nodes: peak(pool.minNodes, pool.maxNodes, pool.zones.length) },
            // Each rung of a capacity ladder is a node pool of its own, starting empty.
            ...Object.entries(pool.ladder ?? {}).map(([rung, r]) => ({ key: `gpuPools[${i}].ladder.${rung}.maxNodes`, nodes: peak(0, r.maxNodes, pool.zones.length) })),
        ]),
    ];
}

/**
 * The pods range gives each node a /24 and the subnet's primary range gives it an address: both
 * must hold every node at the pools' peak, or the autoscaler stops adding nodes (GKE reports
 * IP_SPACE_EXHAUSTED) with steps left pending.
 */
function nodeRangeProblems(config: RuleInput["config"], ranges: Record<string, string>): Problem[] {
    const peaks = poolPeaks(config);
    const nodes = peaks.reduce((sum, p) => sum + p.nodes, 0);
    const counted = `${peaks.map((p) => `${p.key} ${p.nodes - SURGE_NODES_PER_POOL} + ${SURGE_NODES_PER_POOL} surge`).join(", ")}`;
    const problems: Problem[] = [];
    const pods = parseIpv4Cidr(config.network.podsCidr);
    const podNodes = 2 ** (STANDARD_POD_BLOCK_PREFIX - pods.prefixLength);
    if (nodes > podNodes) {
        const prefix = STANDARD_POD_BLOCK_PREFIX - Math.ceil(Math.log2(nodes));
        const wider = widerRange(config.network.podsCidr, prefix, ranges, "podsCidr");
        problems.push({
            path: ["network", "podsCidr"],
            message:
                `holds ${podNodes} nodes at GKE's 110 pods per node (a /24 each), but the pools may run ${nodes} at once (${counted}); ` +
                `use a /${prefix} or larger${wider ? `, e.g. ${wider}` : ""}, or lower the pools' maxNodes` +
                " (the pods range cannot change while the cluster uses it: plan for growth)",
            fix: wider ? [{ key: keyName(["network", "podsCidr"]), set: wider }] : [],
        });
    }
    const subnet = parseIpv4Cidr(config.network.subnetCidr);
    const subnetNodes = 2 ** (32 - subnet.prefixLength) - SUBNET_RESERVED_ADDRESSES;
    if (nodes > subnetNodes) {
        const prefix = 32 - Math.ceil(Math.log2(nodes + SUBNET_RESERVED_ADDRESSES));
        const wider = widerRange(config.network.subnetCidr, prefix, ranges, "subnetCidr");
        problems.push({
            path: ["network", "subnetCidr"],
            message: `has ${subnetNodes} addresses for nodes (Google Cloud keeps ${SUBNET_RESERVED_ADDRESSES}), but the pools may run ${nodes} at once (${counted}); use a /${prefix} or larger${wider ? `, e.g. ${wider}` : ""}`,
            fix: wider ? [{ key: keyName(["network", "subnetCidr"]), set: wider }] : [],
        });
    }
    return problems;
}

/** `cidr` widened to `prefix` (same start, network address), if that is private and clear of the plan's other ranges. */
function widerRange(cidr: string, prefix: number, ranges: Record<string, string>, own: string): string | undefined {
    const [min] = NETWORK_PREFIX_LIMITS[own as keyof typeof NETWORK_PREFIX_LIMITS];
    if (prefix < min) {
        return undefined;
    }
    const base = parseIpv4Cidr(cidr).network.toString();
    const wider = `${ipaddr.IPv4.networkAddressFromCIDR(`${base}/${prefix}`).toString()}/${prefix}`;
    const clear = Object.entries(ranges).every(([key, other]) => key === own || !cidrsOverlap(wider, other));
    return clear && isPrivateCidr(wider) ? wider : undefined;
}
