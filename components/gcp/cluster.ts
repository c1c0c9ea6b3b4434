import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterConfig } from "../config/config";
import { buildKubeconfig } from "../pure/kubeconfig";
import { serviceAccountEmail, serviceAccountId } from "../pure/naming";
import { SAFE_UPGRADES, hardenedNodeConfig } from "./nodeConfig";
import { childOptions, withDependencies } from "../options";
import { DEFAULT_POOL_DISK_GB, initialNodesPerZone } from "../pure/sizing";
import { POD_RANGE_NAME, SERVICE_RANGE_NAME } from "../pure/wellKnown";

/** Least-privilege roles for the node service account (logs, metrics, autoscaler). */
export const NODE_SERVICE_ACCOUNT_ROLES = ["roles/container.defaultNodeServiceAccount"];

export interface MetaflowClusterArgs {
    readonly project: string;
    readonly region: string;
    /** Zones for nodes; a zonal cluster lives in the first. */
    readonly zones: string[];
    readonly environment: string;
    /** GCE/GKE labels for every resource. */
    readonly labels: Record<string, string>;
    readonly networkId: pulumi.Input<string>;
    readonly subnetworkId: pulumi.Input<string>;
    /** Cluster settings from stack config (mode, channel, access, CPU pool). */
    readonly settings: ClusterConfig;
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
    public readonly workloadPool: string;
    public readonly autopilot: boolean;
    /**
     * What makes this cluster this cluster, from config only: project, location, name and mode
     * (a change of any of them replaces it). The Kubernetes provider uses it as its
     * `clusterIdentifier`, so switching endpoints (DNS or IP) updates the provider instead of
     * replacing every Kubernetes object.
     */
    public readonly identity: string;

    constructor(name: string, args: MetaflowClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:gcp:MetaflowCluster", name, {}, opts);
        const parent = childOptions(this, opts);
        const s = args.settings;
        this.autopilot = s.mode === "autopilot";
        this.workloadPool = `${args.project}.svc.id.goog`;
        const regional = this.autopilot || s.regional;
        const location = regional ? args.region : args.zones[0];
        const nodeZones = regional ? args.zones : [args.zones[0]];
        this.identity = `projects/${args.project}/locations/${location}/clusters/metaflow-${args.environment}#${s.mode}`;

        this.nodeServiceAccount = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            {
                project: args.project,
                accountId: serviceAccountId(args.environment, "nodes"),
                displayName: `Metaflow ${args.environment} GKE nodes`,
                description: "Least-privilege identity of GKE nodes (logs, metrics); workloads use Workload Identity.",
            },
            parent,
        );
        this.nodeServiceAccountEmail = serviceAccountEmail(args.project, serviceAccountId(args.environment, "nodes"));
        // The cluster and its pools wait for these grants, and so for the account itself.
        const nodeRoles = NODE_SERVICE_ACCOUNT_ROLES.map(
            (role) =>
                new gcp.projects.IAMMember(
                    `${name}-nodes-${role.split("/")[1]}`,
                    { project: args.project, role, member: `serviceAccount:${this.nodeServiceAccountEmail}` },
                    withDependencies(parent, this.nodeServiceAccount),
                ),
        );

        const common: gcp.container.ClusterArgs = {
            project: args.project,
            name: `metaflow-${args.environment}`,
            description: `Metaflow ${args.environment} environment (managed by Pulumi)`,
            location,
            network: args.networkId,
            subnetwork: args.subnetworkId,
            networkingMode: "VPC_NATIVE",
            ipAllocationPolicy: { clusterSecondaryRangeName: POD_RANGE_NAME, servicesSecondaryRangeName: SERVICE_RANGE_NAME },
            releaseChannel: { channel: s.releaseChannel },
            deletionProtection: s.deletionProtection,
            resourceLabels: args.labels,
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
            controlPlaneEndpointsConfig: {
                // The DNS endpoint is gated by IAM (container.clusters.connect), not by source IP.
                dnsEndpointConfig: { allowExternalTraffic: s.controlPlaneAccess === "dns" },
                ipEndpointsConfig: { enabled: true },
            },
            masterAuthorizedNetworksConfig: {
                // Closed by default: with no CIDR listed, the IP endpoint admits only the VPC.
                cidrBlocks: s.authorizedNetworks.map((n) => ({ cidrBlock: n.cidr, displayName: n.name })),
                gcpPublicCidrsAccessEnabled: false,
            },
            masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
            maintenancePolicy: {
                recurringWindow: { startTime: "2025-01-04T02:00:00Z", endTime: "2025-01-04T08:00:00Z", recurrence: "FREQ=WEEKLY;BYDAY=SA,SU" },
            },
            costManagementConfig: { enabled: true },
            // Updated in place (terraform-provider-google dropped ForceNew in v4.33.0, #12310).
            ...(args.securityGroup ? { authenticatorGroupsConfig: { securityGroup: args.securityGroup } } : {}),
            // Installs the Gateway API and GKE policy CRDs the optional HTTPS endpoint uses; no
            // load balancer exists until a Gateway is created.
            gatewayApiConfig: { channel: "CHANNEL_STANDARD" },
        };

        if (this.autopilot) {
            this.cluster = new gcp.container.Cluster(
                `${name}-gke`,
                {
                    ...common,
                    enableAutopilot: true,
                    clusterAutoscaling: {
                        autoProvisioningDefaults: {
                            serviceAccount: this.nodeServiceAccountEmail,
                            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                        },
                    },
                },
                withDependencies(parent, ...nodeRoles),
            );
        } else {
            this.cluster = new gcp.container.Cluster(
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
                        serviceAccount: this.nodeServiceAccountEmail,
                        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                        workloadMetadataConfig: { mode: "GKE_METADATA" },
                        shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
                    },
                    workloadIdentityConfig: { workloadPool: this.workloadPool },
                    enableShieldedNodes: true,
                    enableLegacyAbac: false,
                    datapathProvider: "ADVANCED_DATAPATH",
                    addonsConfig: {
                        gcePersistentDiskCsiDriverConfig: { enabled: true },
                        httpLoadBalancing: { disabled: false },
                        horizontalPodAutoscaling: { disabled: false },
                        gcsFuseCsiDriverConfig: { enabled: args.gcsFuseCsiDriver ?? false },
                    },
                },
                // The default pool's node config is dropped with the pool; ignore its drift.
                // Production clusters are also protected in Pulumi: a replacement or delete stops
                // the whole update before anything runs (the API flag is only checked when the
                // cluster itself is deleted, after its pools and workloads are already gone).
                { ...withDependencies(parent, ...nodeRoles), ignoreChanges: ["nodeConfig"], protect: s.deletionProtection },
            );

            this.cpuPool = new gcp.container.NodePool(
                `${name}-cpu`,
                {
                    project: args.project,
                    name: "cpu",
                    cluster: this.cluster.name,
                    location: this.cluster.location,
                    nodeLocations: nodeZones,
                    // Per zone; starts the pool at its minimum instead of 0 nodes.
                    initialNodeCount: initialNodesPerZone(s.cpuPool.minNodes, nodeZones.length),
                    autoscaling: {
                        totalMinNodeCount: s.cpuPool.minNodes,
                        totalMaxNodeCount: s.cpuPool.maxNodes,
                        locationPolicy: "BALANCED",
                    },
                    management: { autoRepair: true, autoUpgrade: true },
                    upgradeSettings: SAFE_UPGRADES,
                    nodeConfig: hardenedNodeConfig({
                        machineType: s.cpuPool.machineType,
                        diskSizeGb: s.cpuPool.diskSizeGb,
                        spot: s.cpuPool.spot,
                        serviceAccount: this.nodeServiceAccountEmail,
                        resourceLabels: args.labels,
                        labels: { "metaflow.org/pool": "cpu" },
                    }),
                },
                // initialNodeCount is ForceNew and only matters at creation; afterwards the
                // autoscaler owns the count, so a later minNodes change must not replace the pool.
                { ...parent, ignoreChanges: ["initialNodeCount"], protect: s.deletionProtection },
            );
        }

        this.name = this.cluster.name;
        this.location = this.cluster.location;
        const dnsEndpoint = this.cluster.controlPlaneEndpointsConfig.apply((c) => c?.dnsEndpointConfig?.endpoint ?? "");
        this.endpoint = s.controlPlaneAccess === "dns" ? dnsEndpoint : this.cluster.endpoint;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.endpoint, this.cluster.masterAuth])
                .apply(([clusterName, endpoint, auth]) =>
                    buildKubeconfig({
                        name: `metaflow-${args.environment}-${clusterName}`,
                        server: `https://${endpoint}`,
                        caData: s.controlPlaneAccess === "dns" ? undefined : auth.clusterCaCertificate,
                    }),
                ),
        );

        this.registerOutputs({
            name: this.name,
            location: this.location,
            endpoint: this.endpoint,
            kubeconfig: this.kubeconfig,
            nodeServiceAccount: this.nodeServiceAccount.email,
        });
    }
}
