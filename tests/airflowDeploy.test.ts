import { strict as assert } from "assert";
import { DeployError, dagObjectUrl, deployFlow, parseDeployArgs, type CommandResult, type DeployDeps } from "../scripts/airflowDeploy";

interface Call {
    readonly command: string;
    readonly args: string[];
    readonly env: NodeJS.ProcessEnv;
}

const PROFILE = {
    METAFLOW_KUBERNETES_NAMESPACE: "metaflow-dev",
    METAFLOW_KUBERNETES_SERVICE_ACCOUNT: "metaflow-task",
    METAFLOW_DATASTORE_SYSROOT_GS: "gs://acme-metaflow-dev/metaflow",
};
const OUTPUTS = { metaflowConfig: PROFILE, airflow: { dagsUrl: "gs://acme-metaflow-dev/airflow/dags" } };

/** Fakes for everything the deploy touches; `fail` makes one command fail. */
function fakes(options: { outputs?: Record<string, any>; files?: string[]; fail?: (call: Call) => CommandResult | undefined; writesDag?: boolean } = {}) {
    const calls: Call[] = [];
    const removed: string[] = [];
    const files = new Set(options.files ?? ["flows/train.py"]);
    const deps: DeployDeps = {
        readOutputs: () => options.outputs ?? OUTPUTS,
        run: (command, args, env) => {
            const call = { command, args, env };
            calls.push(call);
            const failure = options.fail?.(call);
            if (failure) {
                return failure;
            }
            if (args[1] === "airflow" && args[2] === "create" && options.writesDag !== false) {
                files.add(args[3]);
            }
            return { status: 0 };
        },
        fileExists: (file) => files.has(file),
        fileSize: () => 1200,
        tempDir: () => "/tmp/deploy-test",
        removeDir: (dir) => removed.push(dir),
        log: () => undefined,
    };
    return { deps, calls, removed };
}

const request = { stack: "dev", flowFile: "flows/train.py", python: "python3", extraArgs: [] };

describe("npm run airflow-deploy", () => {
    it("compiles the flow with the stack's Metaflow settings, then uploads the DAG to the bucket's DAG folder", () => {
        const { deps, calls } = fakes();
        const target = deployFlow({ ...request, extraArgs: ["--max-workers", "4"] }, deps);
        assert.equal(target, "gs://acme-metaflow-dev/airflow/dags/train.py");
        const compile = calls.find((c) => c.args.includes("create"))!;
        assert.deepEqual([compile.command, ...compile.args], ["python3", "flows/train.py", "airflow", "create", "/tmp/deploy-test/train.py", "--max-workers", "4"]);
        // The DAG's pods get namespace and service account from these (Metaflow reads METAFLOW_* env first).
        assert.equal(compile.env.METAFLOW_KUBERNETES_NAMESPACE, "metaflow-dev");
        assert.equal(compile.env.METAFLOW_KUBERNETES_SERVICE_ACCOUNT, "metaflow-task");
        const upload = calls[calls.length - 1];
        assert.deepEqual([upload.command, ...upload.args], ["gcloud", "storage", "cp", "/tmp/deploy-test/train.py", target]);
        assert.ok(calls.indexOf(compile) < calls.indexOf(upload));
    });

    it("refuses a stack without Airflow, naming the config keys to set", () => {
        const { deps, calls } = fakes({ outputs: { metaflowConfig: PROFILE } });
        assert.throws(() => deployFlow(request, deps), (err: Error) => err instanceof DeployError && /no Airflow .*services\.airflow true.*services\.argoWorkflows false/.test(err.message));
        assert.equal(calls.length, 0, "nothing ran");
    });

    it("refuses a missing flow file or a non-Python file before reading the stack", () => {
        const { deps, calls } = fakes({ files: [] });
        assert.throws(() => deployFlow(request, deps), /flows\/train\.py: no such file/);
        assert.throws(() => deployFlow({ ...request, flowFile: "flow.ipynb" }, deps), /a Metaflow flow is a Python file/);
        assert.equal(calls.length, 0);
    });

    it("stops when Python with Metaflow or gcloud is missing, saying how to fix it", () => {
        const noMetaflow = fakes({ fail: (c) => (c.args[0] === "-c" ? { status: 1 } : undefined) });
        assert.throws(() => deployFlow(request, noMetaflow.deps), /`python3` is not usable \(exit code 1\): .*pip install metaflow/);
        const noGcloud = fakes({ fail: (c) => (c.command === "gcloud" ? { status: null, error: new Error("spawn gcloud ENOENT") } : undefined) });
        assert.throws(() => deployFlow(request, noGcloud.deps), /`gcloud` is not usable \(spawn gcloud ENOENT\)/);
        assert.ok(!noGcloud.calls.some((c) => c.args.includes("create")), "no compile without an uploader");
    });

    it("does not upload when the compile fails or writes nothing", () => {
        const failed = fakes({ fail: (c) => (c.args.includes("create") ? { status: 1 } : undefined) });
        assert.throws(() => deployFlow(request, failed.deps), /airflow create` failed \(exit code 1\).*npm run tunnel -- dev/);
        assert.ok(!failed.calls.some((c) => c.args[0] === "storage"));
        const empty = fakes({ writesDag: false });
        assert.throws(() => deployFlow(request, empty.deps), /wrote no DAG file/);
        assert.ok(!empty.calls.some((c) => c.args[0] === "storage"));
    });

    it("reports a failed upload with the permission it needs", () => {
        const { deps } = fakes({ fail: (c) => (c.args[0] === "storage" ? { status: 1 } : undefined) });
        assert.throws(() => deployFlow(request, deps), /upload to gs:\/\/acme-metaflow-dev\/airflow\/dags\/train\.py failed .*storage\.objects\.create/);
    });

    it("removes its temporary directory on every way out: success, a failed compile, a failed upload", () => {
        const ok = fakes();
        deployFlow(request, ok.deps);
        assert.deepEqual(ok.removed, ["/tmp/deploy-test"]);
        for (const fail of [(c: Call) => (c.args.includes("create") ? { status: 1 } : undefined), (c: Call) => (c.args[0] === "storage" ? { status: 1 } : undefined)]) {
            const failed = fakes({ fail });
            assert.throws(() => deployFlow(request, failed.deps));
            assert.deepEqual(failed.removed, ["/tmp/deploy-test"]);
        }
    });

    it("parses its arguments and passes everything after -- to airflow create", () => {
        assert.deepEqual(parseDeployArgs(["dev", "flow.py", "--python", "python3.11", "--", "--workflow-timeout", "600"]), {
            stack: "dev",
            flowFile: "flow.py",
            python: "python3.11",
            extraArgs: ["--workflow-timeout", "600"],
        });
        assert.throws(() => parseDeployArgs(["dev"]), /usage: npm run airflow-deploy/);
        assert.deepEqual(parseDeployArgs(["dev", "--from-file", "out.json", "flow.py"]), { stack: "dev", flowFile: "flow.py", python: "python3", extraArgs: [], fromFile: "out.json" });
        assert.equal(dagObjectUrl("gs://b/airflow/dags/", "a/b/flow.py"), "gs://b/airflow/dags/flow.py");
    });
});
