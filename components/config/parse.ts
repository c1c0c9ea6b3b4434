/**
 * parsePlatformConfig: the schema (defaults from the profile the raw config picks), then every
 * rule; all problems at once, each with its key, value and fix.
 */
import type { core } from "zod";
import { PROFILE_DEFAULTS, profileOf } from "../model/profiles";
import { keyName, type ConfigSource } from "./namespace";
import { ConfigError, SECRET_NAME, formatProblem, type Problem } from "./problems";
import { resolveConfig } from "./resolve";
import { RULES } from "./rules";
import { SECRET_PATHS, hasDefaultAt, objectKeysAt, platformSchema } from "./schema";
import { secretShape, secretTokens, stringLeaves } from "./secrets";
import type { PlatformConfig } from "./types";

type ZodIssue = core.$ZodIssue;

/** How the raw config was stored, as far as the program can tell. */
export interface ParseOptions {
    /**
     * Top-level keys (without namespace) the stack stores as secrets. When given, a key that must
     * be secret and is not is an error; tests that build config by hand leave it out.
     */
    readonly secretKeys?: readonly string[];
    /**
     * The stack file the config came from: each problem then names it and ends with the
     * `pulumi config` command that fixes it. Left out for a program's MetaflowPlatform arguments.
     */
    readonly source?: ConfigSource;
}

/**
 * Validates raw config values (as read from the stack) and resolves derived settings. Pure:
 * tests call it with plain objects. Throws ConfigError listing every problem.
 */
export function parsePlatformConfig(raw: Record<string, unknown>, options: ParseOptions = {}): PlatformConfig {
    const schema = platformSchema(PROFILE_DEFAULTS[profileOf(raw)]);
    const result = schema.safeParse(raw);
    const leaves = stringLeaves(raw);
    const shaped = leaves
        .filter((leaf) => !isSecretPath(leaf.path))
        .flatMap((leaf): Problem[] => {
            const what = secretShape(leaf.text);
            return what ? [secretShapedProblem(leaf.path, what, hasDefaultAt(schema, leaf.path))] : [];
        });
    // Never shown: what looks like a credential anywhere, the values at secret paths or under
    // credential-like names, and every value of a key the stack keeps secret.
    const hidden = [
        ...leaves.flatMap((leaf) => secretTokens(leaf.text)),
        ...leaves
            .filter((leaf) => !leaf.isKey && (isSecretPath(leaf.path) || hasSecretName(leaf.path) || keptSecret(leaf.path, options.secretKeys)))
            .map((leaf) => leaf.text),
    ];
    const fail = (root: unknown, problems: Problem[]): never => {
        throw new ConfigError(
            problems.map((p) => formatProblem(root, p, options.source)),
            options.source,
            hidden,
        );
    };
    if (!result.success) {
        fail(raw, [...result.error.issues.flatMap((issue) => schemaProblems(schema, issue)), ...shaped]);
    }
    const given = result.data!;
    const config = resolveConfig(given);
    const problems = [...RULES.flatMap((rule) => rule({ config, given, secretKeys: options.secretKeys })), ...shaped];
    if (problems.length > 0) {
        fail(given, problems);
    }
    return validated(config);
}

/**
 * Configs parsePlatformConfig returned. Validation happens once: a program that parsed its
 * config (the stack program, through loadPlatformConfig) hands the result on, and what receives
 * it (MetaflowPlatform) need not parse it again. Frozen, so what was checked is what is used.
 */
const VALIDATED = new WeakSet<object>();

function validated(config: PlatformConfig): PlatformConfig {
    VALIDATED.add(deepFreeze(config));
    return config;
}

function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        Object.values(Object.freeze(value)).forEach(deepFreeze);
    }
    return value;
}

/** Whether `value` is a config parsePlatformConfig returned (and so already checked, defaults applied). */
export function isValidatedConfig(value: unknown): value is PlatformConfig {
    return typeof value === "object" && value !== null && VALIDATED.has(value);
}

/** A schema issue as problems, each with a fix where one is known. */
function schemaProblems(schema: ReturnType<typeof platformSchema>, issue: ZodIssue): Problem[] {
    if (issue.code === "unrecognized_keys") {
        // The value is not echoed: an unknown key may well be a misplaced password.
        const valid = objectKeysAt(schema, issue.path);
        return issue.keys.map((key) => ({
            path: issue.path,
            message: `unknown key "${key}"${valid ? `; valid keys: ${valid.join(", ")}` : ""}`,
            value: "hidden",
            fix: [{ key: `${keyName(issue.path)}.${key}`, remove: true }],
        }));
    }
    // A key with a default is fixed by removing it; say so. A record's key names its rule in the
    // nested issue ("label keys are ..."), not the outer one.
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return [{ path: issue.path, message, fix: hasDefaultAt(schema, issue.path) ? [{ key: keyName(issue.path), remove: true }] : [] }];
}

/** At or under a path that holds a secret by design (endpoint.oauthClientSecret). */
function isSecretPath(path: ReadonlyArray<PropertyKey>): boolean {
    return SECRET_PATHS.some((secret) => secret.every((part, i) => path[i] === part));
}

/**
 * A value of a key the stack keeps secret. The CLI marks a structured key secret when any value
 * in it is (`pulumi config set --secret --path endpoint.oauthClientSecret`); where the schema
 * knows which value that is (SECRET_PATHS), only it is hidden, so `endpoint.hostname` can still be
 * shown in a message.
 */
function keptSecret(path: ReadonlyArray<PropertyKey>, secretKeys: readonly string[] | undefined): boolean {
    const top = String(path[0]);
    return secretKeys?.includes(top) === true && !SECRET_PATHS.some((secret) => secret[0] === top);
}

/** Under a credential-like name (`password`, `apiToken`...): shown nowhere, whatever its shape. */
function hasSecretName(path: ReadonlyArray<PropertyKey>): boolean {
    return path.some((part) => typeof part === "string" && SECRET_NAME.test(part));
}

/**
 * A value that looks like a credential where none belongs. Stack settings are plain text: in the
 * stack file, in `pulumi preview`, and in what they configure (labels on every resource).
 */
function secretShapedProblem(path: PropertyKey[], what: string, removable: boolean): Problem {
    const where = path[0] === "labels" ? "labels are plain text on every labelled resource, visible to anyone who can list them" : "this key is stored and shown in plain text";
    return {
        path,
        message: `looks like a credential (${what}; value not shown): ${where}; remove it, and if it is a real credential, revoke it`,
        value: "hidden",
        fix: removable || path[0] === "labels" ? [{ key: keyName(path), remove: true }] : [],
    };
}
