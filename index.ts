/**
 * Metaflow on Google Cloud: one environment per stack (`pulumi up -s dev`, `pulumi up -s prod`).
 * Config is read and validated once, before anything is created; see README.md for every key. A
 * production config change that would replace the cluster, database, bucket or network is
 * refused before anything else is registered: the platform waits for the replacement guard, a
 * resource whose check the engine runs first (components/platform/replacementGuard.ts).
 *
 * This is the stack program (Pulumi.yaml `main`); the library other programs import is
 * components/index.ts (package.json `main`).
 */
import { loadPlatformConfig } from "./components/config/load";
import { MetaflowPlatform, checkPlatformArgs } from "./components/platform/metaflowPlatform";
import { platformOutputs } from "./components/platform/stackOutputs";
import { REPLACEMENT_GUARD_OUTPUT } from "./components/config/replacement";
import { replacementGuard } from "./components/platform/replacementGuard";

// Parsed and validated here, once; every problem (charts included) stops the program before
// anything, the guard included, is registered. The platform takes the checked config as it is.
const config = checkPlatformArgs("metaflow", loadPlatformConfig());
const guard = replacementGuard(config);
const platform = new MetaflowPlatform("metaflow", config, { dependsOn: [guard] });

export = { ...platformOutputs(platform.config, platform.parts), [REPLACEMENT_GUARD_OUTPUT]: guard.fingerprint };
