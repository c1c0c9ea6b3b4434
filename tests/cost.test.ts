import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parsePlatformConfig } from "../components/config/config";
import { footprintFromConfig } from "../components/config/estimate";
import { COST_ASSUMPTIONS, estimateCost, machineHourlyUsd, regionCoverage, type CostEstimate, type CostFootprint } from "../components/estimate/cost";
import { CYCLENERD_PRICING, GLOBAL_PRICES, HOURS_PER_MONTH, REGION_PRICES, SKYPILOT_GCP_CATALOG } from "../components/estimate/prices";
import { REGION_ZONES } from "../components/model/catalog";
import { costBudget, costCoverage, footprintFromResources } from "../policy/cost";
import { runPolicies, type OfflineResource } from "../offline/policyRunner";
import { policyConfigFor } from "../scripts/policyCheck";
import { costSection, previewStack, renderedConfig } from "../scripts/preview";
import { forwardsFor } from "../scripts/tunnel";
import { REPO_ROOT, type RenderedStack } from "../offline/render";
import { FIXTURE_STACKS, fixtureStack, renderFixture } from "./harness/fixtures";

const H = HOURS_PER_MONTH;
const P = REGION_PRICES["us-central1"];

function itemsOf(estimate: CostEstimate): Record<string, number> {
    return Object.fromEntries(estimate.idle.map((i) => [i.item, i.monthlyUsd]));
}

function resourcesOf(stack: RenderedStack): OfflineResource[] {
    return stack.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: structuredClone(r.inputs) }));
}

const r2 = (x: number) => Math.round(x * 100) / 100;

let autopilotRender: Promise<RenderedStack> | undefined;
/** dev switched to Autopilot, rendered once for this file. */
function autopilotDev(): Promise<RenderedStack> {
    autopilotRender ??= fixtureStack("dev", { config: { "metaflow-gcp:cluster": { mode: "autopilot" } } });
    return autopilotRender;
}

describe("cost estimate (list prices)", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("dev idles at $49.24/month by hand: spot e2-standard-2, 30 GB disk, db-f1-micro, NAT, credit covers the zonal cluster", () => {
        const estimate = estimateCost(footprintFromConfig(renderedConfig(dev)));
        // Hand-computed from Google's us-central1 list prices (components/estimate/prices.ts):
        //   e2-standard-2 spot (Cyclenerd pricing.yml @ fd66b26f, 2026-07-30, compute.instance.e2-standard-2.cost.us-central1.hour_spot):
        //   $0.040212/h x 730 = $29.35476 -> $29.35
        //   30 GB pd-balanced x $0.10 = $3.00; db-f1-micro $0.0105/h x 730 = $7.665 -> $7.67; 20 GB SSD x $0.17 = $3.40
        //   NAT: 1 VM x $0.0014 x 730 = $1.02, 1 IP x $0.005 x 730 = $3.65; bucket 10 GB x $0.02 = $0.20; registry 9.5 GB x $0.10 = $0.95
        //   total: 29.35 + 3.00 + 7.67 + 3.40 + 1.02 + 3.65 + 0.20 + 0.95 = $49.24 (fee $73.00 - credit $73.00 = 0)
        assert.deepEqual(itemsOf(estimate), {
            "GKE cluster fee": 73,
            "GKE free-tier credit": -73,
            "nodes: cpu": 29.35,
            "boot disks: cpu": 3,
            "Cloud SQL instance": 7.67,
            "Cloud SQL storage": 3.4,
            "Cloud NAT gateway": 1.02,
            "Cloud NAT IP address": 3.65,
            "datastore bucket": 0.2,
            "task image registry": 0.95,
        });
        assert.equal(estimate.idleMonthlyUsd, 49.24);
        assert.ok(estimate.idleMonthlyUsd <= (policyConfigFor("dev", FIXTURE_STACKS)["cost-budget"] as { maxIdleMonthlyUsd: number }).maxIdleMonthlyUsd, "within dev's budget");
        assert.deepEqual(estimate.unpriced, []);
    });

    it("prod idles at $499.55/month by hand: regional fee (no credit), 2 on-demand nodes, HA db-custom-2-7680", () => {
        const estimate = estimateCost(footprintFromConfig(renderedConfig(prod)));
        // db-custom-2-7680 = 2 x $0.0413 + 7.5 GiB x $0.007 = $0.1351/h x 730 = $98.623, HA x2 = $197.25; storage 20 x $0.17 x 2 = $6.80
        assert.deepEqual(itemsOf(estimate), {
            "GKE cluster fee": 73,
            "nodes: cpu": r2(2 * 0.134012 * H),
            "boot disks: cpu": 20,
            "Cloud SQL instance": 197.25,
            "Cloud SQL storage": 6.8,
            "Cloud NAT gateway": 2.04,
            "Cloud NAT IP address": 3.65,
            "datastore bucket": 0.2,
            "task image registry": 0.95,
        });
        assert.equal(estimate.idleMonthlyUsd, 499.55);
    });

    it("the README states the dev and prod figures the estimate computes", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        for (const [name, stack] of [["dev", dev], ["prod", prod]] as const) {
            const idle = estimateCost(footprintFromConfig(renderedConfig(stack))).idleMonthlyUsd.toFixed(2);
            assert.ok(readme.includes(`**${name}: $${idle}/month idle**`), `README should state ${name} at $${idle}`);
        }
    });

    it("prices one step per pool, spot and on-demand: the L4 node-hour with its disk", () => {
        const estimate = estimateCost(footprintFromConfig(renderedConfig(dev)));
        const l4 = estimate.steps.find((s) => s.pool === "gpu-l4")!;
        const disk = (200 * 0.1) / H;
        assert.ok(Math.abs(l4.onDemandUsdPerHour! - (0.85362431 + disk)) < 1e-9);
        // g2-standard-8 spot, pricing.yml @ fd66b26f: compute.instance.g2-standard-8.cost.us-central1.hour_spot
        assert.ok(Math.abs(l4.spotUsdPerHour! - (0.479872 + disk)) < 1e-9);
        assert.equal(l4.configured, "spot");
        assert.equal(l4.gpu, true);
        assert.equal(estimate.steps.find((s) => s.pool === "cpu")!.gpu, false);
    });

    it("the estimate from the stack's resources (what the policy sees) equals the one from its config", async () => {
        for (const stack of [dev, prod, await autopilotDev()]) {
            const fromConfig = estimateCost(footprintFromConfig(renderedConfig(stack)));
            const fromResources = estimateCost(footprintFromResources(resourcesOf(stack) as any)!);
            assert.deepEqual(fromResources.idle, fromConfig.idle, stack.stack);
            // Same steps; the policy sees pools in the engine's order, the config in its own.
            const byPool = (a: { pool: string }, b: { pool: string }) => a.pool.localeCompare(b.pool);
            assert.deepEqual(
                fromResources.steps.filter((s) => s.gpu).sort(byPool),
                fromConfig.steps.filter((s) => s.gpu && s.onDemandUsdPerHour !== undefined).sort(byPool),
            );
        }
    });

    it("on an everything-on Autopilot stack the policy's footprint (from resources) and the config's agree, pod by pod", async () => {
        // Every always-on workload the services can deploy: UI, Argo Workflows and Events; Airflow (the alternative to Argo) with its PgBouncer.
        const variants: Record<string, unknown> = {
            argo: { ui: true, argoWorkflows: true, argoEvents: true, metadataReplicas: 2, uiReplicas: 2 },
            airflow: { ui: true, argoWorkflows: false, argoEvents: false, airflow: true, metadataReplicas: 2, uiReplicas: 2 },
        };
        for (const [name, services] of Object.entries(variants)) {
            const config = {
                "metaflow-gcp:cluster": { mode: "autopilot", deletionProtection: true },
                // Autopilot makes its own nodes: no capacity ladder, no queues over our pools.
                "metaflow-gcp:gpuPools": [{ name: "l4", spot: false }],
                "metaflow-gcp:queues": undefined,
                "metaflow-gcp:services": services,
            };
            const stack = await renderFixture("prod", { config });
            const fromConfig = footprintFromConfig(renderedConfig(stack));
            const fromResources = footprintFromResources(resourcesOf(stack) as any)!;
            const pods = (f: CostFootprint) => f.pods.map((p) => `${p.replicas} x ${p.cpu.toFixed(3)} vCPU ${p.memoryGib.toFixed(3)} GiB`).sort();
            assert.deepEqual(pods(fromResources), pods(fromConfig), name);
            // Agreement alone would pass if both missed a workload: each deployed workload is priced.
            const deployed = name === "airflow" ? ["airflow-scheduler", "airflow-dag-processor", "airflow-triggerer", "airflow-webserver", "airflow-pgbouncer"] : ["argo-workflows-controller", "argo-events-controller", "eventbus-default"];
            for (const workload of deployed) {
                assert.ok(fromResources.pods.some((p) => p.name.includes(workload)), `${name}: the policy prices ${workload}`);
                assert.ok(fromConfig.pods.some((p) => p.name.includes(workload)), `${name}: the estimate prices ${workload}`);
            }
            assert.deepEqual(estimateCost(fromResources).idle, estimateCost(fromConfig).idle, name);
        }
    });

    it("Autopilot bills the always-on Pods by their requests (dev in Autopilot: 0.5 vCPU, 1.125 GiB)", async () => {
        const stack = await autopilotDev();
        const estimate = estimateCost(footprintFromConfig(renderedConfig(stack)));
        const pods = estimate.idle.filter((i) => i.item.startsWith("pods: ")).reduce((s, i) => s + i.monthlyUsd, 0);
        // metadata 100m/256Mi, UI backend 250m/512Mi, Argo controller 100m/256Mi, Argo server 50m/128Mi
        const expected = (0.5 * P.autopilot!.vcpu.usd + (1152 / 1024) * P.autopilot!.memoryGib.usd) * H;
        assert.ok(Math.abs(pods - expected) < 0.03, `${pods} vs ${expected}`);
        assert.equal(itemsOf(estimate)["GKE free-tier credit"], -73, "Autopilot clusters get the credit");
    });

    it("spot is each region's dated catalog price, not a share of on-demand: e2-standard-2 is 60% of it in us-central1, 48% in europe-west4, 12% in us-west4", () => {
        // Cyclenerd pricing.yml @ fd66b26f (Cloud Billing Catalog, 2026-07-30), compute.instance.e2-standard-2.cost.<region>:
        //   us-central1 hour 0.06701142 / hour_spot 0.040212; europe-west4 0.07377204 / 0.035264; us-west4 0.07547082 / 0.009088
        const spotNode = (region: string) =>
            itemsOf(estimateCost(footprintFromConfig(parsePlatformConfig({ project: "my-project-1", environment: "dev", region, database: { enabled: false }, services: { enabled: false }, gpuPools: [] }))))["nodes: cpu"];
        assert.equal(spotNode("us-central1"), r2(0.040212 * H));
        assert.equal(spotNode("europe-west4"), r2(0.035264 * H));
        assert.equal(spotNode("us-west4"), r2(0.009088 * H));
        assert.ok(0.040212 / 0.06701142 > 0.6, "more than the 40% the estimate used to assume");
        for (const [region, row] of Object.entries(REGION_PRICES)) {
            assert.equal(row.spot?.dataset.asOf, CYCLENERD_PRICING.generated, region);
        }
        const t4 = estimateCost(footprintFromConfig(parsePlatformConfig({ project: "my-project-1", environment: "dev", database: { enabled: false }, services: { enabled: false }, gpuPools: [{ name: "t4", gpuType: "nvidia-tesla-t4", machineType: "n1-standard-4", spot: true }] })));
        assert.match(t4.unpriced.join("\n"), /node pool gpu-t4: no spot price for n1-standard-4 with 1 x nvidia-tesla-t4 in us-central1/, "no source gives attached-GPU spot prices");
        const cfg = parsePlatformConfig({ project: "my-project-1", environment: "dev", cluster: { cpuPool: { spot: false } } });
        const onDemand = itemsOf(estimateCost(footprintFromConfig(cfg)))["nodes: cpu"];
        // dev's e2-standard-2 on demand: 2 x $0.021811 + 8 x $0.002923 = $0.067006/h x 730 = $48.91
        assert.equal(onDemand, r2(0.067006 * H));
        assert.equal(onDemand, 48.91);
    });

    it("machine prices: families by vCPU and memory, N1 with attached T4s, fixed G2/A2 shapes, unknown types unpriced", () => {
        // n1-standard-4 = 4 x $0.031611 + 15 GiB x $0.004237 + 1 T4 x $0.35
        assert.ok(Math.abs(machineHourlyUsd(P, "n1-standard-4", "nvidia-tesla-t4", 1)! - (4 * 0.031611 + 15 * 0.004237 + 0.35)) < 1e-12);
        assert.ok(Math.abs(machineHourlyUsd(P, "n2-highmem-8", undefined, 0)! - (8 * 0.031611 + 64 * 0.004237)) < 1e-12);
        assert.equal(machineHourlyUsd(P, "a2-highgpu-1g", "nvidia-tesla-a100", 1), 3.673385);
        assert.equal(machineHourlyUsd(P, "a3-highgpu-8g", "nvidia-h100-80gb", 8), undefined);
        assert.equal(machineHourlyUsd(P, "n1-standard-4", "nvidia-h100-80gb", 1), undefined);
    });

    it("every price names its source (a Google pricing page, or the Cyclenerd or SkyPilot dataset at its commit); the credit and fee are Google's published figures", () => {
        const datasets = [CYCLENERD_PRICING, SKYPILOT_GCP_CATALOG].map((d) => `https://github.com/${d.repository}/blob/${d.commit}/${d.path}`);
        const all = [...Object.values(GLOBAL_PRICES), ...Object.values(REGION_PRICES).flatMap((r) => JSON.stringify(r).match(/"source":"[^"]+"/g) ?? [])];
        for (const price of all) {
            const source = typeof price === "string" ? price : price.source;
            assert.ok(source.includes("https://cloud.google.com/") || datasets.some((d) => source.includes(d)), source);
        }
        for (const [region, row] of Object.entries(REGION_PRICES)) {
            assert.match(row.dataset.asOf, /^\d{4}-\d\d-\d\d$/, region);
            assert.equal(JSON.stringify(row).includes('"usd":0,'), false, `${region}: a zero price is a missing SKU, not a price`);
        }
        assert.equal(GLOBAL_PRICES.gkeFreeTierCredit.usd, 74.4);
        assert.equal(GLOBAL_PRICES.gkeClusterFee.usd * H, 73);
    });

    it("every catalog region has a price list; what one lacks is named, never guessed from another region", () => {
        // Neither dataset (prices.ts: Cyclenerd for machines, disks and bucket; SkyPilot for the attached T4
        // and n1-highmem/n1-highcpu) has Cloud SQL or Autopilot prices, and no other offline source gave them.
        const missing = [
            "Autopilot Pod list prices (vCPU, memory, ephemeral storage)",
            "Cloud SQL ENTERPRISE list prices (vCPU, memory, db-f1-micro, db-g1-small, SSD storage)",
        ];
        assert.deepEqual(Object.fromEntries(Object.keys(REGION_ZONES).map((r) => [r, regionCoverage(r)])), {
            "us-central1": [],
            "us-east1": missing,
            "us-east4": missing,
            "us-west1": missing,
            "us-west4": missing,
            "europe-west1": missing,
            "europe-west4": missing,
            "asia-southeast1": missing,
        });
        assert.deepEqual(regionCoverage("me-central1"), ["region me-central1: no list prices recorded"]);
    });

    it("a region outside the price table, or a figure a region lacks, is reported as not priced and left out of the total", () => {
        const outside = estimateCost(footprintFromConfig(parsePlatformConfig({ project: "my-project-1", environment: "dev", region: "me-central1", zones: ["me-central1-a"], gpuPools: [] })));
        assert.match(outside.unpriced.join("\n"), /region me-central1: no list prices recorded/);
        assert.equal(outside.idle.some((i) => i.item.startsWith("nodes")), false);
        const eu = estimateCost(footprintFromConfig(parsePlatformConfig({ project: "my-project-1", environment: "dev", region: "europe-west4", gpuPools: [] })));
        assert.deepEqual(eu.unpriced, [
            "database: Cloud SQL ENTERPRISE list prices (vCPU, memory, db-f1-micro, db-g1-small, SSD storage) for europe-west4 are not recorded in components/estimate/prices.ts",
        ]);
        assert.equal(eu.idle.some((i) => i.item.startsWith("Cloud SQL")), false);
        assert.equal(eu.pricesAsOf, CYCLENERD_PRICING.generated);
        const autopilot = estimateCost(footprintFromConfig(parsePlatformConfig({ project: "my-project-1", environment: "me", preset: "personal", region: "asia-southeast1" })));
        assert.match(autopilot.unpriced.join("\n"), /Autopilot Pods: Autopilot Pod list prices \(vCPU, memory, ephemeral storage\) for asia-southeast1 are not recorded/);
        const t4 = machineHourlyUsd(REGION_PRICES["europe-west4"], "n1-standard-4", "nvidia-tesla-t4", 1);
        assert.ok(Math.abs(t4! - (0.209168 + 0.35)) < 1e-12, "europe-west4: Cyclenerd's n1-standard-4 plus SkyPilot's T4");
        assert.equal(machineHourlyUsd(REGION_PRICES["europe-west4"], "n1-standard-4", "nvidia-l4", 1), undefined, "an L4 is never attached to N1");
    });

    it("npm run preview prints the bill by line item and the step prices", async () => {
        const text = (await previewStack("dev")).text;
        assert.match(text, /Estimated cost at LIST PRICES \(us-central1, prices as of \d{4}-\d\d-\d\d/);
        assert.match(text, /^ {4}GKE free-tier credit +-\$73\.00 /m);
        assert.match(text, /^ {4}total +\$49\.24$/m);
        assert.match(text, /^ {2}One step, per hour \(spot: the region's spot price as of 2026-07-30\):$/m);
        assert.match(text, /^ {4}gpu-l4: on-demand \$0\.8810, spot \$0\.5073 \(configured: spot;/m);
        assert.deepEqual(
            costSection(estimateCost(footprintFromConfig(parsePlatformConfig({ project: "my-project-1", environment: "xy", region: "us-east4", gpuPools: [] })))).filter((l) => l.includes("not priced:")),
            ["  not priced: database: Cloud SQL ENTERPRISE list prices (vCPU, memory, db-f1-micro, db-g1-small, SSD storage) for us-east4 are not recorded in components/estimate/prices.ts"],
        );
    });
});

describe("personal preset", () => {
    const personal = () => parsePlatformConfig({ project: "my-project-1", environment: "me", preset: "personal" });

    it("defaults: Autopilot, no Cloud SQL, only the task namespace on the cluster, spot GPUs, bucket and registry kept", () => {
        const cfg = personal();
        assert.equal(cfg.cluster.mode, "autopilot");
        assert.equal(cfg.database.enabled, false);
        assert.deepEqual([cfg.services.enabled, cfg.services.ui, cfg.services.argoWorkflows, cfg.services.argoEvents], [true, false, false, false]);
        assert.ok(cfg.gpuPools.every((p) => p.spot));
    });

    it(`idles at $6/month or less by our own estimate (NAT IP and gateway, ${COST_ASSUMPTIONS.bucketGb} GB bucket, ${COST_ASSUMPTIONS.registryGb} GB registry)`, () => {
        const estimate = estimateCost(footprintFromConfig(personal()));
        assert.ok(estimate.idleMonthlyUsd <= 6, String(estimate.idleMonthlyUsd));
        const items = itemsOf(estimate);
        assert.equal(items["GKE cluster fee"] + items["GKE free-tier credit"], 0, "the credit covers the Autopilot fee");
        assert.equal(estimate.idle.some((i) => i.item.startsWith("Cloud SQL") || i.item.startsWith("pods") || i.item.startsWith("nodes")), false);
        assert.equal(estimate.idleMonthlyUsd, r2(0.0014 * H + 0.005 * H + 0.2 + 0.95));
    });

    it("the README's Pulumi.personal.yaml example is valid and idles at the figure the README states", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
        const block = /```yaml\n# Pulumi\.personal\.yaml\n([\s\S]*?)```/.exec(readme);
        assert.ok(block, "README shows a Pulumi.personal.yaml");
        const raw: Record<string, unknown> = { project: "my-project-1" };
        for (const [key, value] of Object.entries(YAML.parse(block[1]).config as Record<string, unknown>)) {
            raw[key.split(":")[1]] = value;
        }
        const estimate = estimateCost(footprintFromConfig(parsePlatformConfig(raw)));
        assert.ok(readme.includes(`idles at **$${estimate.idleMonthlyUsd.toFixed(2)}/month**`), `README should state $${estimate.idleMonthlyUsd.toFixed(2)}`);
    });

    it("is refused together with production: true, naming the key", () => {
        assert.throws(() => parsePlatformConfig({ project: "my-project-1", environment: "me", preset: "personal", production: true }), /metaflow-gcp:preset = "personal": the personal preset .* never a production environment/);
        assert.throws(() => parsePlatformConfig({ project: "my-project-1", environment: "me", preset: "team" }), /metaflow-gcp:preset = "team"/);
    });

    it("renders no database and no services, the task identity's namespace, and a profile with local metadata", async () => {
        const stack = await renderFixture("dev", { config: { "metaflow-gcp:preset": "personal", "metaflow-gcp:cluster": undefined, "metaflow-gcp:database": undefined, "metaflow-gcp:services": undefined } });
        const types = stack.resources.map((r) => r.type);
        assert.equal(types.includes("gcp:sql/databaseInstance:DatabaseInstance"), false);
        assert.equal(types.includes("kubernetes:apps/v1:Deployment"), false);
        assert.equal(types.includes("kubernetes:helm.sh/v3:Release"), false);
        assert.equal(types.includes("gcp:container/nodePool:NodePool"), false);
        assert.ok(types.includes("kubernetes:core/v1:Namespace"));
        const task = stack.resources.find((r) => r.type === "kubernetes:core/v1:ServiceAccount" && r.inputs.metadata.name === "metaflow-task");
        assert.ok(task?.inputs.metadata.annotations["iam.gke.io/gcp-service-account"]);
        const profile = stack.outputs.metaflowConfig.value;
        assert.equal(profile.METAFLOW_DEFAULT_METADATA, "local");
        assert.equal(profile.METAFLOW_SERVICE_URL, undefined);
        assert.equal(profile.METAFLOW_KUBERNETES_NAMESPACE, "metaflow-dev");
        // Steps ask for Spot Pods: metaflow_config.py reads KUBERNETES_NODE_SELECTOR as "k=v,..." (Metaflow 2.19).
        assert.equal(profile.METAFLOW_KUBERNETES_NODE_SELECTOR, "cloud.google.com/gke-spot=true");
        assert.equal((await autopilotDev()).outputs.metaflowConfig.value.METAFLOW_KUBERNETES_NODE_SELECTOR, undefined, "only when spotSteps is on");
        assert.throws(() => forwardsFor({ metaflowConfig: profile }), /runs no services \(local metadata\): there is nothing to tunnel to/);
    });

    it("spot steps are an Autopilot setting: refused in standard mode", () => {
        assert.throws(() => parsePlatformConfig({ project: "my-project-1", environment: "dev", cluster: { spotSteps: true } }), /metaflow-gcp:cluster\.spotSteps = true: Spot Pods for steps are an Autopilot setting/);
    });
});

describe("cost-budget policy", () => {
    it("passes the committed stacks within their limits (dev's: $55 a month, $0.60 a GPU step-hour)", async () => {
        assert.deepEqual(policyConfigFor("dev", FIXTURE_STACKS)["cost-budget"], { maxIdleMonthlyUsd: 55, maxGpuHourUsd: 0.6 });
        for (const name of ["dev", "prod"]) {
            const violations = await runPolicies([costBudget], resourcesOf(await fixtureStack(name)), policyConfigFor(name, FIXTURE_STACKS));
            assert.deepEqual(violations, [], name);
        }
    });

    it("fails a stack over its idle limit, with the largest items named", async () => {
        const violations = await runPolicies([costBudget], resourcesOf(await fixtureStack("dev")), { "cost-budget": { maxIdleMonthlyUsd: 30, maxGpuHourUsd: 0.6 } });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /Idle cost is about \$49\.24\/month at list prices, over this environment's limit of \$30 \(largest: nodes: cpu \$29\.35, Cloud SQL instance \$7\.67, Cloud NAT IP address \$3\.65\)/);
    });

    it("fails an on-demand GPU pool over the GPU-hour limit (an L4 at $0.88/h against $0.5)", async () => {
        const stack = await renderFixture("prod", { config: { "metaflow-gcp:gpuPools": [{ name: "l4", spot: false, maxNodes: 4 }] } });
        const violations = await runPolicies([costBudget], resourcesOf(stack), { "cost-budget": { maxIdleMonthlyUsd: 1000, maxGpuHourUsd: 0.5 } });
        assert.equal(violations.length, 1);
        assert.match(violations[0].message, /GPU pool gpu-l4 costs about \$0\.88\/hour \(on-demand, one g2-standard-8 node/);
    });

    it("in Autopilot, a container without requests is billed at Autopilot's default 0.5 vCPU / 2 GiB", async () => {
        const stack = await autopilotDev();
        const resources = resourcesOf(stack);
        const base = estimateCost(footprintFromResources(resources as any)!).idleMonthlyUsd;
        const backend = resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.props.metadata.name === "metaflow-ui-backend")!;
        delete backend.props.spec.template.spec.containers[0].resources;
        const without = estimateCost(footprintFromResources(resources as any)!).idleMonthlyUsd;
        const ap = P.autopilot!;
        const delta = ((0.5 - 0.25) * ap.vcpu.usd + (2 - 0.5) * ap.memoryGib.usd) * H;
        assert.ok(Math.abs(without - base - delta) < 0.02, `${without - base} vs ${delta}`);
    });

    describe("a stack outside us-central1 (dev rendered in europe-west4)", () => {
        // Zones come from REGION_ZONES / GPU_ZONES: the zonal cluster in europe-west4-a, the L4 pool in a, b, c.
        const inEurope = { "gcp:region": "europe-west4", "metaflow-gcp:zones": ["europe-west4-a", "europe-west4-b", "europe-west4-c"] };
        let noDatabase: RenderedStack;
        before(async () => {
            // Without Cloud SQL (no europe-west4 Cloud SQL prices, prices.ts): local metadata, only the task namespace.
            noDatabase = await renderFixture("dev", {
                config: {
                    ...inEurope,
                    "metaflow-gcp:database": { enabled: false },
                    "metaflow-gcp:services": { metadataReplicas: 1, ui: false, argoWorkflows: false, argoEvents: false },
                },
            });
        });

        it("is priced in europe-west4's figures, by hand from the dataset's rows", () => {
            const estimate = estimateCost(footprintFromResources(resourcesOf(noDatabase) as any)!);
            assert.equal(estimate.region, "europe-west4");
            assert.deepEqual(estimate.unpriced, []);
            // pricing.yml @ fd66b26f, europe-west4: e2-standard-2 spot (hour_spot) $0.035264/h x 730 = $25.74;
            //   30 GB pd-balanced x $0.11 = $3.30; bucket 10 GB x $0.02 = $0.20;
            //   NAT $1.02 + $3.65 and registry $0.95 as everywhere; fee covered by the credit. Total $34.86.
            assert.deepEqual(itemsOf(estimate), {
                "GKE cluster fee": 73,
                "GKE free-tier credit": -73,
                "nodes: cpu": r2(0.035264 * H),
                "boot disks: cpu": 3.3,
                "Cloud NAT gateway": 1.02,
                "Cloud NAT IP address": 3.65,
                "datastore bucket": 0.2,
                "task image registry": 0.95,
            });
            assert.equal(estimate.idleMonthlyUsd, 34.86);
            const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
            assert.ok(readme.includes(`renders dev in \`europe-west4\` that way: $${estimate.idleMonthlyUsd.toFixed(2)}/month idle`), "README states the figure");
            // A step on the L4 pool: g2-standard-8 spot $0.47082/h (hour_spot) and its 200 GB pd-balanced disk.
            const l4 = estimate.steps.find((s) => s.pool === "gpu-l4")!;
            assert.ok(Math.abs(l4.spotUsdPerHour! - (0.47082 + (200 * 0.11) / H)) < 1e-9);
        });

        it("cost-budget decides on the number: passes dev's limits, refuses a lower one", async () => {
            assert.deepEqual(await runPolicies([costBudget], resourcesOf(noDatabase), policyConfigFor("dev", FIXTURE_STACKS)), []);
            const violations = await runPolicies([costBudget], resourcesOf(noDatabase), { "cost-budget": { maxIdleMonthlyUsd: 30, maxGpuHourUsd: 0.38 } });
            assert.deepEqual(
                violations.map((v) => v.message.split(" (")[0]),
                ["Idle cost is about $34.86/month at list prices, over this environment's limit of $30", "A step on GPU pool gpu-l4 costs about $0.50/hour"],
            );
        });

        it("with its Cloud SQL database, cost-budget judges the priced part and cost-coverage names the missing figure (tests/billingCatalog.test.ts: with live prices)", async () => {
            const withDatabase = await renderFixture("dev", { config: inEurope });
            assert.deepEqual(await runPolicies([costBudget], resourcesOf(withDatabase), policyConfigFor("dev", FIXTURE_STACKS)), []);
            const coverage = await runPolicies([costCoverage], resourcesOf(withDatabase), policyConfigFor("dev", FIXTURE_STACKS));
            assert.match(coverage[0].message, /database: Cloud SQL ENTERPRISE list prices \(vCPU, memory, db-f1-micro, db-g1-small, SSD storage\) for europe-west4 are not recorded/);
        });
    });

    it("what it cannot price is left out of the total and named by cost-coverage (advisory), never a failure on its own", async () => {
        const resources = resourcesOf(await fixtureStack("dev"));
        resources.find((r) => r.type === "gcp:container/nodePool:NodePool" && r.props.name === "cpu")!.props.nodeConfig.machineType = "c4-standard-4";
        assert.deepEqual(await runPolicies([costBudget], resources, { "cost-budget": { maxIdleMonthlyUsd: 1000, maxGpuHourUsd: 10 } }), []);
        const coverage = await runPolicies([costCoverage], resources, {});
        assert.equal(coverage[0].enforcementLevel, "advisory");
        assert.match(coverage[0].message, /node pool cpu: no list price for c4-standard-4/);
    });
});
