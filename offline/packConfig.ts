/**
 * What the Pulumi CLI does with a `--policy-pack-config` file before the pack sees it, so the
 * offline check accepts and refuses exactly the files `pulumi preview --policy-pack policy` would,
 * in the CLI's words. Source: pulumi/pulumi v3.248.0 (our @pulumi/pulumi),
 * `pkg/resource/analyzer/config.go` (parsePolicyPackConfig, extractEnforcementLevel,
 * validatePolicyPackConfig, convertSchema, createConfigWithDefaults, ReconcilePolicyPackConfig,
 * applyConfig), the local-pack branch of `pkg/engine/update.go` installPlugins (ESC
 * environments refused on a self-managed backend, validation errors sorted and all reported)
 * and `sdk/go/common/resource/plugin/analyzer_plugin.go` (GetAnalyzerInfo gives every policy a
 * schema; Configure refuses any entry without a valid level, which is what `all` with only
 * properties, or a key naming no policy without a level, gets). tests/packConfig.test.ts holds
 * this file to the verdicts of that code itself (scripts/oracles/policy-config).
 */
import Ajv from "ajv";
import type { EnforcementLevel, PolicyConfigSchema } from "@pulumi/policy";

/** One policy's reconciled config, as the CLI sends it to the pack's `configure` RPC. */
export interface ReconciledPolicyConfig {
    readonly enforcementLevel: EnforcementLevel | "";
    readonly properties: Record<string, unknown>;
}

/** The policy metadata the CLI reads from the pack (`GetAnalyzerInfo`). */
export interface PolicyInfo {
    readonly name: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly configSchema?: PolicyConfigSchema;
}

/**
 * A config file the offline check refuses: `cliProblems` are what the CLI would say (its text),
 * `ownProblems` what this check adds (a key naming no policy, which the CLI ignores when the key
 * carries its own level).
 */
export class PolicyConfigError extends Error {
    constructor(
        public readonly cliProblems: string[],
        public readonly ownProblems: string[],
        where: string,
    ) {
        super(`invalid policy pack config${where ? ` ${where}` : ""}:\n${[...cliProblems, ...ownProblems].map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }

    /** Every problem, the CLI's first. */
    get problems(): string[] {
        return [...this.cliProblems, ...this.ownProblems];
    }
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Go's `%v` of a JSON value (how the CLI prints a value it refuses). */
function goValue(value: unknown): string {
    if (value === null || value === undefined) {
        return "<nil>";
    }
    if (Array.isArray(value)) {
        return `[${value.map(goValue).join(" ")}]`;
    }
    if (typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `map[${entries.map(([k, v]) => `${k}:${goValue(v)}`).join(" ")}]`;
    }
    return String(value);
}

/** Go's `%T` of a value `encoding/json` decoded into `any`. */
function goType(value: unknown): string {
    if (value === null) {
        return "<nil>";
    }
    if (Array.isArray(value)) {
        return "[]interface {}";
    }
    return { string: "string", number: "float64", boolean: "bool", object: "map[string]interface {}" }[typeof value as string] ?? typeof value;
}

/** The file's ESC environment references (parsePolicyPackConfig), or the CLI's refusal. */
function environmentsOf(file: Record<string, unknown>): { environments: string[] } | { problem: string } {
    if (!("environments" in file)) {
        return { environments: [] };
    }
    const raw = file.environments;
    if (!Array.isArray(raw)) {
        return { problem: `"environments" must be an array of strings, got ${goType(raw)}` };
    }
    const bad = raw.findIndex((e) => typeof e !== "string");
    return bad >= 0 ? { problem: `"environments[${bad}]" must be a string, got ${goType(raw[bad])}` } : { environments: raw as string[] };
}

/** One entry of the file: a string is an enforcement level; an object may carry one (parsePolicyPackConfig). */
function parseEntry(name: string, value: unknown): ReconciledPolicyConfig | { problem: string } | undefined {
    let enforcementLevel: EnforcementLevel | "" = "";
    let properties: Record<string, unknown> = {};
    if (typeof value === "string") {
        if (!LEVELS.includes(value)) {
            return { problem: `parsing enforcement level for "${name}": "${value}" is not a valid enforcement level` };
        }
        enforcementLevel = value as EnforcementLevel;
    } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        const { enforcementLevel: level, ...rest } = value as Record<string, unknown>;
        if ("enforcementLevel" in (value as object)) {
            if (typeof level !== "string") {
                return { problem: `parsing enforcement level for "${name}": ${goValue(level)} is not a valid enforcement level; must be a string` };
            }
            if (!LEVELS.includes(level)) {
                return { problem: `parsing enforcement level for "${name}": "${level}" is not a valid enforcement level` };
            }
            enforcementLevel = level as EnforcementLevel;
        }
        properties = rest;
    } else {
        return { problem: `parsing "${name}": ${goValue(value)} is not a valid value; must be a string or object` };
    }
    // The CLI drops empty entries.
    return enforcementLevel === "" && Object.keys(properties).length === 0 ? undefined : { enforcementLevel, properties };
}

/**
 * parsePolicyPackConfig and the ESC check: the file's entries by policy name. The CLI stops at
 * the first problem (in Go's map order); this lists every one, each in the CLI's words.
 */
export function parsePackConfig(file: Record<string, unknown>): Map<string, ReconciledPolicyConfig> {
    const environments = environmentsOf(file);
    if ("problem" in environments) {
        throw new PolicyConfigError([environments.problem], [], "");
    }
    if (environments.environments.length > 0) {
        // A self-managed backend (ours: file:// or gs://) has no ESC resolver, so the CLI refuses
        // the file; offline there is no ESC either.
        throw new PolicyConfigError([`policy pack at "policy" specifies ESC environments but the current backend does not support them`], [], "");
    }
    const result = new Map<string, ReconciledPolicyConfig>();
    const problems: string[] = [];
    for (const [name, value] of Object.entries(file).filter(([key]) => key !== "environments")) {
        const entry = parseEntry(name, value);
        if (entry && "problem" in entry) {
            problems.push(entry.problem);
        } else if (entry) {
            result.set(name, entry);
        }
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems, [], "");
    }
    return result;
}

// The CLI validates with gojsonschema (hybrid draft; ajv 6 checks the same keywords as draft 7).
// allErrors: the CLI lists every error, not the first.
const ajv = new Ajv({ allErrors: true });

/** ajv's data path (`.ranges[1]`, `['a-b']`) as gojsonschema's field (`ranges.1`, `a-b`). */
function fieldOf(dataPath: string): string {
    const parts: string[] = [];
    for (const m of dataPath.matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]/g)) {
        parts.push(m[1] ?? m[2] ?? m[3].replace(/\\(.)/g, "$1"));
    }
    return parts.join(".");
}

/** gojsonschema's name of a JSON value's type: a whole number is an `integer`. */
function jsonType(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "array";
    }
    if (typeof value === "number") {
        return Number.isInteger(value) ? "integer" : "number";
    }
    return typeof value;
}

function valueAt(data: unknown, field: string): unknown {
    return field === "" ? data : field.split(".").reduce<any>((v, key) => (v === null || v === undefined ? undefined : v[key]), data);
}

/**
 * An ajv error in gojsonschema's words (its `locales.go` for the keywords the pack's schemas use:
 * required, type, minimum), as `validatePolicyConfig` prints it: `<field>: <description>`, the
 * root's `(root): ` removed. Other keywords keep ajv's wording.
 */
function gojsonschemaMessage(e: Ajv.ErrorObject, data: unknown): string {
    const field = fieldOf(e.dataPath);
    const at = (description: string) => (field ? `${field}: ${description}` : description);
    switch (e.keyword) {
        case "required":
            return at(`${(e.params as { missingProperty: string }).missingProperty.replace(/^\./, "")} is required`);
        case "type":
            return at(`Invalid type. Expected: ${(e.params as { type: string }).type}, given: ${jsonType(valueAt(data, field))}`);
        case "minimum":
            return at(`Must be greater than or equal to ${(e.params as { limit: number }).limit}`);
        default:
            return at(e.message ?? e.keyword);
    }
}

/** validatePolicyConfig: the policy's schema as convertSchema builds it; additional properties allowed. */
function schemaErrors(schema: PolicyConfigSchema | undefined, properties: Record<string, unknown>): string[] {
    const full: Record<string, unknown> = { type: "object" };
    // GetAnalyzerInfo adds `enforcementLevel` to every schema; the file's level never reaches the
    // properties (extractEnforcementLevel), so only the properties the pack declares can fail.
    const declared = { ...(schema?.properties ?? {}), enforcementLevel: { type: "string", enum: LEVELS } };
    full.properties = declared;
    if ((schema?.required ?? []).length > 0) {
        full.required = schema!.required;
    }
    const validate = ajv.compile(full);
    return validate(properties) ? [] : (validate.errors ?? []).map((e) => gojsonschemaMessage(e, properties));
}

/** createConfigWithDefaults, then applyConfig with the file's entries (`all` first). */
function applyFile(policies: readonly PolicyInfo[], given: Map<string, ReconciledPolicyConfig>): Map<string, ReconciledPolicyConfig> {
    const result = new Map<string, ReconciledPolicyConfig>();
    for (const policy of policies) {
        const defaults: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) {
                defaults[key] = schema.default;
            }
        }
        result.set(policy.name, { enforcementLevel: policy.enforcementLevel, properties: defaults });
    }
    const all = given.get("all");
    if (all && all.enforcementLevel !== "") {
        for (const [name, config] of result) {
            result.set(name, { ...config, enforcementLevel: all.enforcementLevel });
        }
    }
    // Every entry of the file, `all` and keys naming no policy included, becomes an entry the CLI
    // hands to Configure.
    for (const [name, config] of given) {
        const current = result.get(name) ?? { enforcementLevel: "", properties: {} };
        result.set(name, {
            enforcementLevel: config.enforcementLevel !== "" ? config.enforcementLevel : current.enforcementLevel,
            properties: { ...current.properties, ...config.properties },
        });
    }
    return result;
}

/**
 * The CLI's handling of a config file for a pack with these policies: parse, reconcile with the
 * schemas' defaults, validate every policy's result against its schema (disabled ones included),
 * then Configure's level check. Returns what the CLI sends to the pack; throws PolicyConfigError
 * with the CLI's problems (sorted, as it prints them), and a key naming no policy as this
 * check's own problem.
 */
export function reconcilePackConfig(policies: readonly PolicyInfo[], file: Record<string, unknown>, where = ""): Map<string, ReconciledPolicyConfig> {
    let result: Map<string, ReconciledPolicyConfig>;
    try {
        result = applyFile(policies, parsePackConfig(file));
    } catch (err) {
        throw err instanceof PolicyConfigError ? new PolicyConfigError(err.cliProblems, [], where) : err;
    }
    const validation = policies.flatMap((policy) => schemaErrors(policy.configSchema, result.get(policy.name)!.properties).map((e) => `${policy.name}: ${e}`));
    if (validation.length > 0) {
        throw new PolicyConfigError(validation.sort(), [], where);
    }
    // Configure ranges over the entries (Go map order; sorted here) and stops at the first
    // without a valid level.
    const invalid = [...result].sort(([a], [b]) => (a < b ? -1 : 1)).find(([, c]) => !LEVELS.includes(c.enforcementLevel));
    if (invalid) {
        throw new PolicyConfigError([`invalid enforcement level "${invalid[1].enforcementLevel}"`], [], where);
    }
    // A misspelled key with its own level passes the CLI and configures nothing: refused here.
    const known = new Set(["all", ...policies.map((p) => p.name)]);
    const unknown = [...result.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) {
        throw new PolicyConfigError([], unknown.map((name) => `"${name}" names no policy of the pack (the CLI would ignore it); policies: ${policies.map((p) => p.name).join(", ")}`), where);
    }
    return result;
}
