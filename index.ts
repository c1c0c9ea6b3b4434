/**
 * Metaflow on Google Cloud: one environment per stack (`pulumi up -s dev`, `pulumi up -s prod`).
 * Config is read and validated before anything is created; see README.md for every key. A
 * production config change that would replace the cluster, database, bucket or network is
 * refused before any resource is registered (components/platform/replacementGuard.ts).
 */
import { loadPlatformConfig } from "./components/config/load";
import { createPlatform, platformOutputs } from "./components/platform/platform";
import { REPLACEMENT_GUARD_OUTPUT } from "./components/pure/replacement";
import { guardReplacements } from "./components/platform/replacementGuard";

const config = loadPlatformConfig();

export = (async () => {
    const fingerprint = await guardReplacements(config);
    const platform = createPlatform(config);
    return { ...platformOutputs(config, platform), [REPLACEMENT_GUARD_OUTPUT]: fingerprint };
})();
