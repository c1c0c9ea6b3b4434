import { strict as assert } from "assert";
import { Gateway, HTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1";
import { GCPBackendPolicy, HealthCheckPolicy } from "@kubernetes-models/gke/networking.gke.io/v1";
import { ENDPOINT_APIS } from "../components/gcp/apis";
import { ENDPOINT_NAMES, GATEWAY_CLASS, IAP_ACCESSOR_ROLE, ID_TOKEN_CREATOR_ROLE, OAUTH_SECRET_KEY } from "../components/kubernetes/endpoint";
import { ARGO_SERVER_SERVICE, ARGO_WEBHOOK_SERVICE, LONG_LIVED_TIMEOUT_SEC, endpointBackends } from "../components/kubernetes/specs/endpointRoutes";
import { ConfigError, parsePlatformConfig } from "../components/config/config";
import { checkRendered, formatReport, policyConfigFor } from "../scripts/policyCheck";
import { EXAMPLE_ENDPOINT, EXAMPLE_MEMBERS, withEndpoint } from "./harness/endpointExample";
import { ofType, one, output } from "../offline/query";
import { type RenderedResource, type RenderedStack } from "../offline/render";
import { ARGO_EVENTS_NAMES } from "../components/model/wellKnown";
import { fixtureStack, readFixture, renderFixtureFailure } from "./harness/fixtures";

const HOSTNAME = EXAMPLE_ENDPOINT.hostname;
const CLIENT_ID = EXAMPLE_ENDPOINT.oauthClientId;
const CLIENT_SECRET = EXAMPLE_ENDPOINT.oauthClientSecret;
const MEMBERS = EXAMPLE_MEMBERS;

const GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const HTTP_ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute";
const BACKEND_POLICY = "kubernetes:networking.gke.io/v1:GCPBackendPolicy";
const HEALTH_POLICY = "kubernetes:networking.gke.io/v1:HealthCheckPolicy";
const SERVICE = "kubernetes:core/v1:Service";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SECRET = "kubernetes:core/v1:Secret";
const RELEASE = "kubernetes:helm.sh/v3:Release";

const endpointConfig = { ...EXAMPLE_ENDPOINT };

/** A stack with the endpoint on, its secret stored the way `pulumi config set --secret` does. */
function renderWithEndpoint(stack: string, extra: Record<string, unknown> = {}): Promise<RenderedStack> {
    return fixtureStack(stack, withEndpoint(stack, extra));
}

function byName(stack: RenderedStack, type: string, name: string): RenderedResource | undefined {
    return ofType(stack, type).find((r) => r.inputs.metadata?.name === name);
}

describe("HTTPS endpoint behind IAP", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await renderWithEndpoint("dev");
        // prod deploys Argo Events too: its webhook is routed as well.
        prod = await renderWithEndpoint("prod");
    });

    it("is off in the committed stacks: no Gateway, no external address, no IAP grants", async () => {
        for (const name of ["dev", "prod"]) {
            const stack = await fixtureStack(name);
            assert.equal(ofType(stack, GATEWAY).length, 0);
            assert.ok(!ofType(stack, "gcp:compute/globalAddress:GlobalAddress").some((a) => a.inputs.addressType === "EXTERNAL"));
            assert.equal(output(stack, "endpoint"), undefined);
            assert.ok(!output(stack, "metaflowConfig").METAFLOW_SERVICE_URL.startsWith("https://"));
        }
    });

    it("Gateway and HTTPRoute are valid Gateway API v1 objects (@kubernetes-models/gateway-api)", () => {
        for (const stack of [dev, prod]) {
            new Gateway(one(stack, GATEWAY).inputs as any).validate();
            new HTTPRoute(one(stack, HTTP_ROUTE).inputs as any).validate();
        }
    });

    it("GCPBackendPolicy and HealthCheckPolicy objects are valid GKE objects (@kubernetes-models/gke)", () => {
        for (const stack of [dev, prod]) {
            for (const policy of ofType(stack, BACKEND_POLICY)) {
                new GCPBackendPolicy(policy.inputs as any).validate();
            }
            for (const policy of ofType(stack, HEALTH_POLICY)) {
                new HealthCheckPolicy(policy.inputs as any).validate();
            }
        }
    });

    it("the schema checks can fail (a misspelt field, a wrong type)", () => {
        const route: any = structuredClone(one(dev, HTTP_ROUTE).inputs);
        route.spec.rules[0].matches[0].path.type = "Prefix";
        assert.throws(() => new HTTPRoute(route).validate());
        const policy: any = structuredClone(ofType(dev, BACKEND_POLICY)[0].inputs);
        policy.spec.default.iap.enabled = "yes";
        assert.throws(() => new GCPBackendPolicy(policy).validate());
    });

    it("serves HTTPS only, on the reserved global address, with the Certificate Manager map", () => {
        const gateway = one(dev, GATEWAY).inputs;
        assert.equal(gateway.spec.gatewayClassName, GATEWAY_CLASS);
        assert.deepEqual(
            gateway.spec.listeners.map((l: any) => [l.protocol, l.port]),
            [["HTTPS", 443]],
        );
        const address = one(dev, "gcp:compute/globalAddress:GlobalAddress", "endpoint-ip");
        assert.equal(address.inputs.addressType, "EXTERNAL");
        assert.deepEqual(gateway.spec.addresses, [{ type: "NamedAddress", value: address.inputs.name }]);
        const map = one(dev, "gcp:certificatemanager/certificateMap:CertificateMap");
        assert.equal(gateway.metadata.annotations["networking.gke.io/certmap"], map.inputs.name);
        const entry = one(dev, "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry");
        const certificate = one(dev, "gcp:certificatemanager/certificate:Certificate");
        assert.equal(entry.inputs.hostname, HOSTNAME);
        assert.deepEqual(entry.inputs.certificates, [certificate.id]);
        // Google-managed, load-balancer authorization (no DNS authorization to create).
        assert.deepEqual(certificate.inputs.managed, { domains: [HOSTNAME] });
    });

    it("routes / (UI and its API, one origin), /metadata and /argo (and /events where Argo Events runs) on the hostname only", () => {
        const paths = (stack: RenderedStack) => one(stack, HTTP_ROUTE).inputs.spec.rules.map((r: any) => r.matches[0].path.value).sort();
        assert.deepEqual(paths(dev), ["/", "/argo", "/metadata"]);
        assert.deepEqual(paths(prod), ["/", "/argo", "/events", "/metadata"]);
        assert.deepEqual(one(dev, HTTP_ROUTE).inputs.spec.hostnames, [HOSTNAME]);
        assert.deepEqual(one(dev, HTTP_ROUTE).inputs.spec.parentRefs, [{ name: ENDPOINT_NAMES.gateway, sectionName: "https" }]);
    });

    it("every route reaches a Service that exists, on a port it serves", () => {
        for (const stack of [dev, prod]) {
            for (const rule of one(stack, HTTP_ROUTE).inputs.spec.rules) {
                for (const ref of rule.backendRefs) {
                    const ours = byName(stack, SERVICE, ref.name);
                    if (ours) {
                        assert.ok(
                            ours.inputs.spec.ports.some((p: any) => p.port === ref.port),
                            `${ref.name} serves ${ours.inputs.spec.ports.map((p: any) => p.port)}, route sends to ${ref.port}`,
                        );
                    } else if (ref.name === ARGO_SERVER_SERVICE.name) {
                        // The chart's Service: <fullnameOverride>-server on server.servicePort (2746 by
                        // default, argo-helm 0.46.2 values.yaml); we override neither the port nor the name suffix.
                        const release = one(stack, RELEASE, "services-argo-workflows-release").inputs;
                        assert.equal(`${release.values.fullnameOverride}-server`, ref.name);
                        assert.equal(release.values.server.servicePort ?? 2746, ref.port);
                    } else {
                        // Argo Events creates `<eventsource>-eventsource-svc` with the EventSource's service ports.
                        assert.equal(ref.name, ARGO_WEBHOOK_SERVICE.name);
                        const source = ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventSource")[0].inputs;
                        assert.equal(`${source.metadata.name}-eventsource-svc`, ref.name);
                        assert.ok(source.spec.service.ports.some((p: any) => p.port === ref.port));
                    }
                }
            }
        }
    });

    it("puts IAP with the configured OAuth client on every backend Service, before any route", () => {
        for (const stack of [dev, prod]) {
            const routed = one(stack, HTTP_ROUTE).inputs.spec.rules.flatMap((r: any) => r.backendRefs.map((b: any) => b.name));
            const policies = ofType(stack, BACKEND_POLICY);
            for (const service of routed) {
                const policy = policies.find((p) => p.inputs.spec.targetRef.name === service);
                assert.ok(policy, `no GCPBackendPolicy for ${service}`);
                assert.deepEqual(policy.inputs.spec.targetRef, { group: "", kind: "Service", name: service });
                assert.deepEqual(policy.inputs.spec.default.iap, { enabled: true, clientID: CLIENT_ID, oauth2ClientSecret: { name: ENDPOINT_NAMES.oauthSecret } });
                assert.ok(one(stack, HTTP_ROUTE).dependencies.includes(policy.urn), `the route waits for ${service}'s IAP policy`);
            }
        }
    });

    it("keeps the OAuth client secret in one Kubernetes Secret under the key GKE reads, and nowhere else", () => {
        const secret = byName(dev, SECRET, ENDPOINT_NAMES.oauthSecret);
        assert.ok(secret);
        assert.deepEqual(Object.keys(secret.inputs.stringData), [OAUTH_SECRET_KEY]);
        assert.equal(secret.inputs.stringData[OAUTH_SECRET_KEY], CLIENT_SECRET);
        for (const resource of dev.resources.filter((r) => r !== secret)) {
            assert.ok(!JSON.stringify(resource.inputs).includes(CLIENT_SECRET), `${resource.type} ${resource.name} holds the client secret`);
        }
        for (const [name, out] of Object.entries(dev.outputs)) {
            assert.ok(out.secret || !JSON.stringify(out.value ?? null).includes(CLIENT_SECRET), `output ${name} shows the client secret`);
        }
    });

    it("gives the UI backend (websockets) and Argo (event streams) an hour, not the load balancer's 30 s", () => {
        const timeout = (service: string) => ofType(prod, BACKEND_POLICY).find((p) => p.inputs.spec.targetRef.name === service)!.inputs.spec.default.timeoutSec;
        assert.ok(timeout("metaflow-ui-backend") >= 3600);
        assert.ok(timeout(ARGO_SERVER_SERVICE.name) >= 3600);
        assert.equal(LONG_LIVED_TIMEOUT_SEC, 3600);
    });

    it("health checks use the same path and port as the pods' readiness probes", () => {
        for (const stack of [dev, prod]) {
            for (const policy of ofType(stack, HEALTH_POLICY)) {
                const service = policy.inputs.spec.targetRef.name;
                const config = policy.inputs.spec.default.config;
                const ours = byName(stack, SERVICE, service);
                if (!ours) {
                    continue; // chart- and controller-made Services: checked against their sources below
                }
                const selector = ours.inputs.spec.selector;
                const deployment = ofType(stack, DEPLOYMENT).find((d) => Object.entries(selector).every(([k, v]) => d.inputs.spec.template.metadata.labels[k] === v));
                assert.ok(deployment, `no pods behind ${service}`);
                const container = deployment.inputs.spec.template.spec.containers[0];
                const probe = container.readinessProbe.httpGet;
                const port = container.ports.find((p: any) => p.name === probe.port).containerPort;
                assert.deepEqual(config, { type: "HTTP", httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port, requestPath: probe.path } }, service);
            }
            // Argo server: the chart's readiness probe is GET / on 2746 (argo-helm 0.46.2
            // templates/server/server-deployment.yaml); the webhook has no GET route: TCP.
            const health = (name: string) => ofType(stack, HEALTH_POLICY).find((p) => p.inputs.spec.targetRef.name === name)?.inputs.spec.default.config;
            assert.deepEqual(health(ARGO_SERVER_SERVICE.name), { type: "HTTP", httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port: 2746, requestPath: "/" } });
        }
        const webhook = ofType(prod, HEALTH_POLICY).find((p) => p.inputs.spec.targetRef.name === ARGO_WEBHOOK_SERVICE.name)!;
        assert.deepEqual(webhook.inputs.spec.default.config, { type: "TCP", tcpHealthCheck: { portSpecification: "USE_FIXED_PORT", port: ARGO_EVENTS_NAMES.webhookPort } });
    });

    it("strips /metadata, /argo and /events for backends that serve at their root", () => {
        const rules = one(prod, HTTP_ROUTE).inputs.spec.rules;
        const rewritten = rules.filter((r: any) => r.filters?.some((f: any) => f.urlRewrite?.path?.replacePrefixMatch === "/")).map((r: any) => r.matches[0].path.value);
        assert.deepEqual(rewritten.sort(), ["/argo", "/events", "/metadata"]);
        // The Argo UI is told where it lives (chart value server.baseHref -> ARGO_BASE_HREF).
        assert.equal(one(prod, RELEASE, "services-argo-workflows-release").inputs.values.server.baseHref, "/argo/");
    });

    it("admits access.members and the client account through IAP on this hostname only; no project-level grant", () => {
        const iap = ofType(dev, "gcp:iap/webTypeComputeIamMember:WebTypeComputeIamMember");
        const client = one(dev, "gcp:serviceaccount/account:Account", "endpoint-client");
        const clientEmail = client.state.email;
        assert.deepEqual(iap.map((g) => g.inputs.member).sort(), [...MEMBERS, `serviceAccount:${clientEmail}`].sort());
        for (const grant of iap) {
            assert.equal(grant.inputs.role, IAP_ACCESSOR_ROLE);
            assert.equal(grant.inputs.condition.expression, `request.host == "${HOSTNAME}"`);
        }
        const tokenGrants = ofType(dev, "gcp:serviceaccount/iAMMember:IAMMember").filter((g) => g.inputs.role === ID_TOKEN_CREATOR_ROLE);
        assert.deepEqual(tokenGrants.map((g) => g.inputs.member).sort(), [...MEMBERS].sort());
        assert.ok(tokenGrants.every((g) => g.inputs.serviceAccountId === client.state.name));
        const projectGrants = ofType(dev, "gcp:projects/iAMMember:IAMMember").filter((g) => g.parentUrn.includes("MetaflowEndpoint"));
        assert.deepEqual(projectGrants, []);
    });

    it("passes the whole policy pack, with the stack's members in its policy config", async () => {
        for (const stack of [dev, prod]) {
            const config = policyConfigFor(stack.stack);
            const withMembers = { ...config, "iam-scoped-to-environment": { ...(config["iam-scoped-to-environment"] as object), members: MEMBERS } };
            const report = formatReport(stack.stack, await checkRendered(stack, withMembers));
            assert.equal(report.failed, false, report.text);
        }
        // The token-creator grant is allowed on the endpoint's client account only.
        const config = policyConfigFor("dev");
        const withMembers = { ...config, "iam-scoped-to-environment": { ...(config["iam-scoped-to-environment"] as object), members: MEMBERS } };
        const elsewhere: RenderedStack = {
            ...dev,
            resources: dev.resources.map((r) =>
                // The pack sees what the engine sends: the wire form of the inputs (offline/policyRunner.ts).
                r.inputs.role === ID_TOKEN_CREATOR_ROLE
                    ? { ...r, wireInputs: { ...r.wireInputs, serviceAccountId: r.inputs.serviceAccountId.replace("/mf-dev-iap@", "/mf-dev-task@") } }
                    : r,
            ),
        };
        const found = (await checkRendered(elsewhere, withMembers)).filter((v) => v.policy === "iam-scoped-to-environment");
        assert.equal(found.length, MEMBERS.length, found.map((v) => v.message).join(" | "));
    });

    it("enables the Certificate Manager and IAP APIs only with the endpoint", async () => {
        const apis = (stack: RenderedStack) => ofType(stack, "gcp:projects/service:Service").map((s) => s.inputs.service);
        for (const api of Object.keys(ENDPOINT_APIS)) {
            assert.ok(apis(dev).includes(api), api);
            assert.ok(!apis(await fixtureStack("dev")).includes(api), api);
        }
    });

    it("outputs the DNS record to create and the URLs; the profile uses them, pods keep the in-cluster URL", () => {
        const endpoint = output(prod, "endpoint");
        const address = one(prod, "gcp:compute/globalAddress:GlobalAddress", "endpoint-ip");
        assert.deepEqual(endpoint.dnsRecord, { name: `${HOSTNAME}.`, type: "A", ttl: 300, value: address.state.address });
        assert.deepEqual(endpoint.urls, {
            metadata: `https://${HOSTNAME}/metadata`,
            ui: `https://${HOSTNAME}/`,
            argo: `https://${HOSTNAME}/argo`,
            events: `https://${HOSTNAME}/events`,
        });
        const profile = output(prod, "metaflowConfig");
        assert.equal(profile.METAFLOW_SERVICE_URL, endpoint.urls.metadata);
        assert.equal(profile.METAFLOW_UI_URL, endpoint.urls.ui);
        assert.equal(profile.METAFLOW_ARGO_WORKFLOWS_UI_URL, endpoint.urls.argo);
        assert.equal(profile.METAFLOW_ARGO_EVENTS_WEBHOOK_URL, `${endpoint.urls.events}/${ARGO_EVENTS_NAMES.event}`);
        assert.match(profile.METAFLOW_SERVICE_INTERNAL_URL, /^http:\/\/metaflow-metadata\.[a-z0-9-]+\.svc\.cluster\.local:8080$/);
        assert.equal(profile.METAFLOW_GCP_IAP_CLIENT_ID, CLIENT_ID);
        assert.equal(profile.METAFLOW_GCP_IAP_SERVICE_ACCOUNT, endpoint.clientServiceAccount);
        assert.equal(output(prod, "metaflowConfig").METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL.startsWith("http://"), true);
        assert.equal(prod.outputs.metaflowConfig.secret, false);
    });

    it("routes only to what runs: no UI, no Argo", async () => {
        const minimal = await renderWithEndpoint("dev", { "metaflow-gcp:services": { ui: false, argoWorkflows: false, airflow: true }, "metaflow-gcp:database": { tier: "db-custom-1-3840" } });
        assert.deepEqual(one(minimal, HTTP_ROUTE).inputs.spec.rules.map((r: any) => r.matches[0].path.value), ["/metadata"]);
        assert.deepEqual(endpointBackends({ ui: false, argoWorkflows: false, argoEvents: false }).map((b) => b.service), ["metaflow-metadata"]);
    });
});

describe("endpoint config", () => {
    const base = { project: "metaflow-test", environment: "dev", access: { members: MEMBERS, securityGroup: "gke-security-groups@example.com" } };

    it("refuses a client secret stored in plain text, without showing it, before anything is created", async () => {
        const failure = await renderFixtureFailure("dev", {
            config: { "metaflow-gcp:endpoint": endpointConfig, "metaflow-gcp:access": { members: MEMBERS, securityGroup: "gke-security-groups@example.com" } },
            secretKeys: readFixture("dev").secretKeys,
        });
        assert.ok(failure.error instanceof ConfigError, failure.error.message);
        assert.match(failure.error.message, /endpoint\.oauthClientSecret: is stored in plain text; .*pulumi config set --secret --path endpoint\.oauthClientSecret/);
        assert.ok(!failure.error.message.includes(CLIENT_SECRET));
        assert.equal(failure.resources.filter((r) => r.custom).length, 0);
    });

    it("never echoes the secret in other errors either", () => {
        for (const endpoint of [{ ...endpointConfig, hostname: "Not A Host" }, { ...endpointConfig, extra: 1 }, { ...endpointConfig, oauthClientSecret: 42 }]) {
            try {
                parsePlatformConfig({ ...base, endpoint }, { secretKeys: ["endpoint"] });
                assert.fail("accepted");
            } catch (err) {
                assert.ok(err instanceof ConfigError, String(err));
                assert.ok(!err.message.includes(CLIENT_SECRET) && !err.message.includes("42"), err.message);
                assert.match(err.message, /metaflow-gcp:endpoint/);
            }
        }
    });

    it("names the key and what is allowed for a bad hostname or client ID", () => {
        assert.throws(
            () => parsePlatformConfig({ ...base, endpoint: { ...endpointConfig, hostname: "https://x.example.com/" } }, { secretKeys: ["endpoint"] }),
            /metaflow-gcp:endpoint\.hostname = "https:\/\/x\.example\.com\/": must be a fully qualified lowercase DNS name/,
        );
        assert.throws(
            () => parsePlatformConfig({ ...base, endpoint: { ...endpointConfig, oauthClientId: "abc" } }, { secretKeys: ["endpoint"] }),
            /metaflow-gcp:endpoint\.oauthClientId = "abc": must be an OAuth client ID/,
        );
    });

    it("needs members to admit and services to serve", () => {
        assert.throws(
            () => parsePlatformConfig({ ...base, access: { members: [] }, endpoint: endpointConfig }, { secretKeys: ["endpoint"] }),
            /metaflow-gcp:access\.members = \[\]: the endpoint admits only access\.members/,
        );
        assert.throws(
            () => parsePlatformConfig({ ...base, services: { enabled: false }, endpoint: endpointConfig }, { secretKeys: ["endpoint"] }),
            /metaflow-gcp:services\.enabled = false: the endpoint serves the Metaflow services/,
        );
        assert.throws(
            () => parsePlatformConfig({ ...base, database: { enabled: false }, services: { ui: false, argoWorkflows: false }, endpoint: endpointConfig }, { secretKeys: ["endpoint"] }),
            /metaflow-gcp:database\.enabled = false: the endpoint serves the metadata service, which needs the database/,
        );
    });
});
