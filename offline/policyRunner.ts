/**
 * Runs the pack without the Pulumi CLI, through @pulumi/policy 1.21's own server code, so offline
 * verdicts are the real engine's: the CLI's config handling (./packConfig.ts), then the pack's
 * `configure` RPC handler, then its `analyze` handler once per resource (inputs) and its
 * `analyzeStack` handler once (outputs, the planned state). Requests are the same protobuf
 * messages the CLI sends (pulumi/pulumi `sdk/go/common/resource/plugin/analyzer_plugin.go`
 * `Analyze`: properties marshalled with unknowns and secrets kept), so the server's
 * deserialization, unknown-value proxy and "can't run during preview" handling
 * (@pulumi/policy 1.21 `server.js` `makeAnalyzeRpcFun` and `makeAnalyzeStackRpcFun`, `proxy.js`
 * `proxyHelper`) all apply.
 */
import * as fs from "fs";
import * as path from "path";
import type { EnforcementLevel } from "@pulumi/policy";
import { reconcilePackConfig, type PolicyInfo, type ReconciledPolicyConfig } from "./packConfig";
import { policies as packPolicies, type Policy } from "../policy/policies";

/* eslint-disable @typescript-eslint/no-require-imports */
// The server's exported handler factories and proto helpers (internal to @pulumi/policy, pinned 1.21.0).
const policyServer = require("@pulumi/policy/server") as {
    serve: (name: string, version: string, level: EnforcementLevel, args: { policies: Policy[] }, initialConfig: unknown) => void;
    makeAnalyzeRpcFun: (name: string, version: string, level: EnforcementLevel, policies: Policy[]) => RpcHandler;
    makeAnalyzeStackRpcFun: (name: string, version: string, level: EnforcementLevel, policies: Policy[]) => RpcHandler;
};
const protoutil = require("@pulumi/policy/protoutil") as {
    makeAnalyzerInfo: (name: string, version: string, level: EnforcementLevel, args: { policies: Policy[] }) => any;
    mapEnforcementLevel: (level: EnforcementLevel) => number;
    convertEnforcementLevel: (level: number) => EnforcementLevel;
};
// The same proto modules (and so the same google-protobuf copy) the server uses.
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const structproto = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [path.dirname(require.resolve("@pulumi/policy/server"))] }));
/* eslint-enable @typescript-eslint/no-require-imports */

type RpcHandler = (call: { request: unknown }, callback: (err: Error | null | undefined, response?: any) => void) => Promise<void> | void;

/** The pack as `policy/index.ts` declares it. */
export const PACK_NAME = "metaflow-gcp";
export const PACK_ENFORCEMENT: EnforcementLevel = "mandatory";
const PACK_VERSION: string = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "policy", "package.json"), "utf8")).version;

/** A resource as the engine shows it to the pack. */
export interface OfflineResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    /**
     * Inputs, in wire form: plain JSON where an unknown value is Pulumi's unknown sentinel
     * (`UNKNOWN`) and a secret is `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`.
     * Resource policies see these.
     */
    readonly props: Record<string, any>;
    /** Outputs (planned state) in wire form; stack policies see these. Default: `props`. */
    readonly outputs?: Record<string, any>;
    readonly protect?: boolean;
    readonly ignoreChanges?: string[];
    readonly parent?: string;
    readonly dependencies?: string[];
}

/** Pulumi's wire encoding of an unknown value (`@pulumi/pulumi/runtime/rpc` `unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** One diagnostic of the pack. */
export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The policy's message (the server prefixes the policy's description; that is removed here). */
    readonly message: string;
    /** The resource, for resource policies (and stack policies that name one). */
    readonly resource?: { type: string; name: string; urn: string };
    /** True for the server's advisory "can't run ... during preview" (an unknown value was read). */
    readonly couldNotRunInPreview: boolean;
}

/** `--policy-pack-config` file contents: policy name (or `all`) -> settings or enforcement level. */
export type PackConfig = Record<string, unknown>;

/** Options of a run. */
export interface RunOptions {
    /**
     * Names of the whole pack's policies (default: the pack's): config entries for pack policies
     * that are not being run are ignored instead of refused (tests run one policy with a full
     * stack config).
     */
    readonly packPolicyNames?: readonly string[];
    /** Where the config came from, for error messages. */
    readonly configSource?: string;
}

/** The policy metadata exactly as the CLI receives it over `GetAnalyzerInfo` (through protobuf). */
export function analyzerInfo(policies: Policy[]): PolicyInfo[] {
    const info = protoutil.makeAnalyzerInfo(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT, { policies });
    return info.getPoliciesList().map((p: any) => {
        const schema = p.getConfigschema();
        return {
            name: p.getName(),
            enforcementLevel: protoutil.convertEnforcementLevel(p.getEnforcementlevel()),
            configSchema: schema ? { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() } : undefined,
        };
    });
}

let configureHandler: RpcHandler | undefined;

/**
 * The server's `configure` handler. It is not exported: `serve` hands it to gRPC's
 * `addService`, so the pack is served once with gRPC's `addService`/`bindAsync` stood in for,
 * which captures the handlers without opening a port. `configure` sets the module-wide config
 * that every policy's `getConfig` reads (server.js `configure` and `makeGetConfigFun`).
 */
function configure(): RpcHandler {
    if (!configureHandler) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/policy/server"))] }));
        const proto = grpc.Server.prototype;
        const { addService, bindAsync } = proto;
        let handlers: Record<string, RpcHandler> | undefined;
        proto.addService = (_service: unknown, implementation: Record<string, RpcHandler>) => {
            handlers = implementation;
        };
        proto.bindAsync = () => undefined;
        try {
            policyServer.serve(`${PACK_NAME}-offline`, PACK_VERSION, PACK_ENFORCEMENT, { policies: [] }, undefined);
        } finally {
            proto.addService = addService;
            proto.bindAsync = bindAsync;
        }
        configureHandler = handlers!.configure;
    }
    return configureHandler;
}

function call(handler: RpcHandler, request: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
        void handler({ request }, (err, response) => (err ? reject(err) : resolve(response)));
    });
}

/** JSON-safe copy (drops `undefined`, which protobuf's Struct cannot hold). */
function wire(value: Record<string, any>): Record<string, any> {
    return JSON.parse(JSON.stringify(value ?? {}));
}

// Struct messages per props object: the server only reads them, and the same rendered resources
// go through many runs (one per policy in the tests).
const structs = new WeakMap<object, unknown>();
function toStruct(props: Record<string, any>): unknown {
    const key = props ?? {};
    let struct = structs.get(key);
    if (!struct) {
        struct = structproto.Struct.fromJavaScript(wire(key));
        structs.set(key, struct);
    }
    return struct;
}

function resourceOptions(r: OfflineResource): any {
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setProtect(r.protect ?? false);
    opts.setIgnorechangesList(r.ignoreChanges ?? []);
    if (r.parent) {
        opts.setParent(r.parent);
    }
    return opts;
}

async function sendConfig(config: Map<string, ReconciledPolicyConfig>): Promise<void> {
    const request = new analyzerproto.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, c] of config) {
        const entry = new analyzerproto.PolicyConfig();
        entry.setEnforcementlevel(protoutil.mapEnforcementLevel(c.enforcementLevel as EnforcementLevel));
        entry.setProperties(structproto.Struct.fromJavaScript(wire(c.properties)));
        map.set(name, entry);
    }
    await call(configure(), request);
}

function toViolations(response: any, descriptions: Map<string, string>, byUrn: Map<string, OfflineResource>, fallback?: OfflineResource): Violation[] {
    return response.getDiagnosticsList().map((d: any) => {
        const policy: string = d.getPolicyname();
        const description = descriptions.get(policy) ?? "";
        const raw: string = d.getMessage();
        const message = raw.startsWith(`${description}\n`) ? raw.slice(description.length + 1) : raw;
        const resource = byUrn.get(d.getUrn()) ?? fallback;
        return {
            policy,
            enforcementLevel: protoutil.convertEnforcementLevel(d.getEnforcementlevel()),
            message,
            resource: resource ? { type: resource.type, name: resource.name, urn: resource.urn } : undefined,
            couldNotRunInPreview: /^can't run policy '[^']+' from policy pack '[^']+' during preview: /.test(raw),
        };
    });
}

/**
 * Runs `policies` over the resources with a `--policy-pack-config` file's contents, as
 * `pulumi preview --policy-pack` would, and returns every diagnostic. Throws
 * PolicyConfigError when the CLI would refuse the config.
 */
export async function runPolicies(policies: Policy[], resources: OfflineResource[], config: PackConfig, options: RunOptions = {}): Promise<Violation[]> {
    const running = new Set(policies.map((p) => p.name));
    const ignored = new Set((options.packPolicyNames ?? packPolicies.map((p) => p.name)).filter((n) => !running.has(n)));
    const relevant = Object.fromEntries(Object.entries(config).filter(([name]) => !ignored.has(name)));
    await sendConfig(reconcilePackConfig(analyzerInfo(policies), relevant, options.configSource));

    const descriptions = new Map(policies.map((p) => [p.name, p.description]));
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const violations: Violation[] = [];

    const analyze = policyServer.makeAnalyzeRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT, policies);
    for (const r of resources) {
        const request = new analyzerproto.AnalyzeRequest();
        request.setType(r.type);
        request.setUrn(r.urn);
        request.setName(r.name);
        request.setProperties(toStruct(r.props));
        request.setOptions(resourceOptions(r));
        violations.push(...toViolations(await call(analyze, request), descriptions, byUrn, r));
    }

    const analyzeStack = policyServer.makeAnalyzeStackRpcFun(PACK_NAME, PACK_VERSION, PACK_ENFORCEMENT, policies);
    const stackRequest = new analyzerproto.AnalyzeStackRequest();
    stackRequest.setResourcesList(
        resources.map((r) => {
            const resource = new analyzerproto.AnalyzerResource();
            resource.setType(r.type);
            resource.setUrn(r.urn);
            resource.setName(r.name);
            resource.setProperties(toStruct(r.outputs ?? r.props));
            resource.setOptions(resourceOptions(r));
            if (r.parent) {
                resource.setParent(r.parent);
            }
            resource.setDependenciesList(r.dependencies ?? []);
            return resource;
        }),
    );
    violations.push(...toViolations(await call(analyzeStack, stackRequest), descriptions, byUrn));
    return violations;
}
