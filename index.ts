/**
 * Metaflow on Google Cloud: one environment per stack (`pulumi up -s dev`, `pulumi up -s prod`).
 * Config is read and validated before anything is created; see README.md for every key.
 */
import { loadPlatformConfig } from "./components/config";
import { createPlatform, platformOutputs } from "./components/platform";

const config = loadPlatformConfig();
const platform = createPlatform(config);

export = platformOutputs(config, platform);
