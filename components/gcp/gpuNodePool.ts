import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { SAFE_UPGRADES, hardenedNodeConfig } from "./nodeConfig";
import { childOptions, withDefaults, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { initialNodesPerZone } from "../model/sizing";
import { GPU_TAINT } from "../model/wellKnown";
import { COMPUTE_CLASS_LABEL } from "../model/capacityLadder";
import { STANDALONE_DEFAULTS as PRODUCTION } from "../model/profiles";

/** GPU models a pool may carry (the catalog's GPU_TYPES: components/model/catalog.ts; a test keeps them equal). */
export const GpuAccelerator = {
    NvidiaL4: "nvidia-l4",
    NvidiaTeslaT4: "nvidia-tesla-t4",
    NvidiaTeslaA100: "nvidia-tesla-a100",
    NvidiaA100_80gb: "nvidia-a100-80gb",
    NvidiaH100_80gb: "nvidia-h100-80gb",
} as const;
export type GpuAccelerator = (typeof GpuAccelerator)[keyof typeof GpuAccelerator];

/**
 * GKE-managed NVIDIA driver installation; never unset, which installs no driver at all
 * (gpuDriverInstallationConfig.gpuDriverVersion).
 */
export const GpuDriverVersion = { Default: "DEFAULT", Latest: "LATEST" } as const;
export type GpuDriverVersion = (typeof GpuDriverVersion)[keyof typeof GpuDriverVersion];

export interface GpuNodePoolArgs {
    /** Project of the cluster. */
    readonly project: string;
    /** Name of the cluster the pool joins (MetaflowCluster.name). */
    readonly clusterName: pulumi.Input<string>;
    /** Location (region or zone) of that cluster (MetaflowCluster.location). */
    readonly clusterLocation: pulumi.Input<string>;
    /** Node service account email (MetaflowCluster.nodeServiceAccountEmail). */
    readonly serviceAccount: pulumi.Input<string>;
    /** Pool name: the node pool is `gpu-<name>`, its nodes labelled `metaflow.org/pool=gpu-<name>`. */
    readonly name: string;
    /** Accelerator type, e.g. `nvidia-l4`. */
    readonly gpuType: GpuAccelerator;
    /** Machine type that carries the GPUs, e.g. `g2-standard-8` (pairing checked by the caller). */
    readonly machineType: string;
    /** GPUs per node, as the machine type fixes it. */
    readonly gpusPerNode: number;
    /** Zones of the pool; each must offer `gpuType`. */
    readonly zones: string[];
    /** Total nodes across zones when idle. Default: 0 (scales to zero). */
    readonly minNodes?: number;
    /** Total nodes across zones at most (totalMaxNodeCount, not per zone). Default: 2. */
    readonly maxNodes?: number;
    /** Spot VMs. Default: false. */
    readonly spot?: boolean;
    /** Boot disk in GB. Default: 200. */
    readonly diskSizeGb?: number;
    /** Default: `LATEST`. */
    readonly driverVersion?: GpuDriverVersion;
    /** GCE labels on the VMs (plus `gpu-pool: <name>`). Default: none. */
    readonly labels?: Record<string, string>;
    /** Guard the pool with Pulumi's `protect` (production clusters). Default: false. */
    readonly protect?: boolean;
    /**
     * When set, flex-start nodes (Dynamic Workload Scheduler) instead of spot or on-demand ones: a
     * node waits for capacity, then runs at most this many seconds (seven days at most). `spot`
     * must be false. Default: none (spot or on demand, by `spot`).
     */
    readonly flexStartMaxRunSeconds?: number;
    /** The GKE custom compute class the nodes belong to (node label `cloud.google.com/compute-class`). Default: none. */
    readonly computeClass?: string;
    /** Also taint the nodes with the compute class, so only pods that select it land there. Default: false. */
    readonly computeClassTaint?: boolean;
}

/** The defaults GpuNodePoolArgs documents, applied once at the top of the constructor. */
export const GPU_NODE_POOL_DEFAULTS = {
    minNodes: 0,
    maxNodes: 2,
    spot: PRODUCTION.gpuSpot as boolean,
    diskSizeGb: 200,
    driverVersion: GpuDriverVersion.Latest as GpuDriverVersion,
    labels: {} as Record<string, string>,
    protect: false,
    computeClassTaint: false,
};

/** Maximum GPUs a pool can hold at full scale (its quota footprint). */
export function maxGpus(pool: { readonly maxNodes: number; readonly gpusPerNode: number }): number {
    return pool.maxNodes * pool.gpusPerNode;
}

/**
 * What makes a pool flex-start (@pulumi/gcp 9.37.0 NodePoolNodeConfig `flexStart`, `maxRunDuration`
 * "<seconds>s"): flex-start VMs do not consume reservations, so the pool asks for none.
 */
function flexStartNodeConfig(maxRunSeconds: number): Partial<gcp.types.input.container.NodePoolNodeConfig> {
    return { flexStart: true, maxRunDuration: `${maxRunSeconds}s`, reservationAffinity: { consumeReservationType: "NO_RESERVATION" } };
}

/**
 * One autoscaling GPU node pool that scales to zero: explicit `nvidia.com/gpu` taint (GKE only
 * adds it automatically when a non-GPU pool exists), GKE-managed driver installation (unset
 * means no driver at all), image streaming, and total (not per-zone) node limits so the
 * configured maximum is the real maximum however many zones the pool spans. Spot pools use
 * location policy ANY to find capacity in whichever zone has it.
 */
export class GpuNodePool extends pulumi.ComponentResource {
    public readonly nodePool: gcp.container.NodePool;
    /** The GKE node pool's name, `gpu-<name>`. */
    public readonly nodePoolName: string;
    /** GPUs at full scale: maxNodes x GPUs per node. */
    public readonly maxGpus: number;

    constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("GpuNodePool"), name, {}, withLegacyType("GpuNodePool", opts));
        const pool = withDefaults(GPU_NODE_POOL_DEFAULTS, args);
        this.maxGpus = maxGpus(pool);
        this.nodePoolName = `gpu-${pool.name}`;
        if (args.flexStartMaxRunSeconds !== undefined && pool.spot) {
            // The ComputeClass CRD says it too: "Flex Start provisioning model is incompatible with Spot".
            throw new pulumi.ResourceError(`GPU pool ${pool.name}: flexStart and spot exclude each other; a flex-start pool is not spot`, this);
        }

        this.nodePool = new gcp.container.NodePool(
            `${name}-pool`,
            {
                project: args.project,
                name: this.nodePoolName,
                cluster: args.clusterName,
                location: args.clusterLocation,
                nodeLocations: pool.zones,
                // Per zone, not a total: a pool of 2 in 3 zones starts 1 per zone, not 2 per zone.
                initialNodeCount: initialNodesPerZone(pool.minNodes, pool.zones.length),
                autoscaling: {
                    totalMinNodeCount: pool.minNodes,
                    totalMaxNodeCount: pool.maxNodes,
                    locationPolicy: pool.spot || args.flexStartMaxRunSeconds !== undefined ? "ANY" : "BALANCED",
                },
                management: { autoRepair: true, autoUpgrade: true },
                upgradeSettings: SAFE_UPGRADES,
                nodeConfig: {
                    ...hardenedNodeConfig({
                        machineType: pool.machineType,
                        diskSizeGb: pool.diskSizeGb,
                        spot: pool.spot,
                        serviceAccount: args.serviceAccount,
                        resourceLabels: { ...pool.labels, "gpu-pool": pool.name },
                        labels: { "metaflow.org/pool": `gpu-${pool.name}`, ...(args.computeClass ? { [COMPUTE_CLASS_LABEL]: args.computeClass } : {}) },
                        taints: [{ ...GPU_TAINT }, ...(args.computeClass && pool.computeClassTaint ? [{ key: COMPUTE_CLASS_LABEL, value: args.computeClass, effect: "NO_SCHEDULE" }] : [])],
                        guestAccelerators: [
                            {
                                type: pool.gpuType,
                                count: pool.gpusPerNode,
                                gpuDriverInstallationConfig: { gpuDriverVersion: pool.driverVersion },
                            },
                        ],
                        imageStreaming: true,
                    }),
                    ...(args.flexStartMaxRunSeconds !== undefined ? flexStartNodeConfig(args.flexStartMaxRunSeconds) : {}),
                },
            },
            // The autoscaler owns the node count once the pool exists.
            { ...childOptions(this, opts), ignoreChanges: ["initialNodeCount"], protect: pool.protect },
        );

        this.registerOutputs({ nodePool: this.nodePool.name, maxGpus: this.maxGpus });
    }
}
