import { strict as assert } from "assert";
import { UNKNOWN, runPolicies, type OfflineResource, type Violation } from "../offline/policyRunner";
import { policies } from "../policy/policies";
import { policyConfigFor } from "../scripts/policyCheck";
import { withEndpoint as endpointOptions } from "./harness/endpointExample";
import { type RenderedStack } from "../offline/render";
import { fixtureStack } from "./harness/fixtures";

const POLICY = "external-exposure-behind-iap";
const BACKEND_POLICY = "kubernetes:networking.gke.io/v1:GCPBackendPolicy";

function resourcesOf(stack: RenderedStack): OfflineResource[] {
    return stack.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: structuredClone(r.inputs) }));
}

async function check(resources: OfflineResource[], stack: string): Promise<Violation[]> {
    const policy = policies.find((p) => p.name === POLICY);
    assert.ok(policy, `no policy ${POLICY}`);
    return runPolicies([policy], resources, policyConfigFor(stack));
}

describe(`policy ${POLICY}`, () => {
    let withEndpoint: RenderedStack;
    before(async () => {
        withEndpoint = await fixtureStack("prod", endpointOptions("prod"));
    });

    it("passes the committed stacks and the IAP-protected endpoint", async () => {
        assert.deepEqual(await check(resourcesOf(await fixtureStack("dev")), "dev"), []);
        assert.deepEqual(await check(resourcesOf(withEndpoint), "prod"), []);
    });

    it("refuses the same Gateway when one backend's IAP is off or its policy is missing", async () => {
        const iapOff = resourcesOf(withEndpoint).map((r) =>
            r.type === BACKEND_POLICY && r.props.spec.targetRef.name === "metaflow-metadata" ? { ...r, props: { ...r.props, spec: { ...r.props.spec, default: { timeoutSec: 120 } } } } : r,
        );
        const found = await check(iapOff, "prod");
        assert.equal(found.length, 1, found.map((v) => v.message).join(" | "));
        assert.match(found[0].message, /to Service metaflow-prod\/metaflow-metadata, which has no GCPBackendPolicy with iap\.enabled/);
        const missing = resourcesOf(withEndpoint).filter((r) => r.type !== BACKEND_POLICY);
        assert.equal((await check(missing, "prod")).length, 4);
    });

    it("refuses an external Ingress and a public LoadBalancer Service; allows internal ones", async () => {
        const base = { metadata: { name: "x", namespace: "metaflow-prod" } };
        const bad: OfflineResource[] = [
            { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "ui-ingress", urn: "urn:ingress", props: { ...base, spec: { rules: [] } } },
            { type: "kubernetes:core/v1:Service", name: "ui-lb", urn: "urn:lb", props: { ...base, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } } },
        ];
        const found = await check(bad, "prod");
        assert.deepEqual(found.map((v) => v.message.split(" ")[0]).sort(), ['Ingress', 'Service']);
        const internal: OfflineResource[] = [
            { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "i", urn: "urn:i", props: { ...base, spec: { ingressClassName: "gce-internal" } } },
            { type: "kubernetes:core/v1:Service", name: "s", urn: "urn:s", props: { metadata: { ...base.metadata, annotations: { "networking.gke.io/load-balancer-type": "Internal" } }, spec: { type: "LoadBalancer" } } },
        ];
        assert.deepEqual(await check(internal, "prod"), []);
    });

    it("on a first preview, a Service whose type, annotations or namespace are not known yet is decided, not skipped", async () => {
        // A stack policy reading an unknown value gets "can't run during preview" for the whole
        // stack (@pulumi/policy server.js), which would let a LoadBalancer through unseen.
        const service = (name: string, props: Record<string, any>): OfflineResource => ({ type: "kubernetes:core/v1:Service", name, urn: `urn:${name}`, props });
        const meta = { name: "ui", namespace: "metaflow-prod" };
        const unsure: OfflineResource[] = [
            service("type-unknown", { metadata: meta, spec: { type: UNKNOWN, ports: [{ port: 80 }] } }),
            service("lb-annotation-unknown", { metadata: { ...meta, annotations: { "networking.gke.io/load-balancer-type": UNKNOWN } }, spec: { type: "LoadBalancer" } }),
            service("lb-annotations-unknown", { metadata: { ...meta, annotations: UNKNOWN }, spec: { type: "LoadBalancer" } }),
            service("lb-namespace-unknown", { metadata: { name: "ui", namespace: UNKNOWN }, spec: { type: "LoadBalancer" } }),
            service("spec-unknown", { metadata: meta, spec: UNKNOWN }),
        ];
        const found = await check(unsure, "prod");
        assert.ok(found.every((v) => !v.couldNotRunInPreview && v.enforcementLevel === "mandatory"), found.map((v) => v.message).join(" | "));
        assert.deepEqual(found.map((v) => v.resource?.name).sort(), ["lb-annotation-unknown", "lb-annotations-unknown", "lb-namespace-unknown", "spec-unknown", "type-unknown"]);
        assert.match(found.find((v) => v.resource?.name === "type-unknown")!.message, /type not known before the update runs: it could be LoadBalancer or NodePort/);

        const known: OfflineResource[] = [
            service("clusterip-unknown-selector", { metadata: { name: "a", namespace: UNKNOWN }, spec: { selector: UNKNOWN, ports: [{ port: 80 }] } }),
            service("internal-lb", { metadata: { ...meta, annotations: { "networking.gke.io/load-balancer-type": "Internal", other: UNKNOWN } }, spec: { type: "LoadBalancer", loadBalancerIP: UNKNOWN } }),
        ];
        assert.deepEqual(await check(known, "prod"), [], "a default ClusterIP Service and an internal load balancer pass whatever else is unknown");
    });

    it("on a first preview, an external Gateway's route to a backend not known yet is refused", async () => {
        const route = resourcesOf(withEndpoint).find((r) => r.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute")!;
        const unknownBackend = structuredClone(route);
        unknownBackend.props.spec.rules[0].backendRefs[0].name = UNKNOWN;
        const others = resourcesOf(withEndpoint).filter((r) => r.urn !== route.urn);
        const found = await check([...others, unknownBackend], "prod");
        assert.equal(found.length, 1, found.map((v) => v.message).join(" | "));
        assert.equal(found[0].couldNotRunInPreview, false);
        assert.match(found[0].message, /to a backend not known before the update runs/);
    });
});
