/**
 * The GKE custom compute class of a laddered GPU pool: one priority per rung, each naming that
 * rung's node pool, in the ladder's order. Fields and their meaning from the ComputeClass CRD
 * reference (docs.cloud.google.com/kubernetes-engine/docs/reference/crds/computeclass) and the CRD's
 * schema as a GKE 1.33 cluster serves it (datreeio/CRDs-catalog `cloud.google.com/computeclass_v1.json`,
 * commit 77e49833, 2026-08-02; its CEL rules: a `nodepools` priority holds nothing else).
 */
import { COMPUTE_CLASS_LABEL } from "../../model/capacityLadder";

/** A ComputeClass object as the API takes it (cloud.google.com/v1). */
export interface ComputeClassObject {
    readonly apiVersion: "cloud.google.com/v1";
    readonly kind: "ComputeClass";
    readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
    readonly spec: {
        readonly description: string;
        readonly priorities: ReadonlyArray<{ readonly nodepools: readonly string[] }>;
        readonly nodePoolAutoCreation: { readonly enabled: boolean };
        readonly activeMigration: { readonly optimizeRulePriority: boolean };
        readonly whenUnsatisfiable: "ScaleUpAnyway" | "DoNotScaleUp";
    };
}

/** The class that tries `nodePools` in the order given (a ladder's rungs, `ladderRungs`). */
export function computeClassSpec(className: string, nodePools: readonly string[], labels: Record<string, string>): ComputeClassObject {
    return {
        apiVersion: "cloud.google.com/v1",
        kind: "ComputeClass",
        metadata: { name: className, labels },
        spec: {
            description: `Metaflow GPU steps that select ${COMPUTE_CLASS_LABEL}: ${className}; tries ${nodePools.join(", then ")}.`,
            priorities: nodePools.map((pool) => ({ nodepools: [pool] })),
            // Our own pools only: auto-created pools would take their service account, shielded
            // settings and size from elsewhere, with no node limit the gpu-quota policy can read.
            nodePoolAutoCreation: { enabled: false },
            // Never move a running step to a better rung: migration evicts its pod.
            activeMigration: { optimizeRulePriority: false },
            // No rung can serve: wait for one (the default, said aloud) rather than create an arbitrary node.
            whenUnsatisfiable: "DoNotScaleUp",
        },
    };
}
