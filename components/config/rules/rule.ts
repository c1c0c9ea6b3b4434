/** What every config rule takes and returns. */
import type { Problem } from "../problems";
import type { ParsedConfig } from "../schema";
import type { PlatformConfig } from "../types";

/** What a rule reads. */
export interface RuleInput {
    /** The config with defaults and derived values (zones, max_connections...) resolved. */
    readonly config: PlatformConfig;
    /** The config as the schema returned it: tells a value the stack set from a derived one. */
    readonly given: ParsedConfig;
    /**
     * Top-level keys (without namespace) the stack stores as secrets, when known. Tests that
     * build config by hand leave it out.
     */
    readonly secretKeys?: readonly string[];
}

/** A check of one config section (or of one capacity across sections): every problem it finds, none when the config is fine. */
export type Rule = (input: RuleInput) => Problem[];
