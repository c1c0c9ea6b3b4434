/**
 * Runs engine operations (rehearsal/engineOp.ts) in child processes with the environment the
 * rehearsal's plugins need: the built tools and our stand-in plugins first on PATH, a local
 * file backend, no plugin downloads, the local API server's address and the fake Compute API.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { EngineOp } from "./engineOp";

export const REPO = path.resolve(__dirname, "..");

export interface EngineEnv {
    readonly toolsBin: string;
    readonly runDir: string;
    readonly kubeServer: string;
    readonly adminToken: string;
    readonly deployerToken: string;
    readonly memberToken: string;
    readonly caFile: string;
    readonly computeProxy: string;
    readonly computeAdmin: string;
    readonly project: string;
}

export interface EngineResult {
    readonly ok: boolean;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly result?: any;
    readonly error?: string;
    /** The engine's own output (what `pulumi up` prints), kept in a file. */
    readonly log: string;
    readonly seconds: number;
}

export function engineEnvironment(e: EngineEnv): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.KUBECONFIG;
    return {
        ...env,
        PATH: [e.toolsBin, path.join(REPO, "rehearsal", "plugins"), process.env.PATH].join(path.delimiter),
        PULUMI_HOME: path.join(e.runDir, "pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK: "1",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        // The file backend's secrets provider: a passphrase, for this throw-away state only.
        PULUMI_CONFIG_PASSPHRASE: "metaflow-rehearsal",
        // The Google Cloud stand-in and the gke-gcloud-auth-plugin stand-in.
        REHEARSAL_KUBE_SERVER: e.kubeServer,
        REHEARSAL_KUBE_TOKEN: e.adminToken,
        REHEARSAL_KUBE_CA: e.caFile,
        REHEARSAL_DEPLOYER_TOKEN: e.deployerToken,
        REHEARSAL_COMPUTE_ADMIN: e.computeAdmin,
        REHEARSAL_GCP_PROJECT: e.project,
        REHEARSAL_RUN_DIR: e.runDir,
        // The DNS endpoint's certificate is "publicly trusted": the Kubernetes provider (Go) trusts the run's CA.
        SSL_CERT_FILE: e.caFile,
        // PeeringRemoval (Node, google-auth-library/gaxios) reaches the fake Compute API through its proxy.
        NODE_EXTRA_CA_CERTS: e.caFile,
        HTTPS_PROXY: e.computeProxy,
        NO_PROXY: "localhost,127.0.0.1",
        GOOGLE_OAUTH_ACCESS_TOKEN: "rehearsal-token",
    };
}

let opCounter = 0;

/** Runs one operation; never throws for an engine failure (`ok: false` with the error). */
export function runEngine(e: EngineEnv, op: Omit<EngineOp, "workDir" | "backendUrl">): Promise<EngineResult> {
    const full: EngineOp = { ...op, workDir: path.join(e.runDir, "workspace", op.stack), backendUrl: `file://${path.join(e.runDir, "state")}` };
    fs.mkdirSync(full.workDir, { recursive: true });
    // Plugins start in the program's directory: the dynamic-provider host resolves the modules a
    // serialized provider requires (PeeringRemoval: google-auth-library) from there, as it does in
    // the project directory when `pulumi up` runs there.
    const modules = path.join(full.workDir, "node_modules");
    if (!fs.existsSync(modules)) {
        fs.symlinkSync(path.join(REPO, "node_modules"), modules);
    }
    fs.mkdirSync(path.join(e.runDir, "state"), { recursive: true });
    const log = path.join(e.runDir, "logs", `engine-${String(++opCounter).padStart(2, "0")}-${op.stack}-${op.op}.log`);
    fs.mkdirSync(path.dirname(log), { recursive: true });
    const started = Date.now();
    return new Promise((resolve) => {
        const logFd = fs.openSync(log, "w");
        const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register/transpile-only"), path.join(REPO, "rehearsal", "engineOp.ts")], {
            cwd: REPO,
            env: { ...engineEnvironment(e), REHEARSAL_OP: JSON.stringify(full), TS_NODE_PROJECT: path.join(REPO, "tsconfig.json") },
            stdio: ["ignore", "pipe", logFd],
        });
        let out = "";
        child.stdout?.on("data", (c) => (out += c));
        child.on("close", (code) => {
            fs.closeSync(logFd);
            const line = out.split("\n").find((l) => l.startsWith("REHEARSAL_RESULT "));
            const seconds = (Date.now() - started) / 1000;
            if (!line) {
                resolve({ ok: false, error: `engine process exited ${code} without a result; see ${log}`, log, seconds });
                return;
            }
            resolve({ ...JSON.parse(line.slice("REHEARSAL_RESULT ".length)), log, seconds });
        });
    });
}

/** The last lines of an engine log that say what went wrong. */
export function engineErrorLines(log: string, n = 25): string {
    const lines = fs.readFileSync(log, "utf8").split("\n");
    const start = lines.findIndex((l) => /^Diagnostics:|error:/.test(l));
    return (start >= 0 ? lines.slice(start, start + n) : lines.slice(-n)).join("\n");
}
