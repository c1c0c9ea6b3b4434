import { componentType } from "../components/model/typeTokens";
import { strict as assert } from "assert";
import { maxGpus } from "../components/gcp/gpuNodePool";
import { ofType, one, output, parentOf } from "../offline/query";
import { type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture } from "./harness/fixtures";

const NODE_POOL = "gcp:container/nodePool:NodePool";

describe("GpuNodePool", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("taints GPU nodes explicitly so CPU pods never land there", () => {
        for (const stack of [dev, prod]) {
            const gpu = one(stack, NODE_POOL, "gpu-l4-pool").inputs;
            assert.deepEqual(gpu.nodeConfig.taints, [{ key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" }]);
            const cpu = one(stack, NODE_POOL, "cluster-cpu").inputs;
            assert.equal(cpu.nodeConfig.taints, undefined);
        }
    });

    it("installs the NVIDIA driver explicitly and streams images", () => {
        const gpu = one(dev, NODE_POOL, "gpu-l4-pool").inputs;
        assert.deepEqual(gpu.nodeConfig.guestAccelerators, [{ type: "nvidia-l4", count: 1, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } }]);
        assert.deepEqual(gpu.nodeConfig.gcfsConfig, { enabled: true });
        assert.equal(gpu.nodeConfig.imageType, "COS_CONTAINERD");
    });

    it("scales to zero with total (not per-zone) limits", () => {
        const gpu = one(prod, NODE_POOL, "gpu-l4-pool").inputs;
        assert.equal(gpu.autoscaling.totalMinNodeCount, 0);
        assert.equal(gpu.autoscaling.totalMaxNodeCount, 4);
        assert.equal(gpu.autoscaling.minNodeCount, undefined);
        assert.equal(gpu.autoscaling.maxNodeCount, undefined);
        assert.deepEqual(one(prod, NODE_POOL, "gpu-l4-pool").ignoreChanges, ["initialNodeCount"]);
    });

    it("is spot with location policy ANY in dev and on-demand BALANCED in prod", () => {
        const devPool = one(dev, NODE_POOL, "gpu-l4-pool").inputs;
        assert.equal(devPool.nodeConfig.spot, true);
        assert.equal(devPool.autoscaling.locationPolicy, "ANY");
        const prodPool = one(prod, NODE_POOL, "gpu-l4-pool").inputs;
        assert.equal(prodPool.nodeConfig.spot, false);
        assert.equal(prodPool.autoscaling.locationPolicy, "BALANCED");
    });

    it("places nodes only in zones that offer the GPU", () => {
        assert.deepEqual(one(dev, NODE_POOL, "gpu-l4-pool").inputs.nodeLocations, ["us-central1-a", "us-central1-b", "us-central1-c"]);
    });

    it("creates one component per configured pool, with matching GPU counts and quota footprint", async () => {
        const stack = await renderFixture("dev", {
            config: {
                "metaflow-gcp:gpuPools": [
                    { name: "l4", machineType: "g2-standard-8", maxNodes: 3 },
                    { name: "l4x4", machineType: "g2-standard-48", maxNodes: 2 },
                    { name: "t4", gpuType: "nvidia-tesla-t4", machineType: "n1-standard-16", gpusPerNode: 2, maxNodes: 1 },
                ],
            },
        });
        const pools = ofType(stack, NODE_POOL).filter((p) => p.inputs.nodeConfig.guestAccelerators);
        assert.deepEqual(pools.map((p) => [p.inputs.name, p.inputs.nodeConfig.guestAccelerators[0].count]).sort(), [["gpu-l4", 1], ["gpu-l4x4", 4], ["gpu-t4", 2]]);
        for (const pool of pools) {
            assert.equal(parentOf(stack, pool)?.type, componentType("GpuNodePool"));
        }
        assert.deepEqual(output(stack, "gpuPools").map((p: { maxGpus: number }) => p.maxGpus), [3, 8, 2]);
        assert.equal(maxGpus({ maxNodes: 2, gpusPerNode: 4 }), 8);
    });
});
