/**
 * The first-preview planned state of @pulumi/gcp resources (offline/plannedState.ts): what
 * the SDKv2 plan leaves unknown, read from @pulumi/gcp's own typings. The cases are the ones the
 * policies depend on, each with the Terraform attribute it comes from
 * (terraform-provider-google v7.40.0 `google/services/container/node_config.go`,
 * `resource_container_node_pool.go`).
 */
import { strict as assert } from "assert";
import { plannedGcpState } from "../offline/plannedState";

const UNKNOWN = Symbol("unknown");
const NODE_POOL = "gcp:container/nodePool:NodePool";

describe("first-preview planned state of @pulumi/gcp resources", () => {
    it("an Optional+Computed block left out is unknown; given, it is known and its own computed fields left out are unknown", () => {
        const cpu = plannedGcpState(NODE_POOL, { cluster: "c", nodeConfig: { machineType: "e2-standard-2", spot: true } }, UNKNOWN)!;
        const node = cpu.nodeConfig as Record<string, unknown>;
        assert.equal(node.guestAccelerators, UNKNOWN, "guest_accelerator: Optional, Computed, left out");
        assert.equal(node.machineType, "e2-standard-2");
        assert.equal(node.spot, true);
        assert.equal(node.diskSizeGb, UNKNOWN, "disk_size_gb: Optional, Computed");
        assert.ok(!("preemptible" in node), "preemptible: Optional only, stays absent");
        assert.equal(cpu.nodeLocations, UNKNOWN, "node_locations: Optional, Computed");
        assert.ok(!("autoscaling" in cpu), "autoscaling: Optional only");

        const gpu = plannedGcpState(NODE_POOL, { cluster: "c", nodeConfig: { machineType: "g2-standard-8", guestAccelerators: [{ type: "nvidia-l4", count: 1 }] } }, UNKNOWN)!;
        const [accelerator] = (gpu.nodeConfig as any).guestAccelerators;
        assert.deepEqual({ type: accelerator.type, count: accelerator.count }, { type: "nvidia-l4", count: 1 }, "given: known");
        assert.equal(accelerator.gpuDriverInstallationConfig, UNKNOWN, "gpu_driver_installation_config: Optional, Computed, left out");
        assert.ok(!("gpuSharingConfig" in accelerator), "gpu_sharing_config: Optional only");
    });

    it("top-level computed outputs are unknown, auto-names kept for the caller, non-gcp types have no model", () => {
        const account = plannedGcpState("gcp:serviceaccount/account:Account", { accountId: "mf-dev-task" }, UNKNOWN)!;
        assert.equal(account.email, UNKNOWN);
        assert.equal(account.accountId, "mf-dev-task");
        const bucket = plannedGcpState("gcp:storage/bucket:Bucket", { location: "US-CENTRAL1" }, UNKNOWN, new Set(["name"]))!;
        assert.ok(!("name" in bucket), "auto-named: filled in by the caller");
        assert.equal(bucket.url, UNKNOWN);
        assert.equal(plannedGcpState("kubernetes:core/v1:Service", {}, UNKNOWN), undefined);
    });
});
