/**
 * Fair queues (issue 22, config `queues`): Kueue from its pinned chart, configured for the Metaflow
 * namespace only, and the queues whose quota is what the pools hold. Checked against the chart
 * itself (../shared/charts/kueue-v0.19.2: values.yaml, the CRDs it installs, its webhook template)
 * and against the number the gpu-quota policy computes from the same node pools.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parsePlatformConfig } from "../components/config/config";
import { footprintFromConfig } from "../components/config/estimate";
import { queuePlanFromConfig } from "../components/config/queues";
import { queuesProblems } from "../components/config/rules/queues";
import { resolveConfig } from "../components/config/resolve";
import { platformSchema } from "../components/config/schema";
import { estimateCost } from "../components/estimate/cost";
import { helmChartArgs } from "../components/kubernetes/specs/chartSource";
import { KUEUE_CONTROLLER_SELECTOR, KUEUE_RELEASE, KUEUE_WEBHOOK_PORT, kueueManagerConfig, kueueObjects, kueueValues } from "../components/kubernetes/specs/kueue";
import { KUEUE_CHART, KUEUE_IMAGE } from "../components/kubernetes/specs/versions";
import { PROFILE_DEFAULTS, profileOf } from "../components/model/profiles";
import { QUEUE_NAME_LABEL, queuePlan } from "../components/model/queues";
import { poolFootprint } from "../policy/helpers";
import { ofType, output } from "../offline/query";
import type { RenderedStack } from "../offline/render";
import { SHARED_DIR, crdValidator } from "./harness/crdSchema";
import { fixtureStack, renderFixture } from "./harness/fixtures";

const CHART_DIR = path.join(SHARED_DIR, "charts", `kueue-v${KUEUE_CHART.version}`);
const KUEUE_KINDS = ["ResourceFlavor", "ClusterQueue", "LocalQueue"];
const TEAMS = { enabled: true, teams: [{ name: "vision", gpus: 2, cpus: 4 }, { name: "nlp", gpus: 1, cpus: 2, borrowing: false }] };

/** Prod's GPU pool with its ladder: 4 + 2 + 2 GPUs at maxNodes. */
const GPU_POOLS = [{ name: "l4", spot: false, maxNodes: 4, ladder: { spot: { maxNodes: 2 }, flexStart: { maxNodes: 2 } } }];

function configOf(raw: Record<string, unknown>) {
    const full = { project: "acme-ml-prod", region: "us-central1", environment: "prod", production: true, gpuPools: GPU_POOLS, ...raw };
    return resolveConfig(platformSchema(PROFILE_DEFAULTS[profileOf(full)]).parse(full));
}

/** Key paths of an object's leaves and maps, dotted. */
function keyPaths(value: unknown, prefix = ""): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return [prefix];
    }
    return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe("queues (Kueue)", () => {
    let prod: RenderedStack;
    before(async () => {
        prod = await fixtureStack("prod");
    });

    it("installs the pinned chart from its OCI registry, with the release's image instead of the chart's floating staging tag", function () {
        assert.deepEqual(helmChartArgs(KUEUE_CHART, undefined, { isDirectory: () => false, isFile: () => false, chartVersion: () => undefined }), {
            chart: "oci://registry.k8s.io/kueue/charts/kueue",
            version: "0.19.2",
        });
        const release = ofType(prod, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "kueue")!;
        assert.equal(release.inputs.namespace, "kueue-system");
        assert.deepEqual(release.inputs.values.controllerManager.manager.image, { repository: "registry.k8s.io/kueue/kueue", tag: "v0.19.2", pullPolicy: "IfNotPresent" });
        if (!fs.existsSync(CHART_DIR)) {
            this.skip();
        }
        const chart = YAML.parse(fs.readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8"));
        assert.equal(chart.version, KUEUE_CHART.version);
        assert.equal(chart.appVersion, KUEUE_IMAGE.tag, "image and chart are one release");
        const defaults = YAML.parse(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8"));
        assert.match(defaults.controllerManager.manager.image.repository, /k8s-staging-images/, "the chart's default is the staging image we replace");
    });

    it("creates the queue objects once Kueue's webhooks answer (a Service Pulumi awaits), and never waits on Helm's uninstall", function () {
        const release = ofType(prod, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === KUEUE_RELEASE)!;
        // Helm waits on uninstall when atomic or not skipAwait (pulumi-kubernetes helm_release.go Delete).
        assert.deepEqual([release.inputs.skipAwait, release.inputs.atomic ?? false, release.inputs.takeOwnership], [true, false, true]);
        const ready = ofType(prod, "kubernetes:core/v1:Service").find((r) => r.inputs.metadata.namespace === "kueue-system")!;
        assert.deepEqual(ready.inputs.spec.selector, KUEUE_CONTROLLER_SELECTOR);
        assert.equal(ready.inputs.spec.ports[0].targetPort, KUEUE_WEBHOOK_PORT.name);
        assert.equal(ready.inputs.metadata.annotations?.["pulumi.com/skipAwait"], undefined, "the provider must wait for its endpoints");
        for (const kind of KUEUE_KINDS) {
            for (const object of ofType(prod, `kubernetes:kueue.x-k8s.io/v1beta2:${kind}`)) {
                assert.ok(object.dependencies.includes(ready.urn), `${kind} ${object.name} does not wait for the readiness Service`);
            }
        }
        if (!fs.existsSync(CHART_DIR)) {
            this.skip();
        }
        // The selector and port are the chart's (templates/_helpers.tpl, templates/manager/manager.yaml).
        const helpers = fs.readFileSync(path.join(CHART_DIR, "templates", "_helpers.tpl"), "utf8");
        assert.match(helpers, /define "kueue\.selectorLabels" -\}\}\napp\.kubernetes\.io\/name: \{\{ include "kueue\.name" \. \}\}\napp\.kubernetes\.io\/instance: \{\{ \.Release\.Name \}\}\ncontrol-plane: controller-manager\n/);
        const manager = fs.readFileSync(path.join(CHART_DIR, "templates", "manager", "manager.yaml"), "utf8");
        assert.match(manager, new RegExp(`containerPort: ${KUEUE_WEBHOOK_PORT.port}\\n\\s+name: ${KUEUE_WEBHOOK_PORT.name}`));
        assert.match(manager, /readinessProbe:\n\s+httpGet:\n\s+path: \/readyz/);
        // Why the release does not wait: the chart's aggregating ClusterRoles, which the aggregation
        // controller re-creates during an uninstall. If a chart version drops them, the wait can return.
        const aggregating = fs.readdirSync(path.join(CHART_DIR, "templates", "rbac")).filter((f) => /aggregationRule:/.test(fs.readFileSync(path.join(CHART_DIR, "templates", "rbac", f), "utf8")));
        assert.deepEqual(aggregating.sort(), ["batch_admin_role.yaml", "batch_user_role.yaml"]);
    });

    it("sets only values keys the pinned chart's values.yaml has (resources pass through whole)", function () {
        if (!fs.existsSync(CHART_DIR)) {
            this.skip();
        }
        const defaults = YAML.parse(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8"));
        const known = new Set(keyPaths(defaults));
        const ours = keyPaths(kueueValues("metaflow-prod", 2, true)).filter((k) => !k.startsWith("controllerManager.manager.resources."));
        assert.deepEqual(ours.filter((k) => !known.has(k)), []);
        const misspelt = keyPaths({ controllerManager: { replica: 2, manager: { image: { tags: "v1" } } } });
        assert.deepEqual(misspelt.filter((k) => !known.has(k)), ["controllerManager.replica", "controllerManager.manager.image.tags"], "the check is real");
    });

    it("configures Kueue for the Metaflow namespace only: its pod webhook (fail-closed) takes that selector, and only batch/job and pod are on", function () {
        const config = kueueManagerConfig("metaflow-prod", false);
        assert.deepEqual(config.managedJobsNamespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "metaflow-prod" } });
        assert.deepEqual((config.integrations as { frameworks: string[] }).frameworks, ["batch/job", "pod"]);
        assert.equal(config.manageJobsWithoutQueueName, false);
        assert.deepEqual(config.resources, { quotaCheckStrategy: "IgnoreUndeclared" });
        if (!fs.existsSync(CHART_DIR)) {
            this.skip();
        }
        // Every setting the chart's own default configuration has, we keep (health, metrics, webhook port, leader election...).
        const defaults = YAML.parse(YAML.parse(fs.readFileSync(path.join(CHART_DIR, "values.yaml"), "utf8")).managerConfig.controllerManagerConfigYaml);
        const { integrations: _i, ...chartSettings } = defaults;
        for (const [key, value] of Object.entries(chartSettings)) {
            assert.deepEqual(config[key], value, key);
        }
        const webhooks = fs.readFileSync(path.join(CHART_DIR, "templates", "webhook", "manifests.yaml"), "utf8");
        const podWebhook = webhooks.slice(webhooks.indexOf("name: mpod.kb.io"), webhooks.indexOf("rules:", webhooks.indexOf("name: mpod.kb.io")));
        assert.match(podWebhook, /failurePolicy: Fail/);
        assert.match(podWebhook, /toYaml \$managerConfig\.managedJobsNamespaceSelector/, "the pod webhook's namespaceSelector is our selector");
    });

    it("every queue object validates against the chart's CRDs (v1beta2, the storage version), fields the server would prune refused", function () {
        if (!fs.existsSync(CHART_DIR)) {
            this.skip();
        }
        const crd = (kind: string) => path.join(CHART_DIR, "templates", "crd", `kueue.x-k8s.io_${kind.toLowerCase()}s.yaml`);
        const validators = Object.fromEntries(KUEUE_KINDS.map((k) => [k, crdValidator(crd(k), "v1beta2")]));
        const plan = queuePlan("prod", { cpuMillis: 20000, gpus: 8 }, TEAMS.teams.map((t) => ({ borrowing: true, ...t })));
        const objects = kueueObjects("prod", "metaflow-prod", plan, { a: "b" });
        assert.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), [...KUEUE_KINDS].sort());
        for (const object of objects) {
            assert.deepEqual(validators[object.kind](object), [], `${object.kind} ${object.metadata.name}`);
        }
        const rendered = ofType(prod, "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue")[0].inputs;
        assert.deepEqual(validators.ClusterQueue(rendered), []);
        assert.match(validators.ClusterQueue({ ...rendered, spec: { ...rendered.spec, cohort: "old-v1beta1-name" } }).join(), /additional properties \(cohort\)/, "v1beta1's field is refused");
    });

    it("gives the environment's ClusterQueue the GPUs the gpu-quota policy counts from the same node pools", () => {
        const cq = ofType(prod, "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue")[0].inputs;
        const quota = Object.fromEntries(cq.spec.resourceGroups[0].flavors[0].resources.map((r: { name: string; nominalQuota: string }) => [r.name, r.nominalQuota]));
        const policyCount = ofType(prod, "gcp:container/nodePool:NodePool")
            .map((r) => poolFootprint(r.inputs))
            .reduce((sum, p) => sum + (typeof p.gpusPerNode === "number" ? p.maxNodes * p.gpusPerNode : 0), 0);
        assert.ok(policyCount > 0);
        assert.equal(Number(quota["nvidia.com/gpu"]), policyCount);
        assert.ok(Number(quota.cpu.replace(/m$/, "")) > 0);
        assert.deepEqual(cq.spec.namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": output(prod, "kubernetesNamespace") } });
    });

    it("labels every step for the queue through the profile (Metaflow's METAFLOW_KUBERNETES_LABELS, k=v)", () => {
        assert.equal(output(prod, "metaflowConfig").METAFLOW_KUBERNETES_LABELS, `${QUEUE_NAME_LABEL}=metaflow`);
        const local = ofType(prod, "kubernetes:kueue.x-k8s.io/v1beta2:LocalQueue").map((r) => r.inputs);
        assert.deepEqual(local.map((q) => [q.metadata.name, q.metadata.namespace, q.spec.clusterQueue]), [["metaflow", output(prod, "kubernetesNamespace"), "metaflow-prod"]]);
    });

    it("carves team guarantees out of the environment's quota, in one cohort; a team without borrowing gets a borrowing limit of 0", () => {
        const cfg = configOf({ queues: TEAMS });
        const plan = queuePlanFromConfig(cfg);
        const whole = queuePlanFromConfig(configOf({ queues: { enabled: true } }));
        assert.equal(plan.environment.gpus, whole.environment.gpus - 3);
        assert.equal(plan.environment.cpuMillis, whole.environment.cpuMillis - 6000);
        assert.equal(plan.cohort, "metaflow-prod");
        const nlp = kueueObjects("prod", "metaflow-prod", plan, {}).find((o) => o.metadata.name === "metaflow-prod-nlp")!;
        const resources = (nlp.spec.resourceGroups as any)[0].flavors[0].resources;
        assert.deepEqual(resources, [
            { name: "cpu", nominalQuota: "2000m", borrowingLimit: "0" },
            { name: "nvidia.com/gpu", nominalQuota: "1", borrowingLimit: "0" },
        ]);
        assert.deepEqual(nlp.spec.preemption, { reclaimWithinCohort: "Any", withinClusterQueue: "Never" });
        assert.ok("fairSharing" in kueueManagerConfig("metaflow-prod", true) && !("fairSharing" in kueueManagerConfig("metaflow-prod", false)));
    });

    it("refuses queues that cannot exist or guarantees beyond the pools, naming the key", () => {
        const problems = (raw: Record<string, unknown>) => queuesProblems({ config: configOf(raw), given: platformSchema(PROFILE_DEFAULTS.production).parse({ project: "acme-ml-prod", environment: "prod", production: true }) }).map((p) => [p.path.join("."), p.message]);
        assert.match(problems({ queues: { enabled: true }, cluster: { mode: "autopilot", regional: true } })[0][1], /needs cluster.mode standard/);
        assert.match(problems({ queues: { enabled: true }, services: { enabled: false, ui: false, argoWorkflows: false } })[0][1], /needs services.enabled/);
        assert.deepEqual(problems({ queues: { enabled: false, teams: [{ name: "ab" }] } }), [["queues.teams", "team queues need queues.enabled: true"]]);
        assert.deepEqual(problems({ queues: { enabled: true, teams: [{ name: "metaflow" }, { name: "x1" }, { name: "x1" }] } }).map(([k]) => k), ["queues.teams.0.name", "queues.teams.2.name"]);
        const tooMany = problems({ queues: { enabled: true, teams: [{ name: "vision", gpus: 100 }] } });
        assert.match(tooMany[0][1], /guarantee 100 GPUs in total, but the GPU pools hold \d+ at maxNodes/);
        assert.deepEqual(problems({ queues: TEAMS }), []);
    });

    it("adds nothing to dev, which has no queues, and no cost to its estimate", async () => {
        const dev = await fixtureStack("dev");
        assert.equal(ofType(dev, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.name === "kueue").length, 0);
        assert.equal(output(dev, "metaflowConfig").METAFLOW_KUBERNETES_LABELS, undefined);
        const withQueues = await renderFixture("dev", { config: { "metaflow-gcp:queues": { enabled: true } } });
        const cfg = parsePlatformConfig({ project: "acme-ml-dev", environment: "dev" });
        assert.equal(estimateCost(footprintFromConfig(cfg)).idleMonthlyUsd, estimateCost(footprintFromConfig({ ...cfg, queues: { enabled: true, teams: [] } })).idleMonthlyUsd, "a Standard cluster's nodes are billed the same");
        assert.equal(ofType(withQueues, "kubernetes:kueue.x-k8s.io/v1beta2:ClusterQueue").length, 1);
    });
});
