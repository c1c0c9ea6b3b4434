/**
 * The laptop scripts as a new user meets them: run for real (ts-node, as `npm run` does) with fake
 * `pulumi`, `kubectl`, `gke-gcloud-auth-plugin`, `docker` and `gcloud` on a PATH of their own (no
 * real tool is ever reached), a temporary HOME, TMPDIR and KUBECONFIG, and a hard time limit.
 */
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { buildKubeconfig } from "../components/model/kubeconfig";
import { adcFile, quotaProjectWarning, readAdcQuota } from "../scripts/adcQuota";
import { contextKubeconfig, kubeconfigPath, mergeKubeconfig } from "../scripts/kubeContext";
import { findOnPath, requireCommands } from "../scripts/prerequisites";
import { busyForwards, decideAfterExit, HEALTHY_AFTER_MS, localPortOf } from "../scripts/tunnel";
import { REPO_ROOT } from "../offline/render";

const TS_NODE = require.resolve("ts-node/dist/bin.js");

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
}

/** Sandboxes made by this file, removed when it ends. */
const sandboxes: string[] = [];

/** A sandbox: fake tools in bin/, and its own HOME, TMPDIR and KUBECONFIG. */
function sandbox(tools: Record<string, string>) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-scripts-test-"));
    sandboxes.push(root);
    const bin = path.join(root, "bin");
    for (const dir of ["bin", "home", "tmp"]) {
        fs.mkdirSync(path.join(root, dir));
    }
    for (const [name, body] of Object.entries(tools)) {
        fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    const env: NodeJS.ProcessEnv = {
        PATH: bin, // only the fakes: /bin/sh runs them, they call /bin tools by absolute path
        HOME: path.join(root, "home"),
        TMPDIR: path.join(root, "tmp"),
        KUBECONFIG: path.join(root, "home", "kubeconfig"),
        LOG: path.join(root, "calls.log"),
        OUTPUTS: path.join(root, "outputs.json"),
    };
    return { root, env, log: () => (fs.existsSync(env.LOG!) ? fs.readFileSync(env.LOG!, "utf8") : "") };
}

/**
 * Runs `npm run <script>`'s entry point; SIGTERM once `stopWhen` holds (polled), SIGKILL after
 * `limitMs` (the test then fails on the exit code).
 */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, limitMs: number, stopWhen?: (stdout: string) => boolean): Promise<Run> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, [TS_NODE, "--transpile-only", path.join("scripts", script), ...args], { cwd: REPO_ROOT, env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        const hardLimit = setTimeout(() => child.kill("SIGKILL"), limitMs);
        const poll = stopWhen === undefined ? undefined : setInterval(() => stopWhen(stdout) && child.kill("SIGTERM"), 100);
        child.on("exit", (code) => {
            clearTimeout(hardLimit);
            if (poll) {
                clearInterval(poll);
            }
            resolve({ code, stdout, stderr });
        });
    });
}

/** Temp files the tunnel left behind (ts-node's own compile cache is not ours). */
function tunnelLeftovers(tmp: string): string[] {
    return fs.readdirSync(tmp).filter((f) => f.startsWith("metaflow-tunnel-"));
}

/** A local port nothing listens on now (the tunnel's forwards follow the profile's URLs, so tests never need 8080). */
function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const server = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = server.address() as net.AddressInfo;
            server.close(() => resolve(port));
        });
    });
}

/** Outputs of a stack whose profile points the metadata service at `port`. */
function tunnelOutputs(port: number) {
    return { ...TUNNEL_OUTPUTS, metaflowConfig: { METAFLOW_SERVICE_URL: `http://localhost:${port}` } };
}

const TUNNEL_OUTPUTS = {
    // Only the metadata service: one forward, whatever else the stack enables.
    metaflowConfig: { METAFLOW_SERVICE_URL: "http://localhost:8080" },
    kubernetesNamespace: "metaflow-dev",
    kubeconfig: buildKubeconfig({ name: "metaflow-dev", server: "https://gke-0123.us-central1-a.gke.goog" }),
};
const FAKE_PULUMI = '/bin/cat "$OUTPUTS"';

type Box = ReturnType<typeof sandbox>;
type Outcome = { run: Run; box: Box; ms: number };
/**
 * Subprocess scenarios. They start two at a time when the suite begins (each is mostly node
 * start-up and timers), and each test awaits its own.
 */
const scenarios: Array<{ start: () => Promise<Outcome>; done: Promise<Outcome>; resolve: (o: Outcome) => void }> = [];
function scenario(start: () => { box: Box; run: Promise<Run> }): () => Promise<Outcome> {
    let resolve!: (o: Outcome) => void;
    const done = new Promise<Outcome>((r) => (resolve = r));
    scenarios.push({
        start: async () => {
            const t0 = Date.now();
            const started = start();
            return { box: started.box, run: await started.run, ms: Date.now() - t0 };
        },
        done,
        resolve,
    });
    return () => done;
}
const CONCURRENCY = 2;
function startAllScenarios(): void {
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < scenarios.length) {
            const s = scenarios[next++];
            s.resolve(await s.start());
        }
    };
    for (let i = 0; i < CONCURRENCY; i++) {
        void worker();
    }
}
/** Generous against a loaded machine; a hung script still ends the test. */
const LIMIT_MS = 45_000;
const OK = "exit 0";

const REGISTRY_OUTPUTS = { registryUrl: "us-central1-docker.pkg.dev/acme-ml-dev/metaflow-dev" };
const kubectlRuns = (box: Box) => box.log().split("\n").filter((l) => l.startsWith("kubectl")).length;

const withoutPulumi = (["profile.ts", "pushImage.ts"] as const).map((script) => ({
    script,
    result: scenario(() => {
        const box = sandbox({ kubectl: OK, "gke-gcloud-auth-plugin": OK, docker: OK, gcloud: OK });
        return { box, run: runScript(script, ["dev"], box.env, LIMIT_MS) };
    }),
}));
const tunnelWithoutTools = scenario(() => {
    const box = sandbox({ "gke-gcloud-auth-plugin": OK });
    return { box, run: runScript("tunnel.ts", ["dev"], box.env, LIMIT_MS) };
});
/** A tunnel scenario on a free local port: `kubectl` is the fake's body. */
function tunnelScenario(kubectl: string, stopWhen?: (box: Box) => (stdout: string) => boolean) {
    return scenario(() => {
        const box = sandbox({ pulumi: FAKE_PULUMI, "gke-gcloud-auth-plugin": OK, kubectl });
        const run = freePort().then((port) => {
            fs.writeFileSync(box.env.OUTPUTS!, JSON.stringify(tunnelOutputs(port)));
            return runScript("tunnel.ts", ["dev"], box.env, LIMIT_MS, stopWhen?.(box));
        });
        return { box, run };
    });
}
const tunnelUnauthorized = tunnelScenario('echo kubectl >> "$LOG"; echo "error: You must be logged in to the server (Unauthorized)" >&2; exit 1');
const tunnelDrops = tunnelScenario(
    'echo kubectl >> "$LOG"; echo "Forwarding from 127.0.0.1:8080 -> 8080"; /bin/sleep 0.3; exit 1',
    (box) => (stdout) => stdout.includes("Ctrl-C to stop") && kubectlRuns(box) >= 2,
);
/** kubectl's own words when its local port is taken (client-go tools/portforward), after our check passed (a race). */
const KUBECTL_BIND_FAILED =
    'echo kubectl >> "$LOG"; echo "Unable to listen on port 8080: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:8080: bind: address already in use]" >&2; echo "error: unable to listen on any of the requested ports: [{8080 8080}]" >&2; exit 1';
const tunnelKubectlBindFails = tunnelScenario(KUBECTL_BIND_FAILED);
/** Something already listens on the profile's metadata port. */
const tunnelPortTaken = scenario(() => {
    const box = sandbox({ pulumi: FAKE_PULUMI, "gke-gcloud-auth-plugin": OK, kubectl: 'echo kubectl >> "$LOG"; exit 1' });
    const holder = net.createServer();
    const run = new Promise<number>((resolve) => holder.listen(0, "127.0.0.1", () => resolve((holder.address() as net.AddressInfo).port))).then(async (port) => {
        fs.writeFileSync(box.env.OUTPUTS!, JSON.stringify({ ...tunnelOutputs(port), port }));
        const result = await runScript("tunnel.ts", ["dev"], box.env, LIMIT_MS);
        holder.close();
        return result;
    });
    return { box, run };
});
const pushWithoutDaemon = scenario(() => {
    const box = sandbox({
        pulumi: FAKE_PULUMI,
        docker: 'echo "docker $*" >> "$LOG"; echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1',
        gcloud: 'echo "gcloud $*" >> "$LOG"; exit 0',
    });
    fs.writeFileSync(box.env.OUTPUTS!, JSON.stringify(REGISTRY_OUTPUTS));
    return { box, run: runScript("pushImage.ts", ["dev"], box.env, LIMIT_MS) };
});
const pushDryRun = scenario(() => {
    const box = sandbox({ pulumi: FAKE_PULUMI, docker: 'echo "docker $*" >> "$LOG"', gcloud: 'echo "gcloud $*" >> "$LOG"' });
    fs.writeFileSync(box.env.OUTPUTS!, JSON.stringify(REGISTRY_OUTPUTS));
    return { box, run: runScript("pushImage.ts", ["dev", "--dry-run"], box.env, LIMIT_MS) };
});

const pushDryRunWithoutPulumi = scenario(() => {
    const box = sandbox({ docker: 'echo "docker $*" >> "$LOG"' });
    return { box, run: runScript("pushImage.ts", ["dev", "--dry-run"], box.env, LIMIT_MS) };
});
const pushFromFile = scenario(() => {
    const box = sandbox({ docker: 'echo "docker $*" >> "$LOG"', gcloud: 'echo "gcloud $*" >> "$LOG"' });
    const saved = path.join(box.root, "saved.json");
    fs.writeFileSync(saved, JSON.stringify(REGISTRY_OUTPUTS));
    return { box, run: runScript("pushImage.ts", ["dev", "--variant", "cpu", "--from-file", saved], box.env, LIMIT_MS) };
});

/** airflow-deploy with fake Python (writes the DAG it is asked for) and gcloud; `upload` is gcloud storage cp's exit code. */
function airflowDeployScenario(upload: number) {
    return scenario(() => {
        const box = sandbox({
            python3: 'echo "python $*" >> "$LOG"; if [ "$2" = airflow ] && [ "$3" = create ]; then echo "dag = 1" > "$4"; fi; exit 0',
            gcloud: `echo "gcloud $*" >> "$LOG"; if [ "$1" = storage ]; then exit ${upload}; fi; exit 0`,
        });
        const flow = path.join(box.root, "train.py");
        fs.writeFileSync(flow, "# a flow\n");
        const saved = path.join(box.root, "saved.json");
        fs.writeFileSync(saved, JSON.stringify({ metaflowConfig: { METAFLOW_KUBERNETES_NAMESPACE: "metaflow-dev" }, airflow: { dagsUrl: "gs://acme-metaflow-dev/airflow/dags" } }));
        return { box, run: runScript("airflowDeploy.ts", ["dev", flow, "--from-file", saved], box.env, LIMIT_MS) };
    });
}
const airflowDeployed = airflowDeployScenario(0);
const airflowUploadFails = airflowDeployScenario(1);
const airflowWithoutPulumi = scenario(() => {
    const box = sandbox({ python3: OK, gcloud: OK });
    const flow = path.join(box.root, "train.py");
    fs.writeFileSync(flow, "# a flow\n");
    return { box, run: runScript("airflowDeploy.ts", ["dev", flow], box.env, LIMIT_MS) };
});
const airflowLeftovers = (box: Box) => fs.readdirSync(box.env.TMPDIR!).filter((f) => f.startsWith("metaflow-airflow-"));

const CONTEXT = { name: "metaflow-dev", server: "https://gke-0123.us-central1-a.gke.goog", controlPlaneAccess: "dns" as const };
const SOMEONE_ELSES = YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    preferences: { colors: true },
    clusters: [{ name: "kind-local", cluster: { server: "https://127.0.0.1:6443" } }],
    users: [{ name: "kind-local", user: { token: "keep-me" } }],
    contexts: [{ name: "kind-local", context: { cluster: "kind-local", user: "kind-local", namespace: "web" } }],
    "current-context": "kind-local",
});
/** What `gcloud auth application-default login` writes (an authorized_user file), with a quota project. */
function writeAdc(home: string, quotaProject: string | undefined): string {
    const dir = path.join(home, ".config", "gcloud");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "application_default_credentials.json");
    const info = { type: "authorized_user", client_id: "offline-client.apps.googleusercontent.com", client_secret: "offline-not-a-secret", refresh_token: "offline-not-a-token", ...(quotaProject ? { quota_project_id: quotaProject } : {}) };
    fs.writeFileSync(file, JSON.stringify(info));
    return file;
}
const profileRun = (quotaProject: string) =>
    scenario(() => {
        const box = sandbox({ "gke-gcloud-auth-plugin": OK });
        fs.writeFileSync(box.env.KUBECONFIG!, SOMEONE_ELSES);
        writeAdc(box.env.HOME!, quotaProject);
        const saved = path.join(box.root, "saved.json");
        fs.writeFileSync(saved, JSON.stringify({ project: "acme-ml-dev", metaflowConfig: { METAFLOW_DEFAULT_DATASTORE: "gs" }, kubeContext: CONTEXT }));
        return { box, run: runScript("profile.ts", ["dev", "--from-file", saved], box.env, LIMIT_MS) };
    });
const profileEndToEnd = profileRun("acme-ml-dev");
const profileOtherQuotaProject = profileRun("someone-elses-project");

/** A kubeconfig with the user's comments, in their own layout. */
const COMMENTED = [
    "# My clusters. Keep this comment.",
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "  # the kind cluster on this laptop",
    "  - name: kind-local",
    "    cluster:",
    "      server: https://127.0.0.1:6443 # port from kind",
    "users:",
    "  - name: kind-local",
    "    user:",
    "      token: keep-me",
    "contexts:",
    "  - name: kind-local",
    "    context: { cluster: kind-local, user: kind-local }",
    "current-context: kind-local",
    "",
].join("\n");
function profileScenario(kubeconfig: string) {
    return scenario(() => {
        const box = sandbox({ "gke-gcloud-auth-plugin": OK });
        fs.writeFileSync(box.env.KUBECONFIG!, kubeconfig);
        const saved = path.join(box.root, "saved.json");
        fs.writeFileSync(saved, JSON.stringify({ metaflowConfig: { METAFLOW_DEFAULT_DATASTORE: "gs" }, kubeContext: CONTEXT }));
        return { box, run: runScript("profile.ts", ["dev", "--from-file", saved], box.env, LIMIT_MS) };
    });
}
const BROKEN_KUBECONFIG = "clusters:\n  - name: a\n    cluster: [unclosed\n";
const profileBrokenKubeconfig = profileScenario(BROKEN_KUBECONFIG);
const profileCommented = profileScenario(COMMENTED);

describe("laptop scripts (run with fake tools on a private PATH)", function () {
    this.timeout(120_000);
    before(startAllScenarios);
    after(async () => {
        await Promise.all(scenarios.map((s) => s.done));
        sandboxes.forEach((root) => fs.rmSync(root, { recursive: true, force: true }));
    });

    describe("fail fast with the real cause", () => {
        for (const { script, result } of withoutPulumi) {
            it(`${script} without the Pulumi CLI says the CLI is missing, not "is the stack deployed?"`, async () => {
                const { run } = await result();
                assert.equal(run.code, 1, run.stderr);
                assert.match(run.stderr, /pulumi is not installed \(not found on PATH\).*https:\/\/www\.pulumi\.com\/docs\/install/);
                assert.doesNotMatch(run.stderr, /deployed/);
            });
        }

        it("tunnel without the Pulumi CLI and kubectl: exits non-zero naming both, before any temp kubeconfig exists", async () => {
            const { run, box } = await tunnelWithoutTools();
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, /pulumi is not installed \(not found on PATH\).*https:\/\/www\.pulumi\.com\/docs\/install/);
            assert.match(run.stderr, /kubectl is not installed.*port-forwards/);
            assert.doesNotMatch(run.stderr, /deployed/);
            assert.deepEqual(tunnelLeftovers(box.env.TMPDIR!), []);
        });

        it("tunnel with kubectl but no credentials: stops with kubectl's message and what to check, never retries, removes the temp file", async () => {
            const { run, box, ms } = await tunnelUnauthorized();
            assert.equal(run.code, 1, run.stderr);
            assert.ok(ms < 30_000, `stopped after ${ms} ms`);
            assert.match(run.stderr, /metadata service forward \(svc\/metaflow-metadata in metaflow-dev\) never worked/);
            assert.match(run.stderr, /Unauthorized/);
            assert.match(run.stderr, /gcloud auth login/);
            assert.match(run.stderr, /access\.members/);
            assert.equal(kubectlRuns(box), 1, "kubectl was not retried");
            assert.deepEqual(tunnelLeftovers(box.env.TMPDIR!), []);
        });

        it("tunnel restarts a forward that worked and dropped; SIGTERM stops it and removes the temp file", async () => {
            const { run, box } = await tunnelDrops();
            assert.equal(run.code, 0, run.stderr);
            assert.ok(kubectlRuns(box) >= 2, `kubectl ran ${kubectlRuns(box)} time(s)`);
            assert.match(run.stderr, /port-forward exited \(code 1\); reconnecting in 1s/);
            assert.deepEqual(tunnelLeftovers(box.env.TMPDIR!), []);
        });

        it("tunnel decides: never worked = fail; dropped = retry with backoff, reset after a healthy run", () => {
            assert.deepEqual(decideAfterExit({ everReady: false, failuresInARow: 0, upForMs: 0 }), { action: "fail" });
            assert.deepEqual(decideAfterExit({ everReady: true, failuresInARow: 0, upForMs: 500 }), { action: "retry", delayMs: 1000, failures: 1 });
            assert.deepEqual(decideAfterExit({ everReady: true, failuresInARow: 3, upForMs: 0 }), { action: "retry", delayMs: 8000, failures: 4 });
            assert.deepEqual(decideAfterExit({ everReady: true, failuresInARow: 5, upForMs: HEALTHY_AFTER_MS + 1 }), { action: "retry", delayMs: 1000, failures: 1 });
        });

        it("push-image checks for a Docker daemon before gcloud edits ~/.docker/config.json", async () => {
            const { run, box } = await pushWithoutDaemon();
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, /no Docker daemon answers.*Cannot connect to the Docker daemon.*Nothing was changed/);
            assert.doesNotMatch(box.log(), /gcloud/, "gcloud auth configure-docker never ran");
            assert.equal(fs.existsSync(path.join(box.env.HOME!, ".docker")), false);
        });

        it("push-image --dry-run says what it would do, runs nothing and never says Pushed", async () => {
            const { run, box } = await pushDryRun();
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /Dry run: would build and push us-central1-docker\.pkg\.dev\/acme-ml-dev\/metaflow-dev\/metaflow-task:\S+ with:/);
            assert.match(run.stdout, /\$ gcloud auth configure-docker us-central1-docker\.pkg\.dev --quiet/);
            assert.match(run.stdout, /Nothing was run/);
            assert.doesNotMatch(run.stdout, /Pushed/);
            assert.equal(box.log(), "");
        });

        it("tool lookup finds executables on PATH only, and lists every missing tool with how to install it", () => {
            const box = sandbox({ kubectl: OK });
            fs.writeFileSync(path.join(box.root, "bin", "not-executable"), "", { mode: 0o644 });
            assert.equal(findOnPath("kubectl", box.env), path.join(box.root, "bin", "kubectl"));
            assert.equal(findOnPath("not-executable", box.env), undefined);
            assert.throws(
                () => requireCommands([{ command: "kubectl", neededFor: "x" }, { command: "docker", neededFor: "to build" }, { command: "gcloud", neededFor: "to log in" }], box.env),
                (err: Error) => !err.message.includes("kubectl") && /docker is not installed.*to build.*docs\.docker\.com/.test(err.message) && /gcloud is not installed/.test(err.message),
            );
        });
    });

    describe("say and do the true thing", () => {
        it("push-image --dry-run without the Pulumi CLI: shows the plan with the registry it would read, and what the real run needs", async () => {
            const { run, box } = await pushDryRunWithoutPulumi();
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /\$ docker push <registryUrl output of stack dev>\/metaflow-task:/);
            assert.match(run.stdout, /The real run also needs: pulumi \(to read stack dev's registry \(or pass --from-file\)\); gcloud/);
            assert.equal(box.log(), "");
        });

        it("push-image --from-file, which its missing-CLI message offers, works without the Pulumi CLI", async () => {
            const { run, box } = await pushFromFile();
            assert.equal(run.code, 0, run.stderr);
            assert.match(run.stdout, /Pushed us-central1-docker\.pkg\.dev\/acme-ml-dev\/metaflow-dev\/metaflow-task:\S+/);
            assert.match(box.log(), /^gcloud auth configure-docker us-central1-docker\.pkg\.dev --quiet$/m);
            assert.match(box.log(), /^docker build --target cpu /m);
        });

        it("airflow-deploy: offers --from-file without the Pulumi CLI, takes it, and leaves no temporary directory, also when the upload fails", async () => {
            const without = await airflowWithoutPulumi();
            assert.equal(without.run.code, 1);
            assert.match(without.run.stderr, /pulumi is not installed.*or pass --from-file/);
            const ok = await airflowDeployed();
            assert.equal(ok.run.code, 0, ok.run.stderr);
            assert.match(ok.box.log(), /^gcloud storage cp \S+\/metaflow-airflow-\w+\/train\.py gs:\/\/acme-metaflow-dev\/airflow\/dags\/train\.py$/m);
            assert.deepEqual(airflowLeftovers(ok.box), []);
            const failed = await airflowUploadFails();
            assert.equal(failed.run.code, 1);
            assert.match(failed.run.stderr, /upload to gs:\/\/acme-metaflow-dev\/airflow\/dags\/train\.py failed/);
            assert.deepEqual(airflowLeftovers(failed.box), []);
        });

        it("tunnel with a local port already taken: says so before kubectl runs, with how to find the holder, not the access checklist", async () => {
            const { run, box } = await tunnelPortTaken();
            const { port } = JSON.parse(fs.readFileSync(box.env.OUTPUTS!, "utf8"));
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, new RegExp(`local port ${port} \\(metadata service\\) already in use on 127\\.0\\.0\\.1`));
            assert.match(run.stderr, new RegExp(`lsof -nP -iTCP:${port} -sTCP:LISTEN`));
            assert.doesNotMatch(run.stderr, /gcloud auth login|access\.members/);
            assert.equal(kubectlRuns(box), 0);
            assert.deepEqual(tunnelLeftovers(box.env.TMPDIR!), []);
        });

        it("tunnel: kubectl's own bind failure (a port taken after the check) is explained as the port", async () => {
            const { run } = await tunnelKubectlBindFails();
            assert.equal(run.code, 1, run.stderr);
            assert.match(run.stderr, /could not listen.*\n.*kubectl said:/s);
            assert.match(run.stderr, /already in use on 127\.0\.0\.1/);
            assert.doesNotMatch(run.stderr, /gcloud auth login|access\.members/);
        });

        it("tunnel forwards the ports the profile points at; a busy one is found by binding it", async () => {
            assert.equal(localPortOf("http://localhost:18080", 8080), 18080);
            assert.equal(localPortOf("https://metaflow.example.com/metadata", 8080), 8080);
            assert.equal(localPortOf(undefined, 8083), 8083);
            const holder = net.createServer();
            const port = await new Promise<number>((resolve) => holder.listen(0, "127.0.0.1", () => resolve((holder.address() as net.AddressInfo).port)));
            try {
                const forward = { label: "x", service: "s", localPort: port, remotePort: 1 };
                assert.deepEqual(await busyForwards([forward]), [forward]);
            } finally {
                holder.close();
            }
            assert.deepEqual(await busyForwards([{ label: "y", service: "s", localPort: await freePort(), remotePort: 1 }]), []);
        });

        it("profile with a broken kubeconfig: refuses before writing anything, the Metaflow profile included", async () => {
            const { run, box } = await profileBrokenKubeconfig();
            assert.equal(run.code, 1, run.stdout);
            assert.match(run.stderr, /kubeconfig is not valid YAML.*nothing was changed/);
            assert.equal(fs.existsSync(path.join(box.env.HOME!, ".metaflowconfig", "config_dev.json")), false, "no profile written");
            assert.equal(fs.readFileSync(box.env.KUBECONFIG!, "utf8"), BROKEN_KUBECONFIG);
        });

        it("profile keeps the comments and layout of the kubeconfig it merges into", async () => {
            const { run, box } = await profileCommented();
            assert.equal(run.code, 0, run.stderr);
            const written = fs.readFileSync(box.env.KUBECONFIG!, "utf8");
            for (const line of ["# My clusters. Keep this comment.", "  # the kind cluster on this laptop", "      server: https://127.0.0.1:6443 # port from kind", "    context: { cluster: kind-local, user: kind-local }"]) {
                assert.ok(written.includes(line), `kept ${JSON.stringify(line)}:\n${written}`);
            }
            const doc = YAML.parse(written);
            assert.deepEqual(doc.contexts.map((c: any) => c.name), ["kind-local", "metaflow-dev"]);
            assert.equal(doc["current-context"], "metaflow-dev");
            const again = mergeKubeconfig(written, contextKubeconfig(CONTEXT), { makeCurrent: true });
            assert.equal(again.replaced, true);
            assert.ok(again.text.includes("# My clusters. Keep this comment."));
            assert.equal(YAML.parse(again.text).users.length, 2);
        });
    });

    describe("npm run profile: the Kubernetes context Metaflow uses", () => {
        it("merge: adds the context beside the others, which keep their values; replaces its own on re-run", () => {
            const first = mergeKubeconfig(SOMEONE_ELSES, contextKubeconfig(CONTEXT), { makeCurrent: true });
            const doc = YAML.parse(first.text);
            assert.equal(first.previousContext, "kind-local");
            assert.equal(doc["current-context"], "metaflow-dev");
            assert.deepEqual(doc.preferences, { colors: true });
            const before = YAML.parse(SOMEONE_ELSES);
            for (const section of ["clusters", "users", "contexts"]) {
                assert.deepEqual(doc[section][0], before[section][0], `${section}: the user's entry is untouched`);
                assert.equal(doc[section].length, 2);
            }
            const user = doc.users.find((u: any) => u.name === "metaflow-dev").user;
            assert.equal(user.exec.command, "gke-gcloud-auth-plugin");
            assert.equal(doc.clusters.find((c: any) => c.name === "metaflow-dev").cluster["certificate-authority-data"], undefined, "DNS endpoint: public CA");
            const again = mergeKubeconfig(first.text, contextKubeconfig(CONTEXT), { makeCurrent: true });
            assert.equal(again.replaced, true);
            assert.equal(YAML.parse(again.text).contexts.length, 2);
        });

        it("merge: --keep-context keeps current-context; an empty file gets ours; a broken file is refused untouched", () => {
            assert.equal(YAML.parse(mergeKubeconfig(SOMEONE_ELSES, contextKubeconfig(CONTEXT), { makeCurrent: false }).text)["current-context"], "kind-local");
            assert.equal(YAML.parse(mergeKubeconfig(undefined, contextKubeconfig(CONTEXT), { makeCurrent: false }).text)["current-context"], "metaflow-dev");
            assert.throws(() => mergeKubeconfig("clusters: [unclosed", contextKubeconfig(CONTEXT), { makeCurrent: true, file: "/x/config" }), /\/x\/config is not valid YAML.*nothing was changed/);
            assert.throws(() => mergeKubeconfig("clusters: 3\n", contextKubeconfig(CONTEXT), { makeCurrent: true }), /"clusters" is not a list/);
        });

        it("the IP endpoint (authorizedNetworks) carries its CA; the file is $KUBECONFIG's first entry, else ~/.kube/config", () => {
            const ip = YAML.parse(contextKubeconfig({ ...CONTEXT, server: "https://203.0.113.17", controlPlaneAccess: "authorizedNetworks" }, "Q0E="));
            assert.equal(ip.clusters[0].cluster["certificate-authority-data"], "Q0E=");
            assert.equal(kubeconfigPath({ KUBECONFIG: ["/a/one", "/b/two"].join(path.delimiter) }, "/home/u"), "/a/one");
            assert.equal(kubeconfigPath({}, "/home/u"), path.join("/home/u", ".kube", "config"));
        });

        it("the README's new-user prerequisites pin the Python packages the test suite runs against", () => {
            const pins = fs.readFileSync(path.join(REPO_ROOT, "tests", "python", "requirements.txt"), "utf8");
            const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
            const install = /pip install (metaflow==\S+) (kubernetes==\S+?)`/.exec(readme);
            assert.ok(install, "README names `pip install metaflow==<v> kubernetes==<v>`");
            for (const pin of install.slice(1)) {
                assert.ok(pins.split("\n").includes(pin), `${pin} is not pinned in tests/python/requirements.txt`);
            }
        });

        it("ADC's quota project: read where google-auth reads it (GOOGLE_APPLICATION_CREDENTIALS, $CLOUDSDK_CONFIG, ~/.config/gcloud, %APPDATA%), GOOGLE_CLOUD_QUOTA_PROJECT first", () => {
            const home = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-adc-"));
            sandboxes.push(home);
            assert.equal(adcFile({}, "/home/u", "linux"), path.join("/home/u", ".config", "gcloud", "application_default_credentials.json"));
            assert.equal(adcFile({ CLOUDSDK_CONFIG: "/etc/gc" }, "/home/u", "linux"), path.join("/etc/gc", "application_default_credentials.json"));
            assert.equal(adcFile({ APPDATA: "C:\\Users\\u\\AppData\\Roaming" }, "C:\\Users\\u", "win32"), path.join("C:\\Users\\u\\AppData\\Roaming", "gcloud", "application_default_credentials.json"));
            assert.equal(adcFile({ GOOGLE_APPLICATION_CREDENTIALS: "/k.json", CLOUDSDK_CONFIG: "/etc/gc" }, "/home/u", "linux"), "/k.json");
            assert.deepEqual(readAdcQuota({}, home), { file: adcFile({}, home), exists: false });
            const file = writeAdc(home, "acme-ml-dev");
            assert.deepEqual(readAdcQuota({}, home), { file, exists: true, type: "authorized_user", quotaProject: "acme-ml-dev", from: "file" });
            assert.equal(readAdcQuota({ GOOGLE_CLOUD_QUOTA_PROJECT: "billing-proj" }, home).quotaProject, "billing-proj");
            writeAdc(home, undefined);
            assert.equal(readAdcQuota({}, home).quotaProject, undefined);
        });

        it("ADC's quota project: a warning with the exact command unless it is the platform's project; service accounts are not judged", () => {
            const fix = "`gcloud auth application-default set-quota-project acme-ml-dev`";
            const user = { file: "/h/adc.json", exists: true, type: "authorized_user" };
            assert.equal(quotaProjectWarning({ ...user, quotaProject: "acme-ml-dev", from: "file" }, "acme-ml-dev"), undefined);
            assert.match(quotaProjectWarning({ ...user, quotaProject: "other", from: "file" }, "acme-ml-dev")!, /bill project other \(from \/h\/adc\.json\), not this platform's project acme-ml-dev\..*run `gcloud auth application-default set-quota-project acme-ml-dev`/);
            assert.ok(quotaProjectWarning(user, "acme-ml-dev")!.includes(`has no quota project`) && quotaProjectWarning(user, "acme-ml-dev")!.includes(fix));
            assert.match(quotaProjectWarning({ ...user, quotaProject: "other", from: "GOOGLE_CLOUD_QUOTA_PROJECT" }, "acme-ml-dev")!, /unset GOOGLE_CLOUD_QUOTA_PROJECT \(or set it to acme-ml-dev\)/);
            assert.ok(quotaProjectWarning({ file: "/h/adc.json", exists: false }, "acme-ml-dev")!.includes(`\`gcloud auth application-default login\`, then ${fix}`));
            assert.equal(quotaProjectWarning({ file: "/k.json", exists: true, type: "service_account" }, "acme-ml-dev"), undefined);
        });

        it("npm run profile warns, with the command, when ADC bills another project (and still writes the profile)", async () => {
            const { run, box } = await profileOtherQuotaProject();
            assert.equal(run.code, 0, run.stderr);
            assert.ok(fs.existsSync(path.join(box.env.HOME!, ".metaflowconfig", "config_dev.json")));
            assert.match(run.stderr, /Warning: Application Default Credentials bill project someone-elses-project .* run `gcloud auth application-default set-quota-project acme-ml-dev`/);
        });

        it("end to end: writes the profile and the context into $KUBECONFIG (0600), switches and says from what", async () => {
            const { run, box } = await profileEndToEnd();
            assert.equal(run.code, 0, run.stderr);
            assert.ok(fs.existsSync(path.join(box.env.HOME!, ".metaflowconfig", "config_dev.json")));
            const written = YAML.parse(fs.readFileSync(box.env.KUBECONFIG!, "utf8"));
            assert.deepEqual(written.contexts.map((c: any) => c.name), ["kind-local", "metaflow-dev"]);
            assert.equal(written["current-context"], "metaflow-dev");
            assert.equal(fs.statSync(box.env.KUBECONFIG!).mode & 0o777, 0o600);
            assert.match(run.stdout, /current-context is now metaflow-dev \(was kind-local; switch back with `kubectl config use-context kind-local`\)/);
            assert.doesNotMatch(run.stderr, /Warning/);
        });
    });
});
