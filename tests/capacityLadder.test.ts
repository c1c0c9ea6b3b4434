/**
 * The capacity ladder (issue 22): a GPU pool's rungs as node pools of ours behind a GKE custom
 * compute class. Checked against what GKE accepts (the ComputeClass CRD schema when ../shared
 * has it, @kubernetes-models/gke's older schema always), what the provider takes (@pulumi/gcp
 * 9.37.0 NodePool fields), and the estimate and policies that must count every rung.
 */
import { ComputeClass } from "@kubernetes-models/gke/cloud.google.com/v1/ComputeClass";
import Ajv from "ajv";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { footprintFromConfig, quotaPlanFromConfig } from "../components/config/estimate";
import { resolveConfig } from "../components/config/resolve";
import { ladderProblems } from "../components/config/rules/ladder";
import { platformSchema } from "../components/config/schema";
import { estimateCost } from "../components/estimate/cost";
import { requiredQuotas } from "../components/estimate/quotas";
import { computeClassSpec } from "../components/kubernetes/specs/computeClass";
import { COMPUTE_CLASS_LABEL, ladderRungs } from "../components/model/capacityLadder";
import { PROFILE_DEFAULTS, profileOf } from "../components/model/profiles";
import { checkRendered } from "../scripts/policyCheck";
import { policyConfigFor } from "../scripts/policyConfig";
import { ofType, one, output } from "../offline/query";
import { FIXTURE_STACKS, renderFixture } from "./harness/fixtures";
import { REPO_ROOT, type RenderedStack } from "../offline/render";

const NODE_POOL = "gcp:container/nodePool:NodePool";
const COMPUTE_CLASS = "kubernetes:cloud.google.com/v1:ComputeClass";

/** Prod's pool on demand, with a spot rung before it and a flex-start rung after it. */
const PROD_LADDER = [{ name: "l4", spot: false, maxNodes: 4, ladder: { spot: { maxNodes: 4 }, flexStart: { maxNodes: 2, maxRunHours: 12 } } }];

/**
 * GKE's own ComputeClass schema (datreeio/CRDs-catalog `cloud.google.com/computeclass_v1.json`,
 * extracted from a GKE 1.33 cluster; commit 77e49833, 2026-08-02), when ../shared provides it.
 */
const SHARED_COMPUTECLASS_SCHEMA = path.join(REPO_ROOT, "..", "shared", "crds", "datree-catalog", "cloud.google.com", "computeclass_v1.json");

function rawConfig(raw: Record<string, unknown>) {
    const full = { project: "acme-ml-prod", region: "us-central1", environment: "prod", production: true, ...raw };
    const given = platformSchema(PROFILE_DEFAULTS[profileOf(full)]).parse(full);
    return { given, config: resolveConfig(given) };
}

describe("capacity ladder", () => {
    let prod: RenderedStack;
    before(async () => {
        prod = await renderFixture("prod", { config: { "metaflow-gcp:gpuPools": PROD_LADDER } });
    });

    it("orders rungs spot, on-demand, flex-start and keeps the pool itself under its own name", () => {
        const rungs = ladderRungs({ name: "l4", spot: false, minNodes: 1, maxNodes: 4, ladder: { flexStart: { maxNodes: 2, maxRunHours: 12 }, spot: { maxNodes: 3 } } });
        assert.deepEqual(
            rungs.map((r) => [r.capacity, r.nodePoolName, r.base, r.minNodes, r.maxNodes, r.maxRunSeconds]),
            [
                ["spot", "gpu-l4-spot", false, 0, 3, undefined],
                ["onDemand", "gpu-l4", true, 1, 4, undefined],
                ["flexStart", "gpu-l4-flex", false, 0, 2, 43200],
            ],
        );
        assert.deepEqual(ladderRungs({ name: "t4", spot: true, minNodes: 0, maxNodes: 2 }).map((r) => r.nodePoolName), ["gpu-t4"], "no ladder: the pool alone");
    });

    it("creates one hardened node pool per rung; added rungs are tainted for the class, the pool itself only labelled", () => {
        const base = one(prod, NODE_POOL, "gpu-l4-pool").inputs;
        const spot = one(prod, NODE_POOL, "gpu-l4-spot-pool").inputs;
        const flex = one(prod, NODE_POOL, "gpu-l4-flex-pool").inputs;
        for (const pool of [base, spot, flex]) {
            assert.equal(pool.nodeConfig.labels[COMPUTE_CLASS_LABEL], "gpu-l4");
            assert.deepEqual(pool.nodeConfig.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true });
            assert.equal(pool.nodeConfig.guestAccelerators[0].gpuDriverInstallationConfig.gpuDriverVersion, "LATEST");
            assert.equal(pool.autoscaling.totalMinNodeCount, pool === base ? 0 : 0);
        }
        const classTaint = { key: COMPUTE_CLASS_LABEL, value: "gpu-l4", effect: "NO_SCHEDULE" };
        assert.ok(!base.nodeConfig.taints.some((t: { key: string }) => t.key === COMPUTE_CLASS_LABEL), "plain GPU steps still reach the pool itself");
        assert.deepEqual(spot.nodeConfig.taints[1], classTaint);
        assert.deepEqual(flex.nodeConfig.taints[1], classTaint);
        assert.equal(spot.nodeConfig.spot, true);
        assert.equal(spot.autoscaling.totalMaxNodeCount, 4);
        assert.equal(spot.autoscaling.locationPolicy, "ANY");
    });

    it("makes the last rung flex-start as @pulumi/gcp 9.37.0 takes it: flexStart, maxRunDuration in seconds, no reservation, not spot", () => {
        const flex = one(prod, NODE_POOL, "gpu-l4-flex-pool").inputs;
        assert.equal(flex.nodeConfig.flexStart, true);
        assert.equal(flex.nodeConfig.maxRunDuration, "43200s");
        assert.deepEqual(flex.nodeConfig.reservationAffinity, { consumeReservationType: "NO_RESERVATION" });
        assert.equal(flex.nodeConfig.spot, false);
        assert.equal(flex.autoscaling.totalMaxNodeCount, 2);
        assert.equal(flex.autoscaling.locationPolicy, "ANY");
        // The provider's input type has both fields (node_modules/@pulumi/gcp/types/input.d.ts, NodePoolNodeConfig).
        const inputTypes = fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/gcp/types/input.d.ts"), "utf8");
        const nodePoolConfig = inputTypes.slice(inputTypes.indexOf("interface NodePoolNodeConfig {"), inputTypes.indexOf("interface NodePoolNodeConfigAdvancedMachineFeatures"));
        assert.match(nodePoolConfig, /flexStart\?: pulumi\.Input<boolean/);
        assert.match(nodePoolConfig, /maxRunDuration\?: pulumi\.Input<string/);
    });

    it("orders the rungs' node pools in one compute class, after the pools exist, with GKE creating none of its own", () => {
        const cls = one(prod, COMPUTE_CLASS);
        assert.equal(cls.inputs.metadata.name, "gpu-l4");
        assert.deepEqual(cls.inputs.spec.priorities, [{ nodepools: ["gpu-l4-spot"] }, { nodepools: ["gpu-l4"] }, { nodepools: ["gpu-l4-flex"] }]);
        assert.deepEqual(cls.inputs.spec.nodePoolAutoCreation, { enabled: false });
        assert.equal(cls.inputs.spec.whenUnsatisfiable, "DoNotScaleUp");
        const pools = ofType(prod, NODE_POOL).filter((p) => p.name.startsWith("gpu-l4"));
        assert.equal(pools.length, 3);
        for (const pool of pools) {
            assert.ok(cls.dependencies.includes(pool.urn), `${pool.name} exists before the class names it`);
        }
    });

    it("validates against @kubernetes-models/gke 4.6.2's ComputeClass schema (older than GKE's: it knows nodepools priorities)", () => {
        new ComputeClass(computeClassSpec("gpu-l4", ["gpu-l4-spot", "gpu-l4", "gpu-l4-flex"], { a: "b" }) as never).validate();
        assert.throws(() => new ComputeClass({ ...computeClassSpec("gpu-l4", ["x"], {}), spec: { priorities: [{ nodepools: "x" }], whenUnsatisfiable: "Never" } } as never).validate());
    });

    it("validates against GKE 1.33's own ComputeClass CRD schema, unknown keys refused (pending until ../shared/crds/datree-catalog provides it)", function () {
        const spec = computeClassSpec("gpu-l4", ["gpu-l4-spot", "gpu-l4", "gpu-l4-flex"], { a: "b" });
        if (!fs.existsSync(SHARED_COMPUTECLASS_SCHEMA)) {
            // Not a pass: mocha reports it pending.
            this.skip();
        }
        const schema = JSON.parse(fs.readFileSync(SHARED_COMPUTECLASS_SCHEMA, "utf8"));
        const validate = new Ajv({ allErrors: true, unknownFormats: "ignore", logger: false }).compile(schema);
        assert.ok(validate(spec), JSON.stringify(validate.errors));
        assert.ok(!validate({ ...spec, spec: { ...spec.spec, priorities: [{ nodepools: ["x"], spot: true }], bogus: 1 } }), "the schema refuses an unknown key");
    });

    it("lists every rung in the outputs and tells steps to select the class", () => {
        const scheduling = output(prod, "gpuScheduling");
        assert.deepEqual(scheduling.nodeSelectorByGpuType["nvidia-l4"], { [COMPUTE_CLASS_LABEL]: "gpu-l4" });
        assert.deepEqual(scheduling.computeClasses["gpu-l4"].tries, ["gpu-l4-spot (spot, up to 4 nodes)", "gpu-l4 (on-demand, up to 4 nodes)", "gpu-l4-flex (flex-start, up to 2 nodes)"]);
        assert.equal(scheduling.computeClasses["gpu-l4"].decorator, '@kubernetes(gpu=1, node_selector={"cloud.google.com/compute-class": "gpu-l4"})');
        const pool = output(prod, "gpuPools")[0];
        assert.deepEqual(
            pool.ladder.rungs.map((r: { nodePool: string; maxGpus: number }) => [r.nodePool, r.maxGpus]),
            [
                ["gpu-l4-spot", 4],
                ["gpu-l4", 4],
                ["gpu-l4-flex", 2],
            ],
        );
    });

    it("asks for quota per rung: spot and flex-start draw on the preemptible GPU quota", () => {
        const { config } = rawConfig({ gpuPools: PROD_LADDER });
        const needs = Object.fromEntries(requiredQuotas(quotaPlanFromConfig(config)).map((n) => [n.metric, n]));
        // (max + 1 surge) per rung: spot 5, flex 3 preemptible; on-demand 5.
        assert.equal(needs.PREEMPTIBLE_NVIDIA_L4_GPUS.amount, 8);
        assert.match(needs.PREEMPTIBLE_NVIDIA_L4_GPUS.why, /gpu-l4-flex pool.*flex-start: preemptible quota/);
        assert.equal(needs.NVIDIA_L4_GPUS.amount, 5);
        assert.equal(needs.GPUS_ALL_REGIONS.amount, 13);
    });

    it("prices a step-hour per rung; flex-start at most at the on-demand price", () => {
        const { config } = rawConfig({ gpuPools: PROD_LADDER });
        const steps = Object.fromEntries(estimateCost(footprintFromConfig(config)).steps.map((s) => [s.pool, s]));
        assert.equal(steps["gpu-l4-spot"].configured, "spot");
        assert.equal(steps["gpu-l4"].configured, "on-demand");
        assert.equal(steps["gpu-l4-flex"].configured, "flex-start");
        assert.equal(steps["gpu-l4-flex"].onDemandUsdPerHour, steps["gpu-l4"].onDemandUsdPerHour);
        assert.match(steps["gpu-l4-flex"].note ?? "", /at most on-demand/);
    });

    it("refuses a ladder GKE or the GPU cannot serve, naming the key", () => {
        const problems = (raw: Record<string, unknown>) => ladderProblems(rawConfig(raw)).map((p) => [p.path.join("."), p.message]);
        const t4 = [{ name: "t4", gpuType: "nvidia-tesla-t4", machineType: "n1-standard-8", spot: true, ladder: { spot: { maxNodes: 2 }, flexStart: { maxNodes: 1 } } }];
        const found = problems({ gpuPools: t4 });
        assert.deepEqual(found.map(([k]) => k), ["gpuPools.0.ladder.spot", "gpuPools.0.ladder.flexStart"]);
        assert.match(found[0][1], /own capacity/);
        assert.match(found[1][1], /accelerator-optimized.*N1 \(n1-standard-8\)/);
        assert.match(problems({ cluster: { mode: "autopilot", regional: true }, gpuPools: PROD_LADDER })[0][1], /needs cluster.mode standard/);
        assert.match(problems({ services: { enabled: false, ui: false, argoWorkflows: false }, gpuPools: PROD_LADDER })[0][1], /needs services.enabled/);
        const clash = problems({ gpuPools: [...PROD_LADDER, { name: "l4-spot" }] });
        assert.deepEqual(clash, [["gpuPools.0.ladder.spot", "its node pool gpu-l4-spot is gpuPools[1]'s name; rename one of the pools"]]);
        assert.deepEqual(problems({ gpuPools: PROD_LADDER }), []);
    });

    it("is counted by gpu-quota rung by rung and judged by cost-budget at each rung's price", async () => {
        const violations = await checkRendered(prod, {
            ...policyConfigFor("prod", FIXTURE_STACKS),
            "gpu-quota": { maxTotalGpus: 8 },
            "cost-budget": { maxIdleMonthlyUsd: 10000, maxGpuHourUsd: 0.6 },
        });
        const quota = violations.find((v) => v.policy === "gpu-quota");
        assert.ok(quota, "4 + 4 + 2 GPUs over a limit of 8");
        assert.match(quota.message, /reach 10 GPUs/);
        assert.match(quota.message, /gpu-l4-flex-pool \(compute class gpu-l4\): 2 nodes/);
        const cost = violations.filter((v) => v.policy === "cost-budget").map((v) => v.message);
        assert.ok(cost.some((m) => /GPU pool gpu-l4 \(the on-demand rung of compute class gpu-l4\) costs about \$0\.88/.test(m)), cost.join("\n"));
        assert.ok(cost.some((m) => /GPU pool gpu-l4-flex \(the flex-start rung of compute class gpu-l4\) costs about \$0\.88/.test(m)), cost.join("\n"));
        assert.ok(!cost.some((m) => /gpu-l4-spot/.test(m)), `the spot rung fits the limit: ${cost.join("\n")}`);
    });
});
