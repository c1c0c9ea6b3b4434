/**
 * Rule: each GPU pool has a unique name, a machine that carries its GPU, and zones in the region
 * that offer that GPU. Checked in Autopilot too: there the pools say which GPUs steps may ask for.
 */
import { REGION_ZONES, gpuZones, pairGpuMachine } from "../../model/catalog";
import { problemAt, type Problem } from "../problems";
import type { ParsedConfig } from "../schema";
import type { GpuPoolConfig } from "../types";
import type { RuleInput } from "./rule";
import { zoneProblem } from "./zones";

export function gpuPoolsProblems({ config, given }: RuleInput): Problem[] {
    const seen = new Set<string>();
    return config.gpuPools.flatMap((pool, i) => {
        const problems: Problem[] = [];
        if (seen.has(pool.name)) {
            problems.push(problemAt(["gpuPools", i, "name"], "pool names must be unique"));
        }
        seen.add(pool.name);
        problems.push(...gpuPoolProblems(pool, given.gpuPools[i], i, config.region));
        return problems;
    });
}

/** The problems of pool `i` on its own. */
function gpuPoolProblems(pool: GpuPoolConfig, given: ParsedConfig["gpuPools"][number], i: number, region: string): Problem[] {
    const problems: Problem[] = [];
    if (pool.name === "cpu") {
        problems.push(problemAt(["gpuPools", i, "name"], 'is the CPU pool\'s name in the largestStep output; choose another, e.g. "l4"'));
    }
    const pairing = pairGpuMachine(pool.gpuType, pool.machineType, given.gpusPerNode);
    if (!pairing.ok) {
        problems.push(problemAt(["gpuPools", i, "machineType"], pairing.reason));
    }
    if (pool.maxNodes < pool.minNodes) {
        problems.push(problemAt(["gpuPools", i, "maxNodes"], `must be at least gpuPools[${i}].minNodes (${pool.minNodes})`));
    }
    const offered = gpuZones(pool.gpuType, region);
    if (!given.zones && !offered) {
        problems.push(problemAt(["gpuPools", i, "zones"], `no zone data for ${pool.gpuType} in ${region}; list the zones that offer it`));
    }
    pool.zones.forEach((zone, j) => {
        const wrong = zoneProblem(zone, region, REGION_ZONES[region]);
        if (wrong) {
            problems.push(problemAt(["gpuPools", i, "zones", j], wrong));
        } else if (offered && !offered.includes(zone)) {
            problems.push(problemAt(["gpuPools", i, "zones", j], `${pool.gpuType} is not offered in ${zone}; zones that offer it: ${offered.join(", ")}`));
        }
    });
    return problems;
}
