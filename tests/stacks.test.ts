import { PACKAGE_NAME } from "../components/model/typeTokens";
import { strict as assert } from "assert";
import { REQUIRED_APIS } from "../components/gcp/apis";
import { cidrsOverlap } from "../components/model/cidr";
import { committedStack } from "./harness/cache";
import { ofType, one, output, parentOf } from "./harness/query";
import { listStacks, type RenderedStack } from "./harness/render";

/** Every CIDR a stack's network uses. */
function rangesOf(stack: RenderedStack): string[] {
    const subnet = one(stack, "gcp:compute/subnetwork:Subnetwork").inputs;
    const psa = one(stack, "gcp:compute/globalAddress:GlobalAddress").inputs;
    return [subnet.ipCidrRange, ...subnet.secondaryIpRanges.map((r: { ipCidrRange: string }) => r.ipCidrRange), `${psa.address}/${psa.prefixLength}`];
}

describe("stacks", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    /** Every committed stack file, rendered. */
    let all: RenderedStack[];
    /** Every unordered pair of committed stacks. */
    const pairs = () => all.flatMap((a, i) => all.slice(i + 1).map((b) => [a, b] as const));
    before(async () => {
        all = await Promise.all(listStacks().map((s) => committedStack(s)));
        dev = all.find((s) => s.stack === "dev")!;
        prod = all.find((s) => s.stack === "prod")!;
    });

    it("the repository has at least the dev and prod stacks", () => {
        assert.ok(listStacks().includes("dev") && listStacks().includes("prod"), listStacks().join(", "));
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

        it("every labelable resource carries its environment label", () => {
            for (const stack of all) {
                const env = output(stack, "environment");
                const labelled = [
                    one(stack, "gcp:storage/bucket:Bucket").inputs.labels,
                    one(stack, "gcp:artifactregistry/repository:Repository").inputs.labels,
                    one(stack, "gcp:container/cluster:Cluster").inputs.resourceLabels,
                    one(stack, "gcp:sql/databaseInstance:DatabaseInstance").inputs.settings.userLabels,
                    ...ofType(stack, "gcp:container/nodePool:NodePool").map((p) => p.inputs.nodeConfig.resourceLabels),
                ];
                for (const labels of labelled) {
                    assert.equal(labels.environment, env);
                }
            }
        });
    });

    it("enables every required API and makes every other Google resource wait for them", () => {
        for (const stack of all) {
            const services = ofType(stack, "gcp:projects/service:Service");
            assert.deepEqual(services.map((s) => s.inputs.service).sort(), Object.keys(REQUIRED_APIS).sort());
            for (const s of services) {
                assert.equal(s.inputs.disableOnDestroy, false, "destroying one environment never disables a shared API");
            }
            const serviceUrns = services.map((s) => s.urn);
            for (const r of stack.resources.filter((x) => x.custom && x.type.startsWith("gcp:") && x.type !== "gcp:projects/service:Service")) {
                for (const urn of serviceUrns) {
                    assert.ok(r.dependencies.includes(urn), `${r.type} ${r.name} does not wait for ${urn.split("::").pop()}`);
                }
            }
        }
    });

    it("every resource belongs to a component", () => {
        // Providers stay top-level (Pulumi convention); everything else is a component's child.
        for (const r of dev.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            const parent = parentOf(dev, r);
            assert.ok(parent && parent.type.startsWith(`${PACKAGE_NAME}:index:`), `${r.type} ${r.name} has no component parent`);
        }
    });

    it("exports what later steps need, with secrets kept secret", () => {
        for (const stack of all) {
            for (const key of ["clusterName", "clusterLocation", "clusterEndpoint", "kubeconfig", "bucketUrl", "registryUrl", "database", "taskServiceAccount", "gpuScheduling"]) {
                assert.ok(key in stack.outputs, `${stack.stack} lacks output ${key}`);
            }
            assert.equal(stack.outputs.kubeconfig.secret, true);
            assert.equal(stack.outputs.database.secret, true);
            assert.equal(stack.outputs.bucketUrl.secret, false);
            assert.equal(output(stack, "bucketUrl"), `gs://metaflow-offline-metaflow-${stack.stack}`);
            const plain = JSON.stringify(Object.entries(stack.outputs).filter(([, o]) => !o.secret));
            const password = one(stack, "random:index/randomPassword:RandomPassword").state.result;
            assert.ok(!plain.includes(password), "the password appears in no plain output");
        }
        assert.equal(output(dev, "clusterLocation"), "us-central1-a");
        assert.equal(output(prod, "clusterLocation"), "us-central1");
    });
});
