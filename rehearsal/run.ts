/**
 * `npm run rehearse`: the deploy rehearsal. The pinned tools (rehearsal/tools.sh), a Kubernetes
 * control plane on loopback with simulated GKE nodes, and the real Pulumi engine running the real
 * stack program for dev and prod against it, with Google Cloud served by our stand-in provider.
 * Offline: nothing but what the project's scripts install and build. Ends with one
 * "N passed, M failed" line; exits non-zero if anything failed.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Checks } from "./checks";
import { applyGkeCrds, applyStandInCrds, gpuTolerationAdded, podSecurityEnforced } from "./cluster";
import { ControlPlane, startControlPlane } from "./controlPlane";
import { EngineEnv, REPO } from "./engine";
import { servingCert } from "./pki";
import { FakeCompute, startFakeCompute } from "./standins/compute";
import { afterUp, destroyLeavesNothing, peeringRemoved, prepareCharts, upAndPreview, replacementRefused, replicaChange, retireProduction, stackConfig, StackRun } from "./stacks";
import { OFFLINE_PROJECT } from "../offline/render";
import { MEMBER, metaflowWorkloads } from "./workloads";
import { KueueWatch, READINESS_BY_REHEARSAL, READY_ANNOTATION, queueAdmission, watchForKueue } from "./kueue";
import * as YAML from "yaml";
import { ServiceProxy } from "./serviceProxy";
import type { RunningController } from "./controllers";

const CACHE = process.env.METAFLOW_REHEARSAL_CACHE ?? path.join(os.homedir(), ".cache", "metaflow-gcp-rehearsal");

/** rehearsal/tools.sh: builds what is missing, prints versions; returns the bin directory. */
function tools(): string {
    const out = execFileSync("bash", [path.join(REPO, "rehearsal", "tools.sh")], { cwd: REPO, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    process.stdout.write(out);
    const bin = /^bin: (.+)$/m.exec(out)?.[1];
    if (!bin) {
        throw new Error("rehearsal/tools.sh printed no bin directory");
    }
    return bin;
}

/** kwok's own zero-delay stages, from its module in the tool cache's Go module cache. */
function kwokStages(runDir: string): string[] {
    const root = path.join(CACHE, "go", "mod", "sigs.k8s.io", "kwok@v0.8.0", "kustomize", "stage");
    const files = ["node/fast/node-initialize.yaml", "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml", "pod/fast/pod-complete.yaml", "pod/fast/pod-delete.yaml"];
    return [...files.map((f) => path.join(root, f)), ...readinessStages(path.join(root, "pod/fast/pod-ready.yaml"), runDir), path.join(REPO, "rehearsal", "kwok-workflow-pods.yaml")];
}

/**
 * kwok's pod-ready stage split in two, written to the run directory: pods of the controllers the
 * rehearsal runs itself (READINESS_BY_REHEARSAL) become ready only once the rehearsal has marked
 * them (their real readiness probe passed, kueue.ts); every other pod as kwok's stage says.
 */
function readinessStages(podReady: string, runDir: string): string[] {
    const stage = YAML.parse(fs.readFileSync(podReady, "utf8"));
    const byName = { key: `.metadata.labels["${READINESS_BY_REHEARSAL.label}"]`, values: [...READINESS_BY_REHEARSAL.values] };
    const others = structuredClone(stage);
    others.spec.selector.matchExpressions.push({ ...byName, operator: "NotIn" });
    const ours = structuredClone(stage);
    ours.metadata.name = "pod-ready-when-the-rehearsal-says";
    ours.spec.selector.matchExpressions.push({ ...byName, operator: "In" }, { key: `.metadata.annotations["${READY_ANNOTATION}"]`, operator: "In", values: ["true"] });
    const dir = path.join(runDir, "kwok-stages");
    fs.mkdirSync(dir, { recursive: true });
    return [
        ["pod-ready.yaml", others],
        ["pod-ready-when-the-rehearsal-says.yaml", ours],
    ].map(([name, doc]) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, YAML.stringify(doc));
        return file;
    });
}

/**
 * What each rehearsed stack changes on its committed stack file: dev runs Airflow as its
 * orchestrator (the Airflow chart; Airflow's pods need e2-standard-4 nodes and a tier whose
 * memory carries its pools, as tests/airflow.test.ts's AIRFLOW_ON); prod keeps Argo Workflows and
 * Argo Events and gets a member, so that the member Role exists for the workload checks.
 */
function overridesFor(stack: string): Record<string, unknown> {
    const committed = stackConfig(stack);
    const obj = (key: string) => (committed[`metaflow-gcp:${key}`] as Record<string, unknown> | undefined) ?? {};
    if (stack === "dev") {
        const cluster = obj("cluster");
        return {
            "metaflow-gcp:services": { ...obj("services"), argoWorkflows: false, argoEvents: false, airflow: true },
            "metaflow-gcp:database": { ...obj("database"), tier: "db-custom-1-3840" },
            "metaflow-gcp:cluster": { ...cluster, cpuPool: { ...((cluster.cpuPool as object) ?? {}), machineType: "e2-standard-4" } },
        };
    }
    return { "metaflow-gcp:access": { ...obj("access"), members: [...(((obj("access").members as string[]) ?? [])), MEMBER] } };
}

async function rehearseStack(checks: Checks, base: Omit<StackRun, "stack" | "checks">, services: ServiceProxy, stack: string, withWorkloads: boolean): Promise<void> {
    const run: StackRun = { ...base, checks, stack, overrides: overridesFor(stack) };
    const callsBefore = run.compute.calls.length;
    const queues = (stackConfig(stack, run.overrides)["metaflow-gcp:queues"] as { enabled?: boolean } | undefined)?.enabled === true;
    // With queues on, Kueue's controller serves its fail-closed webhooks from the moment its release exists.
    const kueue: KueueWatch | undefined = queues ? watchForKueue(run.access, run.env, services) : undefined;
    const running: RunningController[] = [];
    try {
        await rehearseDeployed(checks, run, stack, withWorkloads, kueue, running);
    } finally {
        await kueue?.stop();
        await Promise.all(running.map((c) => c.stop()));
    }
    await peeringRemoved({ ...run, compute: { ...run.compute, calls: run.compute.calls.slice(callsBefore) } });
}

async function rehearseDeployed(checks: Checks, run: StackRun, stack: string, withWorkloads: boolean, kueue: KueueWatch | undefined, running: RunningController[]): Promise<void> {
    if (!(await upAndPreview(run))) {
        checks.skipped(`${stack}: the checks after up`, `up failed${kueue?.failure() ? `; Kueue: ${kueue.failure()}` : ""}`);
        await destroyLeavesNothing(run, undefined);
    } else {
        const namespace = await afterUp(run);
        if (kueue && namespace) {
            await checks.run(`${stack}: Kueue (the real controller) admits a step within the environment's quota and holds one beyond it`, async () => {
                const failure = kueue.failure();
                if (failure || !kueue.controller()) {
                    throw new Error(failure ?? "Kueue's controller never started (no kueue-controller-manager Deployment)");
                }
                const environment = String(stackConfig(stack, run.overrides)["metaflow-gcp:environment"] ?? stack);
                return queueAdmission(run.access, namespace, environment);
            });
        }
        if (withWorkloads && namespace) {
            await metaflowWorkloads(checks, run.access, namespace, run.env, stack, run.overrides ?? {}, running);
        }
        await replicaChange(run);
        if (stackConfig(stack, run.overrides)["metaflow-gcp:production"] === true) {
            await replacementRefused(run);
            await retireProduction(run);
        }
        await destroyLeavesNothing(run, namespace);
    }
}

async function main(): Promise<void> {
    // Failed until the summary says otherwise: a run that ends early (an await nothing will
    // resolve empties the event loop) must not look like a pass.
    process.exitCode = 1;
    const checks = new Checks();
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-rehearsal-"));
    console.log(`rehearsal run directory: ${runDir}`);
    let bin = "";
    await checks.run("tools: every pinned tool built or reused from the cache", async () => {
        // REHEARSAL_TOOLS_BIN: a directory of already built tools, to develop the rehearsal while tools.sh builds.
        bin = process.env.REHEARSAL_TOOLS_BIN ?? tools();
    });
    let cp: ControlPlane | undefined;
    let compute: FakeCompute | undefined;
    // Stopped from outside (CI's time limit, Ctrl-C): end the control plane's processes too.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
            void Promise.all([compute?.close(), cp?.stop()]).finally(() => process.exit(130));
        });
    }
    try {
        if (bin) {
            await checks.run("control plane: etcd, kube-apiserver, controller-manager, scheduler, kwok on loopback", async () => {
                cp = await startControlPlane({ binDir: bin, kwokStages: kwokStages(runDir), dir: path.join(runDir, "cluster") });
                return `API server ${cp.access.server}`;
            });
        }
        if (!cp) {
            checks.skipped("everything after the control plane", "no control plane");
            return;
        }
        const access = cp.access;
        await checks.run("control plane: the CRDs GKE installs (../shared/crds)", async () => {
            const shared = await applyGkeCrds(access);
            const standIn = await applyStandInCrds(access);
            return `${shared.join(", ")}${standIn.length ? `; without a schema (not in ../shared/crds): ${standIn.join(", ")}` : ""}`;
        });
        await checks.run("admission: ExtendedResourceToleration adds the GPU toleration", () => gpuTolerationAdded(access));
        await checks.run("admission: Pod Security refuses a privileged pod under enforce=restricted", () => podSecurityEnforced(access));
        await checks.run("charts: ../shared/charts as a charts.source directory", async () => {
            const dropped = prepareCharts(runDir);
            return dropped.length ? `declared but absent, and off in our values, so dropped from the copy: ${dropped.join("; ")}` : "as shipped";
        });
        const [cert, key] = servingCert(cp.pki, "compute", ["compute.googleapis.com"]);
        compute = await startFakeCompute(cert, key);
        const env: EngineEnv = {
            toolsBin: bin,
            runDir,
            kubeServer: access.server,
            adminToken: cp.pki.adminToken,
            deployerToken: cp.pki.deployerToken,
            memberToken: cp.pki.memberToken,
            caFile: cp.pki.caCert,
            computeProxy: compute.proxyUrl,
            computeAdmin: compute.adminUrl,
            project: OFFLINE_PROJECT,
        };
        // `npm run rehearse -- prod` rehearses one stack (while developing); CI rehearses both.
        const stacks = process.argv.slice(2).filter((a) => !a.startsWith("-"));
        for (const stack of stacks.length > 0 ? stacks : ["dev", "prod"]) {
            await rehearseStack(checks, { env, access, compute }, cp.services, stack, stack === "prod");
        }
    } finally {
        await compute?.close();
        await cp?.stop();
        console.log(`logs: ${runDir}/logs and ${runDir}/cluster/logs`);
        console.log(checks.summary());
        process.exitCode = checks.results.every((r) => r.ok) ? 0 : 1;
    }
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
