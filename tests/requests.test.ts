import { strict as assert } from "assert";
import {
    ARGO_EVENTS_VALUE_KEYS,
    ARGO_WORKFLOWS_VALUE_KEYS,
    EVENTBUS_SPEC_KEYS,
    EVENTSOURCE_SPEC_KEYS,
    unverifiedKeys,
} from "./fixtures/chartValueKeys";
import { cpuCores, gibibytes } from "../components/model/workloadRequests";
import { ofType } from "../offline/query";
import type { RenderedStack } from "../offline/render";
import { fixtureStack } from "./harness/fixtures";

type Resources = { requests?: { cpu?: string; memory?: string }; limits?: { memory?: string } } | undefined;

/** Every always-on container of a stack with its `resources`: Deployments, chart values, Argo Events CRs. */
function alwaysOnContainers(stack: RenderedStack): Array<{ where: string; resources: Resources }> {
    const found: Array<{ where: string; resources: Resources }> = [];
    for (const d of ofType(stack, "kubernetes:apps/v1:Deployment")) {
        const spec = d.inputs.spec.template.spec;
        for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
            found.push({ where: `Deployment ${d.inputs.metadata.name} container ${c.name}`, resources: c.resources });
        }
    }
    for (const release of ofType(stack, "kubernetes:helm.sh/v3:Release")) {
        const v = release.inputs.values;
        if (release.inputs.chart === "argo-workflows") {
            found.push({ where: "argo-workflows controller", resources: v.controller?.resources });
            found.push({ where: "argo-workflows server", resources: v.server?.resources });
        } else if (release.inputs.chart === "argo-events") {
            found.push({ where: "argo-events controller", resources: v.controller?.resources });
        }
    }
    for (const bus of ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventBus")) {
        const js = bus.inputs.spec.jetstream;
        found.push({ where: "EventBus main", resources: js.containerTemplate?.resources });
        found.push({ where: "EventBus reloader", resources: js.reloaderContainerTemplate?.resources });
        found.push({ where: "EventBus metrics", resources: js.metricsContainerTemplate?.resources });
    }
    for (const source of ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventSource")) {
        found.push({ where: "EventSource main", resources: source.inputs.spec.template?.container?.resources });
    }
    return found;
}

describe("requests on every always-on container", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("ours and the charts' (Argo server and controller, Argo Events controller, EventBus, EventSource) set CPU and memory requests and a memory limit", () => {
        const prodContainers = alwaysOnContainers(prod);
        // prod runs all of them: 4 Deployment containers (+ init), 2 Argo Workflows, 1 Argo Events, 3 EventBus, 1 EventSource.
        for (const where of ["argo-workflows server", "argo-events controller", "EventBus main", "EventBus reloader", "EventBus metrics", "EventSource main"]) {
            assert.ok(prodContainers.some((c) => c.where === where), where);
        }
        for (const { where, resources } of [...alwaysOnContainers(dev), ...prodContainers]) {
            assert.ok(resources?.requests?.cpu && cpuCores(resources.requests.cpu) > 0, `${where}: CPU request`);
            assert.ok(resources?.requests?.memory && gibibytes(resources.requests.memory) > 0, `${where}: memory request`);
            assert.ok(resources?.limits?.memory, `${where}: memory limit`);
            assert.ok(gibibytes(resources.limits.memory) >= gibibytes(resources.requests.memory), `${where}: limit below request`);
            // Autopilot would raise a Pod below 50m / 52 MiB (REFERENCE.md, Autopilot billing); our Pods are above it.
        }
    });

    it("the Helm values we render use only keys verified in the charts' values.yaml at the pinned versions", () => {
        for (const stack of [dev, prod]) {
            for (const release of ofType(stack, "kubernetes:helm.sh/v3:Release")) {
                const verified = release.inputs.chart === "argo-workflows" ? ARGO_WORKFLOWS_VALUE_KEYS : release.inputs.chart === "argo-events" ? ARGO_EVENTS_VALUE_KEYS : undefined;
                if (verified) {
                    assert.deepEqual(unverifiedKeys(release.inputs.values, verified), [], `${stack.stack} ${release.inputs.chart}`);
                }
            }
            for (const bus of ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventBus")) {
                assert.deepEqual(unverifiedKeys(bus.inputs.spec, EVENTBUS_SPEC_KEYS), []);
            }
            for (const source of ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventSource")) {
                assert.deepEqual(unverifiedKeys(source.inputs.spec, EVENTSOURCE_SPEC_KEYS), []);
            }
        }
    });

    it("the key check is real: a misspelt key or a sibling of a verified key is caught", () => {
        assert.deepEqual(unverifiedKeys({ server: { resource: { requests: { cpu: "1" } } } }, ARGO_WORKFLOWS_VALUE_KEYS), ["server.resource.requests.cpu"]);
        assert.deepEqual(unverifiedKeys({ controller: { resourcesX: 1, resources: { limits: { memory: "1Gi" } } } }, ARGO_EVENTS_VALUE_KEYS), ["controller.resourcesX"]);
        assert.deepEqual(unverifiedKeys({ jetstream: { containerTemplate: { env: [] } } }, EVENTBUS_SPEC_KEYS), ["jetstream.containerTemplate.env"]);
    });

    it("quantities parse as Kubernetes reads them", () => {
        assert.equal(cpuCores("250m"), 0.25);
        assert.equal(cpuCores("2"), 2);
        assert.equal(gibibytes("512Mi"), 0.5);
        assert.equal(gibibytes("2Gi"), 2);
        assert.equal(gibibytes("4096M"), 4.096e9 / 2 ** 30);
        assert.throws(() => cpuCores("lots"), /not a CPU quantity/);
    });
});
