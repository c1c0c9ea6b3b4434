/**
 * The validated stack config as the queues see it: the pools' capacity (every GPU pool's rungs,
 * the CPU pool) and the teams, mapped onto model/queues.ts's shapes.
 */
import { ladderRungs } from "../model/capacityLadder";
import { environmentCapacity, queuePlan, type QueuePlan, type QueuedPool, type Quota } from "../model/queues";
import { largestSteps, servicesRequests } from "../model/sizing";
import { servicesSizing } from "./sizing";
import type { PlatformConfig } from "./types";

/** What the environment's pools can give steps at once (Standard mode). */
export function queueCapacityFromConfig(cfg: PlatformConfig): Quota {
    const services = servicesSizing(cfg);
    const steps = largestSteps({ cluster: cfg.cluster, services, gpuPools: cfg.gpuPools });
    const pools: QueuedPool[] = [
        { maxNodes: cfg.cluster.cpuPool.maxNodes, stepCpu: steps.cpu.cpu, gpusPerNode: 0 },
        ...cfg.gpuPools.flatMap((p) => ladderRungs(p).map((r) => ({ maxNodes: r.maxNodes, stepCpu: steps[p.name]?.cpu ?? 0, gpusPerNode: p.gpusPerNode }))),
    ];
    return environmentCapacity(pools, servicesRequests(services).cpuMillis);
}

/** The environment's ClusterQueues: the remainder and one per team. */
export function queuePlanFromConfig(cfg: PlatformConfig): QueuePlan {
    return queuePlan(cfg.environment, queueCapacityFromConfig(cfg), cfg.queues.teams);
}
