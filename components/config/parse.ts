/**
 * parsePlatformConfig: the schema (defaults from the profile the raw config picks), then every
 * rule; all problems at once, each with its key, value and fix.
 */
import { PROFILE_DEFAULTS, profileOf } from "../model/profiles";
import { keyName, type ConfigSource } from "./namespace";
import { ConfigError, formatProblem, type Problem } from "./problems";
import { resolveConfig } from "./resolve";
import { RULES } from "./rules";
import { hasDefaultAt, objectKeysAt, platformSchema } from "./schema";
import type { PlatformConfig } from "./types";

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
    if (!result.success) {
        const problems = result.error.issues.flatMap((issue): Problem[] => {
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
            // A key with a default is fixed by removing it; say so.
            const key = keyName(issue.path);
            // A record's key names its rule in the nested issue ("label keys are ..."), not the outer one.
            const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
            return [{ path: issue.path, message, fix: hasDefaultAt(schema, issue.path) ? [{ key, remove: true }] : [] }];
        });
        throw new ConfigError(
            problems.map((p) => formatProblem(raw, p, options.source)),
            options.source,
        );
    }
    const given = result.data;
    const config = resolveConfig(given);
    const problems = RULES.flatMap((rule) => rule({ config, given, secretKeys: options.secretKeys }));
    if (problems.length > 0) {
        throw new ConfigError(
            problems.map((p) => formatProblem(given, p, options.source)),
            options.source,
        );
    }
    return config;
}
