import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { buildKubeconfig } from "../model/kubeconfig";
import { clusterName, serviceAccountEmail, serviceAccountId } from "../model/naming";
import { SAFE_UPGRADES, hardenedNodeConfig } from "./nodeConfig";
import { childOptions, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { DEFAULT_POOL_DISK_GB, initialNodesPerZone } from "../model/sizing";
import { POD_RANGE_NAME, SERVICE_RANGE_NAME } from "../model/wellKnown";
import { STANDALONE_DEFAULTS as PRODUCTION } from "../model/profiles";

/** Least-privilege roles for the node service account (logs, metrics, autoscaler). */
export const NODE_SERVICE_ACCOUNT_ROLES = ["roles/container.defaultNodeServiceAccount"];

/** Who manages the nodes: we (Standard, node pools) or Google (Autopilot). */
export const ClusterMode = { Standard: "standard", Autopilot: "autopilot" } as const;
export type ClusterMode = (typeof ClusterMode)[keyof typeof ClusterMode];

/** GKE release channel: how soon the cluster gets new Kubernetes versions. */
export const ReleaseChannel = { Rapid: "RAPID", Regular: "REGULAR", Stable: "STABLE" } as const;
export type ReleaseChannel = (typeof ReleaseChannel)[keyof typeof ReleaseChannel];

/**
 * How `pulumi up` and kubectl reach the control plane: the IAM-gated DNS endpoint (no IP
 * allow-list needed) or the public IP endpoint limited to `authorizedNetworks`.
 */
export const ControlPlaneAccess = { Dns: "dns", AuthorizedNetworks: "authorizedNetworks" } as const;
export type ControlPlaneAccess = (typeof ControlPlaneAccess)[keyof typeof ControlPlaneAccess];

/** A CIDR allowed to reach the control plane's IP endpoint. */
export interface AuthorizedNetwork {
    /** Display name in the cluster's authorized networks. */
    readonly name: string;
    /** IPv4 CIDR. */
    readonly cidr: string;
}

/** The autoscaling CPU pool of a Standard cluster (services and CPU steps). */
export interface CpuPoolArgs {
    readonly machineType: string;
    /** Total nodes across the pool's zones (totalMinNodeCount). */
    readonly minNodes: number;
    /** Total nodes across the pool's zones (totalMaxNodeCount). */
    readonly maxNodes: number;
    /** Spot VMs (cheaper at a price Google sets per region, preemptible). */
    readonly spot: boolean;
    readonly diskSizeGb: number;
}

export interface MetaflowClusterArgs {
    /** Project of the cluster. */
    readonly project: string;
    /** Region of a regional cluster; the zones lie in it. */
    readonly region: string;
    /** Zones for nodes; a zonal cluster lives in the first. */
    readonly zones: string[];
    /** Environment name; part of the cluster and service account names. */
    readonly environment: string;
    /** ID of the VPC (MetaflowNetwork.networkId). */
    readonly networkId: pulumi.Input<string>;
    /** ID of the subnet with the pod and service secondary ranges (MetaflowNetwork.subnetworkId). */
    readonly subnetworkId: pulumi.Input<string>;
    /** GCE/GKE labels for every resource. Default: none. */
    readonly labels?: Record<string, string>;
    /** Default: `standard`. */
    readonly mode?: ClusterMode;
    /**
     * Regional control plane with nodes in every zone; zonal (first zone) otherwise. Autopilot
     * clusters are always regional. Default: true.
     */
    readonly regional?: boolean;
    /** Default: `REGULAR`. */
    readonly releaseChannel?: ReleaseChannel;
    /** Default: `dns`. */
    readonly controlPlaneAccess?: ControlPlaneAccess;
    /** CIDRs allowed on the IP endpoint. Default: none (the IP endpoint admits only the VPC). */
    readonly authorizedNetworks?: AuthorizedNetwork[];
    /**
     * The API's deletion protection and Pulumi's `protect` on the cluster and CPU pool.
     * Default: true.
     */
    readonly deletionProtection?: boolean;
    /**
     * The CPU pool (Standard mode only). Default: e2-standard-4, 1 to 6 nodes, on-demand,
     * 100 GB disks (the production profile's pool).
     */
    readonly cpuPool?: CpuPoolArgs;
    /**
     * `gke-security-groups@<domain>`: turns on Google Groups for RBAC so RoleBindings can name
     * Google Groups. Default: off (users and service accounts are bound by email either way).
     */
    readonly securityGroup?: string;
    /**
     * Turn on GKE's Cloud Storage FUSE CSI driver add-on (Standard mode; Autopilot has it on).
     * An in-place update: terraform-provider-google's `addons_config.gcs_fuse_csi_driver_config`
     * is Optional+Computed without ForceNew. Default: false.
     */
    readonly gcsFuseCsiDriver?: boolean;
    /**
     * Managed Service for Prometheus with the metrics packages the platform's dashboard and alerts
     * read (`OBSERVABILITY_COMPONENTS`: kube state metrics and DCGM GPU metrics). An in-place update
     * (`monitoring_config` is Optional+Computed without ForceNew). Default: false, which leaves
     * GKE's own defaults untouched.
     */
    readonly observability?: boolean;
}

/**
 * The metrics packages `observability` turns on (@pulumi/gcp 9.37.0 `monitoringConfig.enableComponents`):
 * the system metrics every cluster has, GKE's kube state metrics packages (Pod phases and
 * unschedulable Pods; on by default from 1.29.2-gke.2000, listed because the list replaces
 * GKE's), and DCGM (GPU utilisation per model; GKE installs its DCGM exporter on GPU nodes).
 */
export const OBSERVABILITY_COMPONENTS = ["SYSTEM_COMPONENTS", "STORAGE", "HPA", "POD", "DAEMONSET", "DEPLOYMENT", "STATEFULSET", "DCGM"] as const;

/** The defaults MetaflowClusterArgs documents, applied once at the top of the constructor. */
export const METAFLOW_CLUSTER_DEFAULTS = {
    labels: {} as Record<string, string>,
    mode: ClusterMode.Standard as ClusterMode,
    regional: PRODUCTION.clusterRegional,
    releaseChannel: ReleaseChannel.Regular as ReleaseChannel,
    controlPlaneAccess: ControlPlaneAccess.Dns as ControlPlaneAccess,
    authorizedNetworks: [] as AuthorizedNetwork[],
    deletionProtection: PRODUCTION.clusterDeletionProtection,
    cpuPool: { ...PRODUCTION.cpuPool } as CpuPoolArgs,
    gcsFuseCsiDriver: false,
    observability: false,
};

type ResolvedClusterArgs = MetaflowClusterArgs & typeof METAFLOW_CLUSTER_DEFAULTS;

/** Where the cluster and its nodes live. */
interface Placement {
    readonly location: string;
    readonly nodeZones: string[];
}

/**
 * A hardened GKE cluster (private nodes, Workload Identity, shielded nodes, Dataplane V2,
 * release channel, no legacy ABAC or client certificate) with a dedicated node service account
 * and, in Standard mode, an autoscaling CPU pool for the services and CPU steps. The control
 * plane stays reachable by `pulumi up` through the IAM-gated DNS endpoint or through
 * authorized networks only.
 */
export class MetaflowCluster extends pulumi.ComponentResource {
    public readonly cluster: gcp.container.Cluster;
    public readonly nodeServiceAccount: gcp.serviceaccount.Account;
    /** The node service account's email, known before it exists (see `serviceAccountEmail`). */
    public readonly nodeServiceAccountEmail: string;
    /** The CPU pool; undefined in Autopilot mode. */
    public readonly cpuPool?: gcp.container.NodePool;
    public readonly name: pulumi.Output<string>;
    public readonly location: pulumi.Output<string>;
    /** The endpoint `pulumi up` and kubectl use: DNS name or IP, as configured. */
    public readonly endpoint: pulumi.Output<string>;
    /** Kubeconfig using gke-gcloud-auth-plugin (secret: it names the endpoint and CA). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The Workload Identity pool, `<project>.svc.id.goog`. */
    public readonly workloadPool: string;
    /**
     * `workloadPool` as an Output of the cluster, which creates the pool: pass it to components
     * whose IAM members name the pool (IAM rejects members of a pool that does not exist yet).
     */
    public readonly workloadPoolReady: pulumi.Output<string>;
    public readonly autopilot: boolean;
    /**
     * What makes this cluster this cluster, from its args only: project, location, name and mode
     * (a change of any of them replaces it). The Kubernetes provider uses it as its
     * `clusterIdentifier`, so switching endpoints (DNS or IP) updates the provider instead of
     * replacing every Kubernetes object.
     */
    public readonly identity: string;

    constructor(name: string, args: MetaflowClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetaflowCluster"), name, {}, withLegacyType("MetaflowCluster", opts));
        const parent = childOptions(this, opts);
        const a: ResolvedClusterArgs = withDefaults(METAFLOW_CLUSTER_DEFAULTS, args);
        this.autopilot = a.mode === ClusterMode.Autopilot;
        this.workloadPool = `${a.project}.svc.id.goog`;
        const placement = clusterPlacement(a, this.autopilot);
        this.identity = `projects/${a.project}/locations/${placement.location}/clusters/${clusterName(a.environment)}#${a.mode}`;

        this.nodeServiceAccountEmail = serviceAccountEmail(a.project, serviceAccountId(a.environment, "nodes"));
        this.nodeServiceAccount = createNodeServiceAccount(name, a, parent);
        // The cluster and its pools wait for these grants, and so for the account itself.
        const nodeRoles = grantNodeRoles(name, a, this.nodeServiceAccountEmail, withDependencies(parent, this.nodeServiceAccount));
        const afterRoles = withDependencies(parent, ...nodeRoles);
        const common = commonClusterArgs(a, placement.location);

        if (this.autopilot) {
            this.cluster = createAutopilotCluster(name, common, this.nodeServiceAccountEmail, afterRoles);
        } else {
            this.cluster = createStandardCluster(name, a, common, this.nodeServiceAccountEmail, this.workloadPool, afterRoles);
            this.cpuPool = createCpuPool(name, a, this.cluster, placement.nodeZones, this.nodeServiceAccountEmail, parent);
        }

        this.name = this.cluster.name;
        this.location = this.cluster.location;
        this.workloadPoolReady = this.cluster.id.apply(() => this.workloadPool);
        const dnsEndpoint = this.cluster.controlPlaneEndpointsConfig.apply((c) => c?.dnsEndpointConfig?.endpoint ?? "");
        this.endpoint = a.controlPlaneAccess === ControlPlaneAccess.Dns ? dnsEndpoint : this.cluster.endpoint;
        this.kubeconfig = clusterKubeconfig(this.cluster, this.endpoint, a);

        this.registerOutputs({
            name: this.name,
            location: this.location,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            nodeServiceAccount: this.nodeServiceAccount.email,
        });
    }
}

/** Regional (Autopilot, or asked for): the region and every zone; zonal: the first zone only. */
function clusterPlacement(a: ResolvedClusterArgs, autopilot: boolean): Placement {
    const regional = autopilot || a.regional;
    return { location: regional ? a.region : a.zones[0], nodeZones: regional ? a.zones : [a.zones[0]] };
}

function createNodeServiceAccount(name: string, a: ResolvedClusterArgs, opts: pulumi.CustomResourceOptions): gcp.serviceaccount.Account {
    return new gcp.serviceaccount.Account(
        `${name}-nodes`,
        {
            project: a.project,
            accountId: serviceAccountId(a.environment, "nodes"),
            displayName: `Metaflow ${a.environment} GKE nodes`,
            description: "Least-privilege identity of GKE nodes (logs, metrics); workloads use Workload Identity.",
        },
        opts,
    );
}

function grantNodeRoles(name: string, a: ResolvedClusterArgs, email: string, opts: pulumi.CustomResourceOptions): gcp.projects.IAMMember[] {
    return NODE_SERVICE_ACCOUNT_ROLES.map(
        (role) => new gcp.projects.IAMMember(`${name}-nodes-${role.split("/")[1]}`, { project: a.project, role, member: `serviceAccount:${email}` }, opts),
    );
}

/** What Standard and Autopilot clusters share. */
function commonClusterArgs(a: ResolvedClusterArgs, location: string): gcp.container.ClusterArgs {
    return {
        project: a.project,
        name: clusterName(a.environment),
        description: `Metaflow ${a.environment} environment (managed by Pulumi)`,
        location,
        network: a.networkId,
        subnetwork: a.subnetworkId,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: { clusterSecondaryRangeName: POD_RANGE_NAME, servicesSecondaryRangeName: SERVICE_RANGE_NAME },
        releaseChannel: { channel: a.releaseChannel },
        deletionProtection: a.deletionProtection,
        resourceLabels: a.labels,
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
        controlPlaneEndpointsConfig: {
            // The DNS endpoint is gated by IAM (container.clusters.connect), not by source IP.
            dnsEndpointConfig: { allowExternalTraffic: a.controlPlaneAccess === ControlPlaneAccess.Dns },
            ipEndpointsConfig: { enabled: true },
        },
        masterAuthorizedNetworksConfig: {
            // Closed by default: with no CIDR listed, the IP endpoint admits only the VPC.
            cidrBlocks: a.authorizedNetworks.map((n) => ({ cidrBlock: n.cidr, displayName: n.name })),
            gcpPublicCidrsAccessEnabled: false,
        },
        masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
        maintenancePolicy: {
            recurringWindow: { startTime: "2025-01-04T02:00:00Z", endTime: "2025-01-04T08:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
        },
        costManagementConfig: { enabled: true },
        // Updated in place (terraform-provider-google dropped ForceNew in v4.33.0, #12310).
        ...(a.securityGroup ? { authenticatorGroupsConfig: { securityGroup: a.securityGroup } } : {}),
        // Installs the Gateway API and GKE policy CRDs the optional HTTPS endpoint uses; no
        // load balancer exists until a Gateway is created.
        gatewayApiConfig: { channel: "CHANNEL_STANDARD" },
        ...(a.observability ? { monitoringConfig: { enableComponents: [...OBSERVABILITY_COMPONENTS], managedPrometheus: { enabled: true } } } : {}),
    };
}

function createAutopilotCluster(name: string, common: gcp.container.ClusterArgs, nodeEmail: string, opts: pulumi.CustomResourceOptions): gcp.container.Cluster {
    return new gcp.container.Cluster(
        `${name}-gke`,
        {
            ...common,
            enableAutopilot: true,
            clusterAutoscaling: {
                autoProvisioningDefaults: { serviceAccount: nodeEmail, oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] },
            },
        },
        opts,
    );
}

function createStandardCluster(
    name: string,
    a: ResolvedClusterArgs,
    common: gcp.container.ClusterArgs,
    nodeEmail: string,
    workloadPool: string,
    opts: pulumi.CustomResourceOptions,
): gcp.container.Cluster {
    return new gcp.container.Cluster(
        `${name}-gke`,
        {
            ...common,
            // GKE always creates a default pool; we delete it at once and run our own.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            // Even that short-lived pool must not run as the Compute Engine default SA.
            nodeConfig: {
                // A small standard disk: creating the cluster spends no SSD_TOTAL_GB quota.
                diskType: "pd-standard",
                diskSizeGb: DEFAULT_POOL_DISK_GB,
                serviceAccount: nodeEmail,
                oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            },
            workloadIdentityConfig: { workloadPool },
            enableShieldedNodes: true,
            enableLegacyAbac: false,
            datapathProvider: "ADVANCED_DATAPATH",
            addonsConfig: {
                gcePersistentDiskCsiDriverConfig: { enabled: true },
                httpLoadBalancing: { disabled: false },
                horizontalPodAutoscaling: { disabled: false },
                gcsFuseCsiDriverConfig: { enabled: a.gcsFuseCsiDriver },
            },
        },
        // The default pool's node config is dropped with the pool; ignore its drift.
        // Production clusters are also protected in Pulumi: a replacement or delete stops
        // the whole update before anything runs (the API flag is only checked when the
        // cluster itself is deleted, after its pools and workloads are already gone).
        { ...opts, ignoreChanges: ["nodeConfig"], protect: a.deletionProtection },
    );
}

function createCpuPool(
    name: string,
    a: ResolvedClusterArgs,
    cluster: gcp.container.Cluster,
    nodeZones: string[],
    nodeEmail: string,
    opts: pulumi.CustomResourceOptions,
): gcp.container.NodePool {
    const pool = a.cpuPool;
    return new gcp.container.NodePool(
        `${name}-cpu`,
        {
            project: a.project,
            name: "cpu",
            cluster: cluster.name,
            location: cluster.location,
            nodeLocations: nodeZones,
            // Per zone; starts the pool at its minimum instead of 0 nodes.
            initialNodeCount: initialNodesPerZone(pool.minNodes, nodeZones.length),
            autoscaling: { totalMinNodeCount: pool.minNodes, totalMaxNodeCount: pool.maxNodes, locationPolicy: "BALANCED" },
            management: { autoRepair: true, autoUpgrade: true },
            upgradeSettings: SAFE_UPGRADES,
            nodeConfig: hardenedNodeConfig({
                machineType: pool.machineType,
                diskSizeGb: pool.diskSizeGb,
                spot: pool.spot,
                serviceAccount: nodeEmail,
                resourceLabels: a.labels,
                labels: { "metaflow.org/pool": "cpu" },
            }),
        },
        // initialNodeCount is ForceNew and only matters at creation; afterwards the
        // autoscaler owns the count, so a later minNodes change must not replace the pool.
        { ...opts, ignoreChanges: ["initialNodeCount"], protect: a.deletionProtection },
    );
}

/** Kubeconfig using gke-gcloud-auth-plugin, secret; the cluster CA only for the IP endpoint. */
function clusterKubeconfig(cluster: gcp.container.Cluster, endpoint: pulumi.Output<string>, a: ResolvedClusterArgs): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.all([cluster.name, endpoint, cluster.masterAuth]).apply(([clusterName, server, auth]) =>
            buildKubeconfig({
                name: `metaflow-${a.environment}-${clusterName}`,
                server: `https://${server}`,
                caData: a.controlPlaneAccess === ControlPlaneAccess.Dns ? undefined : auth.clusterCaCertificate,
            }),
        ),
    );
}
