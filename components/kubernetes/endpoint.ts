import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENDPOINT_PATHS, endpointBackends, endpointUrl, type EndpointBackend, type EndpointServices } from "../pure/endpointRoutes";
import { ENDPOINT_CLIENT_ACCOUNT, MEMBER_ENDPOINT_CLIENT_ROLE } from "../pure/memberAccess";
import { resourceName, serviceAccountEmail, serviceAccountId } from "../pure/naming";
import { childOptions, withDependencies } from "../options";

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
    readonly project: string;
    readonly environment: string;
    readonly labels: Record<string, string>;
    /** Namespace of the services (the Gateway, routes and policies live there too). */
    readonly namespace: string;
    readonly hostname: string;
    readonly oauthClientId: string;
    /** Secret output; written only into a Kubernetes Secret. */
    readonly oauthClientSecret: pulumi.Output<string>;
    /** Principals (`user:`, `group:`, `serviceAccount:`) admitted through IAP. */
    readonly members: readonly string[];
    /** Which services run (the endpoint routes only to those). */
    readonly services: EndpointServices;
}

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
    public readonly backends: EndpointBackend[];

    constructor(name: string, args: MetaflowEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:gcp:MetaflowEndpoint", name, {}, opts);
        const parent = childOptions(this, opts);
        const ns = args.namespace;
        this.hostname = args.hostname;
        this.backends = endpointBackends(args.services);

        const address = new gcp.compute.GlobalAddress(
            `${name}-ip`,
            {
                project: args.project,
                name: resourceName(args.environment, "endpoint"),
                description: `Metaflow ${args.environment} HTTPS endpoint ${args.hostname}`,
                addressType: "EXTERNAL",
                ipVersion: "IPV4",
                labels: args.labels,
            },
            parent,
        );
        this.ipAddress = address.address;

        // No dnsAuthorizations: load-balancer authorization. Google provisions the certificate once
        // the hostname's A record points at the address and the Gateway serves it.
        const certificate = new gcp.certificatemanager.Certificate(
            `${name}-cert`,
            {
                project: args.project,
                name: resourceName(args.environment, "endpoint"),
                description: `Google-managed certificate for ${args.hostname}`,
                managed: { domains: [args.hostname] },
                labels: args.labels,
            },
            parent,
        );
        const certificateMap = new gcp.certificatemanager.CertificateMap(
            `${name}-certmap`,
            { project: args.project, name: resourceName(args.environment, "endpoint"), labels: args.labels },
            parent,
        );
        const certificateEntry = new gcp.certificatemanager.CertificateMapEntry(
            `${name}-certmap-entry`,
            {
                project: args.project,
                name: resourceName(args.environment, "endpoint"),
                map: certificateMap.name,
                hostname: args.hostname,
                certificates: [certificate.id],
                labels: args.labels,
            },
            parent,
        );

        // Identity for programs: members mint ID tokens as this account (audience: the OAuth
        // client), because a user's own credentials cannot mint one for another client's audience.
        const clientAccount = new gcp.serviceaccount.Account(
            `${name}-client`,
            {
                project: args.project,
                accountId: serviceAccountId(args.environment, ENDPOINT_CLIENT_ACCOUNT),
                displayName: `Metaflow ${args.environment} endpoint client`,
                description: `ID tokens for ${args.hostname} (IAP); members impersonate it from the Metaflow client.`,
            },
            parent,
        );
        this.clientServiceAccountEmail = clientAccount.email;
        // Built from the account ID (known in a first preview, as in MetaflowIdentity); the grants
        // that use it wait for the account.
        const clientMember = `serviceAccount:${serviceAccountEmail(args.project, serviceAccountId(args.environment, ENDPOINT_CLIENT_ACCOUNT))}`;

        const hostCondition = {
            title: `metaflow-${args.environment}-endpoint`,
            description: `Only requests to ${args.hostname}`,
            expression: `request.host == "${args.hostname}"`,
        };
        const accessors: Array<[string, pulumi.Input<string>]> = [...args.members.map((m): [string, pulumi.Input<string>] => [m, m]), ["client", clientMember]];
        for (const [key, member] of accessors) {
            new gcp.iap.WebTypeComputeIamMember(
                `${name}-iap-${memberSlug(key)}`,
                { project: args.project, role: IAP_ACCESSOR_ROLE, member, condition: hostCondition },
                key === "client" ? withDependencies(parent, clientAccount) : parent,
            );
        }
        for (const member of args.members) {
            new gcp.serviceaccount.IAMMember(
                `${name}-client-token-${memberSlug(member)}`,
                { serviceAccountId: clientAccount.name, role: ID_TOKEN_CREATOR_ROLE, member },
                parent,
            );
        }

        // Kubernetes side.
        const oauthSecret = new k8s.core.v1.Secret(
            `${name}-oauth-secret`,
            {
                metadata: { name: ENDPOINT_NAMES.oauthSecret, namespace: ns },
                type: "Opaque",
                stringData: { [OAUTH_SECRET_KEY]: pulumi.secret(args.oauthClientSecret) },
            },
            parent,
        );

        const gateway = new k8s.apiextensions.CustomResource(
            `${name}-gateway`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "Gateway",
                metadata: {
                    name: ENDPOINT_NAMES.gateway,
                    namespace: ns,
                    // Certificate Manager map: GKE docs "Secure a Gateway" (restrictions): Google-managed
                    // Certificate Manager certificates work with global Gateways; the Gateway controller
                    // does not support ManagedCertificate objects; certmap excludes tls.certificateRefs.
                    annotations: { "networking.gke.io/certmap": certificateMap.name },
                },
                spec: {
                    gatewayClassName: GATEWAY_CLASS,
                    // HTTPS only: there is no port-80 listener, so nothing is served in clear text.
                    listeners: [{ name: "https", protocol: "HTTPS", port: 443, allowedRoutes: { namespaces: { from: "Same" } } }],
                    addresses: [{ type: "NamedAddress", value: address.name }],
                },
            },
            withDependencies(parent, certificateEntry),
        );

        // IAP and health checks first, so no backend is ever reachable without IAP.
        const policies: pulumi.Resource[] = [];
        for (const backend of this.backends) {
            const targetRef = { group: "", kind: "Service", name: backend.service };
            policies.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-backend-${backend.name}`,
                    {
                        apiVersion: "networking.gke.io/v1",
                        kind: "GCPBackendPolicy",
                        metadata: { name: `metaflow-${backend.name}`, namespace: ns },
                        spec: {
                            default: {
                                iap: { enabled: true, clientID: args.oauthClientId, oauth2ClientSecret: { name: ENDPOINT_NAMES.oauthSecret } },
                                timeoutSec: backend.timeoutSec,
                            },
                            targetRef,
                        },
                    },
                    withDependencies(parent, oauthSecret),
                ),
                new k8s.apiextensions.CustomResource(
                    `${name}-health-${backend.name}`,
                    {
                        apiVersion: "networking.gke.io/v1",
                        kind: "HealthCheckPolicy",
                        metadata: { name: `metaflow-${backend.name}`, namespace: ns },
                        spec: { default: { config: healthCheckConfig(backend) }, targetRef },
                    },
                    parent,
                ),
            );
        }

        new k8s.apiextensions.CustomResource(
            `${name}-route`,
            {
                apiVersion: "gateway.networking.k8s.io/v1",
                kind: "HTTPRoute",
                metadata: { name: ENDPOINT_NAMES.route, namespace: ns },
                spec: {
                    parentRefs: [{ name: ENDPOINT_NAMES.gateway, sectionName: "https" }],
                    hostnames: [args.hostname],
                    rules: this.backends.map(routeRule),
                },
            },
            withDependencies(parent, gateway, ...policies),
        );

        this.registerOutputs({ hostname: this.hostname, ipAddress: this.ipAddress, clientServiceAccountEmail: this.clientServiceAccountEmail });
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

/** A resource-name-safe slug of a principal (`user:a.b@x.com` -> `user-a-b-x-com`). */
export function memberSlug(member: string): string {
    return member.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export { ENDPOINT_PATHS };
