/**
 * Metaflow on Google Cloud: one environment per stack (`pulumi up -s dev`, `pulumi up -s prod`).
 * Config is read and validated before anything is created; see README.md for every key. A
 * production config change that would replace the cluster, database, bucket or network is
 * refused before anything else is registered: the platform waits for the replacement guard, a
 * resource whose check the engine runs first (components/platform/replacementGuard.ts).
 *
 * This is the stack program (Pulumi.yaml `main`); the library other programs import is
 * components/index.ts (package.json `main`).
 */
import { loadPlatformConfig } from "./components/config/load";
import { platformArgsFromConfig } from "./components/platform/fromConfig";
import { MetaflowPlatform, checkPlatformArgs } from "./components/platform/metaflowPlatform";
import { platformOutputs } from "./components/platform/stackOutputs";
import { REPLACEMENT_GUARD_OUTPUT } from "./components/config/replacement";
import { replacementGuard } from "./components/platform/replacementGuard";

const config = loadPlatformConfig();
const args = platformArgsFromConfig(config);
// Every problem with the arguments (charts included) stops the program before anything, the guard
// included, is registered.
checkPlatformArgs("metaflow", args);
const guard = replacementGuard(config);
const platform = new MetaflowPlatform("metaflow", args, { dependsOn: [guard] });

export = { ...platformOutputs(platform.config, platform.parts), [REPLACEMENT_GUARD_OUTPUT]: guard.fingerprint };
