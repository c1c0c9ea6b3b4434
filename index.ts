/**
 * Metaflow on Google Cloud: one environment per stack (`pulumi up -s dev`, `pulumi up -s prod`).
 * Config is read and validated before anything is created; see README.md for every key. A
 * production config change that would replace the cluster, database, bucket or network is
 * refused before any resource is registered (components/platform/replacementGuard.ts).
 *
 * This is the stack program (Pulumi.yaml `main`); the library other programs import is
 * components/index.ts (package.json `main`).
 */
import { loadPlatformConfig } from "./components/config/load";
import { platformArgsFromConfig } from "./components/platform/fromConfig";
import { MetaflowPlatform } from "./components/platform/metaflowPlatform";
import { platformOutputs } from "./components/platform/stackOutputs";
import { REPLACEMENT_GUARD_OUTPUT } from "./components/config/replacement";
import { guardReplacements } from "./components/platform/replacementGuard";

const config = loadPlatformConfig();

export = (async () => {
    const fingerprint = await guardReplacements(config);
    const platform = new MetaflowPlatform("metaflow", platformArgsFromConfig(config));
    return { ...platformOutputs(platform.config, platform.parts), [REPLACEMENT_GUARD_OUTPUT]: fingerprint };
})();
