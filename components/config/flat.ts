/**
 * Stack config as the Pulumi CLI hands it to a program: flat `namespace:key` -> string, objects
 * and numbers as JSON text. Checks what only the flat form shows (unknown or missing namespaces,
 * unknown top-level keys, credentials in plain text) and hands the rest to parsePlatformConfig.
 */
import { CONFIG_NAMESPACE, KNOWN_NAMESPACES } from "./namespace";
import { parsePlatformConfig } from "./parse";
import { ConfigError, SECRET_NAME } from "./problems";
import { TOP_LEVEL_KEYS } from "./schema";
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

/** Nearest known name, for "did you mean" in messages. */
function closest(name: string, candidates: readonly string[]): string | undefined {
    const distance = (a: string, b: string) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0][j] = j;
        for (let i = 1; i <= a.length; i++)
            for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        return d[a.length][b.length];
    };
    const best = candidates.map((c) => ({ c, d: distance(name.toLowerCase(), c) })).sort((x, y) => x.d - y.d)[0];
    return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.c : undefined;
}

/**
 * Validates a stack's flat config (`namespace:key` -> string, as the Pulumi CLI hands it to a
 * program) and resolves it. Pure: the program, the offline tools and tests share it.
 * `secretKeys` are the keys Pulumi marks secret (`PULUMI_CONFIG_SECRET_KEYS`). Every problem is
 * reported at once; values of keys that must be secret are never echoed.
 */
export function platformConfigFrom(all: Record<string, string>, stack: string, secretKeys: ReadonlySet<string> = new Set()): PlatformConfig {
    const raw: Record<string, unknown> = {};
    const secretTopLevelKeys: string[] = [];
    const problems: string[] = [];
    for (const [fullKey, text] of Object.entries(all)) {
        const colon = fullKey.indexOf(":");
        if (colon < 0) {
            problems.push(`${fullKey}: key has no namespace; write ${CONFIG_NAMESPACE}:${fullKey} (or gcp:${fullKey} for a provider setting)`);
            continue;
        }
        const ns = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (mustBeSecret(fullKey) && !secretKeys.has(fullKey)) {
            problems.push(`${fullKey}: holds a credential in plain text (value not shown); remove it from the stack file and run \`pulumi config set --secret ${fullKey}\`${fullKey === "gcp:credentials" ? ", or better, use Workload Identity / gcloud application-default credentials instead of a key" : ""}`);
            continue;
        }
        if (!KNOWN_NAMESPACES.includes(ns)) {
            const guess = closest(ns, KNOWN_NAMESPACES);
            problems.push(`${fullKey}: unknown config namespace "${ns}"${guess ? `; did you mean ${guess}:${key}?` : ""} (namespaces: ${KNOWN_NAMESPACES.join(", ")})`);
            continue;
        }
        if (ns !== CONFIG_NAMESPACE) {
            continue;
        }
        if (!TOP_LEVEL_KEYS.includes(key)) {
            const guess = closest(key, TOP_LEVEL_KEYS);
            problems.push(`${fullKey}: unknown key${guess ? `; did you mean ${CONFIG_NAMESPACE}:${guess}?` : ""} known keys: ${TOP_LEVEL_KEYS.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`);
            continue;
        }
        raw[key] = parseConfigValue(text);
        if (secretKeys.has(fullKey)) {
            secretTopLevelKeys.push(key);
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    raw.project = all["gcp:project"];
    if (raw.project === undefined) {
        throw new ConfigError(["gcp:project: not set; run `pulumi config set gcp:project <your-project-id>`"]);
    }
    raw.region = all["gcp:region"];
    raw.environment ??= stack;
    return parsePlatformConfig(raw, { secretKeys: secretTopLevelKeys });
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
    return parsePlatformConfig(raw);
}

/** Stack config arrives as strings; objects, arrays, numbers and booleans as JSON text. */
function parseConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
