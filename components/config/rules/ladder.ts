/**
 * Rule: a GPU pool's capacity ladder is one GKE and the GPU can serve. A ladder is our own node
 * pools behind a custom compute class (a Kubernetes object), so it needs a Standard cluster and
 * the Kubernetes half; an added rung must differ from the pool's own capacity; flex-start serves
 * only accelerator-optimized machines; and no rung's node pool may take another pool's name.
 */
import { CAPACITY_WORDS, baseCapacity, flexStartRefusal, hasLadder, ladderRungs } from "../../model/capacityLadder";
import { problemAt, type Problem } from "../problems";
import type { GpuPoolConfig } from "../types";
import type { RuleInput } from "./rule";

export function ladderProblems({ config }: RuleInput): Problem[] {
    const taken = new Map(config.gpuPools.map((pool, i) => [`gpu-${pool.name}`, i]));
    return config.gpuPools.flatMap((pool, i) => {
        if (!hasLadder(pool)) {
            return [];
        }
        const at = (...rest: PropertyKey[]) => ["gpuPools", i, "ladder", ...rest];
        const problems: Problem[] = [];
        if (config.cluster.mode === "autopilot") {
            problems.push(problemAt(at(), "needs cluster.mode standard: Autopilot creates its own nodes, so no rung's node limit could be kept; remove the ladder"));
        }
        if (!config.services.enabled) {
            problems.push(problemAt(at(), "needs services.enabled: the ladder's compute class is a Kubernetes object"));
        }
        problems.push(...rungProblems(pool, at));
        for (const rung of ladderRungs(pool).filter((r) => !r.base)) {
            const other = taken.get(rung.nodePoolName);
            if (other !== undefined) {
                problems.push(problemAt(at(rung.capacity), `its node pool ${rung.nodePoolName} is gpuPools[${other}]'s name; rename one of the pools`));
            }
        }
        return problems;
    });
}

/** Problems of the added rungs themselves. */
function rungProblems(pool: GpuPoolConfig, at: (...rest: PropertyKey[]) => PropertyKey[]): Problem[] {
    const problems: Problem[] = [];
    const own = baseCapacity(pool);
    if (pool.ladder?.[own]) {
        problems.push(problemAt(at(own), `is this pool's own capacity (gpuPools.spot is ${pool.spot}): its nodes are the ${CAPACITY_WORDS[own]} rung; set maxNodes on the pool instead`));
    }
    if (pool.ladder?.flexStart) {
        const refusal = flexStartRefusal(pool.machineType);
        if (refusal) {
            problems.push(problemAt(at("flexStart"), `${refusal}; ${pool.gpuType} cannot have a flex-start rung`));
        }
    }
    return problems;
}
