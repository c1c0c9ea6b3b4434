/**
 * Config problems: what a rule reports (the key's path and what is wrong, with the fix), how a
 * problem reads in an error (key, value, message; secrets never shown) and the error that lists
 * them all.
 */
import { configCommand, keyName, type ConfigChange, type ConfigSource } from "./namespace";
import { SECRET_PATHS } from "./schema";
import { hideSecrets } from "./secrets";

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
    /**
     * Changes that fix it, keys written in full (`metaflow-gcp:services.namespace`); shown as the
     * `pulumi config` commands that make them when the config came from a stack file.
     */
    readonly fix?: readonly ConfigChange[];
}

/** Shorthand for a problem whose value is shown after the key. */
export function problemAt(path: ReadonlyArray<PropertyKey>, message: string): Problem {
    return { path, message };
}

/** Raised when stack config is invalid; lists every problem with its key. */
export class ConfigError extends Error {
    public readonly problems: string[];

    /** `hidden`: texts never to show (secrets, and what looks like one); replaced by "[hidden]" wherever they occur. */
    constructor(problems: string[], source?: ConfigSource, hidden: readonly string[] = []) {
        problems = problems.map((p) => hideSecrets(p, hidden));
        const where = source ? ` in ${source.file}` : "";
        super(
            `Invalid stack configuration${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n") +
                `\n${howToFix(source)}`,
        );
        this.name = "ConfigError";
        this.problems = problems;
    }
}

/** The closing line: how to change a key, with the syntax nested keys need. */
function howToFix(source: ConfigSource | undefined): string {
    const stack = source?.stack ?? "<stack>";
    const nested = configCommand({ key: "metaflow-gcp:services.namespace", set: "metaflow-team" }, stack);
    const reset = configCommand({ key: "metaflow-gcp:services.namespace", remove: true }, stack);
    return (
        `Change a key with \`pulumi config set\`; a nested key needs --path and quotes, e.g. \`${nested}\`, ` +
        `and \`${reset}\` returns it to its default. Every key is described in README.md ("Configuration").`
    );
}

/**
 * A problem as one line of a ConfigError: `key = value: message`, the value taken from `root`.
 * With a `source` (a stack file) the line starts with the file and ends with the commands that
 * fix it.
 */
export function formatProblem(root: unknown, problem: Problem, source?: ConfigSource): string {
    const line = problemLine(root, problem);
    if (!source) {
        return line;
    }
    const fix = problem.fix?.length ? `; fix: \`${problem.fix.map((change) => configCommand(change, source.stack)).join(" && ")}\`` : "";
    return `${source.file}: ${line}${fix}`;
}

function problemLine(root: unknown, problem: Problem): string {
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

/**
 * Names that hold credentials, wherever they appear (a config key, a key in a structured value):
 * the name's last word is password, passwd, secret, token or credential(s), or it ends in key
 * after nothing, api, private or access (`dbPassword`, `apiToken`, `oauthClientSecret`,
 * `accessKey`, `credentials`). Judged on the last word so that a qualifier does not count:
 * `secretManagerCustomEndpoint` is a URL.
 */
export const SECRET_NAME = {
    test(name: string): boolean {
        const words = name
            .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
            .split(/[\s_.:-]+/)
            .filter((w) => w.length > 0)
            .map((w) => w.toLowerCase());
        const last = words[words.length - 1] ?? "";
        const before = words[words.length - 2] ?? "";
        return /^(password|passwd|secret|token|credentials?)$/.test(last) || /^(api|private|access)?key$/.test(last) || (last === "key" && ["api", "private", "access"].includes(before));
    },
};

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
