/**
 * Renders a whole stack from its real Pulumi.<stack>.yaml under Pulumi's mocks: no cloud, no
 * CLI, no network. Returns every resource registered (type, name, inputs, parent, options) and
 * the stack outputs, unwrapped, with which of them are secret. Several stacks can be rendered
 * in one process, one after another.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import { MockMonitor, type Mocks } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import * as YAML from "yaml";
import { mockResourceState, type MockContext } from "./mockState";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const ENTRY = path.join(REPO_ROOT, "index.ts");

/**
 * Project ID used when a stack file does not set `gcp:project` (the committed stack files do
 * not: each team sets its own). Both stacks share it, so isolation is tested in the harder
 * case of two environments in one project. It never reaches a cloud.
 */
export const OFFLINE_PROJECT = "metaflow-offline";

/** One resource as the program registered it. */
export interface RenderedResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly id: string;
    /** URN of the parent (the stack root for top-level resources). */
    readonly parentUrn: string;
    readonly custom: boolean;
    /** Inputs as sent to the engine (secrets unwrapped to their values). */
    readonly inputs: Record<string, any>;
    /** Mocked provider state (inputs plus computed fields). */
    readonly state: Record<string, any>;
    /** URNs this resource explicitly depends on (dependsOn and inputs). */
    readonly dependencies: string[];
    readonly protect: boolean;
    readonly ignoreChanges: string[];
    readonly retainOnDelete: boolean;
    /** Provider reference (`<urn>::<id>`) when an explicit provider is used. */
    readonly provider: string;
}

/** A resolved stack output. */
export interface RenderedOutput {
    readonly value: any;
    readonly secret: boolean;
}

/** The result of rendering one stack. */
export interface RenderedStack {
    readonly stack: string;
    readonly project: string;
    /** Config the program saw, as flat `namespace:key` strings. */
    readonly config: Record<string, string>;
    readonly resources: RenderedResource[];
    readonly outputs: Record<string, RenderedOutput>;
}

/** Options for rendering. */
export interface RenderOptions {
    /** Config overrides by full key (`metaflow-gcp:database`); `undefined` removes a key. */
    readonly config?: Record<string, unknown>;
    /** Render as `pulumi preview` would (unknown computed values stay unknown). Default false. */
    readonly preview?: boolean;
    /**
     * Full config keys the CLI would mark secret (`pulumi config set --secret`), as it lists them
     * in PULUMI_CONFIG_SECRET_KEYS. Default: the keys whose stack-file value holds a `secure:` entry.
     */
    readonly secretKeys?: readonly string[];
}

/** A failed render: the error, and what had been registered before it. */
export interface RenderFailure {
    readonly error: Error;
    readonly resources: RenderedResource[];
}

/** The project name from Pulumi.yaml (the config namespace). */
export function projectName(): string {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
    return doc.name;
}

/** Stacks that have a Pulumi.<stack>.yaml in the repository. */
export function listStacks(): string[] {
    return fs
        .readdirSync(REPO_ROOT)
        .map((f) => /^Pulumi\.([a-z0-9-]+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** A stack file's config, values as the Pulumi CLI hands them to a program (strings, JSON for structures). */
export function readStackConfig(stack: string): Record<string, string> {
    const file = path.join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${file}; stacks: ${listStacks().join(", ")}`);
    }
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries<unknown>(doc.config ?? {})) {
        out[key] = encodeConfigValue(value);
    }
    return out;
}

/** Keys of a stack file whose value is, or contains, a `secure:` (encrypted) value. */
export function stackSecretKeys(stack: string): string[] {
    const doc = YAML.parse(fs.readFileSync(path.join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
    const holdsSecret = (value: unknown): boolean =>
        value !== null && typeof value === "object" && ("secure" in value || Object.values(value as Record<string, unknown>).some(holdsSecret));
    return Object.entries<unknown>(doc.config ?? {})
        .filter(([, value]) => holdsSecret(value))
        .map(([key]) => key);
}

function encodeConfigValue(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}

class RecordingMonitor extends MockMonitor {
    constructor(
        mocks: Mocks,
        private readonly sink: RenderedResource[],
    ) {
        super(mocks);
    }

    override async registerResource(req: any, callback: (err: any, response: any) => void): Promise<void> {
        await super.registerResource(req, (err, response) => {
            if (!err) {
                this.sink.push({
                    type: req.getType(),
                    name: req.getName(),
                    urn: response.getUrn(),
                    id: response.getId(),
                    parentUrn: req.getParent(),
                    custom: req.getCustom(),
                    inputs: deserializeProperties(req.getObject()),
                    state: deserializeProperties(response.getObject()),
                    dependencies: req.getDependenciesList(),
                    protect: req.getProtect() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    retainOnDelete: req.getRetainondelete() === true,
                    provider: req.getProvider(),
                });
            }
            callback(err, response);
        });
    }
}

function mockContext(config: Record<string, string>, project: string): MockContext {
    const ns = projectName();
    const network = config[`${ns}:network`] ? JSON.parse(config[`${ns}:network`]) : {};
    const psa: string = network.privateServiceAccessCidr ?? "10.13.0.0/20";
    return {
        project,
        region: config["gcp:region"] ?? "us-central1",
        privateServicePrefix: psa.split("/")[0].split(".").slice(0, 3).join("."),
    };
}

// The runtime's RPC drain is internal; the harness waits on it so every registration is seen.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

async function resolveOutput(value: unknown): Promise<RenderedOutput> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
    const secret = await ((output as any).isSecret as Promise<boolean>);
    const resolved = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
    return { value: resolved, secret };
}

async function run(stack: string, options: RenderOptions): Promise<{ stack: RenderedStack } | { failure: RenderFailure }> {
    const project = projectName();
    const config = readStackConfig(stack);
    const secretKeys = options.secretKeys ?? stackSecretKeys(stack);
    for (const [key, value] of Object.entries(options.config ?? {})) {
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = encodeConfigValue(value);
        }
    }
    config["gcp:project"] ??= OFFLINE_PROJECT;
    const ctx = mockContext(config, config["gcp:project"]);
    const mocks: Mocks = {
        newResource: (args) => mockResourceState(args, ctx),
        // getProject answers with a project number, as the real invoke does (budget filters need it).
        call: (args) => (args.token === "gcp:organizations/getProject:getProject" ? { projectId: args.inputs.projectId, number: "123456789012" } : {}),
    };
    const resources: RenderedResource[] = [];
    await pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false);
    setMockOptions(new RecordingMonitor(mocks, resources), project, stack, options.preview ?? false);
    setAllConfig(config, [...secretKeys]);

    delete require.cache[require.resolve(ENTRY)];
    let exported: Record<string, unknown>;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        exported = require(ENTRY);
    } catch (error) {
        await waitForRPCs();
        return { failure: { error: error as Error, resources } };
    }
    const outputs: Record<string, RenderedOutput> = {};
    for (const [key, value] of Object.entries(exported)) {
        outputs[key] = await resolveOutput(value);
    }
    await waitForRPCs();
    return { stack: { stack, project, config, resources, outputs } };
}

/** Renders a stack; rejects with the program's error when it fails. */
export async function renderStack(stack: string, options: RenderOptions = {}): Promise<RenderedStack> {
    const result = await run(stack, options);
    if ("failure" in result) {
        throw result.failure.error;
    }
    return result.stack;
}

/** Renders a stack that is expected to fail; rejects if it succeeds. */
export async function renderStackFailure(stack: string, options: RenderOptions = {}): Promise<RenderFailure> {
    const result = await run(stack, options);
    if ("stack" in result) {
        throw new Error(`stack ${stack} rendered without error, but a failure was expected`);
    }
    return result.failure;
}
