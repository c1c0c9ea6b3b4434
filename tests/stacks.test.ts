/**
 * Every stack file of the repository, whatever the user wrote in it: these tests are the user's
 * CI, so they hold for any valid stack the README lets a user write (another environment, members,
 * the endpoint, the personal preset) and assert no stack's exact contents. What a given stack
 * renders is tested on the fixtures (tests/fixtures/stacks), at the end of this file and elsewhere.
 */
import { PACKAGE_NAME } from "../components/model/typeTokens";
import { strict as assert } from "assert";
import { REQUIRED_APIS } from "../components/gcp/apis";
import { cidrsOverlap } from "../components/model/cidr";
import { listStacks } from "../offline/stackFiles";
import { userStack } from "./harness/cache";
import { fixtureStack } from "./harness/fixtures";
import { ofType, one, output, parentOf } from "../offline/query";
import type { RenderedStack } from "../offline/render";

/** Every CIDR a stack's network uses. */
function rangesOf(stack: RenderedStack): string[] {
    const subnet = one(stack, "gcp:compute/subnetwork:Subnetwork").inputs;
    // The Private Service Access range (the endpoint, when on, reserves a global IP address too).
    const psa = ofType(stack, "gcp:compute/globalAddress:GlobalAddress").find((a) => a.inputs.purpose === "VPC_PEERING")!.inputs;
    return [subnet.ipCidrRange, ...subnet.secondaryIpRanges.map((r: { ipCidrRange: string }) => r.ipCidrRange), `${psa.address}/${psa.prefixLength}`];
}

/** The label maps of every resource that takes labels (GCP names the field three ways). */
function labelMaps(stack: RenderedStack): { resource: string; labels: Record<string, string> }[] {
    return stack.resources.flatMap((r) =>
        [r.inputs.labels, r.inputs.resourceLabels, r.inputs.settings?.userLabels, r.inputs.nodeConfig?.resourceLabels]
            .filter((labels) => labels !== undefined && r.type.startsWith("gcp:"))
            .map((labels) => ({ resource: `${r.type} ${r.name}`, labels })),
    );
}

describe("stacks: every stack file of the repository", () => {
    /** Every stack file, rendered. */
    let all: RenderedStack[];
    /** Every unordered pair of stack files. */
    const pairs = () => all.flatMap((a, i) => all.slice(i + 1).map((b) => [a, b] as const));
    before(async () => {
        all = await Promise.all(listStacks().map((s) => userStack(s)));
    });

    it("the repository has a stack file, and each renders", () => {
        assert.ok(all.length > 0, "no Pulumi.<stack>.yaml in the repository");
    });

    describe("every pair of stack files is isolated", () => {
        it("own networks with no overlapping range", () => {
            for (const [a, b] of pairs()) {
                assert.notEqual(one(a, "gcp:compute/network:Network").state.name, one(b, "gcp:compute/network:Network").state.name);
                for (const x of rangesOf(a)) {
                    for (const y of rangesOf(b)) {
                        assert.equal(cidrsOverlap(x, y), false, `${a.stack} ${x} overlaps ${b.stack} ${y}`);
                    }
                }
            }
        });

        it("own bucket, registry, cluster, namespace and service accounts, even in one project", () => {
            for (const [a, b] of pairs()) {
                assert.equal(a.config["gcp:project"], b.config["gcp:project"], "the harness renders all in one project");
                for (const out of ["bucketName", "registryUrl", "clusterName", "taskServiceAccount", "kubernetesNamespace"]) {
                    assert.notEqual(output(a, out), output(b, out), `${a.stack}/${b.stack} ${out}`);
                }
                const emails = (s: RenderedStack) => ofType(s, "gcp:serviceaccount/account:Account").map((x) => x.state.email as string);
                assert.equal(emails(a).filter((e) => emails(b).includes(e)).length, 0);
                // The Workload Identity pool is per project: the same namespace/KSA in two clusters of one
                // project is one identity. Each environment's members must be its own.
                const members = (s: RenderedStack) => ofType(s, "gcp:serviceaccount/iAMMember:IAMMember").map((x) => x.inputs.member as string);
                assert.ok(members(a).length > 0);
                assert.equal(members(a).filter((m) => members(b).includes(m)).length, 0, `${a.stack} and ${b.stack} share a Workload Identity member`);
            }
        });

        it("every labelled resource carries its environment label", () => {
            for (const stack of all) {
                const labelled = labelMaps(stack);
                assert.ok(labelled.length > 0, `${stack.stack}: nothing labelled`);
                for (const { resource, labels } of labelled) {
                    assert.equal(labels.environment, output(stack, "environment"), `${stack.stack}: ${resource}`);
                }
            }
        });
    });

    it("enables every required API and makes every other Google resource wait for them", () => {
        for (const stack of all) {
            const services = ofType(stack, "gcp:projects/service:Service");
            const enabled = services.map((s) => s.inputs.service);
            assert.deepEqual(Object.keys(REQUIRED_APIS).filter((api) => !enabled.includes(api)), [], `${stack.stack}: APIs not enabled`);
            for (const s of services) {
                assert.equal(s.inputs.disableOnDestroy, false, "destroying one environment never disables a shared API");
            }
            const serviceUrns = services.map((s) => s.urn);
            for (const r of stack.resources.filter((x) => x.custom && x.type.startsWith("gcp:") && x.type !== "gcp:projects/service:Service")) {
                for (const urn of serviceUrns) {
                    assert.ok(r.dependencies.includes(urn), `${stack.stack}: ${r.type} ${r.name} does not wait for ${urn.split("::").pop()}`);
                }
            }
        }
    });

    it("every resource belongs to a component", () => {
        // Providers stay top-level (Pulumi convention), and so does the stack program's
        // replacement guard, which the platform component waits for; everything else is a
        // component's child.
        const topLevel = (type: string) => type.startsWith("pulumi:providers:") || type === "pulumi-nodejs:dynamic/metaflow:ReplacementGuard";
        for (const stack of all) {
            for (const r of stack.resources.filter((x) => x.custom && !topLevel(x.type))) {
                const parent = parentOf(stack, r);
                assert.ok(parent && parent.type.startsWith(`${PACKAGE_NAME}:index:`), `${stack.stack}: ${r.type} ${r.name} has no component parent`);
            }
        }
    });

    it("exports what later steps need, with secrets kept secret", () => {
        for (const stack of all) {
            for (const key of ["clusterName", "clusterLocation", "clusterEndpoint", "kubeconfig", "bucketUrl", "registryUrl", "taskServiceAccount", "gpuScheduling"]) {
                assert.ok(key in stack.outputs, `${stack.stack} lacks output ${key}`);
            }
            assert.equal(stack.outputs.kubeconfig.secret, true);
            assert.equal(stack.outputs.bucketUrl.secret, false);
            assert.equal(output(stack, "bucketUrl"), `gs://${output(stack, "bucketName")}`);
            const plain = JSON.stringify(Object.entries(stack.outputs).filter(([, o]) => !o.secret));
            for (const password of ofType(stack, "random:index/randomPassword:RandomPassword").map((p) => p.state.result as string)) {
                assert.ok(!plain.includes(password), `${stack.stack}: a generated password appears in a plain output`);
            }
        }
    });
});

describe("stacks: the fixtures (dev and prod as shipped)", () => {
    it("each enables exactly the required APIs; dev's cluster is zonal, prod's regional; buckets are named by project and environment", async () => {
        const dev = await fixtureStack("dev");
        const prod = await fixtureStack("prod");
        for (const stack of [dev, prod]) {
            assert.deepEqual(ofType(stack, "gcp:projects/service:Service").map((s) => s.inputs.service).sort(), Object.keys(REQUIRED_APIS).sort());
            assert.equal(output(stack, "bucketUrl"), `gs://metaflow-offline-metaflow-${stack.stack}`);
            assert.equal(stack.outputs.database.secret, true);
        }
        assert.equal(output(dev, "clusterLocation"), "us-central1-a");
        assert.equal(output(prod, "clusterLocation"), "us-central1");
    });
});
