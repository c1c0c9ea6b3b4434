import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GpuPoolConfig } from "../config/config";
import { SAFE_UPGRADES, hardenedNodeConfig } from "./nodeConfig";
import { childOptions } from "../options";
import { initialNodesPerZone } from "../pure/sizing";
import { GPU_TAINT } from "../pure/wellKnown";


export interface GpuNodePoolArgs {
    readonly project: string;
    /** Cluster name and location the pool joins. */
    readonly clusterName: pulumi.Input<string>;
    readonly clusterLocation: pulumi.Input<string>;
    /** Node service account email. */
    readonly serviceAccount: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    /** The validated pool settings (GPU type, machine, zones, sizes, spot, driver). */
    readonly pool: GpuPoolConfig;
    /** Guard the pool with Pulumi's `protect` (production clusters). Default: false. */
    readonly protect?: boolean;
}

/** Maximum GPUs a pool can hold at full scale (its quota footprint). */
export function maxGpus(pool: Pick<GpuPoolConfig, "maxNodes" | "gpusPerNode">): number {
    return pool.maxNodes * pool.gpusPerNode;
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
    /** GPUs at full scale: maxNodes x GPUs per node. */
    public readonly maxGpus: number;

    constructor(name: string, args: GpuNodePoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:gcp:GpuNodePool", name, {}, opts);
        const pool = args.pool;
        this.maxGpus = maxGpus(pool);

        this.nodePool = new gcp.container.NodePool(
            `${name}-pool`,
            {
                project: args.project,
                name: `gpu-${pool.name}`,
                cluster: args.clusterName,
                location: args.clusterLocation,
                nodeLocations: pool.zones,
                // Per zone, not a total: a pool of 2 in 3 zones starts 1 per zone, not 2 per zone.
                initialNodeCount: initialNodesPerZone(pool.minNodes, pool.zones.length),
                autoscaling: {
                    totalMinNodeCount: pool.minNodes,
                    totalMaxNodeCount: pool.maxNodes,
                    locationPolicy: pool.spot ? "ANY" : "BALANCED",
                },
                management: { autoRepair: true, autoUpgrade: true },
                upgradeSettings: SAFE_UPGRADES,
                nodeConfig: hardenedNodeConfig({
                    machineType: pool.machineType,
                    diskSizeGb: pool.diskSizeGb,
                    spot: pool.spot,
                    serviceAccount: args.serviceAccount,
                    resourceLabels: { ...args.labels, "gpu-pool": pool.name },
                    labels: { "metaflow.org/pool": `gpu-${pool.name}` },
                    taints: [{ ...GPU_TAINT }],
                    guestAccelerators: [
                        {
                            type: pool.gpuType,
                            count: pool.gpusPerNode,
                            gpuDriverInstallationConfig: { gpuDriverVersion: pool.driverVersion },
                        },
                    ],
                    imageStreaming: true,
                }),
            },
            // The autoscaler owns the node count once the pool exists.
            { ...childOptions(this, opts), ignoreChanges: ["initialNodeCount"], protect: args.protect ?? false },
        );

        this.registerOutputs({ nodePool: this.nodePool.name, maxGpus: this.maxGpus });
    }
}
