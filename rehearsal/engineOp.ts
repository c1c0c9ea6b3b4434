/**
 * One engine operation (preview, up, destroy, export) on one stack, in its own Node process so
 * that every operation loads the program afresh, as `pulumi up` would.
 *
 * There is no `pulumi-language-nodejs` here (its Go module answers 403), so the program runs
 * through Pulumi's Automation API as an inline program: the CLI (v3.248.0, built from its Go
 * module) is given `--client=127.0.0.1:<port>` and talks to the language runtime inside this
 * process, which requires the real stack program, index.ts.
 *
 * Input: REHEARSAL_OP (JSON of EngineOp) in the environment. Output: one line `REHEARSAL_RESULT <json>`.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { EngineEvent, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";

export interface EngineOp {
    readonly op: "preview" | "up" | "destroy" | "export" | "outputs" | "unprotect";
    readonly stack: string;
    /** Where the workspace (Pulumi.yaml, Pulumi.<stack>.yaml) is written. */
    readonly workDir: string;
    readonly backendUrl: string;
    /** The stack's whole config (namespaced keys; objects as objects). */
    readonly config: Record<string, unknown>;
    readonly policyPack?: string;
    readonly policyPackConfig?: string;
}

const REPO = path.resolve(__dirname, "..");

/**
 * Writes the stack's config into Pulumi.<stack>.yaml of the workspace, keeping what `stack init`
 * wrote there (the passphrase provider's `encryptionsalt`), which LocalWorkspace's stackSettings
 * option would overwrite.
 */
function writeStackFile(o: EngineOp): void {
    const file = path.join(o.workDir, `Pulumi.${o.stack}.yaml`);
    const existing = fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) : {};
    fs.writeFileSync(file, YAML.stringify({ ...existing, config: o.config }));
}

async function stackFor(o: EngineOp): Promise<Stack> {
    writeStackFile(o);
    const program = async () => {
        // index.ts exports the promise of the stack's outputs (`export = (async () => ...)()`).
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return await require(path.join(REPO, "index.ts"));
    };
    return LocalWorkspace.createOrSelectStack(
        { stackName: o.stack, projectName: "metaflow-gcp", program },
        {
            workDir: o.workDir,
            projectSettings: { name: "metaflow-gcp", runtime: "nodejs", backend: { url: o.backendUrl } },
        },
    );
}

async function run(o: EngineOp): Promise<unknown> {
    const stack = await stackFor(o);
    const onOutput = (s: string) => process.stderr.write(s);
    // Every step the engine takes other than "same": what changed, by type.
    const steps: Array<{ op: string; type: string; urn: string }> = [];
    const onEvent = (e: EngineEvent) => {
        const m = e.resourcePreEvent?.metadata;
        if (m && m.op !== "same") {
            steps.push({ op: m.op, type: m.type, urn: m.urn });
        }
    };
    const policy = o.policyPack ? { policyPacks: [o.policyPack], policyPackConfigs: o.policyPackConfig ? [o.policyPackConfig] : [] } : {};
    switch (o.op) {
        case "preview": {
            const r = await stack.preview({ ...policy, onOutput, onEvent, color: "never" });
            return { changeSummary: r.changeSummary, steps };
        }
        case "up": {
            const r = await stack.up({ ...policy, onOutput, onEvent, color: "never" });
            return { summary: r.summary.resourceChanges, steps, outputs: Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, v.secret ? "[secret]" : v.value])) };
        }
        case "destroy": {
            const r = await stack.destroy({ onOutput, onEvent, color: "never" });
            return { summary: r.summary.resourceChanges, steps };
        }
        case "export":
            return stack.exportStack();
        case "outputs":
            return stack.outputs();
        case "unprotect":
            // No Automation API call for it: the CLI's own command, in the workspace, on the selected stack.
            return execFileSync("pulumi", ["state", "unprotect", "--all", "--yes", "--non-interactive", "--stack", o.stack], { cwd: o.workDir, encoding: "utf8" });
    }
}

run(JSON.parse(process.env.REHEARSAL_OP ?? "{}") as EngineOp).then(
    (result) => {
        process.stdout.write(`REHEARSAL_RESULT ${JSON.stringify({ ok: true, result })}\n`);
    },
    (err) => {
        process.stdout.write(`REHEARSAL_RESULT ${JSON.stringify({ ok: false, error: String(err?.message ?? err) })}\n`);
        process.exitCode = 1;
    },
);
