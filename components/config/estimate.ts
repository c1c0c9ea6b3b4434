/**
 * The validated stack config as the estimate sees it: the cost footprint (`components/estimate/cost.ts`)
 * and the quota plan (`components/estimate/quotas.ts`). The estimate computes over its own shapes
 * and never reads the config; this is the one mapping from one to the other.
 */
import type { CostFootprint } from "../estimate/cost";
import type { QuotaPlan } from "../estimate/quotas";
import { ladderRungs } from "../model/capacityLadder";
import { NODE_DISK_TYPE } from "../model/wellKnown";
import { servicesPods } from "../model/sizing";
import { podRequest } from "../model/workloadRequests";
import type { PlatformConfig } from "./config";
import { servicesSizing } from "./sizing";

/** The footprint of a validated configuration. */
export function footprintFromConfig(cfg: PlatformConfig): CostFootprint {
    const autopilot = cfg.cluster.mode === "autopilot";
    // The Pods validation sizes the nodes for, Airflow's and Kueue's included.
    const pods = servicesPods(servicesSizing(cfg), cfg.database.enabled).map((pod) => ({ name: pod.name, replicas: pod.replicas, ...podRequest(pod), spot: false }));
    return {
        region: cfg.region,
        autopilot,
        spotSteps: autopilot && cfg.cluster.spotSteps,
        regional: autopilot || cfg.cluster.regional,
        nodePools: autopilot
            ? []
            : [
                  {
                      name: "cpu",
                      machineType: cfg.cluster.cpuPool.machineType,
                      gpusPerNode: 0,
                      minNodes: cfg.cluster.cpuPool.minNodes,
                      spot: cfg.cluster.cpuPool.spot,
                      diskType: NODE_DISK_TYPE,
                      diskSizeGb: cfg.cluster.cpuPool.diskSizeGb,
                  },
                  ...cfg.gpuPools.flatMap((p) =>
                      ladderRungs(p).map((rung) => ({
                          name: rung.nodePoolName,
                          machineType: p.machineType,
                          gpuType: p.gpuType,
                          gpusPerNode: p.gpusPerNode,
                          minNodes: rung.minNodes,
                          spot: rung.capacity === "spot",
                          flexStart: rung.capacity === "flexStart",
                          diskType: NODE_DISK_TYPE,
                          diskSizeGb: p.diskSizeGb,
                      })),
                  ),
              ],
        autopilotGpuPools: autopilot ? cfg.gpuPools.map((p) => ({ name: `gpu-${p.name}`, gpuType: p.gpuType, spot: p.spot })) : [],
        pods: autopilot ? pods : [],
        database: cfg.database.enabled
            ? { edition: cfg.database.edition, tier: cfg.database.tier, highAvailability: cfg.database.highAvailability, diskSizeGb: cfg.database.diskSizeGb }
            : undefined,
        nat: { minPortsPerVm: cfg.network.natMinPortsPerVm },
        bucket: true,
        registry: true,
        observability: cfg.observability.enabled,
    };
}

/** The quota plan of a validated configuration: every pool at its maximum (see `requiredQuotas`). */
export function quotaPlanFromConfig(cfg: PlatformConfig): QuotaPlan {
    const cpu = cfg.cluster.cpuPool;
    return {
        region: cfg.region,
        autopilot: cfg.cluster.mode === "autopilot",
        pools: [
            { label: "cpu pool", machineType: cpu.machineType, maxNodes: cpu.maxNodes, diskSizeGb: cpu.diskSizeGb, spot: cpu.spot },
            ...cfg.gpuPools.flatMap((p) =>
                ladderRungs(p).map((rung) => ({
                    label: `${rung.nodePoolName} pool`,
                    machineType: p.machineType,
                    maxNodes: rung.maxNodes,
                    diskSizeGb: p.diskSizeGb,
                    gpuType: p.gpuType,
                    gpusPerNode: p.gpusPerNode,
                    spot: rung.capacity === "spot",
                    flexStart: rung.capacity === "flexStart",
                })),
            ),
        ],
        defaultPoolZones: cfg.cluster.regional ? cfg.zones.length : 1,
    };
}
