/**
 * Stack config as the Pulumi CLI hands it to a program: flat `namespace:key` -> string, objects
 * and numbers as JSON text. Checks what only the flat form shows (unknown or missing namespaces,
 * unknown top-level keys, provider settings that would be ignored, credentials in plain text) and
 * hands the rest to parsePlatformConfig.
 */
import { CONFIG_NAMESPACE, KNOWN_NAMESPACES, configCommand, stackSource, type ConfigChange, type ConfigSource } from "./namespace";
import { parsePlatformConfig } from "./parse";
import { ConfigError, SECRET_NAME } from "./problems";
import { closestName, providerKeyProblem } from "./providerKeys";
import { TOP_LEVEL_KEYS } from "./schema";
import { secretShape, secretTokens } from "./secrets";
import type { PlatformConfig } from "./types";

/**
 * Keys whose values are credentials: Pulumi secrets only (`pulumi config set --secret`).
 * `gcp:credentials` is a service-account key; anything named like a password, secret, token or
 * key is treated the same.
 */
export function mustBeSecret(fullKey: string): boolean {
    const key = fullKey.split(":").pop() ?? "";
    return fullKey === "gcp:credentials" || SECRET_NAME.test(key);
}

/** One problem of a flat key: `file: key: message; fix: commands`. */
function flatProblem(source: ConfigSource, fullKey: string, message: string, fix: readonly ConfigChange[] = []): string {
    const commands = fix.length > 0 ? `; fix: \`${fix.map((change) => configCommand(change, source.stack)).join(" && ")}\`` : "";
    return `${source.file}: ${fullKey}: ${message}${commands}`;
}

/** What is wrong with one flat key, or undefined; `secret` when the CLI marks it secret. */
function flatKeyProblem(source: ConfigSource, fullKey: string, text: string, secret: boolean): string | undefined {
    const colon = fullKey.indexOf(":");
    if (colon < 0) {
        return flatProblem(source, fullKey, `key has no namespace; write ${CONFIG_NAMESPACE}:${fullKey} (or gcp:${fullKey} for a provider setting)`, [
            { key: fullKey, remove: true },
        ]);
    }
    const ns = fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (mustBeSecret(fullKey) && !secret) {
        const keyFile = fullKey === "gcp:credentials" ? ", or better, use Workload Identity / gcloud application-default credentials instead of a key" : "";
        return flatProblem(source, fullKey, `holds a credential in plain text (value not shown); store it as a secret (the command prompts for it)${keyFile}`, [
            { key: fullKey, remove: true },
            { key: fullKey, secret: true },
        ]);
    }
    const shape = secret || ns === CONFIG_NAMESPACE ? undefined : secretShape(text);
    if (shape) {
        // The project's own keys are checked value by value by parsePlatformConfig.
        return flatProblem(source, fullKey, `looks like a credential in plain text (${shape}; value not shown); store it as a secret (the command prompts for it)`, [
            { key: fullKey, remove: true },
            { key: fullKey, secret: true },
        ]);
    }
    if (!KNOWN_NAMESPACES.includes(ns)) {
        const guess = closestName(ns, KNOWN_NAMESPACES);
        return flatProblem(source, fullKey, `unknown config namespace "${ns}"${guess ? `; did you mean ${guess}:${key}?` : ""} (namespaces: ${KNOWN_NAMESPACES.join(", ")})`, [
            { key: fullKey, remove: true },
        ]);
    }
    if (ns !== CONFIG_NAMESPACE) {
        const wrong = providerKeyProblem(ns, key, text);
        return wrong && flatProblem(source, fullKey, wrong.message, wrong.fix);
    }
    if (!TOP_LEVEL_KEYS.includes(key)) {
        const guess = closestName(key, TOP_LEVEL_KEYS);
        return flatProblem(
            source,
            fullKey,
            `unknown key${guess ? `; did you mean ${CONFIG_NAMESPACE}:${guess}?` : ""} known keys: ${TOP_LEVEL_KEYS.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`,
            [{ key: fullKey, remove: true }],
        );
    }
    return undefined;
}

/**
 * Validates a stack's flat config (`namespace:key` -> string, as the Pulumi CLI hands it to a
 * program) and resolves it. Pure: the program, the offline tools and tests share it.
 * `secretKeys` are the keys Pulumi marks secret (`PULUMI_CONFIG_SECRET_KEYS`). Every problem is
 * reported at once, naming the stack file; values of keys that must be secret are never echoed.
 */
export function platformConfigFrom(all: Record<string, string>, stack: string, secretKeys: ReadonlySet<string> = new Set()): PlatformConfig {
    const source = stackSource(stack);
    const raw: Record<string, unknown> = {};
    const secretTopLevelKeys: string[] = [];
    const problems: string[] = [];
    for (const [fullKey, text] of Object.entries(all)) {
        const problem = flatKeyProblem(source, fullKey, text, secretKeys.has(fullKey));
        if (problem) {
            problems.push(problem);
            continue;
        }
        if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) {
            continue;
        }
        const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
        raw[key] = parseConfigValue(text);
        if (secretKeys.has(fullKey)) {
            secretTopLevelKeys.push(key);
        }
    }
    if (problems.length > 0) {
        // Never shown: values the stack keeps secret, and whatever looks like a credential.
        const hidden = Object.entries(all).flatMap(([key, text]) => (secretKeys.has(key) || mustBeSecret(key) ? [text] : secretTokens(text)));
        throw new ConfigError(problems, source, hidden);
    }
    raw.project = all["gcp:project"];
    if (raw.project === undefined) {
        throw new ConfigError([flatProblem(source, "gcp:project", "not set: the GCP project to deploy to", [{ key: "gcp:project", set: "your-project-id" }])], source);
    }
    raw.region = all["gcp:region"];
    raw.environment ??= stack;
    return parsePlatformConfig(raw, { secretKeys: secretTopLevelKeys, source });
}

/**
 * Parses a stack's config given as flat `namespace:key` strings (as the CLI hands them to a
 * program, and as the offline preview records them). For tools that read a stack's config
 * outside a Pulumi run.
 */
export function platformConfigFromFlat(flat: Record<string, string>, stack: string): PlatformConfig {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(flat)) {
        const [ns, key] = fullKey.split(":", 2);
        if (ns === CONFIG_NAMESPACE) {
            raw[key] = parseConfigValue(text);
        }
    }
    raw.project = flat["gcp:project"];
    raw.region = flat["gcp:region"];
    raw.environment ??= stack;
    return parsePlatformConfig(raw, { source: stackSource(stack) });
}

/** Stack config arrives as strings; objects, arrays, numbers and booleans as JSON text. */
function parseConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
