/** Rule: the network plan's ranges are disjoint and each has a size GKE and Cloud SQL accept. */
import { findOverlaps, parseIpv4Cidr } from "../../model/cidr";
import { CONFIG_NAMESPACE } from "../namespace";
import { problemAt, type Problem } from "../problems";
import { NETWORK_PREFIX_LIMITS } from "../schema";
import type { RuleInput } from "./rule";

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
    for (const key of keys) {
        const [min, max] = NETWORK_PREFIX_LIMITS[key];
        const length = parseIpv4Cidr(network[key]).prefixLength;
        if (length < min || length > max) {
            problems.push(problemAt(["network", key], `prefix length must be between /${min} and /${max}`));
        }
    }
    return problems;
}
