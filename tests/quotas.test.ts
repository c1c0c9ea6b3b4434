import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { GPU_TYPES } from "../components/model/catalog";
import { parsePlatformConfig, platformConfigFromFlat } from "../components/config/config";
import { quotaPlanFromConfig } from "../components/config/estimate";
import { GPU_QUOTA_METRICS, machineVcpus, requiredQuotas as quotasOfPlan, type QuotaNeed } from "../components/estimate/quotas";
import type { PlatformConfig } from "../components/config/config";
import { previewStack } from "../scripts/preview";
import { FIXTURE_STACKS, readFixture } from "./harness/fixtures";
import { REPO_ROOT } from "../offline/render";

/** The quotas of a validated config (config -> plan -> count, as the preview does). */
const requiredQuotas = (cfg: PlatformConfig): QuotaNeed[] => quotasOfPlan(quotaPlanFromConfig(cfg));

const base = { project: "acme-ml-dev", region: "us-central1", environment: "dev" };
const amount = (needs: QuotaNeed[], metric: string, scope?: string) => needs.find((n) => n.metric === metric && (scope === undefined || n.scope === scope))?.amount;

describe("quota list", () => {
    it("counts every pool at its maximum plus one surge node: dev", () => {
        // cpu: 3 max + 1 surge e2-standard-2 (2 vCPUs, 100 GB); l4: 2 + 1 g2-standard-8 (8 vCPUs, 1 L4, 200 GB), spot.
        const needs = requiredQuotas(parsePlatformConfig({ ...base, cluster: { cpuPool: { diskSizeGb: 100 } }, gpuPools: [{ name: "l4", spot: true }] }));
        assert.equal(amount(needs, "CPUS", "us-central1"), 4 * 2 + 3 * 8);
        assert.equal(amount(needs, "CPUS_ALL_REGIONS", "global"), 4 * 2 + 3 * 8);
        assert.equal(amount(needs, "PREEMPTIBLE_NVIDIA_L4_GPUS", "us-central1"), 3);
        assert.equal(amount(needs, "NVIDIA_L4_GPUS"), undefined, "a spot pool needs no on-demand GPU quota");
        assert.equal(amount(needs, "GPUS_ALL_REGIONS", "global"), 3);
        assert.equal(amount(needs, "SSD_TOTAL_GB", "us-central1"), 4 * 100 + 3 * 200);
        assert.equal(amount(needs, "DISKS_TOTAL_GB", "us-central1"), 20, "the zonal default pool: one small standard disk");
    });

    it("uses on-demand GPU metrics, each family's vCPU quota and every zone's default node in a regional production stack", () => {
        const cfg = parsePlatformConfig({
            ...base,
            production: true,
            cluster: { cpuPool: { machineType: "n2-standard-8", minNodes: 2, maxNodes: 6 } },
            gpuPools: [
                { name: "l4", maxNodes: 4 },
                { name: "t4", gpuType: "nvidia-tesla-t4", machineType: "n1-standard-16", gpusPerNode: 2, maxNodes: 2, spot: true },
            ],
        });
        const needs = requiredQuotas(cfg);
        assert.equal(amount(needs, "N2_CPUS", "us-central1"), 7 * 8);
        assert.equal(amount(needs, "CPUS", "us-central1"), 5 * 8 + 3 * 16, "G2 and N1 share CPUS");
        assert.equal(amount(needs, "NVIDIA_L4_GPUS", "us-central1"), 5);
        assert.equal(amount(needs, "PREEMPTIBLE_NVIDIA_T4_GPUS", "us-central1"), 3 * 2);
        assert.equal(amount(needs, "GPUS_ALL_REGIONS", "global"), 5 + 6);
        assert.equal(amount(needs, "CPUS_ALL_REGIONS", "global"), 7 * 8 + 5 * 8 + 3 * 16);
        assert.equal(amount(needs, "DISKS_TOTAL_GB"), 3 * 20);
        assert.deepEqual(needs.slice(0, 2).map((n) => n.scope), ["global", "global"], "global quotas first");
    });

    it("names the GPU metrics as Compute Engine does, for every GPU type we accept", () => {
        // Compute Engine API Quota.Metric enum (cloud.google.com/.../Google.Cloud.Compute.V1.Quota.Types.Metric):
        // COMMITTED_NVIDIA_{L4,T4,A100,A100_80GB,H100}_GPUS pair with these on-demand names, and
        // `gcloud compute regions describe` lists them with PREEMPTIBLE_ variants.
        assert.deepEqual(Object.keys(GPU_QUOTA_METRICS).sort(), [...GPU_TYPES].sort());
        assert.deepEqual(GPU_QUOTA_METRICS, {
            "nvidia-l4": "NVIDIA_L4_GPUS",
            "nvidia-tesla-t4": "NVIDIA_T4_GPUS",
            "nvidia-tesla-a100": "NVIDIA_A100_GPUS",
            "nvidia-a100-80gb": "NVIDIA_A100_80GB_GPUS",
            "nvidia-h100-80gb": "NVIDIA_H100_GPUS",
        });
    });

    it("reads vCPUs from machine type names, and the fixed shapes of accelerator machines", () => {
        assert.equal(machineVcpus("e2-standard-4"), 4);
        assert.equal(machineVcpus("g2-standard-96"), 96);
        assert.equal(machineVcpus("a2-highgpu-1g"), 12);
        assert.equal(machineVcpus("a3-highgpu-8g"), 208);
        assert.equal(machineVcpus("e2-medium"), 2);
        assert.equal(machineVcpus("custom-thing"), undefined);
    });

    it("lists nothing to count in Autopilot mode", () => {
        assert.deepEqual(requiredQuotas(parsePlatformConfig({ ...base, cluster: { mode: "autopilot" } })), []);
    });

    it("the README's quota table is what the shipped stacks (the fixtures) compute", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const needs = (stack: string) => requiredQuotas(platformConfigFromFlat({ "gcp:project": "acme-ml", ...readFixture(stack).values }, stack));
        const dev = needs("dev");
        const prod = needs("prod");
        const row = (label: string) => readme.split("\n").find((l) => l.startsWith(`  | ${label} |`));
        for (const metric of ["GPUS_ALL_REGIONS", "CPUS_ALL_REGIONS", "CPUS", "PREEMPTIBLE_NVIDIA_L4_GPUS", "NVIDIA_L4_GPUS", "SSD_TOTAL_GB", "DISKS_TOTAL_GB"]) {
            const cells = row("`" + metric + "`")?.split("|").map((c) => c.trim());
            assert.ok(cells, `README quota table has no row for ${metric}`);
            assert.equal(Number(cells[3]), amount(dev, metric) ?? 0, `${metric} dev`);
            assert.equal(Number(cells[4]), amount(prod, metric) ?? 0, `${metric} prod`);
        }
    });

    it("is shown by the offline preview", async () => {
        const { text } = await previewStack("prod", { stacksDir: FIXTURE_STACKS });
        assert.match(text, /Quotas needed at full scale/);
        assert.match(text, /global\s+GPUS_ALL_REGIONS\s+11 /);
        assert.match(text, /us-central1\s+NVIDIA_L4_GPUS\s+5 /);
    });
});
