/**
 * Deploys a flow to the environment's Airflow: compiles it with Metaflow
 * (`python <flow.py> airflow create <dag.py>`, with the stack's Metaflow settings) and uploads the
 * DAG file to the DAG folder in the datastore bucket (`gs://<bucket>/airflow/dags`), which the
 * scheduler, DAG processor and workers mount read-only.
 *
 *   npm run airflow-deploy -- dev flow.py [--python python3.11] [--from-file outputs.json] [-- <extra airflow create options>]
 *
 * Needs Python with Metaflow, `gcloud` logged in with write access to the bucket's airflow/
 * prefix, and `npm run tunnel -- <stack>` running (Metaflow reaches the metadata service on
 * localhost). `--from-file` takes the stack's outputs from saved `pulumi stack output --json`
 * instead of the Pulumi CLI. Stops at the first failure and says why; the DAG is compiled into a
 * temporary directory that is removed on every way out.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LOCAL_PORTS } from "../components/model/metaflowConfig";
import { flag, readStackOutputs } from "./stackOutputs";

/** One external command and its outcome. */
export interface CommandResult {
    readonly status: number | null;
    readonly error?: Error;
}
export type RunCommand = (command: string, args: string[], env: NodeJS.ProcessEnv) => CommandResult;

/** What the deploy touches outside this process; tests pass fakes. */
export interface DeployDeps {
    readonly readOutputs: (stack: string, fromFile?: string) => Record<string, any>;
    readonly run: RunCommand;
    readonly fileExists: (file: string) => boolean;
    readonly fileSize: (file: string) => number;
    readonly tempDir: () => string;
    /** Removes the temporary directory and what is in it. */
    readonly removeDir: (dir: string) => void;
    readonly log: (line: string) => void;
}

export interface DeployRequest {
    readonly stack: string;
    readonly flowFile: string;
    readonly python: string;
    /** Passed through to `airflow create` (e.g. `--max-workers 4`). */
    readonly extraArgs: string[];
    /** Saved `pulumi stack output --json`, read instead of asking the Pulumi CLI. */
    readonly fromFile?: string;
}

export class DeployError extends Error {}

/** Parses `<stack> <flow.py> [--python bin] [--from-file outputs.json] [-- extra...]`. */
export function parseDeployArgs(argv: string[]): DeployRequest {
    const dashes = argv.indexOf("--");
    const own = dashes >= 0 ? argv.slice(0, dashes) : argv;
    const extraArgs = dashes >= 0 ? argv.slice(dashes + 1) : [];
    const python = flag(own, "--python") ?? "python3";
    const fromFile = flag(own, "--from-file");
    const positionals = own.filter((a, i) => !a.startsWith("-") && !["--python", "--from-file"].includes(own[i - 1]));
    if (positionals.length !== 2) {
        throw new DeployError("usage: npm run airflow-deploy -- <stack> <flow.py> [--python <python>] [--from-file outputs.json] [-- <airflow create options>]");
    }
    return { stack: positionals[0], flowFile: positionals[1], python, extraArgs, ...(fromFile ? { fromFile } : {}) };
}

/** `gs://<bucket>/airflow/dags/<flow file name>`: one DAG file per flow file. */
export function dagObjectUrl(dagsUrl: string, flowFile: string): string {
    return `${dagsUrl.replace(/\/+$/, "")}/${path.basename(flowFile)}`;
}

/** The Metaflow settings of the stack as environment variables (they take precedence over any profile). */
export function metaflowEnv(profile: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(profile).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

function requireTool(deps: DeployDeps, command: string, args: string[], why: string): void {
    const result = deps.run(command, args, process.env);
    if (result.error || result.status !== 0) {
        throw new DeployError(`\`${command}\` is not usable (${result.error?.message ?? `exit code ${result.status}`}): ${why}`);
    }
}

/** Compiles the flow and uploads its DAG; returns the uploaded object's URL. */
export function deployFlow(request: DeployRequest, deps: DeployDeps): string {
    if (!request.flowFile.endsWith(".py")) {
        throw new DeployError(`${request.flowFile}: a Metaflow flow is a Python file (*.py)`);
    }
    if (!deps.fileExists(request.flowFile)) {
        throw new DeployError(`${request.flowFile}: no such file`);
    }
    const outputs = deps.readOutputs(request.stack, request.fromFile);
    if (!outputs.airflow?.dagsUrl) {
        throw new DeployError(
            `stack "${request.stack}" has no Airflow (output "airflow" is empty): turn it on with ` +
                "`pulumi config set --path metaflow-gcp:services.airflow true` and `--path metaflow-gcp:services.argoWorkflows false`, then `pulumi up`",
        );
    }
    if (!outputs.metaflowConfig) {
        throw new DeployError(`stack "${request.stack}" has no metaflowConfig output: are its services deployed (services.enabled)?`);
    }
    requireTool(deps, request.python, ["-c", "import metaflow"], "Metaflow compiles the DAG; install it (`pip install metaflow`) or pass --python <interpreter that has it>");
    requireTool(deps, "gcloud", ["--version"], "it uploads the DAG; install the Google Cloud CLI and run `gcloud auth login`");

    const dir = deps.tempDir();
    try {
        return compileAndUpload(request, deps, outputs, path.join(dir, path.basename(request.flowFile)));
    } finally {
        deps.removeDir(dir);
    }
}

/** Compiles the flow into `dagFile` and uploads it; returns the uploaded object's URL. */
function compileAndUpload(request: DeployRequest, deps: DeployDeps, outputs: Record<string, any>, dagFile: string): string {
    const env = { ...process.env, ...metaflowEnv(outputs.metaflowConfig) };
    deps.log(`Compiling ${request.flowFile} for Airflow (namespace ${env.METAFLOW_KUBERNETES_NAMESPACE}, service account ${env.METAFLOW_KUBERNETES_SERVICE_ACCOUNT})`);
    const compiled = deps.run(request.python, [request.flowFile, "airflow", "create", dagFile, ...request.extraArgs], env);
    if (compiled.error || compiled.status !== 0) {
        throw new DeployError(
            `\`${request.python} ${request.flowFile} airflow create\` failed (${compiled.error?.message ?? `exit code ${compiled.status}`}); ` +
                `Metaflow's message is above. Is \`npm run tunnel -- ${request.stack}\` running?`,
        );
    }
    if (!deps.fileExists(dagFile) || deps.fileSize(dagFile) === 0) {
        throw new DeployError(`Metaflow reported success but wrote no DAG file at ${dagFile}`);
    }

    const target = dagObjectUrl(outputs.airflow.dagsUrl, request.flowFile);
    deps.log(`Uploading the DAG to ${target}`);
    const uploaded = deps.run("gcloud", ["storage", "cp", dagFile, target], process.env);
    if (uploaded.error || uploaded.status !== 0) {
        throw new DeployError(
            `upload to ${target} failed (${uploaded.error?.message ?? `exit code ${uploaded.status}`}); ` +
                "you need write access to the bucket (storage.objects.create) and a `gcloud auth login` session",
        );
    }
    return target;
}

const realDeps: DeployDeps = {
    readOutputs: (stack, fromFile) => readStackOutputs(stack, { fromFile, offerFromFile: true }),
    run: (command, args, env) => {
        const result = spawnSync(command, args, { env, stdio: "inherit" });
        return { status: result.status, error: result.error };
    },
    fileExists: (file) => fs.existsSync(file),
    fileSize: (file) => fs.statSync(file).size,
    tempDir: () => fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-airflow-")),
    removeDir: (dir) => fs.rmSync(dir, { recursive: true, force: true }),
    log: (line) => console.log(line),
};

if (require.main === module) {
    try {
        const target = deployFlow(parseDeployArgs(process.argv.slice(2)), realDeps);
        console.log(`Deployed. The DAG processor picks up ${target} within a few minutes; see it in the Airflow UI (npm run tunnel, http://localhost:${LOCAL_PORTS.airflowUi}).`);
    } catch (err) {
        console.error(`airflow-deploy: ${(err as Error).message}`);
        process.exitCode = 1;
    }
}
