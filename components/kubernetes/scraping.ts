import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../options";
import { componentType } from "../model/typeTokens";
import { argoControllerPodMonitoring } from "./specs/podMonitoring";
import { PLATFORM_LABELS } from "./specs/kubernetesObjects";

export interface MetricsScrapingArgs {
    /** The Metaflow namespace (it must exist), where the Argo controller runs. */
    readonly namespace: string;
    /** Argo Workflows is installed: scrape its controller. */
    readonly argoWorkflows: boolean;
}

/**
 * The PodMonitorings that have GKE's Managed Service for Prometheus scrape our components that
 * export Prometheus metrics: the Argo workflow-controller (the metadata service exports none; see
 * kubernetes/specs/podMonitoring.ts). The PodMonitoring CRD is GKE's, installed with managed collection.
 */
export class MetricsScraping extends pulumi.ComponentResource {
    /** The PodMonitorings' names (one per scraped component). */
    public readonly podMonitorings: string[];

    constructor(name: string, args: MetricsScrapingArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetricsScraping"), name, {}, opts);
        const parent = childOptions(this, opts);
        const labels = { ...PLATFORM_LABELS };
        const objects = args.argoWorkflows ? [argoControllerPodMonitoring(args.namespace, labels)] : [];
        for (const o of objects) {
            new k8s.apiextensions.CustomResource(`${name}-${o.metadata.name}`, { ...o, metadata: { ...o.metadata } }, parent);
        }
        this.podMonitorings = objects.map((o) => o.metadata.name);
        this.registerOutputs({ podMonitorings: this.podMonitorings });
    }
}
