/**
 * Renders a whole stack from its real Pulumi.<stack>.yaml under Pulumi's mocks: no cloud, no
 * CLI, no network. Returns every resource registered (type, name, inputs, parent, options) and
 * the stack outputs, unwrapped, with which of them are secret. Several stacks can be rendered
 * in one process, one after another.
 */
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { setAllConfig } from "@pulumi/pulumi/runtime/config";
import { MockMonitor, type Mocks } from "@pulumi/pulumi/runtime/mocks";
import { deserializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import { REPO_ROOT, asConfigString, projectName, readStackFile } from "./stackFiles";
import { mockPreviewState, mockResourceState, type MockContext } from "./mockState";

export { REPO_ROOT };
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
    /**
     * Inputs and state in wire form, as the engine hands them to a policy pack: JSON with
     * unknown values as Pulumi's unknown sentinel and secrets as secret envelopes.
     */
    readonly wireInputs: Record<string, any>;
    readonly wireState: Record<string, any>;
    /** URNs this resource explicitly depends on (dependsOn and inputs). */
    readonly dependencies: string[];
    readonly protect: boolean;
    readonly ignoreChanges: string[];
    readonly retainOnDelete: boolean;
    /** Outputs the engine keeps secret whatever the provider returns (`additionalSecretOutputs`). */
    readonly additionalSecretOutputs: string[];
    /** Provider reference (`<urn>::<id>`) when an explicit provider is used. */
    readonly provider: string;
    /**
     * Alias URNs as the SDK computed and sent them (`aliasURNs` of RegisterResourceRequest): the
     * resource's own aliases and those it inherits from its parent's (see `run`).
     */
    readonly aliasUrns: string[];
}

/** A resolved stack output. */
export interface RenderedOutput {
    /** The value; undefined when not known (a preview before the resources exist). */
    readonly value: any;
    readonly secret: boolean;
    readonly known: boolean;
}

/** The result of rendering one stack. */
export interface RenderedStack {
    readonly stack: string;
    readonly project: string;
    /** Directory of the stack file rendered (see RenderOptions.stacksDir). */
    readonly stacksDir: string;
    /** Config the program saw, as flat `namespace:key` strings. */
    readonly config: Record<string, string>;
    /** What the offline reading of the stack file could not show as the CLI would (see offline/stackFiles.ts). */
    readonly notes: string[];
    readonly resources: RenderedResource[];
    readonly outputs: Record<string, RenderedOutput>;
}

/** Options for rendering. */
export interface RenderOptions {
    /**
     * Directory of the stack file `Pulumi.<stack>.yaml`. Default: the repository's own, the user's
     * stacks; tests render the fixtures in tests/fixtures/stacks (see tests/harness/fixtures.ts).
     */
    readonly stacksDir?: string;
    /** Config overrides by full key (`metaflow-gcp:database`); `undefined` removes a key. */
    readonly config?: Record<string, unknown>;
    /**
     * Render the first `pulumi preview` of the stack: nothing exists yet, so every value a
     * provider computes (emails, IDs, endpoints, IPs) is unknown, and so is everything built from
     * one. Default false: the state after `pulumi up`, with realistic computed values.
     */
    readonly preview?: boolean;
    /**
     * Full config keys the CLI would mark secret (`pulumi config set --secret`), as it lists them
     * in PULUMI_CONFIG_SECRET_KEYS. Default: the keys whose stack-file value holds a `secure:` entry.
     */
    readonly secretKeys?: readonly string[];
    /**
     * Render with the offline placeholder project even when the stack file sets `gcp:project`
     * (as the README's deploy step does), so tests do not depend on a team's project ID.
     * Default true; the offline preview and policy check pass false to show the real names.
     */
    readonly offlineProject?: boolean;
    /**
     * The state backend's stack-reference rules. `diy-legacy`: a DIY backend in the legacy layout
     * (state from before Pulumi 3.61, or PULUMI_DIY_BACKEND_LEGACY_LAYOUT), which parses a
     * StackReference's name with tokens.ParseStackName and so refuses any name with `/`
     * (pulumi/pulumi v3.248.0 pkg/backend/diy/store.go legacyReferenceStore.ParseReference,
     * sdk/go/common/tokens/stack_name.go). Default: every name is read (no outputs).
     */
    readonly backend?: "diy-legacy";
    /**
     * Another program to run instead of the stack program (index.ts), e.g. one that builds a
     * MetaflowPlatform itself; it sees the same config and mocks.
     */
    readonly program?: string;
}

/** Organization name the Pulumi CLI reports on self-managed (DIY) backends. */
export const DIY_ORGANIZATION = "organization";

/** A failed render: the error, and what had been registered before it. */
export interface RenderFailure {
    readonly error: Error;
    readonly resources: RenderedResource[];
}

/**
 * A resource's URN as the engine makes it: the parent's whole type chain, `$`, the type
 * (pulumi/pulumi `pkg/resource/deploy/deployment.go` `generateURN`, with
 * `sdk/go/common/resource/urn/urn.go` `New`; the root stack's type is left out). The SDK's
 * MockMonitor keeps only the parent's last type (@pulumi/pulumi 3.248.0 `runtime/mocks.js`
 * `newUrn`), which differs for every resource two or more components deep.
 */
function engineUrn(parent: string, type: string, name: string): string {
    const parentType = parent ? parent.split("::")[2] : "";
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

export class RecordingMonitor extends MockMonitor {
    constructor(
        mocks: Mocks,
        private readonly sink: RenderedResource[],
    ) {
        super(mocks);
        // MockMonitor declares newUrn private; the instance property replaces it.
        Object.assign(this, { newUrn: engineUrn });
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
                    wireInputs: req.getObject()?.toJavaScript() ?? {},
                    wireState: response.getObject()?.toJavaScript() ?? {},
                    dependencies: req.getDependenciesList(),
                    protect: req.getProtect() === true,
                    ignoreChanges: req.getIgnorechangesList(),
                    retainOnDelete: req.getRetainondelete() === true,
                    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                    provider: req.getProvider(),
                    aliasUrns: req.getAliasurnsList(),
                });
            }
            callback(err, response);
        });
    }
}

function mockContext(config: Record<string, string>, project: string, backend?: RenderOptions["backend"]): MockContext {
    const ns = projectName();
    let network: any;
    try {
        network = JSON.parse(config[`${ns}:network`] ?? "{}");
    } catch {
        network = {}; // the program reports the config error itself
    }
    const psa: string = typeof network?.privateServiceAccessCidr === "string" ? network.privateServiceAccessCidr : "10.13.0.0/20";
    return {
        project,
        region: config["gcp:region"] ?? "us-central1",
        privateServicePrefix: psa.split("/")[0].split(".").slice(0, 3).join("."),
        backend,
    };
}

// The runtime's RPC drain is internal; the renderer waits on it so every registration is seen.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

async function resolveOutput(value: unknown): Promise<RenderedOutput> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>) as pulumi.Output<unknown>;
    const secret = await ((output as any).isSecret as Promise<boolean>);
    // During a preview, apply callbacks never run on unknown values.
    if (!(await ((output as any).isKnown as Promise<boolean>))) {
        return { value: undefined, secret, known: false };
    }
    const resolved = await new Promise<unknown>((resolve) => output.apply((v) => resolve(v)));
    return { value: resolved, secret, known: true };
}

async function run(stack: string, options: RenderOptions): Promise<{ stack: RenderedStack } | { failure: RenderFailure }> {
    const project = projectName();
    const { values: config, secretKeys: fileSecretKeys, notes } = readStackFile(stack, options.stacksDir);
    const secretKeys = options.secretKeys ?? fileSecretKeys;
    for (const [key, value] of Object.entries(options.config ?? {})) {
        if (value === undefined) {
            delete config[key];
        } else {
            config[key] = asConfigString(value);
        }
    }
    if (options.offlineProject ?? true) {
        config["gcp:project"] = OFFLINE_PROJECT;
    }
    config["gcp:project"] ??= OFFLINE_PROJECT;
    const ctx = mockContext(config, config["gcp:project"], options.backend);
    const mocks: Mocks = {
        newResource: (args) => (options.preview ? mockPreviewState(args, ctx) : mockResourceState(args, ctx)),
        // getProject answers with a project number, as the real invoke does (budget filters need it).
        call: (args) => (args.token === "gcp:organizations/getProject:getProject" ? { projectId: args.inputs.projectId, number: "123456789012" } : {}),
    };
    const resources: RenderedResource[] = [];
    await pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false, DIY_ORGANIZATION);
    setMockOptions(new RecordingMonitor(mocks, resources), project, stack, options.preview ?? false, DIY_ORGANIZATION);
    // setMockOptions leaves the runtime's feature flags off, alias specs included, so the SDK
    // computes each resource's alias URNs itself, inherited ones too, and sends those
    // (`prepareResource`, @pulumi/pulumi 3.248.0 `runtime/resource.js`): tests/urns.test.ts reads them.
    setAllConfig(config, [...secretKeys]);

    const entry = options.program ?? ENTRY;
    delete require.cache[require.resolve(entry)];
    let exported: Record<string, unknown>;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        exported = await require(entry);
    } catch (error) {
        await waitForRPCs();
        return { failure: { error: error as Error, resources } };
    }
    const outputs: Record<string, RenderedOutput> = {};
    for (const [key, value] of Object.entries(exported)) {
        outputs[key] = await resolveOutput(value);
    }
    await waitForRPCs();
    return { stack: { stack, project, stacksDir: options.stacksDir ?? REPO_ROOT, config, notes, resources, outputs } };
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
