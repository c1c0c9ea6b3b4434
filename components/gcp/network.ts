import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { parseIpv4Cidr, type Ipv4Block } from "../model/cidr";
import { childOptions, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { PeeringRemoval } from "./peeringRemoval";
import { IAP_TCP_FORWARDING_RANGE, POD_RANGE_NAME, SERVICE_RANGE_NAME } from "../model/wellKnown";
import { STANDALONE_DEFAULTS as PRODUCTION } from "../model/profiles";

export interface MetaflowNetworkArgs {
    /** Project of the VPC. */
    readonly project: pulumi.Input<string>;
    /** Region of the subnet, router and NAT. */
    readonly region: string;
    /** Environment name; used in resource names. */
    readonly environment: string;
    /**
     * Primary subnet range (nodes). No default for any range: a CIDR plan must not overlap the
     * networks this VPC is peered or connected with, which only the caller knows.
     */
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

/** The defaults MetaflowNetworkArgs documents, applied once at the top of the constructor. */
export const METAFLOW_NETWORK_DEFAULTS = {
    allowIapSsh: PRODUCTION.allowIapSsh as boolean,
    natMinPortsPerVm: 256,
};

type ResolvedNetworkArgs = MetaflowNetworkArgs & typeof METAFLOW_NETWORK_DEFAULTS;

/** The Private Service Access pieces: range, connection, and the peering's removal on destroy. */
interface PrivateServiceAccess {
    readonly range: gcp.compute.GlobalAddress;
    readonly connection: gcp.servicenetworking.Connection;
    readonly peeringRemoval: PeeringRemoval;
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
    /** The servicenetworking connection (abandoned on delete, see `privateServiceAccess`). */
    public readonly privateServiceConnection: gcp.servicenetworking.Connection;
    /**
     * What a Private Service Access producer (Cloud SQL) must wait for, as an Output that carries
     * the connection and the PeeringRemoval resource (which removes the connection's VPC peering
     * on destroy, once the producers are gone): a resource given it (MetaflowDatabase's
     * `privateServiceAccess`) is created after both and deleted before the peering is removed.
     * Its value is the removal's ID (`<project>/<network>/<peering>`). The removal itself is no
     * field: a dynamic resource has no type a component package schema can name.
     */
    public readonly privateServiceAccess: pulumi.Output<string>;
    public readonly firewallRules: gcp.compute.Firewall[];
    public readonly networkId: pulumi.Output<string>;
    public readonly subnetworkId: pulumi.Output<string>;

    constructor(name: string, args: MetaflowNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetaflowNetwork"), name, {}, withLegacyType("MetaflowNetwork", opts));
        const parent = childOptions(this, opts);
        const a: ResolvedNetworkArgs = withDefaults(METAFLOW_NETWORK_DEFAULTS, args);
        // Parsed first: a malformed range fails before any resource is created.
        const psaBlock = parseIpv4Cidr(a.privateServiceAccessCidr);

        this.network = createNetwork(name, a, parent);
        this.subnetwork = createSubnetwork(name, a, this.network, parent);
        this.router = new gcp.compute.Router(
            `${name}-router`,
            { project: a.project, name: `metaflow-${a.environment}-router`, region: a.region, network: this.network.id },
            parent,
        );
        this.nat = createNat(name, a, this.router, this.subnetwork, parent);

        const psa = createPrivateServiceAccess(name, a, psaBlock, this.network, parent);
        this.privateServiceRange = psa.range;
        this.privateServiceConnection = psa.connection;
        this.privateServiceAccess = pulumi.all([psa.connection.id, psa.peeringRemoval.id]).apply(([, removalId]) => removalId);

        this.firewallRules = createFirewallRules(name, a, this.network, parent);

        this.networkId = this.network.id;
        this.subnetworkId = this.subnetwork.id;
        this.registerOutputs({ networkId: this.networkId, subnetworkId: this.subnetworkId });
    }
}

function createNetwork(name: string, a: ResolvedNetworkArgs, opts: pulumi.CustomResourceOptions): gcp.compute.Network {
    return new gcp.compute.Network(
        `${name}-vpc`,
        {
            project: a.project,
            name: `metaflow-${a.environment}`,
            description: `Metaflow ${a.environment} environment (managed by Pulumi)`,
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
        },
        opts,
    );
}

function createSubnetwork(name: string, a: ResolvedNetworkArgs, network: gcp.compute.Network, opts: pulumi.CustomResourceOptions): gcp.compute.Subnetwork {
    return new gcp.compute.Subnetwork(
        `${name}-subnet`,
        {
            project: a.project,
            name: `metaflow-${a.environment}-${a.region}`,
            region: a.region,
            network: network.id,
            ipCidrRange: a.subnetCidr,
            // Nodes have no public IP; they reach Google APIs (GCS, Artifact Registry) privately.
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: POD_RANGE_NAME, ipCidrRange: a.podsCidr },
                { rangeName: SERVICE_RANGE_NAME, ipCidrRange: a.servicesCidr },
            ],
            logConfig: {
                aggregationInterval: "INTERVAL_5_MIN",
                flowSampling: 0.5,
                metadata: "INCLUDE_ALL_METADATA",
            },
        },
        opts,
    );
}

/**
 * Private nodes have no external IP; Metaflow's bootstrap pip-installs packages and pulls
 * public images, so egress goes through NAT.
 */
function createNat(
    name: string,
    a: ResolvedNetworkArgs,
    router: gcp.compute.Router,
    subnetwork: gcp.compute.Subnetwork,
    opts: pulumi.CustomResourceOptions,
): gcp.compute.RouterNat {
    return new gcp.compute.RouterNat(
        `${name}-nat`,
        {
            project: a.project,
            name: `metaflow-${a.environment}-nat`,
            region: a.region,
            router: router.name,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: subnetwork.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
            minPortsPerVm: a.natMinPortsPerVm,
            enableEndpointIndependentMapping: false,
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        },
        opts,
    );
}

function createPrivateServiceAccess(
    name: string,
    a: ResolvedNetworkArgs,
    psa: Ipv4Block,
    network: gcp.compute.Network,
    opts: pulumi.CustomResourceOptions,
): PrivateServiceAccess {
    const range = new gcp.compute.GlobalAddress(
        `${name}-psa-range`,
        {
            project: a.project,
            name: `metaflow-${a.environment}-psa`,
            purpose: "VPC_PEERING",
            addressType: "INTERNAL",
            address: psa.network.toString(),
            prefixLength: psa.prefixLength,
            network: network.id,
        },
        opts,
    );
    const connection = new gcp.servicenetworking.Connection(
        `${name}-psa`,
        {
            network: network.id,
            service: "servicenetworking.googleapis.com",
            reservedPeeringRanges: [range.name],
            // Deleting the connection fails for days after Cloud SQL is gone (it keeps its
            // producer resources); abandon it and let peeringRemoval take the peering away.
            deletionPolicy: "ABANDON",
            // An abandoned connection is still known to servicenetworking when an environment
            // of the same name is recreated; then creation fails with "Cannot modify allocated
            // ranges in CreateConnection" and the provider patches the old one instead
            // (resource_service_networking_connection.go, update_on_creation_fail).
            updateOnCreationFail: true,
        },
        opts,
    );
    const peeringRemoval = new PeeringRemoval(
        `${name}-psa-peering-removal`,
        { project: a.project, network: network.name },
        withDependencies(opts, connection),
    );
    return { range, connection, peeringRemoval };
}

/** Only this environment's own ranges talk to each other; SSH only through IAP, when enabled. */
function createFirewallRules(name: string, a: ResolvedNetworkArgs, network: gcp.compute.Network, opts: pulumi.CustomResourceOptions): gcp.compute.Firewall[] {
    const rules = [
        new gcp.compute.Firewall(
            `${name}-allow-internal`,
            {
                project: a.project,
                name: `metaflow-${a.environment}-allow-internal`,
                description: "Nodes, pods and services of this environment talk to each other.",
                network: network.id,
                direction: "INGRESS",
                priority: 1000,
                sourceRanges: [a.subnetCidr, a.podsCidr, a.servicesCidr],
                allows: [{ protocol: "tcp" }, { protocol: "udp" }, { protocol: "icmp" }],
                logConfig: { metadata: "EXCLUDE_ALL_METADATA" },
            },
            opts,
        ),
    ];
    if (a.allowIapSsh) {
        rules.push(
            new gcp.compute.Firewall(
                `${name}-allow-iap-ssh`,
                {
                    project: a.project,
                    name: `metaflow-${a.environment}-allow-iap-ssh`,
                    description: "SSH to nodes only through Identity-Aware Proxy (gcloud compute ssh --tunnel-through-iap).",
                    network: network.id,
                    direction: "INGRESS",
                    priority: 1000,
                    sourceRanges: [IAP_TCP_FORWARDING_RANGE],
                    allows: [{ protocol: "tcp", ports: ["22"] }],
                    logConfig: { metadata: "INCLUDE_ALL_METADATA" },
                },
                opts,
            ),
        );
    }
    return rules;
}
