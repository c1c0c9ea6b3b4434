/** Rule: the control plane is never open to the whole internet; cluster settings that only work together. */
import { coversWholeInternet, isWholeInternet } from "../../model/cidr";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function clusterProblems({ config }: RuleInput): Problem[] {
    const problems: Problem[] = [];
    const cluster = config.cluster;
    cluster.authorizedNetworks.forEach((net, i) => {
        if (isWholeInternet(net.cidr)) {
            problems.push(problemAt(["cluster", "authorizedNetworks", i, "cidr"], "would open the control plane to the whole internet; list your office/VPN/CI ranges instead"));
        }
    });
    const authorized = cluster.authorizedNetworks.map((n) => n.cidr);
    if (!authorized.some(isWholeInternet) && coversWholeInternet(authorized)) {
        problems.push(problemAt(["cluster", "authorizedNetworks"], `${authorized.join(" + ")} together cover every IPv4 address: the control plane would be open to the whole internet`));
    }
    if (cluster.controlPlaneAccess === "authorizedNetworks" && cluster.authorizedNetworks.length === 0) {
        problems.push(problemAt(["cluster", "authorizedNetworks"], 'controlPlaneAccess "authorizedNetworks" needs at least one CIDR, or use controlPlaneAccess "dns"'));
    }
    if (cluster.spotSteps && cluster.mode !== "autopilot") {
        problems.push(problemAt(["cluster", "spotSteps"], "Spot Pods for steps are an Autopilot setting; in standard mode make a pool spot (cluster.cpuPool.spot, gpuPools[].spot)"));
    }
    if (cluster.cpuPool.maxNodes < cluster.cpuPool.minNodes) {
        problems.push(problemAt(["cluster", "cpuPool", "maxNodes"], `must be at least cluster.cpuPool.minNodes (${cluster.cpuPool.minNodes})`));
    }
    if (config.production && !cluster.deletionProtection) {
        problems.push(problemAt(["cluster", "deletionProtection"], "production clusters keep deletion protection on"));
    }
    return problems;
}
