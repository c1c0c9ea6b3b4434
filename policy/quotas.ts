/** Quotas and cost, with limits per environment from the pack's config. */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { COMPUTE_CLASS_LABEL } from "../components/model/capacityLadder";
import { machineFamily } from "../components/model/catalog";
import { describe, forTypes, peek, poolFootprint, regionOf, UNKNOWN } from "./helpers";
import { T } from "./types";

export const gpuQuota: StackValidationPolicy = {
    name: "gpu-quota",
    description:
        "The GPUs all pools can reach at full scale (max nodes x GPUs per node, per-zone limits times zones; every rung of a capacity ladder, since each can fill) stay within the environment's budget.",
    // Defaults are a new environment's budget when policy/limits/<stack>.json says nothing.
    configSchema: { properties: { maxTotalGpus: { type: "integer", minimum: 0, default: 4 } } },
    validateStack: (args, report) => {
        const { maxTotalGpus } = args.getConfig<{ maxTotalGpus: number }>();
        // Reads only what a first preview knows (helpers.ts poolFootprint/nodeGpus): a pool that
        // leaves guestAccelerators to the provider is counted from its machine type.
        const all = args.resources
            .filter((r) => r.type === T.nodePool)
            .map((r) => ({ name: r.name, computeClass: peek(() => r.props.nodeConfig?.labels?.[COMPUTE_CLASS_LABEL]), ...poolFootprint(r.props) }));
        for (const pool of all.filter((p) => p.gpusPerNode === UNKNOWN)) {
            report(`Node pool "${pool.name}": its GPUs cannot be counted before the update runs (machine type and guestAccelerators both unknown). Set nodeConfig.machineType from known values.`);
        }
        const pools = all.flatMap((p) => (p.gpusPerNode !== UNKNOWN && p.gpusPerNode > 0 ? [{ ...p, gpusPerNode: p.gpusPerNode }] : []));
        const total = pools.reduce((sum, p) => sum + p.maxNodes * p.gpusPerNode, 0);
        if (total > maxTotalGpus) {
            const parts = pools.map(
                (p) =>
                    `${p.name}${typeof p.computeClass === "string" ? ` (compute class ${p.computeClass})` : ""}: ${p.maxNodes} nodes${p.perZone ? ` (${p.maxNodes / p.zones} per zone x ${p.zones} zones)` : ""} x ${p.gpusPerNode} ${p.gpuType}`,
            );
            report(`GPU pools can reach ${total} GPUs, over this environment's limit of ${maxTotalGpus} (${parts.join("; ")}). Lower maxNodes (of the pool or its ladder's rungs) or raise the limit in the policy config.`);
        }
    },
};

export const allowedGpuAndMachines: ResourceValidationPolicy = {
    name: "allowed-gpus-and-machines",
    description: "Node pools use only the environment's allowed GPU types and machine families.",
    configSchema: {
        properties: {
            allowedGpuTypes: { type: "array", items: { type: "string" }, default: ["nvidia-l4"] },
            allowedMachineFamilies: { type: "array", items: { type: "string" }, default: ["e2", "g2"] },
        },
    },
    validateResource: forTypes([T.nodePool], (props, args, report) => {
        const { allowedGpuTypes, allowedMachineFamilies } = args.getConfig<{ allowedGpuTypes: string[]; allowedMachineFamilies: string[] }>();
        for (const a of props.nodeConfig?.guestAccelerators ?? []) {
            if (!allowedGpuTypes.includes(a.type)) {
                report(`${describe(args)} uses ${a.type}; allowed GPU types here: ${allowedGpuTypes.join(", ") || "none"}.`);
            }
        }
        const machineType: string | undefined = props.nodeConfig?.machineType;
        if (machineType && !allowedMachineFamilies.includes(machineFamily(machineType))) {
            report(`${describe(args)} uses ${machineType}; allowed machine families here: ${allowedMachineFamilies.join(", ")}.`);
        }
    }),
};

export const maxNodesPerPool: ResourceValidationPolicy = {
    name: "max-nodes-per-pool",
    description: "No node pool can grow past the environment's per-pool node limit.",
    configSchema: { properties: { maxNodesPerPool: { type: "integer", minimum: 1, default: 5 } } },
    validateResource: forTypes([T.nodePool], (props, args, report) => {
        const { maxNodesPerPool: limit } = args.getConfig<{ maxNodesPerPool: number }>();
        const pool = poolFootprint(props);
        if (pool.maxNodes > limit) {
            report(`${describe(args)} can reach ${pool.maxNodes} nodes${pool.perZone ? ` (${pool.maxNodes / pool.zones} per zone x ${pool.zones} zones)` : ""}, over the limit of ${limit}.`);
        }
    }),
};

export const spotGpus: ResourceValidationPolicy = {
    name: "gpu-spot-required",
    description: "Where configured (development), GPU pools run on spot VMs.",
    configSchema: { properties: { requireSpot: { type: "boolean", default: false } } },
    validateResource: forTypes([T.nodePool], (props, args, report) => {
        if (!args.getConfig<{ requireSpot?: boolean }>().requireSpot || poolFootprint(props).gpusPerNode === 0) {
            return;
        }
        if (props.nodeConfig?.spot !== true && props.nodeConfig?.preemptible !== true) {
            report(`${describe(args)} runs GPUs on demand; this environment requires spot GPU pools (g2-standard-8: $0.48/h spot against $0.85 on demand in us-central1, 2026-07-30 catalog).`);
        }
    }),
};

/** Where each regional type keeps its location. */
const LOCATION_AT: Record<string, (props: Record<string, any>) => string | undefined> = {
    [T.subnetwork]: (p) => p.region,
    [T.router]: (p) => p.region,
    [T.cluster]: (p) => p.location,
    [T.nodePool]: (p) => p.location,
    [T.sqlInstance]: (p) => p.region,
    [T.bucket]: (p) => p.location,
    [T.registry]: (p) => p.location,
};

export const allowedRegions: ResourceValidationPolicy = {
    name: "allowed-regions",
    description: "Resources live only in the environment's allowed regions.",
    configSchema: { properties: { regions: { type: "array", items: { type: "string" } } }, required: ["regions"] },
    validateResource: forTypes(Object.keys(LOCATION_AT), (props, args, report) => {
        const { regions } = args.getConfig<{ regions: string[] }>();
        const location = LOCATION_AT[args.type](props);
        if (typeof location === "string" && !regions.includes(regionOf(location))) {
            report(`${describe(args)} is in ${location}; allowed regions: ${regions.join(", ")}.`);
        }
        for (const zone of (args.type === T.nodePool ? props.nodeLocations : undefined) ?? []) {
            if (!regions.includes(regionOf(zone))) {
                report(`${describe(args)} has nodes in ${zone}; allowed regions: ${regions.join(", ")}.`);
            }
        }
    }),
};

export const quotaPolicies = [gpuQuota, allowedGpuAndMachines, maxNodesPerPool, spotGpus, allowedRegions];
