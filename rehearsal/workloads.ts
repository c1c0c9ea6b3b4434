/**
 * Metaflow's own workloads on the deployed dev stack:
 * - the member Role allows every Kubernetes call Metaflow's client makes for `run --with
 *   kubernetes` and `argo-workflows create` (the list the Python layer derives from Metaflow
 *   2.19.39's source, tests/python/test_member_access.py `metaflow_api_calls`) and nothing
 *   outside it, asked of the real RBAC authorizer with SubjectAccessReviews;
 * - Metaflow's own `argo-workflows create` and `trigger`, as the member, are accepted, and the real
 *   workflow-controller runs the Workflow;
 * - the real scheduler puts the compiled CPU steps on the CPU pool and the GPU step on the GPU pool.
 * - Argo Events' controller, real, reconciles the EventBus and Metaflow's Sensor;
 * - each pool's `largestStep` fits, and a step a little larger in any dimension does not.
 * Step pods are shaped as Metaflow shapes them: requests of `cpu`, `memory` and
 * `ephemeral-storage` in its units (`<n>M` for memory and disk, plugins/kubernetes/kube_utils.py),
 * `nvidia.com/gpu` as a limit for GPU steps, no node selector or toleration (ExtendedResourceToleration
 * adds the GPU one).
 */
import { execFile, execFileSync } from "child_process";
import { promisify } from "util";
import * as fs from "fs";
import * as path from "path";
import { Checks, expect } from "./checks";
import { deploymentWithImage, runAsDeployment, type RunningController } from "./controllers";
import { EngineEnv, REPO, runEngine } from "./engine";
import { KubeAccess, kubeOk, kubeRequest, waitFor } from "./kube";
import { gkeNode, gkeSystemPod, poolZones, type PoolInputs } from "./nodes";
import { stackConfig } from "./stacks";
import { freePort } from "./controlPlane";
import type { StepSize } from "../components/model/sizing";
import { QUEUE_NAME_LABEL } from "../components/model/queues";
import { condition, workloadOf } from "./kueue";

/** The member the rehearsal's prod stack grants access to (config access.members). */
export const MEMBER = "user:member@rehearsal.example";
const MEMBER_USER = "member@rehearsal.example";

type Call = [group: string, resource: string, verb: string];

/** Metaflow's calls, from the Python layer's scan of the installed Metaflow (needs .venv). */
function metaflowCalls(): Call[] {
    const python = path.join(REPO, ".venv", "bin", "python");
    expect(fs.existsSync(python), `${python} is missing: npm test builds it (scripts/pytest.sh)`);
    const script = "import json,sys; sys.path.insert(0,'tests/python'); import test_member_access as t; print(json.dumps(sorted(t.metaflow_api_calls())))";
    return JSON.parse(execFileSync(python, ["-c", script], { cwd: REPO, encoding: "utf8" }));
}

async function allowed(access: KubeAccess, namespace: string, [group, resourcePath, verb]: Call): Promise<boolean> {
    const [resource, subresource] = resourcePath.split("/");
    const review = {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user: MEMBER_USER, groups: ["system:authenticated"], resourceAttributes: { namespace, group, resource, subresource, verb } },
    };
    const r = await kubeOk(access, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", review);
    return r.body.status?.allowed === true;
}

/** Calls members must not make: secrets, other workloads, RBAC, and anything outside the namespace. */
const DENIED: Call[] = [
    ["", "secrets", "get"],
    ["", "secrets", "list"],
    ["", "pods", "delete"],
    ["", "pods", "create"],
    ["apps", "deployments", "patch"],
    ["rbac.authorization.k8s.io", "rolebindings", "create"],
    ["", "configmaps", "update"],
    ["argoproj.io", "workflowtemplates", "deletecollection"],
];

async function memberRbac(access: KubeAccess, namespace: string): Promise<string> {
    const calls = metaflowCalls();
    expect(calls.length > 5, `the scan found only ${calls.length} calls`);
    const refused = [];
    for (const c of calls) {
        if (!(await allowed(access, namespace, c))) {
            refused.push(c.join(" "));
        }
    }
    expect(refused.length === 0, `refused to the member: ${refused.join("; ")}`);
    const overreach = [];
    for (const c of [...DENIED.map((d) => ["ns", d] as const), ...calls.map((c) => ["default", c] as const)]) {
        if (await allowed(access, c[0] === "ns" ? namespace : "default", c[1])) {
            overreach.push(`${c[1].join(" ")} in ${c[0] === "ns" ? namespace : "default"}`);
        }
    }
    expect(overreach.length === 0, `allowed beyond Metaflow's needs: ${overreach.join("; ")}`);
    return `${calls.length} Metaflow calls allowed in ${namespace}; ${DENIED.length} others and all ${calls.length} in another namespace refused`;
}


function stepPod(name: string, namespace: string, step: { cpu: number; memoryMb: number; diskMb: number; gpus: number }): Record<string, unknown> {
    const requests = { cpu: String(step.cpu), memory: `${step.memoryMb}M`, "ephemeral-storage": `${step.diskMb}M` };
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels: { "rehearsal/step": name } },
        spec: {
            restartPolicy: "Never",
            containers: [{ name: "main", image: "task-image", resources: { requests, limits: step.gpus > 0 ? { "nvidia.com/gpu": String(step.gpus) } : {} } }],
        },
    };
}

/** Where the scheduler puts `pod`; if nowhere, the autoscaler stand-in adds a fresh node to its pool once and it is asked again. */
async function placement(access: KubeAccess, namespace: string, pod: Record<string, unknown>, env?: EngineEnv): Promise<{ node?: string; reason?: string }> {
    const first = await placementOnce(access, namespace, pod);
    if (first.node || !env) {
        return first;
    }
    const gpu = Boolean(((pod.spec as Manifest).containers[0].resources?.limits ?? {})["nvidia.com/gpu"]);
    if (!(await scaleUpPool(access, env, gpu))) {
        return first;
    }
    // The scheduler retries an unschedulable pod when a node is added; the Unschedulable
    // condition keeps its transition time meanwhile, so only its message says what it saw last.
    const name = (pod.metadata as { name: string }).name;
    let last = first.reason;
    const placed = await waitFor(`pod ${name} after a scale-up`, 60_000, async () => {
        const p = (await kubeOk(access, "GET", `/api/v1/namespaces/${namespace}/pods/${name}`)).body;
        last = (p.status.conditions ?? []).find((x: { type: string; message?: string }) => x.type === "PodScheduled")?.message ?? last;
        return p.spec.nodeName ? (p.spec.nodeName as string) : undefined;
    }, 500).catch(() => undefined);
    return placed ? { node: placed } : { reason: `${last} (after the autoscaler stand-in added a node)` };
}

/** The cluster autoscaler's part: one more node in the CPU pool (or a GPU pool), within its maxNodes. */
async function scaleUpPool(access: KubeAccess, env: EngineEnv, gpu: boolean): Promise<boolean> {
    const dir = path.join(env.runDir, "nodepools");
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const { cluster, pool } = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { cluster: string; pool: PoolInputs & { autoscaling?: { maxNodeCount?: number; totalMaxNodeCount?: number } } };
        if (Boolean(pool.nodeConfig?.guestAccelerators?.length) !== gpu) {
            continue;
        }
        const nodes = (await kubeOk(access, "GET", `/api/v1/nodes?labelSelector=${encodeURIComponent(`cloud.google.com/gke-nodepool=${pool.name}`)}`)).body.items as Manifest[];
        const zones = poolZones(pool);
        const max = pool.autoscaling?.totalMaxNodeCount ?? (pool.autoscaling?.maxNodeCount ?? 1) * zones.length;
        if (nodes.length < max) {
            const node = gkeNode(cluster, pool, zones[nodes.length % zones.length], 100 + nodes.length);
            await kubeOk(access, "POST", "/api/v1/nodes", node);
            await kubeOk(access, "POST", "/api/v1/namespaces/kube-system/pods", gkeSystemPod(node));
            return true;
        }
    }
    return false;
}

async function placementOnce(access: KubeAccess, namespace: string, pod: Record<string, unknown>): Promise<{ node?: string; reason?: string }> {
    const name = (pod.metadata as { name: string }).name;
    await kubeOk(access, "POST", `/api/v1/namespaces/${namespace}/pods`, pod);
    return waitFor(`pod ${name} scheduled or refused`, 60_000, async () => {
        const p = (await kubeOk(access, "GET", `/api/v1/namespaces/${namespace}/pods/${name}`)).body;
        if (p.spec.nodeName) {
            return { node: p.spec.nodeName as string };
        }
        const c = (p.status.conditions ?? []).find((x: { type: string; reason?: string }) => x.type === "PodScheduled" && x.reason === "Unschedulable");
        return c ? { reason: String(c.message) } : undefined;
    });
}

/**
 * Stands in for the cluster autoscaler: a pool with no node (a GPU pool scaled to zero) gets one,
 * shaped from the NodePool the engine sent (recorded by the Google Cloud stand-in), as GKE would
 * add it for a pending step.
 */
async function scaleUpEmptyPools(access: KubeAccess, env: EngineEnv): Promise<string[]> {
    const dir = path.join(env.runDir, "nodepools");
    const added: string[] = [];
    for (const file of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
        const { cluster, pool } = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { cluster: string; pool: PoolInputs };
        const nodes = (await kubeOk(access, "GET", `/api/v1/nodes?labelSelector=${encodeURIComponent(`cloud.google.com/gke-nodepool=${pool.name}`)}`)).body.items;
        if (nodes.length === 0) {
            const node = gkeNode(cluster, pool, poolZones(pool)[0], 0);
            await kubeOk(access, "POST", "/api/v1/nodes", node);
            await kubeOk(access, "POST", "/api/v1/namespaces/kube-system/pods", gkeSystemPod(node));
            added.push(pool.name);
        }
    }
    return added;
}

/** Deletes a pod and waits until it is gone (kwok's pod-delete stage finishes a deletion). */
async function removePod(access: KubeAccess, namespace: string, name: string): Promise<void> {
    await kubeRequest(access, "DELETE", `/api/v1/namespaces/${namespace}/pods/${name}`);
    await waitFor(`pod ${name} deleted`, 60_000, async () => ((await kubeRequest(access, "GET", `/api/v1/namespaces/${namespace}/pods/${name}`)).status === 404 ? true : undefined));
}


/**
 * `largestStep` holds: for each pool, a step of exactly that size is placed (on a fresh node from
 * the autoscaler stand-in when the running ones are full, as the model assumes for the CPU pool),
 * and one a little larger in any one dimension is Unschedulable.
 */
async function largestStepHolds(access: KubeAccess, namespace: string, largest: Record<string, StepSize>, env: EngineEnv): Promise<string> {
    const lines: string[] = [];
    for (const [pool, size] of Object.entries(largest)) {
        const fits = await placement(access, namespace, stepPod(`largest-${pool}`, namespace, size), env);
        expect(fits.node, `largestStep.${pool} ${JSON.stringify(size)} does not fit: ${fits.reason}`);
        await removePod(access, namespace, `largest-${pool}`);
        // One dimension at a time a little larger: one more CPU, 64 MB more memory, 1 GB more disk.
        for (const [what, bigger] of [["cpu", { ...size, cpu: size.cpu + 1 }], ["memory", { ...size, memoryMb: size.memoryMb + 64 }], ["disk", { ...size, diskMb: size.diskMb + 1000 }]] as const) {
            const over = await placement(access, namespace, stepPod(`over-${pool}-${what}`, namespace, bigger));
            expect(!over.node, `a step larger than largestStep.${pool} in ${what} was placed on ${over.node}`);
            await removePod(access, namespace, `over-${pool}-${what}`);
        }
        lines.push(`largestStep.${pool} ${size.cpu} CPU/${size.memoryMb} MB/${size.diskMb} MB disk/${size.gpus} GPU fits; a little more of any is Unschedulable`);
    }
    return lines.join("; ");
}

/** A kubeconfig for the member (token auth), as Metaflow's client loads it (the current context). */
function memberKubeconfig(env: EngineEnv, file: string): string {
    const ca = Buffer.from(fs.readFileSync(env.caFile)).toString("base64");
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "rehearsal", cluster: { server: env.kubeServer, "certificate-authority-data": ca } }],
        users: [{ name: "member", user: { token: env.memberToken } }],
        contexts: [{ name: "rehearsal", context: { cluster: "rehearsal", user: "member" } }],
        "current-context": "rehearsal",
    };
    fs.writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
    return file;
}

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The Python layer's interpreter and the arguments of rehearsal/metaflow_create.py `command` for `stack`, as the member; its work directory. */
function metaflowCreateCommand(env: EngineEnv, stack: string, command: "create" | "trigger" | "run"): { python: string; args: string[]; work: string } {
    const python = path.join(REPO, ".venv", "bin", "python");
    expect(fs.existsSync(python), `${python} is missing: npm test builds it (scripts/pytest.sh)`);
    const work = path.join(env.runDir, `metaflow-${stack}`);
    fs.mkdirSync(work, { recursive: true });
    const kubeconfig = memberKubeconfig(env, path.join(work, "member.kubeconfig"));
    return { python, work, args: [path.join(REPO, "rehearsal", "metaflow_create.py"), stack, path.join(work, "profile.json"), kubeconfig, work, command] };
}

/** Runs Metaflow's CLI (`argo-workflows <command>`) on the sample flow as the member (rehearsal/metaflow_create.py). */
async function metaflowCli(env: EngineEnv, stack: string, profile: Record<string, string>, command: "create" | "trigger"): Promise<string> {
    const { python, args, work } = metaflowCreateCommand(env, stack, command);
    fs.writeFileSync(path.join(work, "profile.json"), JSON.stringify(profile));
    const { stdout } = await promisify(execFile)(python, args, { cwd: REPO, maxBuffer: 1 << 24 });
    const done = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as { returncode: number; stdout: string; stderr: string };
    expect(done.returncode === 0, `argo-workflows ${command} failed (${done.returncode}):\n${done.stderr}`);
    return done.stdout;
}

/**
 * `python flow.py run` as the member, from a laptop (rehearsal/metaflow_create.py `run`): the Job
 * Metaflow posts for the start step must be accepted by the API server (admission, Pod Security,
 * Kueue's Job webhook where queues are on) and, with queues, admitted by Kueue from its
 * LocalQueue. Metaflow is then stopped as Ctrl-C would stop it.
 */
async function metaflowRunJob(access: KubeAccess, env: EngineEnv, stack: string, namespace: string): Promise<string> {
    const { python, args, work } = metaflowCreateCommand(env, stack, "run");
    const stop = path.join(work, "stop");
    fs.rmSync(stop, { force: true });
    const running = promisify(execFile)(python, args, { cwd: REPO, maxBuffer: 1 << 24 });
    const finished = running.then(
        (r) => r.stdout,
        (err: { stdout?: string; message: string }) => err.stdout ?? err.message,
    );
    try {
        const jobs = `/apis/batch/v1/namespaces/${namespace}/jobs`;
        const job = await waitFor("the Job Metaflow's run posts", 120_000, async () => {
            const items = (await kubeOk(access, "GET", jobs)).body.items as Manifest[];
            // Metaflow annotates its Jobs with the step (metaflow/plugins/kubernetes/kubernetes.py, 2.19.39).
            return items.find((j) => j.metadata.annotations?.["metaflow/step_name"] === "start");
        }, 1000).catch(async (err) => {
            throw new Error(`${err instanceof Error ? err.message : err}; Metaflow said: ${(await Promise.race([finished, new Promise((r) => setTimeout(() => r("(still running)"), 1000))])) as string}`.slice(0, 3000));
        });
        const queue = job.metadata.labels?.[QUEUE_NAME_LABEL] as string | undefined;
        if (!queue) {
            return `Job ${job.metadata.name} accepted (no queue label: queues are off)`;
        }
        const admitted = await waitFor(`Kueue admits Job ${job.metadata.name}`, 60_000, async () => {
            const w = await workloadOf(access, namespace, job.metadata.name);
            return condition(w, "Admitted")?.status === "True" ? w : undefined;
        });
        return `Job ${job.metadata.name} (start step) accepted with ${QUEUE_NAME_LABEL}=${queue}; Kueue admitted it (Workload ${admitted.metadata.name})`;
    } finally {
        fs.writeFileSync(stop, "");
        await finished;
    }
}

/**
 * Metaflow's `argo-workflows create` as the member: the objects it sends must be accepted by the
 * API server (schemas of the charts' CRDs, admission) and allowed by the member Role. Returns what
 * is then in the namespace.
 */
async function metaflowCreate(access: KubeAccess, env: EngineEnv, stack: string, profile: Record<string, string>, namespace: string): Promise<Manifest[]> {
    await metaflowCli(env, stack, profile, "create");
    const created: Manifest[] = [];
    for (const plural of ["workflowtemplates", "cronworkflows", "sensors"]) {
        const r = await kubeRequest(access, "GET", `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/${plural}`);
        created.push(...((r.status === 200 ? r.body.items : []) as Manifest[]));
    }
    return created;
}

/**
 * Argo's workflow-controller, the real binary with the chart's Deployment args and service
 * account, runs the Workflow Metaflow's `argo-workflows trigger` submits: it must create the first
 * step's pod, which the scheduler places on the CPU pool.
 */
async function workflowRuns(access: KubeAccess, env: EngineEnv, stack: string, profile: Record<string, string>, namespace: string): Promise<string> {
    const controller = await runAsDeployment(access, env, namespace, await deploymentWithImage(access, namespace, "argoproj/workflow-controller"), "workflow-controller");
    try {
        await metaflowCli(env, stack, profile, "trigger");
        const wf = await waitFor("a Workflow from Metaflow's trigger", 60_000, async () => {
            const items = (await kubeOk(access, "GET", `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows`)).body.items as Manifest[];
            return items[0];
        });
        const pod = await waitFor(`the controller's first pod of ${wf.metadata.name} (log: ${controller.log})`, 180_000, async () => {
            const pods = (await kubeOk(access, "GET", `/api/v1/namespaces/${namespace}/pods?labelSelector=${encodeURIComponent(`workflows.argoproj.io/workflow=${wf.metadata.name}`)}`)).body.items as Manifest[];
            return pods.find((p) => p.spec.nodeName);
        }, 2000);
        const node = (await kubeOk(access, "GET", `/api/v1/nodes/${pod.spec.nodeName}`)).body.metadata.labels["cloud.google.com/gke-nodepool"];
        const phase = (await kubeOk(access, "GET", `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows/${wf.metadata.name}`)).body.status?.phase;
        return `Workflow ${wf.metadata.name} ${phase}; pod ${pod.metadata.name} on ${node}`;
    } finally {
        await controller.stop();
    }
}

/** Step pods as Metaflow's compiled templates ask: their containers' resources, selectors and tolerations. */
function templatePods(template: Manifest, namespace: string): Array<{ step: string; pod: Record<string, unknown> }> {
    return (template.spec.templates as Manifest[])
        .filter((t) => t.container && (t.container.env ?? []).some((e: { name: string }) => e.name === "METAFLOW_STEP_NAME"))
        .map((t) => ({
            step: t.name as string,
            pod: {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: `compiled-${t.name}`, namespace },
                spec: {
                    restartPolicy: "Never",
                    nodeSelector: t.nodeSelector,
                    tolerations: t.tolerations,
                    containers: [{ name: "main", image: t.container.image, resources: t.container.resources }],
                },
            },
        }));
}


/**
 * Argo Events' controller, the real binary with the chart Deployment's args and service account,
 * reconciles what the stack and Metaflow created: the EventBus gets its JetStream StatefulSet and
 * the Sensor of `@trigger` its Deployment.
 */
async function eventsControllerReconciles(access: KubeAccess, env: EngineEnv, namespace: string, running: RunningController[]): Promise<string> {
    const sensors = (await kubeOk(access, "GET", `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/sensors`)).body.items as Manifest[];
    expect(sensors.length > 0, "no Sensor (Metaflow's @trigger) to reconcile");
    const controller = await runAsDeployment(access, env, namespace, await deploymentWithImage(access, namespace, "argoproj/argo-events"), "argo-events", {
        mountConfigMaps: true,
        // One process: no leader to elect (outside a pod it finds no namespace for the lease).
        // Its metrics and health listeners take only a port, so they get free ones.
        extraArgs: ["--leader-election=false", `--metrics-port=${await freePort()}`, `--health-port=${await freePort()}`],
    });
    // It stays up until the stack is destroyed, as on a cluster: the EventBus and EventSource carry
    // its finalizers, which it removes when they are deleted.
    running.push(controller);
    const owned = async (kind: string, path: string) =>
        ((await kubeOk(access, "GET", path)).body.items as Manifest[]).filter((x) => (x.metadata.ownerReferences ?? []).some((o: { kind: string }) => o.kind === kind));
    const statefulSets = await waitFor(`the EventBus's StatefulSet (log: ${controller.log})`, 120_000, async () => {
        const s = await owned("EventBus", `/apis/apps/v1/namespaces/${namespace}/statefulsets`);
        return s.length > 0 ? s : undefined;
    }, 2000);
    const sensorDeployments = await waitFor(`the Sensor's Deployment (log: ${controller.log})`, 120_000, async () => {
        const d = await owned("Sensor", `/apis/apps/v1/namespaces/${namespace}/deployments`);
        return d.length > 0 ? d : undefined;
    }, 2000);
    return `EventBus -> StatefulSet ${statefulSets[0].metadata.name}; Sensor ${sensors[0].metadata.name} -> Deployment ${sensorDeployments[0].metadata.name}`;
}

/** Whether this machine lets us make a private mount namespace with a tmpfs in it; else why not. */
function privateMountNamespace(): true | string {
    try {
        execFileSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", "mount -t tmpfs tmpfs /mnt"], { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
        return true;
    } catch (err) {
        return String((err as { stderr?: Buffer }).stderr ?? err).trim().split("\n").pop() ?? "refused";
    }
}

/** Runs the workload checks; controllers that must outlive them (until destroy) are added to `running`. */
export async function metaflowWorkloads(checks: Checks, access: KubeAccess, namespace: string, env: EngineEnv, stack: string, overrides: Record<string, unknown>, running: RunningController[]): Promise<void> {
    await checks.run(`${stack}: the member Role allows exactly Metaflow's calls (SubjectAccessReview)`, () => memberRbac(access, namespace));
    let template: Manifest | undefined;
    let profile: Record<string, string> | undefined;
    await checks.run(`${stack}: Metaflow's argo-workflows create, as the member, is accepted by the API server`, async () => {
        const outputs = await runEngine(env, { op: "outputs", stack, config: stackConfig(stack, overrides) });
        expect(outputs.ok, outputs.error ?? "no outputs");
        profile = outputs.result.metaflowConfig.value as Record<string, string>;
        const created = await metaflowCreate(access, env, stack, profile, namespace);
        template = created.find((m) => m.kind === "WorkflowTemplate");
        expect(template, `no WorkflowTemplate in ${namespace}`);
        const kinds = created.map((m) => m.kind);
        expect(kinds.includes("CronWorkflow"), `no CronWorkflow (@schedule): ${kinds.join(", ")}`);
        return created.map((m) => `${m.kind} ${m.metadata.name}`).join(", ");
    });
    await checks.run(`${stack}: Argo's workflow-controller (real, the chart's service account) runs Metaflow's triggered Workflow`, async () => {
        expect(template && profile, "no compiled WorkflowTemplate (previous check)");
        return workflowRuns(access, env, stack, profile, namespace);
    });
    await checks.run(`${stack}: Metaflow's run --with kubernetes, as the member: its Job is accepted (and queued and admitted by Kueue)`, async () => {
        expect(profile, "no profile (previous check)");
        return metaflowRunJob(access, env, stack, namespace);
    });
    await checks.run(`${stack}: the scheduler places the compiled CPU steps on the CPU pool and the GPU step on the GPU pool`, async () => {
        expect(template, "no compiled WorkflowTemplate (previous check)");
        await scaleUpEmptyPools(access, env);
        const lines = [];
        for (const { step, pod } of templatePods(template, namespace)) {
            const placed = await placement(access, namespace, pod);
            expect(placed.node, `step ${step} did not schedule: ${placed.reason}`);
            const node = (await kubeOk(access, "GET", `/api/v1/nodes/${placed.node}`)).body.metadata.labels;
            const gpu = ((pod.spec as Manifest).containers[0].resources?.limits ?? {})["nvidia.com/gpu"];
            expect(Boolean(gpu) === Boolean(node["cloud.google.com/gke-accelerator"]), `step ${step} (GPUs: ${gpu ?? 0}) landed on ${node["cloud.google.com/gke-nodepool"]}`);
            lines.push(`${step} -> ${node["cloud.google.com/gke-nodepool"]}`);
            await removePod(access, namespace, `compiled-${step}`);
        }
        return lines.join(", ");
    });
    const eventsCheck = `${stack}: Argo Events' controller (real, the chart's service account) reconciles the EventBus and Metaflow's Sensor`;
    const mountNamespace = privateMountNamespace();
    if (mountNamespace !== true) {
        checks.notAvailable(eventsCheck, `its config is read from /etc/argo-events, which the rehearsal mounts in a private mount namespace, and this machine refuses one (${mountNamespace}; needs root and unshare(1))`);
    } else {
        await checks.run(eventsCheck, async () => {
            expect(template, "no compiled WorkflowTemplate (previous check)");
            return eventsControllerReconciles(access, env, namespace, running);
        });
    }
    await checks.run(`${stack}: nothing larger than the largestStep output fits, and that does`, async () => {
        const outputs = await runEngine(env, { op: "outputs", stack, config: stackConfig(stack, overrides) });
        expect(outputs.ok, outputs.error ?? "no outputs");
        const largest = outputs.result.largestStep?.value as Record<string, StepSize>;
        expect(largest, "no largestStep output");
        return largestStepHolds(access, namespace, largest, env);
    });
}
