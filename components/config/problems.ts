/**
 * Config problems: what a rule reports (the key's path and what is wrong, with the fix), how a
 * problem reads in an error (key, value, message; secrets never shown) and the error that lists
 * them all.
 */
import { keyName } from "./namespace";
import { SECRET_PATHS } from "./schema";

/** One thing wrong with a stack's config. */
export interface Problem {
    /** Path of the key from the top-level key, e.g. ["gpuPools", 0, "zones", 1]. */
    readonly path: ReadonlyArray<PropertyKey>;
    /** What is wrong and what is allowed or how to fix it. */
    readonly message: string;
    /**
     * How the key's value is shown: after " = " (default), in parentheses with the message
     * following it ("a (10.10.0.0/20) overlaps b"), or not at all (the message says why).
     */
    readonly value?: "shown" | "parenthesized" | "hidden";
}

/** Shorthand for a problem whose value is shown after the key. */
export function problemAt(path: ReadonlyArray<PropertyKey>, message: string): Problem {
    return { path, message };
}

/** Raised when stack config is invalid; lists every problem with its key. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n") +
                "\nFix with `pulumi config set <key> <value>` or edit Pulumi.<stack>.yaml; every key is described in README.md.",
        );
        this.name = "ConfigError";
    }
}

/** A problem as one line of a ConfigError: `key = value: message`, the value taken from `root`. */
export function formatProblem(root: unknown, problem: Problem): string {
    const key = keyName(problem.path);
    switch (problem.value ?? "shown") {
        case "hidden":
            return `${key}: ${problem.message}`;
        case "parenthesized":
            return `${key} (${String(valueAt(root, problem.path))}) ${problem.message}`;
        default:
            return `${key}${shownSuffix(root, problem.path)}: ${problem.message}`;
    }
}

/** A value for an error message, with secret values replaced by "[secret]" wherever they sit. */
function shownValue(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    for (const secret of SECRET_PATHS) {
        const common = Math.min(path.length, secret.length);
        if (secret.slice(0, common).every((part, i) => part === path[i])) {
            if (path.length >= secret.length) {
                return "[secret]";
            }
            // An ancestor of the secret: show it with the secret masked.
            const value = valueAt(root, path);
            return value === undefined ? undefined : maskAt(value, secret.slice(path.length));
        }
    }
    return valueAt(root, path);
}

function maskAt(value: unknown, path: ReadonlyArray<string>): unknown {
    if (path.length === 0) {
        return "[secret]";
    }
    if (value === null || typeof value !== "object" || !(path[0] in value)) {
        return value;
    }
    const record = value as Record<string, unknown>;
    return { ...record, [path[0]]: maskAt(record[path[0]], path.slice(1)) };
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let value: unknown = raw;
    for (const part of path) {
        if (value === null || typeof value !== "object") {
            return undefined;
        }
        value = (value as Record<PropertyKey, unknown>)[part];
    }
    return value;
}

/** Names that hold credentials, wherever they appear in a structured value. */
export const SECRET_NAME = /(password|passwd|secret|token|credential|(^|[-_.])key$|apikey|privatekey|accesskey)/i;

/** Copy of a value with anything under a credential-like name replaced by "[secret]". */
function redacted(value: unknown, name = ""): unknown {
    if (SECRET_NAME.test(name)) {
        return "[secret]";
    }
    if (Array.isArray(value)) {
        return value.map((v) => redacted(v));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(v, k)]));
    }
    return value;
}

/** ` = <value>` for messages, secrets and credential-like names redacted; "" when there is no value. */
function shownSuffix(root: unknown, path: ReadonlyArray<PropertyKey>): string {
    const value = shownValue(root, path);
    return value === undefined ? "" : ` = ${JSON.stringify(redacted(value, String(path[path.length - 1] ?? "")))}`;
}
