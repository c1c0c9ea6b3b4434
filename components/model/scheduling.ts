/**
 * How Metaflow GPU steps reach GPU nodes, per cluster mode. Pure: the stack outputs and the
 * Metaflow client config are built from it.
 */
import type { GpuType } from "./catalog";
import { GKE_ACCELERATOR_LABEL, GPU_TAINT } from "./wellKnown";

/** A description of GPU scheduling for users and for the generated Metaflow config. */
export interface GpuScheduling {
    readonly mode: "standard" | "autopilot";
    /** GPU types steps can ask for. */
    readonly gpuTypes: GpuType[];
    /**
     * The taint on GPU nodes. Pods that request `nvidia.com/gpu` get its toleration from GKE
     * automatically, so no global toleration is configured: CPU steps can never land on GPU nodes.
     */
    readonly taint?: string;
    /** Node selector a GPU step adds to choose a GPU type (required in Autopilot). */
    readonly nodeSelectorByGpuType: Record<string, Record<string, string>>;
    /** A step decorator that works on this cluster, per GPU type. */
    readonly decoratorByGpuType: Record<string, string>;
}

/** What scheduling needs to know of a GPU pool. */
export interface ScheduledGpuPool {
    readonly gpuType: GpuType;
    readonly spot: boolean;
}

export function gpuScheduling(mode: "standard" | "autopilot", pools: readonly ScheduledGpuPool[]): GpuScheduling {
    const gpuTypes = [...new Set(pools.map((p) => p.gpuType))];
    const nodeSelectorByGpuType: Record<string, Record<string, string>> = {};
    const decoratorByGpuType: Record<string, string> = {};
    for (const gpuType of gpuTypes) {
        const selector: Record<string, string> = { [GKE_ACCELERATOR_LABEL]: gpuType };
        if (mode === "autopilot" && pools.some((p) => p.gpuType === gpuType && p.spot)) {
            selector["cloud.google.com/gke-spot"] = "true";
        }
        nodeSelectorByGpuType[gpuType] = selector;
        const selectorText = Object.entries(selector)
            .map(([k, v]) => `"${k}": "${v}"`)
            .join(", ");
        decoratorByGpuType[gpuType] = `@kubernetes(gpu=1, node_selector={${selectorText}})`;
    }
    return {
        mode,
        gpuTypes,
        taint: mode === "standard" ? `${GPU_TAINT.key}=${GPU_TAINT.value}:NoSchedule` : undefined,
        nodeSelectorByGpuType,
        decoratorByGpuType,
    };
}
