import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { METAFLOW_CONFIG_KEYS } from "../components/model/metaflowConfig";
import { TASK_IMAGE_TAG } from "../components/model/taskImage";
import { checkProfile, writeProfile } from "../scripts/profile";
import { backoffMs, forwardsFor, portForwardArgs } from "../scripts/tunnel";
import { ofType, one, output } from "../offline/query";
import { type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture } from "./harness/fixtures";

describe("metaflowConfig (the Metaflow client profile)", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("uses only keys Metaflow reads, all strings, and is not a secret", () => {
        for (const stack of [dev, prod]) {
            const profile = output(stack, "metaflowConfig");
            assert.equal(stack.outputs.metaflowConfig.secret, false);
            for (const [key, value] of Object.entries(profile)) {
                assert.ok((METAFLOW_CONFIG_KEYS as readonly string[]).includes(key), `${key} is not a Metaflow key`);
                assert.equal(typeof value, "string");
            }
            assert.ok(!("METAFLOW_DEFAULT_DOCKER_REGISTRY" in profile), "not a key Metaflow reads");
        }
    });

    it("agrees with what was deployed: bucket, namespace, service account, image in our registry, metadata service", () => {
        const profile = output(dev, "metaflowConfig");
        assert.equal(profile.METAFLOW_DEFAULT_DATASTORE, "gs");
        assert.equal(profile.METAFLOW_DATASTORE_SYSROOT_GS, `gs://${one(dev, "gcp:storage/bucket:Bucket").state.name}/metaflow`);
        const namespace = one(dev, "kubernetes:core/v1:Namespace").inputs.metadata.name;
        assert.equal(profile.METAFLOW_KUBERNETES_NAMESPACE, namespace);
        const taskKsa = ofType(dev, "kubernetes:core/v1:ServiceAccount").find((s) => s.inputs.metadata.name === profile.METAFLOW_KUBERNETES_SERVICE_ACCOUNT);
        assert.ok(taskKsa, "the profile's service account exists in the namespace");
        assert.equal(taskKsa.inputs.metadata.namespace, namespace);
        assert.equal(profile.METAFLOW_KUBERNETES_CONTAINER_IMAGE, `${output(dev, "registryUrl")}/metaflow-task:${TASK_IMAGE_TAG}`);
        const metadataSvc = ofType(dev, "kubernetes:core/v1:Service").find((s) => s.inputs.metadata.name === "metaflow-metadata")!;
        assert.equal(profile.METAFLOW_SERVICE_INTERNAL_URL, `http://metaflow-metadata.${namespace}.svc.cluster.local:${metadataSvc.inputs.spec.ports[0].port}`);
        assert.equal(profile.METAFLOW_SERVICE_URL, "http://localhost:8080");
        assert.equal(profile.METAFLOW_DEFAULT_METADATA, "service");
    });

    it("never sets METAFLOW_KUBERNETES_CONTAINER_REGISTRY: an image given without a registry stays as written", async () => {
        // Metaflow prefixes that registry onto any image without one (metaflow 2.19.39
        // plugins/kubernetes/kubernetes_decorator.py); tests/python/test_argo_compile.py shows the
        // compiled template keeps `python:3.11` as written.
        const autopilot = await fixtureStack("dev", { config: { "metaflow-gcp:cluster": { mode: "autopilot" } } });
        for (const stack of [dev, prod, autopilot]) {
            const profile = output(stack, "metaflowConfig");
            assert.ok(!("METAFLOW_KUBERNETES_CONTAINER_REGISTRY" in profile));
            assert.ok(!Object.keys(profile).some((key) => key.endsWith("CONTAINER_REGISTRY")), "nor DEFAULT_CONTAINER_REGISTRY, its fallback");
        }
        assert.ok(!(METAFLOW_CONFIG_KEYS as readonly string[]).includes("METAFLOW_KUBERNETES_CONTAINER_REGISTRY"));
        assert.throws(() => checkProfile({ METAFLOW_KUBERNETES_CONTAINER_REGISTRY: "x" }), /METAFLOW_KUBERNETES_CONTAINER_REGISTRY/, "npm run profile refuses it");
    });

    it("contains no secret: neither the database password nor the kubeconfig", () => {
        for (const stack of [dev, prod]) {
            const text = JSON.stringify(output(stack, "metaflowConfig"));
            assert.ok(!text.includes(one(stack, "random:index/randomPassword:RandomPassword").state.result));
            assert.ok(!text.includes("certificate-authority"));
        }
    });

    it("sends only GPU steps to GPU nodes: no global node selector or toleration", () => {
        const profile = output(prod, "metaflowConfig");
        assert.equal(profile.METAFLOW_KUBERNETES_NODE_SELECTOR, undefined);
        assert.equal(profile.METAFLOW_KUBERNETES_TOLERATIONS, undefined);
        assert.equal(profile.METAFLOW_KUBERNETES_GPU_VENDOR, "nvidia");
    });

    it("Argo Events keys appear only where Argo Events is deployed, pointing at what was created", () => {
        const devProfile = output(dev, "metaflowConfig");
        assert.equal(Object.keys(devProfile).filter((k) => k.startsWith("METAFLOW_ARGO_EVENTS")).length, 0);
        const prodProfile = output(prod, "metaflowConfig");
        const source = ofType(prod, "kubernetes:argoproj.io/v1alpha1:EventSource")[0].inputs;
        assert.equal(prodProfile.METAFLOW_ARGO_EVENTS_EVENT_SOURCE, source.metadata.name);
        assert.ok(prodProfile.METAFLOW_ARGO_EVENTS_EVENT in source.spec.webhook);
        assert.equal(prodProfile.METAFLOW_ARGO_EVENTS_EVENT_BUS, ofType(prod, "kubernetes:argoproj.io/v1alpha1:EventBus")[0].inputs.metadata.name);
        assert.equal(prodProfile.METAFLOW_ARGO_EVENTS_SERVICE_ACCOUNT, "argo-events-sensor");
        assert.match(prodProfile.METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL, /^http:\/\/metaflow-webhook-eventsource-svc\.metaflow-prod\.svc\.cluster\.local:12000\/metaflow-event$/);
    });

    it("turning Argo Workflows and the UI off removes their keys (Airflow instead)", async () => {
        const stack = await renderFixture("dev", {
            config: { "metaflow-gcp:services": { argoWorkflows: false, airflow: true, ui: false }, "metaflow-gcp:database": { tier: "db-custom-1-3840" } },
        });
        const profile = output(stack, "metaflowConfig");
        assert.equal(profile.METAFLOW_ARGO_WORKFLOWS_UI_URL, undefined);
        assert.equal(profile.METAFLOW_UI_URL, undefined);
        assert.ok(!ofType(stack, "kubernetes:helm.sh/v3:Release").some((r) => r.inputs.chart === "argo-workflows"));
        const airflow = ofType(stack, "kubernetes:helm.sh/v3:Release").find((r) => r.inputs.chart === "airflow")!;
        assert.equal(airflow.inputs.values.scheduler.serviceAccount.name, "airflow");
        assert.equal(ofType(stack, "kubernetes:apps/v1:Deployment").filter((d) => d.inputs.metadata.name.startsWith("metaflow-ui")).length, 0);
    });

    it("sets pod sizes Autopilot accepts in Autopilot mode only", async () => {
        assert.equal(output(dev, "metaflowConfig").METAFLOW_KUBERNETES_CPU, undefined);
        const stack = await fixtureStack("dev", { config: { "metaflow-gcp:cluster": { mode: "autopilot" } } });
        const profile = output(stack, "metaflowConfig");
        assert.deepEqual([profile.METAFLOW_KUBERNETES_CPU, profile.METAFLOW_KUBERNETES_MEMORY, profile.METAFLOW_KUBERNETES_DISK], ["1", "4096", "8192"]);
    });

    it("no services, no profile", async () => {
        const stack = await renderFixture("dev", { config: { "metaflow-gcp:services": { enabled: false } } });
        assert.equal(output(stack, "metaflowConfig"), undefined);
        assert.equal(ofType(stack, "kubernetes:core/v1:Namespace").length, 0);
    });
});

describe("profile and tunnel scripts", () => {
    it("writes config_<stack>.json with exactly the stack's profile", async () => {
        const profile = output(await fixtureStack("dev"), "metaflowConfig");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mfcfg-"));
        const file = writeProfile(checkProfile(profile), "dev", dir);
        assert.equal(path.basename(file), "config_dev.json");
        assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), profile);
        fs.rmSync(dir, { recursive: true });
    });

    it("refuses a profile with a key Metaflow does not read", () => {
        assert.throws(() => checkProfile({ METAFLOW_DEFAULT_DOCKER_REGISTRY: "x" }), /METAFLOW_DEFAULT_DOCKER_REGISTRY, which is not a key this platform sets/);
        assert.throws(() => checkProfile(undefined), /no metaflowConfig output/);
    });

    it("forwards the services that are deployed, on loopback, with capped backoff", async () => {
        const devProfile = output(await fixtureStack("dev"), "metaflowConfig");
        const devForwards = forwardsFor({ metaflowConfig: devProfile });
        assert.deepEqual(devForwards.map((f) => `${f.service}:${f.localPort}`), ["metaflow-metadata:8080", "metaflow-ui-backend:8083", "argo-workflows-server:2746"]);
        // The UI link Metaflow prints opens the backend's port: UI and API on one origin.
        assert.equal(devProfile.METAFLOW_UI_URL, `http://localhost:${devForwards.find((f) => f.service === "metaflow-ui-backend")!.localPort}`);
        const prodForwards = forwardsFor({ metaflowConfig: output(await fixtureStack("prod"), "metaflowConfig") });
        assert.ok(prodForwards.some((f) => f.service === "metaflow-webhook-eventsource-svc"));
        assert.deepEqual(portForwardArgs(devForwards[0], "metaflow-dev", "/tmp/k").slice(3, 5), ["--address", "127.0.0.1"]);
        assert.deepEqual([1, 2, 3, 6, 10].map(backoffMs), [1000, 2000, 4000, 30000, 30000]);
    });
});
