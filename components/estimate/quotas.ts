/**
 * The Compute Engine quotas an environment needs at full scale, computed from its config: what
 * to request before the first `pulumi up` of a new project (new projects often have
 * GPUS_ALL_REGIONS = 0). Pure: the preview prints it, tests call it.
 *
 * Metric names are Compute Engine's (`gcloud compute regions describe <region>` and
 * `gcloud compute project-info describe` list them; the API's Quota.Metric enum names them):
 * GPUS_ALL_REGIONS and CPUS_ALL_REGIONS are global; NVIDIA_<GPU>_GPUS (on-demand),
 * PREEMPTIBLE_NVIDIA_<GPU>_GPUS (spot), the vCPU quota of each machine family and SSD_TOTAL_GB
 * are regional. Quotas are per project: environments sharing a project add up.
 */
import { machineFamily, type GpuType } from "../model/catalog";
import { DEFAULT_POOL_DISK_GB } from "../model/sizing";

/** Nodes a surge upgrade adds to a pool at a time (nodeConfig.ts SAFE_UPGRADES.maxSurge; GKE upgrades zones one by one). */
export const SURGE_NODES_PER_POOL = 1;

/** Quota metric of each GPU type, on-demand; spot pools use `PREEMPTIBLE_` + it. */
export const GPU_QUOTA_METRICS: Record<GpuType, string> = {
    "nvidia-l4": "NVIDIA_L4_GPUS",
    "nvidia-tesla-t4": "NVIDIA_T4_GPUS",
    "nvidia-tesla-a100": "NVIDIA_A100_GPUS",
    "nvidia-a100-80gb": "NVIDIA_A100_80GB_GPUS",
    "nvidia-h100-80gb": "NVIDIA_H100_GPUS",
};

/**
 * Regional vCPU quota of a machine family. E2, N1 and G2 count against the shared CPUS quota;
 * the newer families have their own. Unknown families are reported as CPUS with a note.
 */
const FAMILY_CPU_METRICS: Record<string, string> = {
    e2: "CPUS",
    n1: "CPUS",
    g2: "CPUS",
    n2: "N2_CPUS",
    n2d: "N2D_CPUS",
    c2: "C2_CPUS",
    c2d: "C2D_CPUS",
    c3: "C3_CPUS",
    a2: "A2_CPUS",
};

/** vCPUs of the GPU machine shapes whose names do not end in a vCPU count. */
const ACCELERATOR_VCPUS: Record<string, number> = {
    "a2-highgpu-1g": 12,
    "a2-highgpu-2g": 24,
    "a2-highgpu-4g": 48,
    "a2-highgpu-8g": 96,
    "a2-megagpu-16g": 96,
    "a2-ultragpu-1g": 12,
    "a2-ultragpu-2g": 24,
    "a2-ultragpu-4g": 48,
    "a2-ultragpu-8g": 96,
    "a3-highgpu-8g": 208,
};
/** Shared-core E2 shapes. */
const SHARED_CORE_VCPUS: Record<string, number> = { "e2-micro": 2, "e2-small": 2, "e2-medium": 2 };

/** vCPUs of a machine type, or undefined when the name does not say. */
export function machineVcpus(machineType: string): number | undefined {
    const known = ACCELERATOR_VCPUS[machineType] ?? SHARED_CORE_VCPUS[machineType];
    if (known !== undefined) {
        return known;
    }
    const match = /^[a-z0-9]+-(?:standard|highmem|highcpu|highgpu|megagpu|ultragpu)-(\d+)$/.exec(machineType);
    return match ? Number(match[1]) : undefined;
}

/** One quota to check or request. */
export interface QuotaNeed {
    readonly metric: string;
    /** "global" or the region. */
    readonly scope: string;
    readonly amount: number;
    /** Where the amount comes from, for people reading the list. */
    readonly why: string;
}

/** A node pool as the quota count sees it. */
export interface QuotaPool {
    readonly label: string;
    readonly machineType: string;
    readonly maxNodes: number;
    readonly diskSizeGb: number;
    readonly gpuType?: GpuType;
    readonly gpusPerNode?: number;
    readonly spot: boolean;
    /**
     * Flex-start nodes: they draw on the preemptible quota like spot ones ("Introducing Flex-start
     * VMs", Google Cloud blog, 2025-09-25: "consume preemptible quota").
     */
    readonly flexStart?: boolean;
}

/** What the quota count needs to know of an environment (`quotaPlanFromConfig` builds it from the config). */
export interface QuotaPlan {
    readonly region: string;
    /** Autopilot: GKE sizes the nodes, so there is nothing of ours to count. */
    readonly autopilot: boolean;
    readonly pools: readonly QuotaPool[];
    /** Zones GKE's default pool spans while the cluster is created (one node each). */
    readonly defaultPoolZones: number;
}

/**
 * Every quota the environment needs with all pools at their maximum plus one surge node each
 * (an upgrade adds it beside a full pool). Autopilot has no pools of ours: GKE sizes nodes, so
 * only the GPUs steps may ask for can be listed, not counted; the list is then empty.
 */
export function requiredQuotas(plan: QuotaPlan): QuotaNeed[] {
    if (plan.autopilot) {
        return [];
    }
    const needs = new Map<string, { metric: string; scope: string; amount: number; why: string[] }>();
    const add = (metric: string, scope: string, amount: number, why: string) => {
        const key = `${scope}/${metric}`;
        const need = needs.get(key) ?? { metric, scope, amount: 0, why: [] };
        need.amount += amount;
        need.why.push(why);
        needs.set(key, need);
    };
    for (const pool of plan.pools) {
        const nodes = pool.maxNodes + SURGE_NODES_PER_POOL;
        const shape = `${pool.label}: (${pool.maxNodes} + ${SURGE_NODES_PER_POOL} surge) x ${pool.machineType}`;
        const vcpus = machineVcpus(pool.machineType) ?? 0;
        const family = machineFamily(pool.machineType);
        const cpuMetric = FAMILY_CPU_METRICS[family] ?? "CPUS";
        const unknown = vcpus === 0 ? " (vCPUs unknown for this machine type: count them)" : FAMILY_CPU_METRICS[family] ? "" : ` (family ${family}: check whether it has its own vCPU quota)`;
        // Spot VMs draw on PREEMPTIBLE_CPUS when the project has that quota, else on the regular one.
        const spotNote = pool.spot ? " (spot: PREEMPTIBLE_CPUS instead when the project has it)" : "";
        add(cpuMetric, plan.region, nodes * vcpus, `${shape} x ${vcpus} vCPUs${unknown}${spotNote}`);
        add("CPUS_ALL_REGIONS", "global", nodes * vcpus, `${shape} x ${vcpus} vCPUs`);
        // pd-balanced boot disks (hardenedNodeConfig) count against SSD_TOTAL_GB.
        add("SSD_TOTAL_GB", plan.region, nodes * pool.diskSizeGb, `${shape} x ${pool.diskSizeGb} GB pd-balanced`);
        if (pool.gpuType && pool.gpusPerNode) {
            const preemptible = pool.spot || pool.flexStart === true;
            const metric = `${preemptible ? "PREEMPTIBLE_" : ""}${GPU_QUOTA_METRICS[pool.gpuType]}`;
            const kind = pool.spot ? " (spot)" : pool.flexStart ? " (flex-start: preemptible quota)" : "";
            add(metric, plan.region, nodes * pool.gpusPerNode, `${shape} x ${pool.gpusPerNode} ${pool.gpuType}${kind}`);
            add("GPUS_ALL_REGIONS", "global", nodes * pool.gpusPerNode, `${shape} x ${pool.gpusPerNode} GPUs`);
        }
    }
    // GKE's default pool lives only while the cluster is created: standard disks, one node per zone.
    const zones = plan.defaultPoolZones;
    add("DISKS_TOTAL_GB", plan.region, zones * DEFAULT_POOL_DISK_GB, `default pool while the cluster is created: ${zones} x ${DEFAULT_POOL_DISK_GB} GB pd-standard`);
    const order = (n: { scope: string; metric: string }) => `${n.scope === "global" ? 0 : 1}${n.metric}`;
    return [...needs.values()].sort((a, b) => order(a).localeCompare(order(b))).map((n) => ({ metric: n.metric, scope: n.scope, amount: n.amount, why: n.why.join("; ") }));
}
