/**
 * What a MetaflowPlatform is built from: the stack config's keys (README "Configuration"), as a
 * documented interface any Pulumi program can fill, in TypeScript or, through the component
 * package, in Python. Every value is checked by the same `parsePlatformConfig` the stack
 * program uses, and every default comes from it: the fixed ones from the config schema, the rest
 * from the profile table `PROFILE_DEFAULTS` (development, production, or the `personal` preset).
 *
 * Analyzer-compatible (@pulumi/pulumi 3.248.0 `provider/experimental/analyzer.js`): interfaces,
 * plain types, `T[]`, `Record<string, T>`, enums as const objects (the Google Cloud components'
 * own, so both share one schema type).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AuthorizedNetwork, ClusterMode, ControlPlaneAccess, ReleaseChannel } from "../gcp/cluster";
import type { DatabaseEdition, PostgresVersion } from "../gcp/database";
import type { GpuDriverVersion } from "../gcp/gpuNodePool";

/** GPU models a pool may carry (components/model/catalog.ts GPU_TYPES). */
export const GpuAccelerator = {
    NvidiaL4: "nvidia-l4",
    NvidiaTeslaT4: "nvidia-tesla-t4",
    NvidiaTeslaA100: "nvidia-tesla-a100",
    NvidiaA100_80gb: "nvidia-a100-80gb",
    NvidiaH100_80gb: "nvidia-h100-80gb",
} as const;
export type GpuAccelerator = (typeof GpuAccelerator)[keyof typeof GpuAccelerator];

/** The environment's VPC. */
export interface PlatformNetwork {
    /** Primary range of the subnet (nodes, internal load balancers). Default: "10.10.0.0/20". */
    readonly subnetCidr?: string;
    /** Secondary range for pod IPs; a /16 fits 256 nodes at 110 pods each. Default: "10.11.0.0/16". */
    readonly podsCidr?: string;
    /** Secondary range for Service cluster IPs. Default: "10.12.0.0/20". */
    readonly servicesCidr?: string;
    /** Private Service Access range peered to Google's producer network (Cloud SQL). Default: "10.13.0.0/20". */
    readonly privateServiceAccessCidr?: string;
    /** Allow SSH from Google's IAP range to nodes, for debugging. Default: the profile's (development true). */
    readonly allowIapSsh?: boolean;
    /** Cloud NAT ports per VM; raise for steps that open many outbound connections. Default: 256. */
    readonly natMinPortsPerVm?: number;
}

/** The autoscaling pool that runs the services and CPU steps (Standard mode). */
export interface PlatformCpuPool {
    /** Machine type. Default: the profile's (development e2-standard-2, production e2-standard-4). */
    readonly machineType?: string;
    /** Total nodes across the pool's zones when idle. Default: the profile's. */
    readonly minNodes?: number;
    /** Total nodes across the pool's zones at most. Default: the profile's. */
    readonly maxNodes?: number;
    /** Spot nodes. Default: the profile's (development true, production false). */
    readonly spot?: boolean;
    /** Boot disk size. Default: the profile's (development 30, production 100). */
    readonly diskSizeGb?: number;
}

/** The GKE cluster. */
export interface PlatformCluster {
    /** Standard or Autopilot. Default: the profile's (standard; autopilot for the personal preset). */
    readonly mode?: ClusterMode;
    /** Autopilot only: every step asks for a Spot Pod. Default: the profile's (false; true for personal). */
    readonly spotSteps?: boolean;
    /** Regional control plane and nodes across zones; zonal otherwise. Default: the profile's (production true). */
    readonly regional?: boolean;
    /** Default: "REGULAR". */
    readonly releaseChannel?: ReleaseChannel;
    /** Default: "dns". */
    readonly controlPlaneAccess?: ControlPlaneAccess;
    /** CIDRs allowed to reach the control plane's IP endpoint (with `authorizedNetworks` access). Default: none. */
    readonly authorizedNetworks?: AuthorizedNetwork[];
    /** Default: the profile's (production true). */
    readonly deletionProtection?: boolean;
    /** Default: the profile's pool. */
    readonly cpuPool?: PlatformCpuPool;
}

/** One GPU node pool that scales to zero. */
export interface PlatformGpuPool {
    /** Pool name, unique in the platform; 2-20 lowercase letters, digits or dashes. */
    readonly name: string;
    /** Default: "nvidia-l4". */
    readonly gpuType?: GpuAccelerator;
    /** Default: "g2-standard-8". */
    readonly machineType?: string;
    /** GPUs per node; fixed by the machine type except for T4 on N1 (1, 2 or 4). Default: the machine type's. */
    readonly gpusPerNode?: number;
    /** Total nodes across zones when idle; 0 scales to zero. Default: 0. */
    readonly minNodes?: number;
    /** Total nodes across zones at most. Default: 2. */
    readonly maxNodes?: number;
    /** Spot nodes. Default: the profile's (development true, production false). */
    readonly spot?: boolean;
    /** Zones for the pool. Default: the region's zones known to offer the GPU. */
    readonly zones?: string[];
    /** Default: 200. */
    readonly diskSizeGb?: number;
    /** GKE-managed driver install. Default: "LATEST". */
    readonly driverVersion?: GpuDriverVersion;
}

/** Cloud SQL for PostgreSQL, the metadata service's database. */
export interface PlatformDatabase {
    /** Create Cloud SQL; off means local metadata and no services. Default: the profile's (true; false for personal). */
    readonly enabled?: boolean;
    /** Default: "ENTERPRISE". */
    readonly edition?: DatabaseEdition;
    /** Machine tier. Default: the profile's (development db-f1-micro, production db-custom-2-7680). */
    readonly tier?: string;
    /** Default: "POSTGRES_16". */
    readonly version?: PostgresVersion;
    /** A standby in another zone; required in production. Default: the profile's. */
    readonly highAvailability?: boolean;
    /** Default: 20. */
    readonly diskSizeGb?: number;
    /** Default: the profile's (development 7, production 14). */
    readonly backupRetentionCount?: number;
    /** Days of write-ahead log kept for point-in-time recovery. Default: the profile's (development 1, production 7). */
    readonly logRetentionDays?: number;
    /** Default: the profile's (production true). */
    readonly deletionProtection?: boolean;
    /** The max_connections flag. Default: from the tier's memory. */
    readonly maxConnections?: number;
}

/** The datastore bucket and the image registry. */
export interface PlatformStorage {
    /** Bucket name. Default: "<project>-metaflow-<environment>". */
    readonly bucketName?: string;
    /** Default: the profile's (production true). */
    readonly versioning?: boolean;
    /** Soft-delete retention; 0 turns it off, 7-90 otherwise. Default: the profile's (production 7). */
    readonly softDeleteDays?: number;
    /** Objects under tmp/ are deleted after this many days. Default: 7. */
    readonly tmpObjectTtlDays?: number;
    /** Let `pulumi destroy` delete a non-empty bucket; refused in production. Default: the profile's (development true). */
    readonly forceDestroy?: boolean;
    /** Docker tags cannot be overwritten. Default: the profile's (production true). */
    readonly immutableTags?: boolean;
    /** Untagged images are deleted after this many days. Default: 14. */
    readonly untaggedImageTtlDays?: number;
}

/** The Kubernetes half: namespace, task identity, metadata service, UI, orchestrators. */
export interface PlatformServices {
    /** Deploy it. Default: true. */
    readonly enabled?: boolean;
    /** Kubernetes namespace. Default: "metaflow-<environment>". */
    readonly namespace?: string;
    /** Default: the profile's (development 1, production 2). */
    readonly metadataReplicas?: number;
    /** Deploy the Metaflow UI. Default: the profile's (true; false for personal). */
    readonly ui?: boolean;
    /** Default: the profile's (development 1, production 2). */
    readonly uiReplicas?: number;
    /** Most connections the metadata service's pool opens per replica. Default: the profile's (development 3, production 10). */
    readonly metadataDbPoolMax?: number;
    /** Most connections each of the UI backend's six pools opens per replica. Default: the profile's (development 1, production 10). */
    readonly uiDbPoolMax?: number;
    /** Argo Workflows for `argo-workflows create`. Default: the profile's (true; false for personal). */
    readonly argoWorkflows?: boolean;
    /** Argo Events for `@trigger`. Default: false. */
    readonly argoEvents?: boolean;
    /** Airflow instead of Argo Workflows. Default: false. */
    readonly airflow?: boolean;
}

/** Who runs flows in this environment. */
export interface PlatformAccess {
    /** IAM principals: "user:<email>", "group:<email>" or "serviceAccount:<email>". Default: none. */
    readonly members?: string[];
    /** The gke-security-groups@<domain> group; required when `members` lists a group. Default: none. */
    readonly securityGroup?: string;
}

/** A Cloud Billing budget for the environment. */
export interface PlatformBudget {
    /** Cloud Billing account ID, XXXXXX-XXXXXX-XXXXXX. */
    readonly billingAccount: string;
    /** Monthly amount, in the billing account's currency. */
    readonly amount: number;
    /** Alert when spend passes these fractions of the amount. Default: [0.5, 0.9, 1.0]. */
    readonly thresholds?: number[];
    /** Email recipients (at most 5). Default: none. */
    readonly emails?: string[];
    /** Pub/Sub topic for programmatic alerts, projects/<project>/topics/<topic>. Default: none. */
    readonly pubsubTopic?: string;
}

/** Billing settings. */
export interface PlatformBilling {
    /** The environment's budget. Default: none. */
    readonly budget?: PlatformBudget;
}

/** The IAP-protected HTTPS endpoint for the UI, metadata service and Argo. */
export interface PlatformEndpoint {
    /** DNS name users reach the platform at (you create its A record). */
    readonly hostname: string;
    /** Client ID of the OAuth client IAP uses. */
    readonly oauthClientId: string;
    /** Its secret; kept a Pulumi secret. */
    readonly oauthClientSecret: pulumi.Input<string>;
}

/** Arguments of a MetaflowPlatform: one environment. */
export interface MetaflowPlatformArgs {
    /** GCP project ID. */
    readonly project: string;
    /** Environment name (2-12 lowercase letters or digits); part of every resource name. */
    readonly environment: string;
    /** GCP region. Default: "us-central1". */
    readonly region?: string;
    /** Production profile: HA, deletion protection, no spot, refusals of unsafe settings. Default: false. */
    readonly production?: boolean;
    /**
     * A named set of defaults instead of the development profile: "personal" (one person, cost
     * first: Autopilot, spot steps, no database, no always-on services). A plain string because
     * the schema analyzer takes no one-member enum. Default: none.
     */
    readonly preset?: string;
    /** Zones for the cluster's nodes. Default: the region's first three. */
    readonly zones?: string[];
    /** Extra labels on every resource that takes labels. Default: none. */
    readonly labels?: Record<string, string>;
    /** Default: the defaults of each key. */
    readonly network?: PlatformNetwork;
    /** Default: the defaults of each key. */
    readonly cluster?: PlatformCluster;
    /** GPU node pools (Standard mode). Default: one pool "l4" (nvidia-l4, 0 to 2 nodes). */
    readonly gpuPools?: PlatformGpuPool[];
    /** Default: the defaults of each key. */
    readonly database?: PlatformDatabase;
    /** Default: the defaults of each key. */
    readonly storage?: PlatformStorage;
    /** Default: the defaults of each key. */
    readonly services?: PlatformServices;
    /** Default: no members. */
    readonly access?: PlatformAccess;
    /** Default: no budget. */
    readonly billing?: PlatformBilling;
    /** Default: no endpoint. */
    readonly endpoint?: PlatformEndpoint;
}
