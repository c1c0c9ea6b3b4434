/**
 * The stack config mapped onto MetaflowPlatform's arguments: the stack program's one step
 * between `loadPlatformConfig` and the component. Every key the component takes has the same
 * name and shape in both; `allowReplacement` stays with the stack (the replacement guard).
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/config";
import type { MetaflowPlatformArgs } from "./metaflowPlatformArgs";

/** MetaflowPlatform's arguments for a validated stack config; the client secret stays a secret. */
export function platformArgsFromConfig(cfg: PlatformConfig): MetaflowPlatformArgs {
    const { allowReplacement: _guardOnly, endpoint, ...settings } = cfg;
    return {
        ...settings,
        endpoint: endpoint && { ...endpoint, oauthClientSecret: pulumi.secret(endpoint.oauthClientSecret) },
    };
}
