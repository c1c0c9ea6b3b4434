/**
 * One stack's deploy rehearsal on the real engine: the policy-checked preview our workflows run,
 * `up`, what Kubernetes then holds, no secret in the state file, a second `up` after a replica
 * change (only Kubernetes objects change), in production the replacement guard refusing a
 * replacing change, and `destroy` leaving nothing behind.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Checks, expect } from "./checks";
import { SHARED } from "./cluster";
import { EngineEnv, engineErrorLines, EngineResult, REPO, runEngine } from "./engine";
import { KubeAccess, kubeOk, kubeRequest, waitFor } from "./kube";
import type { FakeCompute } from "./standins/compute";
import { OFFLINE_PROJECT } from "../offline/render";

export interface StackRun {
    readonly checks: Checks;
    readonly env: EngineEnv;
    readonly access: KubeAccess;
    readonly compute: FakeCompute;
    readonly stack: string;
    /** Config overrides on top of the committed stack file (full keys). */
    readonly overrides?: Record<string, unknown>;
}

/** The local chart directory the stacks install from (prepareCharts). */
let chartDirectory = path.join(SHARED, "charts");

/**
 * The charts of ../shared/charts as a `charts.source` directory in the run directory. The copy of
 * the Airflow chart there lacks the postgresql subchart its Chart.yaml declares (the packaged chart
 * carries it), and Helm refuses to install a chart with a declared dependency missing from
 * `charts/` even when its condition is off ("found in Chart.yaml, but missing in charts/
 * directory"). We never enable it (components/kubernetes/specs/versions.ts), so the copy drops
 * the declaration of each missing, disabled dependency; everything else is the pinned chart.
 * Returns what was dropped.
 */
export function prepareCharts(runDir: string): string[] {
    const target = path.join(runDir, "charts");
    fs.cpSync(path.join(SHARED, "charts"), target, { recursive: true });
    // ../shared/charts names Kueue's folder after its git tag (kueue-v0.19.2); charts.source
    // looks for <chart>-<version>/ as `helm pull --untar` into a versioned folder names it.
    for (const folder of fs.readdirSync(target)) {
        const tagged = /^(.+)-v(\d+\.\d+\.\d+)$/.exec(folder);
        if (tagged) {
            fs.renameSync(path.join(target, folder), path.join(target, `${tagged[1]}-${tagged[2]}`));
        }
    }
    const dropped: string[] = [];
    for (const chart of fs.readdirSync(target)) {
        const file = path.join(target, chart, "Chart.yaml");
        if (!fs.existsSync(file)) {
            continue;
        }
        const doc = YAML.parse(fs.readFileSync(file, "utf8"));
        const missing = (doc.dependencies ?? []).filter((d: { name: string }) => !fs.existsSync(path.join(target, chart, "charts", d.name)));
        if (missing.length > 0) {
            doc.dependencies = doc.dependencies.filter((d: { name: string }) => !missing.includes(d));
            fs.writeFileSync(file, YAML.stringify(doc));
            fs.rmSync(path.join(target, chart, "Chart.lock"), { force: true });
            dropped.push(...missing.map((d: { name: string; condition?: string }) => `${chart}: ${d.name} (condition ${d.condition})`));
        }
    }
    chartDirectory = target;
    return dropped;
}

/** The stack file's config, the project if unset (as `npm run policy-config` assumes), and the charts from the local chart directory. */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
    const config: Record<string, unknown> = { ...(doc.config ?? {}) };
    config["gcp:project"] ??= OFFLINE_PROJECT;
    config["metaflow-gcp:charts"] = { source: chartDirectory };
    return { ...config, ...overrides };
}

function failed(r: EngineResult): string {
    return `${r.error ?? "failed"}\n${engineErrorLines(r.log)}\n(log: ${r.log})`;
}

/** dev's idle limit with Airflow on (README: about $105/month with it). */
const AIRFLOW_IDLE_LIMIT_USD = 150;

/**
 * `npm run policy-config -- <stack> --out <file>`: the pack config our workflows pass to preview.
 * It reads the committed stack file; members the rehearsal adds (access.members) are added to
 * every policy's `members`, as the script writes them when the stack file lists them.
 */
function policyConfig(stack: string, runDir: string, overrides: Record<string, unknown> = {}): string {
    const out = path.join(runDir, `policy-${stack}.json`);
    execFileSync("npm", ["run", "-s", "policy-config", "--", stack, "--out", out], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    // Airflow on dev lifts its idle bill over dev's cost-budget limit: README "Airflow instead of
    // Argo Workflows" says to raise maxIdleMonthlyUsd along with it, as done here.
    if ((overrides["metaflow-gcp:services"] as { airflow?: boolean } | undefined)?.airflow) {
        const pack = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, Record<string, unknown>>;
        pack["cost-budget"] = { ...pack["cost-budget"], maxIdleMonthlyUsd: AIRFLOW_IDLE_LIMIT_USD };
        fs.writeFileSync(out, JSON.stringify(pack, null, 2));
    }
    const added = (overrides["metaflow-gcp:access"] as { members?: string[] } | undefined)?.members ?? [];
    if (added.length > 0) {
        const pack = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, Record<string, unknown>>;
        for (const policy of Object.values(pack)) {
            if (Array.isArray(policy?.members)) {
                policy.members = [...new Set([...(policy.members as string[]), ...added])];
            }
        }
        fs.writeFileSync(out, JSON.stringify(pack, null, 2));
    }
    return out;
}

/** Every Deployment in the namespace Available, every Job Complete. */
async function workloadsReady(access: KubeAccess, namespace: string): Promise<string> {
    const deployments = (await kubeOk(access, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments`)).body.items as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(deployments.length > 0, `no Deployments in ${namespace}`);
    const notReady = deployments.filter((d) => !(d.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === "Available" && c.status === "True"));
    expect(notReady.length === 0, `not Available: ${notReady.map((d) => d.metadata.name).join(", ")}`);
    return `${deployments.length} Deployments Available: ${deployments.map((d) => `${d.metadata.name}×${d.status.readyReplicas}`).join(", ")}`;
}

/** A value held in a cluster Secret (ours or a chart's), and where. */
interface ClusterSecretValue {
    readonly where: string;
    readonly value: string;
}

/** Secret values held in the cluster's Secrets (our Secrets and the charts'), none of which may appear in the state. */
async function clusterSecretValues(access: KubeAccess): Promise<ClusterSecretValue[]> {
    const secrets = (await kubeOk(access, "GET", "/api/v1/secrets")).body.items as Array<{ type: string; metadata: { namespace: string; name: string }; data?: Record<string, string> }>;
    return secrets
        .filter((s) => s.type === "Opaque")
        .flatMap((s) => Object.entries(s.data ?? {}).map(([key, b64]) => ({ where: `${s.metadata.namespace}/${s.metadata.name} key ${key}`, value: Buffer.from(b64, "base64").toString("utf8") })))
        .filter((v) => v.value.length >= 12);
}

/** The state file of the local file backend (not `stack export`, which the Automation API runs with --show-secrets). */
function stateFile(run: StackRun): string {
    return path.join(run.env.runDir, "state", ".pulumi", "stacks", "metaflow-gcp", `${run.stack}.json`);
}

/**
 * The forms of a secret value looked for: the value, without base64 padding, base64-encoded, and
 * each long part of a URL or DSN, each with a name that does not echo it.
 */
function secretForms(v: string): Array<[string, string]> {
    const parts = v
        .split(/[:@/?&=\s"]/)
        .map((part, i): [string, string] => [`part ${i} of its URL/DSN/config split at :@/?&= and whitespace`, part])
        .filter(([, part]) => part.length >= 16 && !isObjectName(part));
    return [["the value", v], ["the value without padding", v.replace(/=+$/, "")], ["its base64", Buffer.from(v).toString("base64")], ...parts];
}

/**
 * A lowercase hyphenated name (`airflow-metadata`, `metaflow-dev-db`): a Kubernetes object, a
 * database or a PgBouncer alias, which a URL or config file names beside its credentials and the
 * state rightly holds in the clear. Generated credentials are never of this shape (random passwords
 * mix cases and digits, Fernet keys and tokens are base64).
 */
function isObjectName(part: string): boolean {
    return /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(part);
}

/** Where in the state (resource URN and top-level property) `text` occurs, without the value. */
function placesInState(state: { checkpoint?: { latest?: { resources?: Array<Record<string, unknown>> } } }, text: string): string[] {
    const places: string[] = [];
    for (const r of state.checkpoint?.latest?.resources ?? []) {
        for (const field of ["id", "inputs", "outputs"] as const) {
            const value = r[field];
            const props = field === "id" ? { id: value } : ((value as Record<string, unknown>) ?? {});
            for (const [name, v] of Object.entries(props)) {
                if (JSON.stringify(v ?? "").includes(text)) {
                    places.push(`${String(r.urn).split("::").pop()} (${String(r.type)}) ${field}.${name}`);
                }
            }
        }
    }
    return places;
}

async function secretsNotInState(run: StackRun): Promise<string> {
    expect(fs.existsSync(stateFile(run)), `no state file at ${stateFile(run)}`);
    const text = fs.readFileSync(stateFile(run), "utf8");
    const state = JSON.parse(text);
    const values = await clusterSecretValues(run.access);
    expect(values.length > 0, "no Secret values found in the cluster to look for");
    const leaks = values.flatMap((v) =>
        secretForms(v.value)
            .filter(([, form]) => text.includes(form))
            .map(([formName, form]) => `${v.where}: ${formName} is plaintext in the state at ${placesInState(state, form).join(", ") || "(outside resources)"}`),
    );
    expect(leaks.length === 0, `Secret values plaintext in the state file (${values.length} looked for):\n${leaks.join("\n")}`);
    const ciphertexts = (text.match(/"ciphertext"/g) ?? []).length;
    return `${values.length} Secret values looked for, none in the state; ${ciphertexts} values encrypted there`;
}

/** The stack's namespace, from the Metaflow profile it outputs (`metaflowConfig.METAFLOW_KUBERNETES_NAMESPACE`). */
async function namespaceOf(run: StackRun): Promise<string> {
    const r = await runEngine(run.env, { op: "outputs", stack: run.stack, config: stackConfig(run.stack, run.overrides) });
    expect(r.ok, failed(r));
    const ns = r.result?.metaflowConfig?.value?.METAFLOW_KUBERNETES_NAMESPACE;
    expect(typeof ns === "string", `no metaflowConfig.METAFLOW_KUBERNETES_NAMESPACE output: ${Object.keys(r.result ?? {}).join(", ")}`);
    return ns;
}

/**
 * `up`, then the preview our workflows run on a pull request against the deployed stack:
 * `preview --policy-pack policy` with the config `npm run policy-config` writes. The policies see
 * every resource, and the preview must change nothing (no perpetual diff). The first preview of
 * an empty stack is not rehearsed: the stand-in cannot say which of its outputs are unknown until
 * created (the Node provider API has no preview create), so the kubeconfig would be built from an
 * empty endpoint.
 */
export async function upAndPreview(run: StackRun): Promise<boolean> {
    const { checks, env, stack } = run;
    const config = stackConfig(stack, run.overrides);
    const up = await checks.run(`${stack}: up`, async () => {
        const r = await runEngine(env, { op: "up", stack, config });
        expect(r.ok, failed(r));
        return `${JSON.stringify(r.result.summary)} in ${r.seconds.toFixed(0)} s`;
    });
    if (!up) {
        return false;
    }
    await checks.run(`${stack}: preview --policy-pack policy (config from npm run policy-config) passes and changes nothing`, async () => {
        const pack = policyConfig(stack, env.runDir, run.overrides);
        const r = await runEngine(env, { op: "preview", stack, config, policyPack: path.join(REPO, "policy"), policyPackConfig: pack });
        expect(r.ok, failed(r));
        const ran = /Policies:\s*\n\s*✅ (metaflow-gcp@\S+)/.exec(fs.readFileSync(r.log, "utf8"));
        expect(ran, `the engine's output shows no passing policy pack (log: ${r.log})`);
        const changes = (r.result.steps as Array<{ op: string; type: string; urn: string }>).filter((s) => s.op !== "read");
        expect(changes.length === 0, `the preview after up would change: ${changes.map((s) => `${s.op} ${s.urn.split("::").pop()} (${s.type})`).join(", ")}`);
        return `policy pack ${ran[1]} passed; ${JSON.stringify(r.result.changeSummary)} in ${r.seconds.toFixed(0)} s`;
    });
    return true;
}

export async function afterUp(run: StackRun): Promise<string | undefined> {
    let namespace: string | undefined;
    await run.checks.run(`${run.stack}: every Deployment Available on the simulated nodes`, async () => {
        namespace = await namespaceOf(run);
        return waitFor(`Deployments in ${namespace}`, 120_000, async () => workloadsReady(run.access, namespace!).catch(() => undefined), 2000);
    });
    await run.checks.run(`${run.stack}: no secret value plaintext in the state file`, () => secretsNotInState(run));
    return namespace;
}

/** A second `up` with more replicas: only Kubernetes objects may change. */
export async function replicaChange(run: StackRun): Promise<void> {
    await run.checks.run(`${run.stack}: second up after a replica change changes only Kubernetes objects`, async () => {
        const config = stackConfig(run.stack, run.overrides);
        const services = { ...((config["metaflow-gcp:services"] as Record<string, unknown>) ?? {}) };
        services.metadataReplicas = Number(services.metadataReplicas ?? 2) + 1;
        const changed = { ...(run.overrides ?? {}), "metaflow-gcp:services": services };
        const r = await runEngine(run.env, { op: "up", stack: run.stack, config: stackConfig(run.stack, changed) });
        expect(r.ok, failed(r));
        // Reads (the guard's StackReference) and provider resources (engine bookkeeping, e.g. the
        // dynamic provider's) are not infrastructure; everything else that changed must be Kubernetes.
        const all = (r.result.steps as Array<{ op: string; type: string }>).filter((s) => s.type !== "pulumi:pulumi:Stack" && s.op !== "read");
        const steps = all.filter((s) => !s.type.startsWith("pulumi:providers:"));
        const others = steps.filter((s) => !s.type.startsWith("kubernetes:"));
        expect(steps.length > 0, "nothing changed");
        expect(others.length === 0, `non-Kubernetes changes: ${others.map((s) => `${s.op} ${s.type}`).join(", ")}`);
        return all.map((s) => `${s.op} ${s.type}`).join(", ");
    });
}

/** Production: a replacing change (the subnet's range) is refused before anything is changed. */
export async function replacementRefused(run: StackRun): Promise<void> {
    await run.checks.run(`${run.stack}: the replacement guard refuses a replacing change (network.subnetCidr)`, async () => {
        const config = stackConfig(run.stack, run.overrides);
        const network = { ...((config["metaflow-gcp:network"] as Record<string, unknown>) ?? {}), subnetCidr: "10.120.0.0/20" };
        const r = await runEngine(run.env, { op: "up", stack: run.stack, config: { ...config, "metaflow-gcp:network": network } });
        const log = fs.readFileSync(r.log, "utf8");
        expect(!r.ok, "the update succeeded");
        expect(/Refused: this change of the production stack's config would replace/.test(log), `failed, but not with the guard's refusal:\n${engineErrorLines(r.log)}`);
        const changed = /(\d+) (created|updated|deleted|replaced)/.exec(log);
        expect(!changed, `resources changed before the refusal: ${changed?.[0]}`);
        return "refused: Refused: this change of the production stack's config would replace resources…";
    });
}

/**
 * A production stack is retired the way README "Destroy and recreate an environment" says:
 * `production: false`, both deletion protections off, `storage.forceDestroy: true`, `pulumi up`,
 * then `pulumi state unprotect --all`.
 */
export async function retireProduction(run: StackRun): Promise<boolean> {
    return run.checks.run(`${run.stack}: retired as the README says (production off, protections off, up, state unprotect --all)`, async () => {
        const config = stackConfig(run.stack, run.overrides);
        const obj = (key: string) => (config[`metaflow-gcp:${key}`] as Record<string, unknown> | undefined) ?? {};
        const retired = {
            ...(run.overrides ?? {}),
            "metaflow-gcp:production": false,
            "metaflow-gcp:cluster": { ...obj("cluster"), deletionProtection: false },
            "metaflow-gcp:database": { ...obj("database"), deletionProtection: false },
            "metaflow-gcp:storage": { ...obj("storage"), forceDestroy: true },
        };
        const up = await runEngine(run.env, { op: "up", stack: run.stack, config: stackConfig(run.stack, retired) });
        expect(up.ok, failed(up));
        const unprotect = await runEngine(run.env, { op: "unprotect", stack: run.stack, config: stackConfig(run.stack, retired) });
        expect(unprotect.ok, failed(unprotect));
        return `up: ${JSON.stringify(up.result.summary)}; ${String(unprotect.result).trim()}`;
    });
}

export async function destroyLeavesNothing(run: StackRun, namespace: string | undefined): Promise<void> {
    const { checks, env, stack, access } = run;
    await checks.run(`${stack}: destroy leaves nothing behind`, async () => {
        // README "Destroy and recreate an environment": the flows' Sensors (Metaflow's, not the
        // stack's) go first; Argo Events keeps an EventBus with Sensors connected.
        const sensors = namespace ? await kubeRequest(access, "DELETE", `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/sensors`) : undefined;
        const removed = sensors?.status === 200 ? ((sensors.body.items ?? []) as unknown[]).length : 0;
        const r = await runEngine(env, { op: "destroy", stack, config: stackConfig(stack, run.overrides) });
        expect(r.ok, failed(r));
        const exported = await runEngine(env, { op: "export", stack, config: stackConfig(stack, run.overrides) });
        const left = (exported.result?.deployment?.resources ?? []).filter((x: { type: string }) => !["pulumi:pulumi:Stack", "pulumi:providers:gcp", "pulumi:providers:random"].includes(x.type) && !x.type.startsWith("pulumi:providers:"));
        expect(left.length === 0, `left in the state: ${left.map((x: { urn: string }) => x.urn).join(", ")}`);
        if (namespace) {
            await waitFor(`namespace ${namespace} gone`, 120_000, async () => ((await kubeRequest(access, "GET", `/api/v1/namespaces/${namespace}`)).status === 404 ? true : undefined), 1000);
        }
        const nodes = (await kubeOk(access, "GET", "/api/v1/nodes")).body.items.length;
        expect(nodes === 0, `${nodes} nodes left`);
        return `${removed ? `${removed} flow Sensor(s) deleted first (README); ` : ""}${JSON.stringify(r.result.summary)} in ${r.seconds.toFixed(0)} s; namespace, nodes and state empty`;
    });
}

/** PeeringRemoval's delete ran in the dynamic-provider host and removed the peering before the network went. */
export async function peeringRemoved(run: StackRun): Promise<void> {
    await run.checks.run(`${run.stack}: PeeringRemoval removed the PSA peering (dynamic-provider host, fake Compute API)`, async () => {
        const calls = run.compute.calls.filter((c) => c.path.endsWith("/removePeering"));
        expect(calls.length > 0, `no removePeering call; Compute API calls: ${JSON.stringify(run.compute.calls)}; events: ${run.compute.events.join("; ")}`);
        const refused = run.compute.events.filter((e) => e.includes("delete refused"));
        expect(refused.length === 0, refused.join("; "));
        return run.compute.events.join("; ");
    });
}
