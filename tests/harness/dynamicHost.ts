/**
 * Pulumi's real Node.js dynamic-provider host (@pulumi/pulumi 3.248.0 `cmd/dynamic-provider`),
 * started as its own process and driven over gRPC the way the engine drives it, and the engine's
 * step rules around it. A dynamic resource's serialized provider (`__provider`, as the program
 * registered it) runs here exactly as it would under `pulumi up` and `pulumi destroy`.
 *
 * Engine rules used by `EngineSim`, from pulumi/pulumi v3.248.0:
 * - `sdk/go/common/resource/plugin/provider_plugin.go`: Check gets the old inputs as `olds`;
 *   Diff and Update get the old outputs as `olds` and the old inputs as `old_inputs`; Delete gets
 *   the old outputs as `properties`.
 * - `pkg/resource/deploy/step_generator.go` `diffResource`: DIFF_UNKNOWN becomes a diff of the old
 *   and new inputs; a Check failure makes the resource invalid and the deployment bails.
 * - `pkg/resource/deploy/step.go`: `SameStep.Apply` keeps the old outputs (`s.new.Outputs =
 *   s.old.Outputs`); `UpdateStep` stores what Update returned; `DeleteStep` passes the old outputs.
 * - `pkg/resource/deploy/target.go` `GetPackageConfig`: a dynamic provider is configured with the
 *   whole stack config, keys with their namespace (`gcp:credentials`), secrets marked secret.
 */
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { isDeepStrictEqual } from "util";
import * as grpc from "@grpc/grpc-js";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";
import { REPO_ROOT } from "../../offline/render";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const provproto = require("@pulumi/pulumi/proto/provider_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

type Props = Record<string, any>;

/** DiffResponse.DiffChanges (proto/provider.proto). */
export const DIFF = { UNKNOWN: 0, NONE: 1, SOME: 2 } as const;

export interface CheckResult {
    readonly inputs: Props;
    readonly failures: Array<{ property: string; reason: string }>;
}
export interface DiffResult {
    readonly changes: number;
    readonly replaces: string[];
    readonly deleteBeforeReplace: boolean;
}

const struct = (value: Props) => structproto.Struct.fromJavaScript(value);

/** A config value the way the engine sends a secret one (`rpc.js` `specialSigKey`/`specialSecretSig`). */
export function secretConfig(value: string): Props {
    return { [specialSigKey]: specialSecretSig, value };
}

/** One running host process. `env` is what the Pulumi CLI's environment would hold. */
export class DynamicProviderHost {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: any,
        readonly stderr: string[],
    ) {}

    static async start(env: NodeJS.ProcessEnv = {}): Promise<DynamicProviderHost> {
        const entry = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
        // The engine starts plugins in the project directory (pulumi/pulumi
        // sdk/go/common/resource/plugin/plugin.go `cmd.Dir = pwd`); the host's require-from-string
        // resolves the provider's require() calls from there.
        const child = spawn(process.execPath, [entry, "127.0.0.1:1"], {
            cwd: REPO_ROOT,
            env: { PATH: process.env.PATH, HOME: process.env.HOME, PULUMI_NODEJS_PROJECT: "metaflow-gcp", ...env },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const stderr: string[] = [];
        child.stderr!.on("data", (d: Buffer) => stderr.push(d.toString()));
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (d: Buffer) => {
                out += d.toString();
                const line = /^(\d+)\s*$/m.exec(out);
                if (line) {
                    resolve(line[1]);
                }
            });
            child.on("exit", (code) => reject(new Error(`dynamic provider host exited (${code}): ${stderr.join("")}`)));
        });
        const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        return new DynamicProviderHost(child, client, stderr);
    }

    stop(): void {
        this.client.close();
        this.child.kill();
    }

    private call<T>(method: string, req: unknown): Promise<T> {
        return new Promise((resolve, reject) => this.client[method](req, (err: Error | null, resp: T) => (err ? reject(err) : resolve(resp))));
    }

    async configure(config: Props): Promise<void> {
        const req = new provproto.ConfigureRequest();
        req.setArgs(struct(config));
        await this.call("configure", req);
    }

    async check(olds: Props, news: Props): Promise<CheckResult> {
        const req = new provproto.CheckRequest();
        req.setOlds(struct(olds));
        req.setNews(struct(news));
        const resp = await this.call<any>("check", req);
        return {
            inputs: resp.getInputs().toJavaScript(),
            failures: resp.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(id: string, oldOutputs: Props, news: Props, oldInputs: Props): Promise<DiffResult> {
        const req = new provproto.DiffRequest();
        req.setId(id);
        req.setOlds(struct(oldOutputs));
        req.setNews(struct(news));
        req.setOldInputs(struct(oldInputs));
        const resp = await this.call<any>("diff", req);
        return { changes: resp.getChanges(), replaces: resp.getReplacesList(), deleteBeforeReplace: resp.getDeletebeforereplace() };
    }

    async create(props: Props): Promise<{ id: string; outputs: Props }> {
        const req = new provproto.CreateRequest();
        req.setProperties(struct(props));
        const resp = await this.call<any>("create", req);
        return { id: resp.getId(), outputs: resp.getProperties().toJavaScript() };
    }

    async update(id: string, oldOutputs: Props, news: Props, oldInputs: Props): Promise<Props> {
        const req = new provproto.UpdateRequest();
        req.setId(id);
        req.setOlds(struct(oldOutputs));
        req.setNews(struct(news));
        req.setOldInputs(struct(oldInputs));
        const resp = await this.call<any>("update", req);
        return resp.getProperties().toJavaScript();
    }

    async delete(id: string, outputs: Props, oldInputs: Props): Promise<void> {
        const req = new provproto.DeleteRequest();
        req.setId(id);
        req.setProperties(struct(outputs));
        req.setOldInputs(struct(oldInputs));
        await this.call("delete", req);
    }
}

/** A dynamic resource's state as the engine keeps it. */
export interface ResourceState {
    readonly id: string;
    readonly inputs: Props;
    readonly outputs: Props;
}

/** What `up` did with the resource. */
export type StepOp = "create" | "same" | "update" | "replace";

/** The engine's step choice for one dynamic resource (see the module comment for the sources). */
export class EngineSim {
    constructor(private readonly host: DynamicProviderHost) {}

    /** `pulumi up` of one resource whose program now registers `news`. Rejects on a Check failure. */
    async up(prev: ResourceState | undefined, news: Props): Promise<{ op: StepOp; state: ResourceState }> {
        const checked = await this.host.check(prev?.inputs ?? {}, news);
        if (checked.failures.length > 0) {
            throw new Error(checked.failures.map((f) => f.reason).join("\n"));
        }
        const inputs = checked.inputs;
        if (!prev) {
            const created = await this.host.create(inputs);
            return { op: "create", state: { id: created.id, inputs, outputs: created.outputs } };
        }
        const diff = await this.host.diff(prev.id, prev.outputs, inputs, prev.inputs);
        const changed = diff.changes === DIFF.UNKNOWN ? !isDeepStrictEqual(prev.inputs, inputs) : diff.changes === DIFF.SOME;
        if (!changed) {
            return { op: "same", state: { ...prev, inputs } };
        }
        if (diff.replaces.length > 0) {
            // Delete-before-replace deletes the old resource first; otherwise the new one is made first.
            if (diff.deleteBeforeReplace) {
                await this.host.delete(prev.id, prev.outputs, prev.inputs);
            }
            const created = await this.host.create(inputs);
            if (!diff.deleteBeforeReplace) {
                await this.host.delete(prev.id, prev.outputs, prev.inputs);
            }
            return { op: "replace", state: { id: created.id, inputs, outputs: created.outputs } };
        }
        const outputs = await this.host.update(prev.id, prev.outputs, inputs, prev.inputs);
        return { op: "update", state: { id: prev.id, inputs, outputs } };
    }

    /** `pulumi destroy` of the resource. */
    async destroy(state: ResourceState): Promise<void> {
        await this.host.delete(state.id, state.outputs, state.inputs);
    }
}
