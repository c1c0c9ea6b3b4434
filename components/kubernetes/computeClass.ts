import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, withDefaults } from "../options";
import { componentType } from "../model/typeTokens";
import { computeClassSpec } from "./specs/computeClass";
import { PLATFORM_LABELS } from "./specs/kubernetesObjects";

export interface GpuComputeClassArgs {
    /** The class's name, which steps select with the node selector `cloud.google.com/compute-class`. */
    readonly className: string;
    /**
     * GKE node pools in the order GKE tries them (a capacity ladder's rungs); each carries the
     * node label `cloud.google.com/compute-class=<className>`.
     */
    readonly nodePools: string[];
    /** Labels on the object. Default: the platform's recommended labels. */
    readonly labels?: Record<string, string>;
}

/** The defaults GpuComputeClassArgs documents. */
export const GPU_COMPUTE_CLASS_DEFAULTS = { labels: { ...PLATFORM_LABELS } as Record<string, string> };

/**
 * A GKE custom compute class over node pools that already exist: GKE creates no pool of its own
 * for it and never moves a running step (see kubernetes/specs/computeClass.ts). Cluster-scoped.
 */
export class GpuComputeClass extends pulumi.ComponentResource {
    /** The class's name, once GKE has it: what steps select. */
    public readonly className: pulumi.Output<string>;

    constructor(name: string, args: GpuComputeClassArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("GpuComputeClass"), name, {}, opts);
        const a = withDefaults(GPU_COMPUTE_CLASS_DEFAULTS, args);
        if (a.nodePools.length === 0) {
            throw new pulumi.ResourceError(`compute class ${a.className} needs at least one node pool`, this);
        }
        const spec = computeClassSpec(a.className, a.nodePools, a.labels);
        const computeClass = new k8s.apiextensions.CustomResource(name, { ...spec, metadata: { ...spec.metadata } }, childOptions(this, opts));
        this.className = computeClass.metadata.name;
        this.registerOutputs({ className: this.className });
    }
}
