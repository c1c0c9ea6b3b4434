/**
 * What the Pulumi CLI does with a `--policy-pack-config` file before the pack sees it, so the
 * offline check accepts and refuses exactly the files `pulumi preview --policy-pack` would.
 * Source: pulumi/pulumi `pkg/resource/analyzer/config.go` (parsePolicyPackConfig l.93-158,
 * extractEnforcementLevel l.162-180, validatePolicyPackConfig l.183-208, convertSchema l.263-273,
 * createConfigWithDefaults l.276-302, ReconcilePolicyPackConfig l.307-335, applyConfig l.337-372),
 * `pkg/engine/update.go` l.1031-1060 (errors sorted, all reported) and
 * `sdk/go/common/resource/plugin/analyzer_plugin.go` Configure l.611-636 (every entry, even one
 * naming no policy, needs a valid enforcement level).
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

/** A config file the CLI would refuse; `problems` lists every reason, as the CLI does. */
export class PolicyConfigError extends Error {
    constructor(
        public readonly problems: string[],
        where: string,
    ) {
        super(`invalid policy pack config${where ? ` ${where}` : ""}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PolicyConfigError";
    }
}

const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** parsePolicyPackConfig: a string is an enforcement level; an object may carry one. */
export function parsePackConfig(file: Record<string, unknown>): Map<string, ReconciledPolicyConfig> {
    const result = new Map<string, ReconciledPolicyConfig>();
    const problems: string[] = [];
    for (const [name, value] of Object.entries(file)) {
        if (name === "environments") {
            continue; // ESC environment references: a Pulumi Cloud feature this pack does not use
        }
        let enforcementLevel: EnforcementLevel | "" = "";
        let properties: Record<string, unknown> = {};
        if (typeof value === "string") {
            if (!LEVELS.includes(value)) {
                problems.push(`parsing enforcement level for "${name}": "${value}" is not a valid enforcement level`);
                continue;
            }
            enforcementLevel = value as EnforcementLevel;
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel: level, ...rest } = value as Record<string, unknown>;
            if (level !== undefined) {
                if (typeof level !== "string" || !LEVELS.includes(level)) {
                    problems.push(`parsing enforcement level for "${name}": ${JSON.stringify(level)} is not a valid enforcement level`);
                    continue;
                }
                enforcementLevel = level as EnforcementLevel;
            }
            properties = rest;
        } else {
            problems.push(`parsing "${name}": ${JSON.stringify(value)} is not a valid value; must be a string or object`);
            continue;
        }
        if (enforcementLevel === "" && Object.keys(properties).length === 0) {
            continue; // the CLI drops empty entries
        }
        result.set(name, { enforcementLevel, properties });
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems, "");
    }
    return result;
}

// The CLI validates with gojsonschema (JSON Schema drafts 4-7, draft 7 when no $schema is given);
// ajv 6 implements draft 7 too. allErrors: the CLI lists every error, not the first.
const ajv = new Ajv({ allErrors: true });

function schemaErrors(schema: PolicyConfigSchema, properties: Record<string, unknown>): string[] {
    // convertSchema: {type: object, properties, required}; additional properties are allowed.
    const full: Record<string, unknown> = { type: "object" };
    if (Object.keys(schema.properties ?? {}).length > 0) {
        full.properties = schema.properties;
    }
    if ((schema.required ?? []).length > 0) {
        full.required = schema.required;
    }
    const validate = ajv.compile(full);
    if (validate(properties)) {
        return [];
    }
    return (validate.errors ?? []).map((e) => {
        if (e.keyword === "required") {
            return `${(e.params as { missingProperty: string }).missingProperty} is required`;
        }
        return `${e.dataPath.replace(/^\./, "")}: ${e.message}`;
    });
}

/**
 * ReconcilePolicyPackConfig + Configure's level check: schema defaults, then `all`, then each
 * policy's entry (properties merged key by key); every policy's result validated against its
 * schema, disabled ones included. Throws PolicyConfigError with every problem, sorted.
 */
export function reconcilePackConfig(policies: readonly PolicyInfo[], file: Record<string, unknown>, where = ""): Map<string, ReconciledPolicyConfig> {
    const given = parsePackConfig(file);
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
    for (const [name, config] of given) {
        const current = result.get(name) ?? { enforcementLevel: "", properties: {} };
        result.set(name, {
            enforcementLevel: config.enforcementLevel !== "" ? config.enforcementLevel : current.enforcementLevel,
            properties: { ...current.properties, ...config.properties },
        });
    }
    const problems: string[] = [];
    for (const policy of policies) {
        if (policy.configSchema) {
            for (const error of schemaErrors(policy.configSchema, result.get(policy.name)!.properties)) {
                problems.push(`${policy.name}: ${error}`);
            }
        }
    }
    // Configure refuses an entry without a valid enforcement level, which is what a key naming no
    // policy gets. A misspelled key that carries its own level would pass the CLI silently and
    // configure nothing; it is always a mistake, so the offline check refuses it too.
    const known = new Set(["all", ...policies.map((p) => p.name)]);
    for (const name of given.keys()) {
        if (!known.has(name)) {
            problems.push(`"${name}" names no policy of the pack; policies: ${policies.map((p) => p.name).join(", ")}`);
        }
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(problems.sort(), where);
    }
    return result;
}
