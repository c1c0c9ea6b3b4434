/**
 * The stack configuration, validated once before any resource is created: the schema
 * (./schema.ts, defaults from the one profile table, PROFILE_DEFAULTS in ../model/profiles.ts),
 * then one rule per section (./rules), every problem reported at once with its key, value and fix
 * (./parse.ts). Pure: the
 * program, MetaflowPlatform, the offline tools and tests call it with plain objects. Flat
 * `namespace:key` config (as the CLI hands it over) is ./flat.ts; reading it from a Pulumi run is
 * ./load.ts, the one config module that imports @pulumi/pulumi.
 *
 * Keys live in the project's namespace (`metaflow-gcp:<key>`), except the provider's own
 * `gcp:project` and `gcp:region`. README.md's "Configuration" is generated from the schema
 * (`npm run docs`).
 */
export { PRESETS, PROFILE_DEFAULTS, type Profile } from "../model/profiles";
export { mustBeSecret, platformConfigFrom, platformConfigFromFlat } from "./flat";
export { CONFIG_NAMESPACE, type ConfigSource } from "./namespace";
export { isValidatedConfig, parsePlatformConfig, type ParseOptions } from "./parse";
export { ConfigError, type Problem } from "./problems";
export { zoneProblem } from "./rules";
export type * from "./types";
