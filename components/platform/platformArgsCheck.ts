/**
 * Checks a MetaflowPlatform's arguments with the stack config's own parser, so a program gets
 * the same checks, defaults and all-problems-at-once errors as a stack file, keyed by argument
 * (`network.subnetCidr`) instead of config key (`metaflow-gcp:network.subnetCidr`).
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, isValidatedConfig, parsePlatformConfig, type PlatformConfig } from "../config/config";
import type { MetaflowPlatformArgs } from "./metaflowPlatformArgs";

/** Raised before anything is created when a MetaflowPlatform's arguments are invalid. */
export class PlatformArgsError extends Error {
    constructor(
        componentName: string,
        public readonly problems: string[],
    ) {
        super(
            `MetaflowPlatform "${componentName}": invalid arguments (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n") +
                "\nEvery argument is described on MetaflowPlatformArgs (components/platform/metaflowPlatformArgs.ts) and in README.md (Configuration).",
        );
        this.name = "PlatformArgsError";
    }
}

/**
 * Stands in for an OAuth client secret given as an Output (a secret, or from another resource):
 * the parser checks it is not empty, which an Output cannot tell before it resolves. Only the
 * parser sees it; the endpoint gets the real Input.
 */
const UNRESOLVED_SECRET = "[secret: resolved during the update]";

/** A stack config key in a problem, written as the argument it came from. */
function asArgumentName(problem: string): string {
    return problem.replace(new RegExp(`\\b(?:${CONFIG_NAMESPACE}|gcp):(?=[a-zA-Z])`, "g"), "").replace(/^\(config\)/, "args");
}

/** Arguments that must be known when the program runs: everything but the OAuth client secret. */
function unresolvedArguments(args: Record<string, unknown>): string[] {
    return Object.entries(args)
        .filter(([, value]) => pulumi.Output.isInstance(value) || value instanceof Promise)
        .map(([key]) => `${key}: must be a plain value known when the program runs (it sizes and names resources); only endpoint.oauthClientSecret may be an Output or a secret`);
}

/**
 * The validated config a MetaflowPlatform builds from its arguments: defaults applied from the
 * schema and PROFILE_DEFAULTS, every rule of `parsePlatformConfig` checked. Throws
 * PlatformArgsError listing every problem. A config parsePlatformConfig already returned (the
 * stack program's) is taken as it is: validation happens once.
 */
export function platformConfigFromArgs(componentName: string, args: MetaflowPlatformArgs | PlatformConfig): PlatformConfig {
    if (isValidatedConfig(args)) {
        return args;
    }
    if (args === null || typeof args !== "object") {
        throw new PlatformArgsError(componentName, ["args: required, with at least `project` and `environment`"]);
    }
    const raw: Record<string, unknown> = { ...args };
    const unresolved = unresolvedArguments(raw);
    if (unresolved.length > 0) {
        throw new PlatformArgsError(componentName, unresolved);
    }
    const endpoint = args.endpoint;
    if (endpoint && typeof endpoint === "object" && typeof endpoint.oauthClientSecret !== "string" && endpoint.oauthClientSecret !== undefined) {
        raw.endpoint = { ...endpoint, oauthClientSecret: UNRESOLVED_SECRET };
    }
    try {
        return parsePlatformConfig(raw);
    } catch (err) {
        if (err instanceof ConfigError) {
            throw new PlatformArgsError(componentName, err.problems.map(asArgumentName));
        }
        throw err;
    }
}
