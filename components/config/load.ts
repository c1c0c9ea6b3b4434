/**
 * Reads the stack's config from the Pulumi runtime: the one config module that imports
 * @pulumi/pulumi (the rest is pure and runs anywhere).
 */
import * as pulumi from "@pulumi/pulumi";
import { platformConfigFrom } from "./flat";
import type { PlatformConfig } from "./types";

/**
 * Reads this stack's config from the Pulumi runtime and validates it. Unknown keys and
 * namespaces are errors (a typo would otherwise silently fall back to a default), and so are
 * credentials that are not Pulumi secrets.
 */
export function loadPlatformConfig(): PlatformConfig {
    const all = pulumi.runtime.allConfig();
    return platformConfigFrom(all, pulumi.getStack(), new Set(Object.keys(all).filter(isSecretConfigKey)));
}

/**
 * Whether the CLI handed this key to the program as a secret. The engine passes the list in
 * PULUMI_CONFIG_SECRET_KEYS and the SDK reads it in `runtime/config` `isConfigSecret`
 * (@pulumi/pulumi 3.248.0), which its typings mark internal.
 */
function isSecretConfigKey(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    return runtimeConfig.isConfigSecret(fullKey);
}
