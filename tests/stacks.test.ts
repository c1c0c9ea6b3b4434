import { strict as assert } from "assert";
import { REQUIRED_APIS } from "../components/apis";
import { cidrsOverlap } from "../components/cidr";
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
    before(async () => {
        dev = await committedStack("dev");
        prod = await committedStack("prod");
    });

    it("the repository has exactly the dev and prod stacks", () => {
        assert.deepEqual(listStacks(), ["dev", "prod"]);
    });

    describe("dev and prod are isolated", () => {
        it("own networks with no overlapping range", () => {
            assert.notEqual(one(dev, "gcp:compute/network:Network").state.name, one(prod, "gcp:compute/network:Network").state.name);
            for (const a of rangesOf(dev)) {
                for (const b of rangesOf(prod)) {
                    assert.equal(cidrsOverlap(a, b), false, `dev ${a} overlaps prod ${b}`);
                }
            }
        });

        it("own bucket, registry, cluster, database and service accounts, even in one project", () => {
            assert.equal(dev.config["gcp:project"], prod.config["gcp:project"], "the harness renders both in one project");
            for (const out of ["bucketName", "registryUrl", "clusterName", "taskServiceAccount"]) {
                assert.notEqual(output(dev, out), output(prod, out), out);
            }
            const emails = (s: RenderedStack) => ofType(s, "gcp:serviceaccount/account:Account").map((a) => a.state.email as string);
            assert.equal(emails(dev).filter((e) => emails(prod).includes(e)).length, 0);
            // The Workload Identity pool is per project: the same namespace/KSA in two clusters of one
            // project is one identity. Each environment's members must be its own.
            const members = (s: RenderedStack) => ofType(s, "gcp:serviceaccount/iAMMember:IAMMember").map((b) => b.inputs.member as string);
            assert.ok(members(dev).length > 0);
            assert.equal(members(dev).filter((m) => members(prod).includes(m)).length, 0, "dev and prod share a Workload Identity member");
        });

        it("every labelable resource carries its environment label", () => {
            for (const stack of [dev, prod]) {
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
        for (const stack of [dev, prod]) {
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
            assert.ok(parent && parent.type.startsWith("metaflow:"), `${r.type} ${r.name} has no component parent`);
        }
    });

    it("exports what later steps need, with secrets kept secret", () => {
        for (const stack of [dev, prod]) {
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
