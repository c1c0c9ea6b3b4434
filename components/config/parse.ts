/**
 * parsePlatformConfig: the schema (defaults from the profile the raw config picks), then every
 * rule; all problems at once, each with its key, value and fix.
 */
import { PROFILE_DEFAULTS, profileOf } from "../model/profiles";
import { keyName } from "./namespace";
import { ConfigError, formatProblem } from "./problems";
import { resolveConfig } from "./resolve";
import { RULES } from "./rules";
import { objectKeysAt, platformSchema } from "./schema";
import type { PlatformConfig } from "./types";

/** How the raw config was stored, as far as the program can tell. */
export interface ParseOptions {
    /**
     * Top-level keys (without namespace) the stack stores as secrets. When given, a key that must
     * be secret and is not is an error; tests that build config by hand leave it out.
     */
    readonly secretKeys?: readonly string[];
}

/**
 * Validates raw config values (as read from the stack) and resolves derived settings. Pure:
 * tests call it with plain objects. Throws ConfigError listing every problem.
 */
export function parsePlatformConfig(raw: Record<string, unknown>, options: ParseOptions = {}): PlatformConfig {
    const schema = platformSchema(PROFILE_DEFAULTS[profileOf(raw)]);
    const result = schema.safeParse(raw);
    if (!result.success) {
        throw new ConfigError(
            result.error.issues.map((issue) => {
                if (issue.code === "unrecognized_keys") {
                    // The value is not echoed: an unknown key may well be a misplaced password.
                    const valid = objectKeysAt(schema, issue.path);
                    return `${keyName(issue.path)}: unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}${valid ? `; valid keys: ${valid.join(", ")}` : ""}`;
                }
                return formatProblem(raw, { path: issue.path, message: issue.message });
            }),
        );
    }
    const given = result.data;
    const config = resolveConfig(given);
    const problems = RULES.flatMap((rule) => rule({ config, given, secretKeys: options.secretKeys }));
    if (problems.length > 0) {
        throw new ConfigError(problems.map((p) => formatProblem(given, p)));
    }
    return config;
}
