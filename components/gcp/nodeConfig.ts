import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { NODE_DISK_TYPE } from "../model/wellKnown";


/** Settings that differ between the node pools of one cluster. */
export interface NodeSettings {
    readonly machineType: string;
    readonly diskSizeGb: number;
    readonly spot: boolean;
    /** Node service account (never the Compute Engine default one). */
    readonly serviceAccount: pulumi.Input<string>;
    /** GCE labels on the VMs. */
    readonly resourceLabels: Record<string, string>;
    /** Kubernetes labels on the nodes. */
    readonly labels: Record<string, string>;
    readonly taints?: gcp.types.input.container.NodePoolNodeConfigTaint[];
    readonly guestAccelerators?: gcp.types.input.container.NodePoolNodeConfigGuestAccelerator[];
    /** Image streaming: lazily pulls large images, which cuts GPU pod cold starts. */
    readonly imageStreaming?: boolean;
}

/**
 * The hardened node configuration every pool shares: Workload Identity metadata server (pods
 * never see the node's credentials), shielded VM with secure boot and integrity monitoring,
 * Container-Optimized OS, legacy metadata endpoints off.
 */
export function hardenedNodeConfig(settings: NodeSettings): gcp.types.input.container.NodePoolNodeConfig {
    return {
        machineType: settings.machineType,
        diskSizeGb: settings.diskSizeGb,
        diskType: NODE_DISK_TYPE,
        imageType: "COS_CONTAINERD",
        spot: settings.spot,
        serviceAccount: settings.serviceAccount,
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
        metadata: { "disable-legacy-endpoints": "true" },
        resourceLabels: settings.resourceLabels,
        labels: settings.labels,
        taints: settings.taints,
        guestAccelerators: settings.guestAccelerators,
        gcfsConfig: settings.imageStreaming ? { enabled: true } : undefined,
    };
}

/** Surge upgrades that never take a node away before its replacement is up. */
export const SAFE_UPGRADES: gcp.types.input.container.NodePoolUpgradeSettings = {
    strategy: "SURGE",
    maxSurge: 1,
    maxUnavailable: 0,
};
