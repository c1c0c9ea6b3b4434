import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { endpointUrl } from "../model/endpointPaths";
import { endpointBackends, type EndpointBackend, type EndpointServices } from "./specs/endpointRoutes";
import { ENDPOINT_CLIENT_ACCOUNT, MEMBER_ENDPOINT_CLIENT_ROLE, memberSlug, readableMemberSlug } from "../model/memberAccess";
import { resourceName, serviceAccountEmail, serviceAccountId } from "../model/naming";
import { childOptions, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";

/** The GKE GatewayClass of a global external Application Load Balancer (Envoy-based, managed). */
export const GATEWAY_CLASS = "gke-l7-global-external-managed";
/** Kubernetes names of the endpoint's objects. */
export const ENDPOINT_NAMES = { gateway: "metaflow", route: "metaflow", oauthSecret: "metaflow-iap-oauth" } as const;
/**
 * The key GKE reads the OAuth client secret from in the Secret a GCPBackendPolicy names
 * (GKE docs, "Configure Gateway resources using Policies", Configure IAP:
 * `kubectl create secret generic SECRET_NAME --from-file=key=iap-secret.txt`).
 */
export const OAUTH_SECRET_KEY = "key";
/** Who may pass IAP: role on the IAP resource, limited by a condition to this endpoint's host. */
export const IAP_ACCESSOR_ROLE = "roles/iap.httpsResourceAccessor";
/** Lets a member mint ID tokens (nothing else) as the endpoint's client service account. */
export const ID_TOKEN_CREATOR_ROLE = MEMBER_ENDPOINT_CLIENT_ROLE;

export interface MetaflowEndpointArgs {
    /** Google Cloud project of the address, certificate, client account and IAP grants. */
    readonly project: string;
    /** Environment name: part of every Google Cloud resource name. */
    readonly environment: string;
    /** Labels of the Google Cloud resources. Default: none. */
    readonly labels?: Record<string, string>;
    /** Namespace of the services (the Gateway, routes and policies live there too). */
    readonly namespace: string;
    /** DNS name the endpoint serves; its A record must point at `ipAddress` before the certificate is issued. */
    readonly hostname: string;
    /** OAuth client IAP signs users in with. */
    readonly oauthClientId: string;
    /** The OAuth client's secret; written only into a Kubernetes Secret, as a Pulumi secret. */
    readonly oauthClientSecret: pulumi.Input<string>;
    /** Principals (`user:`, `group:`, `serviceAccount:`) admitted through IAP. */
    readonly members: string[];
    /** Which services run (the endpoint routes only to those). */
    readonly services: EndpointServices;
}

/** Defaults of the optional MetaflowEndpointArgs. */
export const METAFLOW_ENDPOINT_DEFAULTS = { labels: {} as Record<string, string> } as const;

/** MetaflowEndpointArgs with its defaults applied (the one place they are). */
type EndpointSettings = MetaflowEndpointArgs & { readonly labels: Record<string, string> };

/**
 * An HTTPS endpoint for the Metaflow services behind Identity-Aware Proxy: a global static IP, a
 * Google-managed certificate (Certificate Manager, load-balancer authorization) for the
 * hostname, a GKE Gateway with one route per service, IAP and a health check on every backend,
 * and access for the environment's members only. Programs (the Metaflow client on a laptop)
 * present an ID token minted as the endpoint's client service account, which members may
 * impersonate for that purpose only.
 */
export class MetaflowEndpoint extends pulumi.ComponentResource {
    public readonly hostname: string;
    public readonly ipAddress: pulumi.Output<string>;
    /** Service account whose ID tokens the Metaflow client presents to IAP. */
    public readonly clientServiceAccountEmail: pulumi.Output<string>;
    /** The paths the endpoint serves and the Service behind each. */
    public readonly backends: EndpointBackend[];

    constructor(name: string, args: MetaflowEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetaflowEndpoint"), name, {}, withLegacyType("MetaflowEndpoint", opts));
        const a: EndpointSettings = withDefaults(METAFLOW_ENDPOINT_DEFAULTS, args);
        const parent = childOptions(this, opts);
        this.hostname = a.hostname;
        this.backends = endpointBackends(a.services);

        const address = new gcp.compute.GlobalAddress(
            `${name}-ip`,
            {
                project: a.project,
                name: resourceName(a.environment, "endpoint"),
                description: `Metaflow ${a.environment} HTTPS endpoint ${a.hostname}`,
                addressType: "EXTERNAL",
                ipVersion: "IPV4",
                labels: a.labels,
            },
            parent,
        );
        this.ipAddress = address.address;
        const certificates = this.certificateMap(name, a, parent);
        this.clientServiceAccountEmail = this.admitMembers(name, a, parent);

        // Kubernetes side: IAP and health checks first, so no backend is ever reachable without IAP.
        const oauthSecret = new k8s.core.v1.Secret(
            `${name}-oauth-secret`,
            {
                metadata: { name: ENDPOINT_NAMES.oauthSecret, namespace: a.namespace },
                type: "Opaque",
                stringData: { [OAUTH_SECRET_KEY]: pulumi.secret(a.oauthClientSecret) },
            },
            parent,
        );
        const gateway = this.gateway(name, a, address.name, certificates, parent);
        const policies = this.backendPolicies(name, a, withDependencies(parent, oauthSecret), parent);
        this.route(name, a, withDependencies(parent, gateway, ...policies));

        this.registerOutputs({ hostname: this.hostname, ipAddress: this.ipAddress, clientServiceAccountEmail: this.clientServiceAccountEmail });
    }

    /**
     * The Google-managed certificate for the hostname in a certificate map the Gateway names. No
     * dnsAuthorizations: load-balancer authorization. Google provisions the certificate once the
     * hostname's A record points at the address and the Gateway serves it.
     */
    private certificateMap(name: string, a: EndpointSettings, parent: pulumi.CustomResourceOptions): { map: gcp.certificatemanager.CertificateMap; entry: gcp.certificatemanager.CertificateMapEntry } {
        const certificate = new gcp.certificatemanager.Certificate(
            `${name}-cert`,
            {
                project: a.project,
                name: resourceName(a.environment, "endpoint"),
                description: `Google-managed certificate for ${a.hostname}`,
                managed: { domains: [a.hostname] },
                labels: a.labels,
            },
            parent,
        );
        const map = new gcp.certificatemanager.CertificateMap(`${name}-certmap`, { project: a.project, name: resourceName(a.environment, "endpoint"), labels: a.labels }, parent);
        const entry = new gcp.certificatemanager.CertificateMapEntry(
            `${name}-certmap-entry`,
            {
                project: a.project,
                name: resourceName(a.environment, "endpoint"),
                map: map.name,
                hostname: a.hostname,
                certificates: [certificate.id],
                labels: a.labels,
            },
            parent,
        );
        return { map, entry };
    }

    /**
     * Who passes IAP: the members, and programs through the client service account, whose ID
     * tokens (audience: the OAuth client) members may mint, because a user's own credentials
     * cannot mint one for another client's audience. Returns the client account's email.
     */
    private admitMembers(name: string, a: EndpointSettings, parent: pulumi.CustomResourceOptions): pulumi.Output<string> {
        const clientAccount = new gcp.serviceaccount.Account(
            `${name}-client`,
            {
                project: a.project,
                accountId: serviceAccountId(a.environment, ENDPOINT_CLIENT_ACCOUNT),
                displayName: `Metaflow ${a.environment} endpoint client`,
                description: `ID tokens for ${a.hostname} (IAP); members impersonate it from the Metaflow client.`,
            },
            parent,
        );
        // Built from the account ID (known in a first preview, as in MetaflowIdentity); the grants
        // that use it wait for the account. The account's resource name is the one the IAM API
        // returns (`projects/<project>/serviceAccounts/<email>`, ServiceAccount.name), so the
        // token grants are the same after `pulumi up`, and the policy pack can tell in a first
        // preview that they are on this environment's client account.
        const clientEmail = serviceAccountEmail(a.project, serviceAccountId(a.environment, ENDPOINT_CLIENT_ACCOUNT));
        const clientMember = `serviceAccount:${clientEmail}`;
        const clientAccountName = `projects/${a.project}/serviceAccounts/${clientEmail}`;

        const hostCondition = {
            title: `metaflow-${a.environment}-endpoint`,
            description: `Only requests to ${a.hostname}`,
            expression: `request.host == "${a.hostname}"`,
        };
        new gcp.iap.WebTypeComputeIamMember(
            `${name}-iap-client`,
            { project: a.project, role: IAP_ACCESSOR_ROLE, member: clientMember, condition: hostCondition },
            withDependencies(parent, clientAccount),
        );
        for (const member of a.members) {
            new gcp.iap.WebTypeComputeIamMember(
                `${name}-iap-${memberSlug(member)}`,
                { project: a.project, role: IAP_ACCESSOR_ROLE, member, condition: hostCondition },
                withFormerName(parent, `${name}-iap`, member, a.members),
            );
            new gcp.serviceaccount.IAMMember(
                `${name}-client-token-${memberSlug(member)}`,
                { serviceAccountId: clientAccountName, role: ID_TOKEN_CREATOR_ROLE, member },
                withFormerName(withDependencies(parent, clientAccount), `${name}-client-token`, member, a.members),
            );
        }
        return clientAccount.email;
    }

    /** The GKE Gateway: an HTTPS-only listener on the static address, with the certificate map. */
    private gateway(
        name: string,
        a: EndpointSettings,
        addressName: pulumi.Input<string>,
        certificates: { map: gcp.certificatemanager.CertificateMap; entry: gcp.certificatemanager.CertificateMapEntry },
        parent: pulumi.CustomResourceOptions,
    ): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: ENDPOINT_NAMES.gateway,
                    namespace: a.namespace,
                    // Certificate Manager map: GKE docs "Secure a Gateway" (restrictions): Google-managed
                    // Certificate Manager certificates work with global Gateways; the Gateway controller
                    // does not support ManagedCertificate objects; certmap excludes tls.certificateRefs.
                    annotations: { "networking.gke.io/certmap": certificates.map.name },
                },
                spec: {
                    gatewayClassName: GATEWAY_CLASS,
                    // HTTPS only: there is no port-80 listener, so nothing is served in clear text.
                    listeners: [{ name: "https", protocol: "HTTPS", port: 443, allowedRoutes: { namespaces: { from: "Same" } } }],
                    addresses: [{ type: "NamedAddress", value: addressName }],
                },
            },
            withDependencies(parent, certificates.entry),
        );
    }

    /** IAP (after its OAuth Secret exists) and a health check on every backend's Service. */
    private backendPolicies(name: string, a: EndpointSettings, afterSecret: pulumi.CustomResourceOptions, parent: pulumi.CustomResourceOptions): pulumi.Resource[] {
        return this.backends.flatMap((backend) => {
            const targetRef = { group: "", kind: "Service", name: backend.service };
            return [
                new k8s.apiextensions.CustomResource(
                    `${name}-backend-${backend.name}`,
                    {
                        apiVersion: "networking.gke.io/v1",
                        kind: "GCPBackendPolicy",
                        metadata: { name: `metaflow-${backend.name}`, namespace: a.namespace },
                        spec: {
                            default: {
                                iap: { enabled: true, clientID: a.oauthClientId, oauth2ClientSecret: { name: ENDPOINT_NAMES.oauthSecret } },
                                timeoutSec: backend.timeoutSec,
                            },
                            targetRef,
                        },
                    },
                    afterSecret,
                ),
                new k8s.apiextensions.CustomResource(
                    `${name}-health-${backend.name}`,
                    {
                        apiVersion: "networking.gke.io/v1",
                        kind: "HealthCheckPolicy",
                        metadata: { name: `metaflow-${backend.name}`, namespace: a.namespace },
                        spec: { default: { config: healthCheckConfig(backend) }, targetRef },
                    },
                    parent,
                ),
            ];
        });
    }

    /** One HTTPRoute with a rule per backend, attached to the Gateway's HTTPS listener. */
    private route(name: string, a: EndpointSettings, opts: pulumi.CustomResourceOptions): k8s.apiextensions.CustomResource {
        return new k8s.apiextensions.CustomResource(
            `${name}-route`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: ENDPOINT_NAMES.route, namespace: a.namespace },
                spec: {
                    parentRefs: [{ name: ENDPOINT_NAMES.gateway, sectionName: "https" }],
                    hostnames: [a.hostname],
                    rules: this.backends.map(routeRule),
                },
            },
            opts,
        );
    }

    /** What the user must do and where things are; for the stack outputs. */
    public summary(): pulumi.Output<EndpointSummary> {
        const host = this.hostname;
        return pulumi.all([this.ipAddress, this.clientServiceAccountEmail]).apply(([ip, client]): EndpointSummary => ({
            hostname: host,
            ipAddress: ip,
            dnsRecord: { name: `${host}.`, type: "A", ttl: 300, value: ip },
            urls: Object.fromEntries(this.backends.map((b) => [b.name, endpointUrl(host, b.pathPrefix)])),
            clientServiceAccount: client,
        }));
    }
}

/** The `endpoint` stack output. */
export interface EndpointSummary {
    readonly hostname: string;
    readonly ipAddress: string;
    /** The record to create at your DNS provider; the certificate is issued once it resolves. */
    readonly dnsRecord: { name: string; type: "A"; ttl: number; value: string };
    readonly urls: Record<string, string>;
    readonly clientServiceAccount: string;
}

/** A Gateway API rule for one backend. */
export function routeRule(backend: EndpointBackend): Record<string, unknown> {
    return {
        matches: [{ path: { type: "PathPrefix", value: backend.pathPrefix } }],
        ...(backend.stripPrefix ? { filters: [{ type: "URLRewrite", urlRewrite: { path: { type: "ReplacePrefixMatch", replacePrefixMatch: "/" } } }] } : {}),
        backendRefs: [{ name: backend.service, port: backend.port }],
    };
}

/** HealthCheckPolicy `spec.default.config` for a backend: its probe's path and port. */
export function healthCheckConfig(backend: EndpointBackend): Record<string, unknown> {
    const { port, path } = backend.healthCheck;
    return path === undefined
        ? { type: "TCP", tcpHealthCheck: { portSpecification: "USE_FIXED_PORT", port } }
        : { type: "HTTP", httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port, requestPath: path } };
}

/**
 * Options for a member's grant whose name was `<prefix>-<readable slug>` before 0.3.0 (no hash,
 * so `user:a.b@x` and `user:a-b@x` collided): an alias to that name keeps a deployed grant's
 * state. Members that shared the old name get none (such a stack could not have been deployed:
 * the engine refuses a duplicate URN, and one old URN can have only one new owner).
 */
function withFormerName(opts: pulumi.CustomResourceOptions, prefix: string, member: string, members: readonly string[]): pulumi.CustomResourceOptions {
    const former = readableMemberSlug(member);
    if (members.filter((m) => readableMemberSlug(m) === former).length > 1) {
        return opts;
    }
    return { ...opts, aliases: [...(opts.aliases ?? []), { name: `${prefix}-${former}` }] };
}

