import { strict as assert } from "assert";
import { servicesSizing } from "../components/config/sizing";
import * as fs from "fs";
import * as path from "path";
import { machineShape } from "../components/model/catalog";
import { parsePlatformConfig, type PlatformConfig } from "../components/config/config";
import { AUTOPILOT_DEFAULT_RESOURCES } from "../components/model/metaflowConfig";
import {
    METAFLOW_DEFAULT_STEP,
    autopilotStepProblem,
    largestCpuStep,
    largestGpuStep,
    mbToMib,
    mibToMb,
    nodeAllocatable,
    nodeEphemeralStorageMiB,
    servicesRequests,
    cpuMachinesThatFit,
    cpuPoolPlan,
    stepFits,
    stepRoomBesideServices,
    type StepSize,
} from "../components/model/sizing";
import { ofType, output } from "../offline/query";
import { REPO_ROOT, type RenderedStack } from "../offline/render";
import { fixtureStack, fixtureStacks } from "./harness/fixtures";

/** The validated config a rendered stack was built from. */
function configOf(stack: RenderedStack): PlatformConfig {
    const raw: Record<string, unknown> = { project: stack.config["gcp:project"], region: stack.config["gcp:region"] };
    for (const [key, text] of Object.entries(stack.config)) {
        const [ns, name] = key.split(":");
        if (ns === "metaflow-gcp") {
            try {
                raw[name] = JSON.parse(text);
            } catch {
                raw[name] = text;
            }
        }
    }
    return parsePlatformConfig(raw);
}

/** A Kubernetes quantity in millicores (cpu) or MiB (memory). */
function quantity(value: string | number, kind: "cpu" | "memory"): number {
    const text = String(value);
    const match = /^([0-9.]+)(m|Ki|Mi|Gi|k|M|G)?$/.exec(text);
    assert.ok(match, `unparsable quantity ${text}`);
    const n = Number(match[1]);
    const unit = match[2] ?? "";
    if (kind === "cpu") {
        return unit === "m" ? n : n * 1000;
    }
    const bytes: Record<string, number> = { "": 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9 };
    return (n * bytes[unit]) / 1024 ** 2;
}

/** What a pod template asks the scheduler for: max(any init container, sum of containers). */
function podRequests(spec: any): { cpuMillis: number; memoryMiB: number } {
    const of = (c: any, kind: "cpu" | "memory") => (c.resources?.requests?.[kind] === undefined ? 0 : quantity(c.resources.requests[kind], kind));
    const sum = (kind: "cpu" | "memory") => spec.containers.reduce((t: number, c: any) => t + of(c, kind), 0);
    const init = (kind: "cpu" | "memory") => Math.max(0, ...(spec.initContainers ?? []).map((c: any) => of(c, kind)));
    return { cpuMillis: Math.max(sum("cpu"), init("cpu")), memoryMiB: Math.max(sum("memory"), init("memory")) };
}

/** Every `resources.requests` in a chart's values, times the `replicas` beside it. */
function chartRequests(values: any): { cpuMillis: number; memoryMiB: number } {
    const total = { cpuMillis: 0, memoryMiB: 0 };
    // A `replicas` applies to the resources at its level and below (Kueue's chart sets
    // controllerManager.replicas beside controllerManager.manager.resources).
    const walk = (node: any, inherited: number) => {
        if (node === null || typeof node !== "object") {
            return;
        }
        const replicas = typeof node.replicas === "number" ? node.replicas : inherited;
        const requests = node.resources?.requests;
        if (requests) {
            total.cpuMillis += replicas * (requests.cpu === undefined ? 0 : quantity(requests.cpu, "cpu"));
            total.memoryMiB += replicas * (requests.memory === undefined ? 0 : quantity(requests.memory, "memory"));
        }
        Object.values(node).forEach((child) => walk(child, replicas));
    };
    walk(values, 1);
    return total;
}

describe("node allocatable and step sizes (GKE's reservation formula)", () => {
    it("machine shapes come from the catalog, in Compute Engine's MiB", () => {
        assert.deepEqual(machineShape("e2-standard-4"), { vcpus: 4, memoryMb: 16384 });
        assert.deepEqual(machineShape("n1-standard-1"), { vcpus: 1, memoryMb: 3840 });
        assert.deepEqual(machineShape("n1-highcpu-2"), { vcpus: 2, memoryMb: 1843 });
        assert.deepEqual(machineShape("g2-standard-8"), { vcpus: 8, memoryMb: 32768 });
        assert.deepEqual(machineShape("a2-highgpu-1g"), { vcpus: 12, memoryMb: 87040 });
        assert.equal(machineShape("e2-standard-3"), undefined, "no such size");
        assert.equal(machineShape("z9-standard-4"), undefined);
        assert.throws(() => nodeAllocatable("z9-standard-4"), /unknown machine type "z9-standard-4"; known series: e2-standard/);
    });

    it("e2-standard-4 offers pods 3.92 vCPU and ~13.3 GiB (hand-computed)", () => {
        // CPU: 4000m - (60 + 10 + 5 + 5) = 3920m. Memory: 16 GiB - (25% of 4 + 20% of 4 + 10% of 8 GiB = 2.6 GiB)
        // - 100 MiB eviction threshold = 16384 - 2662.4 - 100 = 13621.6 MiB.
        assert.deepEqual(nodeAllocatable("e2-standard-4"), { cpuMillis: 3920, memoryMiB: 13621 });
    });

    it("matches GKE's published figures for small machines", () => {
        // n1-standard-1: 940m allocatable (knative/serving#271: "a single core VM has 940m in GKE").
        assert.equal(nodeAllocatable("n1-standard-1").cpuMillis, 940);
        // n1-standard-2 (7.5 GiB): GKE's docs example, 5.7 GiB allocatable (hail-is/hail#10117 quotes it).
        assert.equal((nodeAllocatable("n1-standard-2").memoryMiB / 1024).toFixed(1), "5.7");
    });

    it("image streaming reserves more memory on GPU nodes (hand-computed g2-standard-8)", () => {
        // 32 GiB: standard 1 + 0.8 + 0.8 + 6% of 16 = 3.56 GiB; streaming 0.4 + 0.32 + 0.32 + 2.4% of 16 = 1.424 GiB.
        // 32768 - 3645.44 - 1458.18 - 100 = 27564.4 MiB.
        assert.deepEqual(nodeAllocatable("g2-standard-8", { imageStreaming: true }), { cpuMillis: 7910, memoryMiB: 27564 });
        assert.equal(nodeAllocatable("g2-standard-8").memoryMiB, 29022);
    });

    it("ephemeral storage: boot disk minus 10% eviction threshold and min(50%, 6 GiB + 35%, 100 GiB)", () => {
        assert.equal(nodeEphemeralStorageMiB(100), 49 * 1024); // 100 - 10 - 41
        assert.equal(nodeEphemeralStorageMiB(30), 12 * 1024); // 30 - 3 - 15
        assert.equal(nodeEphemeralStorageMiB(500), 350 * 1024); // 500 - 50 - 100
    });

    it("Metaflow's MB are 10^6 bytes: a 4096 MB step takes 3907 MiB, and 13621 MiB holds 14282 MB", () => {
        assert.equal(mbToMib(4096), 3907);
        assert.equal(mibToMb(13621), 14282);
    });

    it("the README's old @kubernetes(cpu=4, memory=16000) can never run on e2-standard-4", () => {
        const pool = { machineType: "e2-standard-4", maxNodes: 3, diskSizeGb: 100 };
        const services = { enabled: true, metadataReplicas: 1, ui: true, uiReplicas: 1, argoWorkflows: true };
        const room = largestCpuStep(pool, services);
        assert.ok(!stepFits({ cpu: 4, memoryMb: 16000, diskMb: 10240 }, room));
        assert.ok(stepFits({ cpu: 3, memoryMb: 12000, diskMb: 10240 }, room));
    });

    it("a one-node pool shares its only node with the services; a bigger pool gives a step a node of its own", () => {
        const services = { enabled: true, metadataReplicas: 1, ui: true, uiReplicas: 1, argoWorkflows: true };
        const one = largestCpuStep({ machineType: "e2-standard-4", maxNodes: 1, diskSizeGb: 100 }, services);
        const many = largestCpuStep({ machineType: "e2-standard-4", maxNodes: 3, diskSizeGb: 100 }, services);
        assert.deepEqual(one, stepRoomBesideServices({ machineType: "e2-standard-4", maxNodes: 1, diskSizeGb: 100 }, services));
        assert.ok(one.cpu < many.cpu && one.memoryMb < many.memoryMb);
    });

    it("cpuPoolPlan: dev's e2-standard-2 carries the services on one node and gives the default step a fresh one", () => {
        // e2-standard-2 allocatable (GKE formula): 2000 - (60 + 10) = 1930m; 8192 - (1024 + 819.2) - 100 = 6248 MiB.
        // After DaemonSets (400m / 600 MiB): 1530m / 5648 MiB per node.
        // Always-on: dev's services 500m / 1152 MiB + add-ons 700m / 500 MiB = 1200m / 1652 MiB: one node.
        const services = { enabled: true, metadataReplicas: 1, ui: true, uiReplicas: 1, argoWorkflows: true };
        const plan = cpuPoolPlan({ machineType: "e2-standard-2", maxNodes: 3, diskSizeGb: 30 }, services);
        assert.deepEqual(plan.perNode, { cpuMillis: 1530, memoryMiB: 5648 });
        assert.deepEqual(plan.alwaysOn, { cpuMillis: 1200, memoryMiB: 1652 });
        assert.equal(plan.servicesNodes, 1);
        assert.equal(plan.stepNode, "fresh node");
        // 1530m -> 1.53 CPU; 5648 MiB -> 5922 MB; 30 GB disk: (30 - 3 - 15) GiB = 12288 MiB -> 12884 MB.
        assert.deepEqual(plan.stepRoom, { cpu: 1.53, memoryMb: 5922, diskMb: 12884, gpus: 0 });
        assert.ok(stepFits(METAFLOW_DEFAULT_STEP, plan.stepRoom));
        // maxNodes 1: no node beyond the services' one, so the step shares it: 1530 - 1200 = 330m.
        const shared = cpuPoolPlan({ machineType: "e2-standard-2", maxNodes: 1, diskSizeGb: 30 }, services);
        assert.equal(shared.stepNode, "beside services");
        assert.equal(shared.stepRoom.cpu, 0.33);
        assert.ok(!stepFits(METAFLOW_DEFAULT_STEP, shared.stepRoom));
    });

    it("cpuPoolPlan: always-on pods beyond one node need more nodes, and the step a node beyond those", () => {
        // Ten replicas each: 5000m of services + 700m add-ons = 5700m; 3520m per e2-standard-4 after DaemonSets: 2 nodes.
        const services = { enabled: true, metadataReplicas: 10, ui: true, uiReplicas: 10, argoWorkflows: true };
        assert.equal(servicesRequests(services).cpuMillis, 5000);
        const two = cpuPoolPlan({ machineType: "e2-standard-4", maxNodes: 2, diskSizeGb: 100 }, services);
        assert.equal(two.servicesNodes, 2);
        assert.equal(two.stepNode, "beside services", "maxNodes 2 leaves no third node for a step");
        assert.equal(cpuPoolPlan({ machineType: "e2-standard-4", maxNodes: 3, diskSizeGb: 100 }, services).stepNode, "fresh node");
        assert.deepEqual(cpuMachinesThatFit(services, { minNodes: 1, maxNodes: 3, diskSizeGb: 100 }), ["e2-standard-8", "n2-standard-8", "e2-highmem-8"]);
    });

    it("a small boot disk leaves no room for the default step's 10240 MB", () => {
        const services = { enabled: false, metadataReplicas: 1, ui: false, uiReplicas: 1, argoWorkflows: false };
        const room = stepRoomBesideServices({ machineType: "e2-standard-4", maxNodes: 1, diskSizeGb: 20 }, services);
        assert.ok(room.diskMb < METAFLOW_DEFAULT_STEP.diskMb, `${room.diskMb} MB`);
    });

    it("a GPU pool's largest step has the node's GPUs", () => {
        const step = largestGpuStep({ machineType: "g2-standard-24", diskSizeGb: 200, gpusPerNode: 2 });
        assert.equal(step.gpus, 2);
        assert.ok(step.cpu > 23 && step.cpu < 24);
    });

    it("Autopilot takes the profile's default step, and refuses what its general-purpose class cannot run", () => {
        const profile = { cpu: Number(AUTOPILOT_DEFAULT_RESOURCES.cpu), memoryMb: Number(AUTOPILOT_DEFAULT_RESOURCES.memoryMb), diskMb: Number(AUTOPILOT_DEFAULT_RESOURCES.diskMb) };
        assert.equal(autopilotStepProblem(profile), undefined);
        assert.match(autopilotStepProblem({ cpu: 1, memoryMb: 8000, diskMb: 1000 }) ?? "", /GiB per vCPU \(here 7\.45\)/);
        assert.match(autopilotStepProblem({ cpu: 1, memoryMb: 4096, diskMb: METAFLOW_DEFAULT_STEP.diskMb + 2000 }) ?? "", /disk must be at most/);
    });
});

describe("the services' requests that validation plans for are the ones deployed", () => {
    for (const name of fixtureStacks()) {
        it(`${name}: Deployments and chart values request exactly servicesRequests()`, async () => {
            const stack = await fixtureStack(name);
            const deployed = { cpuMillis: 0, memoryMiB: 0 };
            for (const d of ofType(stack, "kubernetes:apps/v1:Deployment")) {
                const pod = podRequests(d.inputs.spec.template.spec);
                deployed.cpuMillis += d.inputs.spec.replicas * pod.cpuMillis;
                deployed.memoryMiB += d.inputs.spec.replicas * pod.memoryMiB;
            }
            for (const release of ofType(stack, "kubernetes:helm.sh/v3:Release")) {
                const chart = chartRequests(release.inputs.values);
                deployed.cpuMillis += chart.cpuMillis;
                deployed.memoryMiB += chart.memoryMiB;
            }
            // Argo Events' own Pods: the EventBus StatefulSet (main, reloader, metrics per replica) and the EventSource.
            for (const bus of ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventBus")) {
                const js = bus.inputs.spec.jetstream;
                const pod = podRequests({ containers: [js.containerTemplate, js.reloaderContainerTemplate, js.metricsContainerTemplate] });
                deployed.cpuMillis += js.replicas * pod.cpuMillis;
                deployed.memoryMiB += js.replicas * pod.memoryMiB;
            }
            for (const source of ofType(stack, "kubernetes:argoproj.io/v1alpha1:EventSource")) {
                const pod = podRequests({ containers: [source.inputs.spec.template.container] });
                deployed.cpuMillis += pod.cpuMillis;
                deployed.memoryMiB += pod.memoryMiB;
            }
            assert.deepEqual(
                servicesRequests(servicesSizing(configOf(stack))),
                { cpuMillis: Math.round(deployed.cpuMillis), memoryMiB: Math.round(deployed.memoryMiB) },
                "a container's requests changed: keep CONTAINER_RESOURCES/alwaysOnPods (components/model/workloadRequests.ts) in step so validation plans for them",
            );
        });
    }
});

/** `@kubernetes(...)`/`@resources(...)` decorators in a text, with their numeric arguments. */
function decoratorsIn(text: string): Array<{ source: string; step: StepSize }> {
    const found: Array<{ source: string; step: StepSize }> = [];
    for (const match of text.matchAll(/@(kubernetes|resources)\(([^)]*)\)/g)) {
        const args: Record<string, number> = {};
        for (const arg of match[2].matchAll(/(\w+)\s*=\s*([0-9.]+)\b/g)) {
            args[arg[1]] = Number(arg[2]);
        }
        // Metaflow's defaults for whatever the decorator leaves out (kubernetes_decorator.py).
        found.push({
            source: match[0],
            step: {
                cpu: args.cpu ?? METAFLOW_DEFAULT_STEP.cpu,
                memoryMb: args.memory ?? METAFLOW_DEFAULT_STEP.memoryMb,
                diskMb: args.disk ?? METAFLOW_DEFAULT_STEP.diskMb,
                gpus: args.gpu ?? 0,
            },
        });
    }
    return found;
}

describe("README examples schedule on the pools", () => {
    it("finds the README's decorators (the parser is real)", () => {
        const found = decoratorsIn('@kubernetes(gpu=1, memory=24000, image="x:1.0")\n@resources(cpu=2)');
        assert.deepEqual(
            found.map((f) => f.step),
            [
                { cpu: 1, memoryMb: 24000, diskMb: 10240, gpus: 1 },
                { cpu: 2, memoryMb: 4096, diskMb: 10240, gpus: 0 },
            ],
        );
    });

    for (const name of fixtureStacks()) {
        it(`${name}: every @kubernetes/@resources example fits a pool that would take it (GPU steps on GPU pools, CPU steps on the CPU pool)`, async () => {
            const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
            const examples = decoratorsIn(readme);
            assert.ok(examples.length >= 2, "the README shows step decorators");
            const steps: Record<string, StepSize> = output(await fixtureStack(name), "largestStep");
            for (const { source, step } of examples) {
                const pools = step.gpus > 0 ? Object.entries(steps).filter(([pool]) => pool !== "cpu") : [["cpu", steps.cpu] as const];
                assert.ok(
                    pools.some(([, room]) => stepFits(step, room)),
                    `${source} fits no pool of ${name}: largest steps ${JSON.stringify(steps)}`,
                );
            }
        });
    }
});

describe("database pools as deployed", () => {
    // Both services read MF_METADATA_DB_POOL_MAX (metaflow-service v2.5.0 services/utils/__init__.py
    // l.261); the connection check counts exactly these numbers (serviceConnectionUses).
    const poolMax = (stack: RenderedStack, deployment: string) =>
        ofType(stack, "kubernetes:apps/v1:Deployment")
            .find((d) => d.inputs.metadata.name === deployment)!
            .inputs.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "MF_METADATA_DB_POOL_MAX").value;

    it("sets each service's pool from the environment's settings: dev 3 / 1, prod aiopg's 10 / 10", async () => {
        const dev = await fixtureStack("dev");
        const prod = await fixtureStack("prod");
        assert.deepEqual([poolMax(dev, "metaflow-metadata"), poolMax(dev, "metaflow-ui-backend")], ["3", "1"]);
        assert.deepEqual([poolMax(prod, "metaflow-metadata"), poolMax(prod, "metaflow-ui-backend")], ["10", "10"]);
    });
});
