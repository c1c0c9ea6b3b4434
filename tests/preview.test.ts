import { strict as assert } from "assert";
import { previewStack } from "../scripts/preview";
import { one } from "../offline/query";
import { FIXTURE_STACKS, readFixture } from "./harness/fixtures";

describe("offline preview (the main job)", () => {
    it("prints resources grouped by component, key settings, outputs with secrets masked, and a clean policy report", async () => {
        const result = await previewStack("dev", { stacksDir: FIXTURE_STACKS });
        assert.equal(result.ok, true);
        assert.match(result.text, /^▸ MetaflowPlatform metaflow$/m);
        assert.match(result.text, /^ {2}▸ MetaflowCluster cluster$/m);
        assert.match(result.text, /^ {4}\+ Cluster cluster-gke location=us-central1-a .*privateNodes=true/m);
        assert.match(result.text, /^ {4}\+ NodePool gpu-l4-pool .*gpus=1xnvidia-l4 driver=LATEST .*taints=nvidia\.com\/gpu=present:NO_SCHEDULE/m);
        assert.match(result.text, /^ {2}kubeconfig: \[secret\]$/m);
        assert.match(result.text, /^ {2}database: \[secret\]$/m);
        assert.match(result.text, /every policy passed/);
        // The largest step per pool, as a decorator (e2-standard-4 CPU pool, g2-standard-8 L4 pool).
        assert.match(result.text, /^ {2}cpu {2}@kubernetes\(cpu=1\.53, memory=5922, disk=12884\)$/m);
        assert.match(result.text, /^ {2}l4 {3}@kubernetes\(gpu=1, cpu=7\.46, memory=28168, disk=111669\)$/m);
        const password = one(result.stack!, "random:index/randomPassword:RandomPassword").state.result;
        assert.ok(!result.text.includes(password), "the password is never printed");
        if (!readFixture("dev").values["gcp:project"]) {
            assert.match(result.text, /sets no gcp:project; rendered with the offline placeholder "metaflow-offline"/);
        }
    });

    it("fails with the config error and creates nothing when the stack config is invalid", async () => {
        const result = await previewStack("prod", { stacksDir: FIXTURE_STACKS, config: { "metaflow-gcp:database": { highAvailability: false } } });
        assert.equal(result.ok, false);
        assert.match(result.text, /✗ Invalid stack configuration .*nothing was created/);
        assert.match(result.text, /metaflow-gcp:database\.highAvailability = false: production databases must be highly available/);
    });

    it("fails when a mandatory policy is violated", async () => {
        // A valid config whose GPU footprint exceeds dev's policy budget of 4 GPUs.
        const result = await previewStack("dev", { stacksDir: FIXTURE_STACKS, config: { "metaflow-gcp:gpuPools": [{ name: "l4", machineType: "g2-standard-24", maxNodes: 3, spot: true }] } });
        assert.equal(result.ok, false);
        assert.match(result.text, /\[mandatory\] gpu-quota: \(stack\)\n\s+GPU pools can reach 6 GPUs, over this environment's limit of 4/);
    });
});
