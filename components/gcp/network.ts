import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { parseIpv4Cidr } from "../pure/cidr";
import { childOptions, withDependencies } from "../options";
import { PeeringRemoval } from "./peeringRemoval";
import { IAP_TCP_FORWARDING_RANGE, POD_RANGE_NAME, SERVICE_RANGE_NAME } from "../pure/wellKnown";


export interface MetaflowNetworkArgs {
    readonly project: pulumi.Input<string>;
    readonly region: string;
    /** Environment name; used in resource names. */
    readonly environment: string;
    /** Primary subnet range (nodes). */
    readonly subnetCidr: string;
    /** Secondary range for pods. */
    readonly podsCidr: string;
    /** Secondary range for Services. */
    readonly servicesCidr: string;
    /** Range reserved for Private Service Access (Cloud SQL's private IP). */
    readonly privateServiceAccessCidr: string;
    /** Admit SSH from Google's IAP range to nodes. Default: false. */
    readonly allowIapSsh?: boolean;
    /** Cloud NAT minimum ports per VM. Default: 256. */
    readonly natMinPortsPerVm?: number;
}


/**
 * A custom-mode VPC for one environment: one subnet with pod and service secondary ranges and
 * Private Google Access, Cloud NAT for private nodes' egress, a Private Service Access peering
 * for Cloud SQL, and firewall rules admitting only this environment's own ranges (plus IAP SSH
 * when enabled). Nothing is reachable from 0.0.0.0/0.
 */
export class MetaflowNetwork extends pulumi.ComponentResource {
    public readonly network: gcp.compute.Network;
    public readonly subnetwork: gcp.compute.Subnetwork;
    public readonly router: gcp.compute.Router;
    public readonly nat: gcp.compute.RouterNat;
    public readonly privateServiceRange: gcp.compute.GlobalAddress;
    /** The servicenetworking connection (abandoned on delete, see `peeringRemoval`). */
    public readonly privateServiceConnection: gcp.servicenetworking.Connection;
    /** Removes the connection's VPC peering on destroy, after the producers are gone. */
    public readonly peeringRemoval: PeeringRemoval;
    /**
     * What a Private Service Access producer (Cloud SQL) must depend on: created after the
     * connection, and deleted before the peering is removed.
     */
    public readonly privateServiceAccess: pulumi.Resource[];
    public readonly firewallRules: gcp.compute.Firewall[];
    public readonly networkId: pulumi.Output<string>;
    public readonly subnetworkId: pulumi.Output<string>;

    constructor(name: string, args: MetaflowNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:gcp:MetaflowNetwork", name, {}, opts);
        const parent = childOptions(this, opts);
        const psa = parseIpv4Cidr(args.privateServiceAccessCidr);

        this.network = new gcp.compute.Network(
            `${name}-vpc`,
            {
                project: args.project,
                name: `metaflow-${args.environment}`,
                description: `Metaflow ${args.environment} environment (managed by Pulumi)`,
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
            },
            parent,
        );

        this.subnetwork = new gcp.compute.Subnetwork(
            `${name}-subnet`,
            {
                project: args.project,
                name: `metaflow-${args.environment}-${args.region}`,
                region: args.region,
                network: this.network.id,
                ipCidrRange: args.subnetCidr,
                // Nodes have no public IP; they reach Google APIs (GCS, Artifact Registry) privately.
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: POD_RANGE_NAME, ipCidrRange: args.podsCidr },
                    { rangeName: SERVICE_RANGE_NAME, ipCidrRange: args.servicesCidr },
                ],
                logConfig: {
                    aggregationInterval: "INTERVAL_5_MIN",
                    flowSampling: 0.5,
                    metadata: "INCLUDE_ALL_METADATA",
                },
            },
            parent,
        );

        this.router = new gcp.compute.Router(
            `${name}-router`,
            { project: args.project, name: `metaflow-${args.environment}-router`, region: args.region, network: this.network.id },
            parent,
        );

        // Private nodes have no external IP; Metaflow's bootstrap pip-installs packages and pulls
        // public images, so egress goes through NAT.
        this.nat = new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                project: args.project,
                name: `metaflow-${args.environment}-nat`,
                region: args.region,
                router: this.router.name,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                subnetworks: [{ name: this.subnetwork.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                minPortsPerVm: args.natMinPortsPerVm ?? 256,
                enableEndpointIndependentMapping: false,
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            parent,
        );

        this.privateServiceRange = new gcp.compute.GlobalAddress(
            `${name}-psa-range`,
            {
                project: args.project,
                name: `metaflow-${args.environment}-psa`,
                purpose: "VPC_PEERING",
                addressType: "INTERNAL",
                address: psa.network.toString(),
                prefixLength: psa.prefixLength,
                network: this.network.id,
            },
            parent,
        );

        this.privateServiceConnection = new gcp.servicenetworking.Connection(
            `${name}-psa`,
            {
                network: this.network.id,
                service: "servicenetworking.googleapis.com",
                reservedPeeringRanges: [this.privateServiceRange.name],
                // Deleting the connection fails for days after Cloud SQL is gone (it keeps its
                // producer resources); abandon it and let peeringRemoval take the peering away.
                deletionPolicy: "ABANDON",
                // An abandoned connection is still known to servicenetworking when an environment
                // of the same name is recreated; then creation fails with "Cannot modify allocated
                // ranges in CreateConnection" and the provider patches the old one instead
                // (resource_service_networking_connection.go, update_on_creation_fail).
                updateOnCreationFail: true,
            },
            parent,
        );

        this.peeringRemoval = new PeeringRemoval(
            `${name}-psa-peering-removal`,
            { project: args.project, network: this.network.name },
            withDependencies(parent, this.privateServiceConnection),
        );
        this.privateServiceAccess = [this.privateServiceConnection, this.peeringRemoval];

        const internalRanges = [args.subnetCidr, args.podsCidr, args.servicesCidr];
        this.firewallRules = [
            new gcp.compute.Firewall(
                `${name}-allow-internal`,
                {
                    project: args.project,
                    name: `metaflow-${args.environment}-allow-internal`,
                    description: "Nodes, pods and services of this environment talk to each other.",
                    network: this.network.id,
                    direction: "INGRESS",
                    priority: 1000,
                    sourceRanges: internalRanges,
                    allows: [{ protocol: "tcp" }, { protocol: "udp" }, { protocol: "icmp" }],
                    logConfig: { metadata: "EXCLUDE_ALL_METADATA" },
                },
                parent,
            ),
        ];
        if (args.allowIapSsh) {
            this.firewallRules.push(
                new gcp.compute.Firewall(
                    `${name}-allow-iap-ssh`,
                    {
                        project: args.project,
                        name: `metaflow-${args.environment}-allow-iap-ssh`,
                        description: "SSH to nodes only through Identity-Aware Proxy (gcloud compute ssh --tunnel-through-iap).",
                        network: this.network.id,
                        direction: "INGRESS",
                        priority: 1000,
                        sourceRanges: [IAP_TCP_FORWARDING_RANGE],
                        allows: [{ protocol: "tcp", ports: ["22"] }],
                        logConfig: { metadata: "INCLUDE_ALL_METADATA" },
                    },
                    parent,
                ),
            );
        }

        this.networkId = this.network.id;
        this.subnetworkId = this.subnetwork.id;
        this.registerOutputs({ networkId: this.networkId, subnetworkId: this.subnetworkId });
    }
}
