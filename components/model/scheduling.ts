/**
 * How Metaflow GPU steps reach GPU nodes, per cluster mode. Pure: the stack outputs and the
 * Metaflow client config are built from it.
 */
import type { GpuType } from "./catalog";
import { COMPUTE_CLASS_LABEL } from "./capacityLadder";
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
    /**
     * Compute classes of pools with a capacity ladder, by class name: the node pools GKE tries,
     * in order, for steps that select the class. Only present when a pool has a ladder.
     */
    readonly computeClasses?: Record<string, { readonly gpuType: GpuType; readonly tries: string[]; readonly decorator: string }>;
}

/** What scheduling needs to know of a GPU pool. */
export interface ScheduledGpuPool {
    readonly gpuType: GpuType;
    readonly spot: boolean;
    /** Its compute class and rungs, when it has a capacity ladder. */
    readonly computeClass?: { readonly className: string; readonly rungs: ReadonlyArray<{ readonly nodePool: string; readonly capacity: string; readonly maxNodes: number }> };
}

/** The decorator a GPU step writes to select `selector`. */
function decoratorFor(selector: Record<string, string>): string {
    const text = Object.entries(selector)
        .map(([k, v]) => `"${k}": "${v}"`)
        .join(", ");
    return `@kubernetes(gpu=1, node_selector={${text}})`;
}

export function gpuScheduling(mode: "standard" | "autopilot", pools: readonly ScheduledGpuPool[]): GpuScheduling {
    const gpuTypes = [...new Set(pools.map((p) => p.gpuType))];
    const nodeSelectorByGpuType: Record<string, Record<string, string>> = {};
    const decoratorByGpuType: Record<string, string> = {};
    for (const gpuType of gpuTypes) {
        // A laddered pool's steps select its compute class; GKE then tries its rungs in order.
        const laddered = pools.find((p) => p.gpuType === gpuType && p.computeClass)?.computeClass;
        const selector: Record<string, string> = laddered ? { [COMPUTE_CLASS_LABEL]: laddered.className } : { [GKE_ACCELERATOR_LABEL]: gpuType };
        if (mode === "autopilot" && pools.some((p) => p.gpuType === gpuType && p.spot)) {
            selector["cloud.google.com/gke-spot"] = "true";
        }
        nodeSelectorByGpuType[gpuType] = selector;
        decoratorByGpuType[gpuType] = decoratorFor(selector);
    }
    const ladders = pools.flatMap((p) => (p.computeClass ? [{ gpuType: p.gpuType, ...p.computeClass }] : []));
    return {
        mode,
        gpuTypes,
        taint: mode === "standard" ? `${GPU_TAINT.key}=${GPU_TAINT.value}:NoSchedule` : undefined,
        nodeSelectorByGpuType,
        decoratorByGpuType,
        ...(ladders.length > 0
            ? {
                  computeClasses: Object.fromEntries(
                      ladders.map((c) => [
                          c.className,
                          {
                              gpuType: c.gpuType,
                              tries: c.rungs.map((r) => `${r.nodePool} (${r.capacity}, up to ${r.maxNodes} nodes)`),
                              decorator: decoratorFor({ [COMPUTE_CLASS_LABEL]: c.className }),
                          },
                      ]),
                  ),
              }
            : {}),
    };
}
