/**
 * MetaflowPlatform as another program uses it: only the required arguments give a working
 * environment with the development profile's defaults; wrong arguments fail before anything is
 * created, every problem named by argument.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { PROFILE_DEFAULTS, isValidatedConfig, parsePlatformConfig } from "../components/config/config";
import { checkPlatformArgs } from "../components/platform/metaflowPlatform";
import { PlatformArgsError, platformConfigFromArgs } from "../components/platform/platformArgsCheck";
import { componentType } from "../components/model/typeTokens";
import { one } from "../offline/query";
import { REPO_ROOT } from "../offline/render";
import { renderFixture, renderFixtureFailure } from "./harness/fixtures";

const program = (name: string) => path.join(REPO_ROOT, "tests", "fixtures", "programs", `${name}.ts`);

describe("MetaflowPlatform in another program", () => {
    it("builds a working environment from project and environment alone", async () => {
        const stack = await renderFixture("dev", { program: program("minimalPlatform") });
        const platform = one(stack, componentType("MetaflowPlatform"));
        assert.equal(platform.name, "ml");
        const dev = PROFILE_DEFAULTS.development;
        const cluster = one(stack, "gcp:container/cluster:Cluster");
        assert.equal(cluster.inputs.location, "us-central1-a", "zonal, as the development profile says");
        assert.equal(one(stack, "gcp:container/nodePool:NodePool", "cluster-cpu").inputs.nodeConfig.machineType, dev.cpuPool.machineType);
        assert.equal(one(stack, "gcp:sql/databaseInstance:DatabaseInstance").inputs.settings.tier, dev.database.tier);
        assert.ok(one(stack, "gcp:container/nodePool:NodePool", "gpu-l4-pool"), "the default L4 pool");
        assert.equal(stack.outputs.bucketName.value, "metaflow-offline-metaflow-dev");
        assert.equal(stack.outputs.kubernetesNamespace.value, "metaflow-dev");
        assert.ok(stack.outputs.kubeconfig.secret, "the kubeconfig stays a secret");
        assert.equal(stack.outputs.metaflowConfig.value.METAFLOW_DATASTORE_SYSROOT_GS, "gs://metaflow-offline-metaflow-dev/metaflow");
        // Every resource is the platform or below it.
        for (const r of stack.resources.filter((x) => x !== platform)) {
            assert.ok(r.urn.includes(`::${componentType("MetaflowPlatform")}$`), `${r.type} ${r.name} is inside the platform`);
        }
    });

    it("refuses wrong arguments before creating anything, naming each argument and hiding the secret", async () => {
        const failure = await renderFixtureFailure("dev", { program: program("invalidPlatform") });
        assert.equal(failure.resources.length, 0, "nothing was registered, not even the component");
        const message = failure.error.message;
        assert.match(message, /^MetaflowPlatform "ml": invalid arguments \(\d+ problems\); nothing was created/);
        for (const key of ["environment", "network.subnetCidr", "cluster.mode", "endpoint.hostname"]) {
            assert.match(message, new RegExp(`^  - ${key.replace(".", "\\.")}\\b`, "m"), `names ${key}`);
        }
        assert.doesNotMatch(message, /metaflow-gcp:/, "argument names, not stack config keys");
        assert.ok(!message.includes("GOCSPX-must-never-be-printed"), "the client secret is never echoed");
    });
});

describe("the config is validated once", () => {
    it("the stack program parses its config once: MetaflowPlatform takes the checked config as it is", async () => {
        // The modules call parsePlatformConfig through their module objects (CommonJS), so a spy on the export sees every call.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const parse = require("../components/config/parse") as { parsePlatformConfig: (...args: unknown[]) => unknown };
        const original = parse.parsePlatformConfig;
        let calls = 0;
        parse.parsePlatformConfig = (...args: unknown[]) => {
            calls++;
            return original(...args);
        };
        try {
            await renderFixture("dev");
        } finally {
            parse.parsePlatformConfig = original;
        }
        assert.equal(calls, 1, "loadPlatformConfig parses; checkPlatformArgs and the component reuse its result");
    });

    it("a config parsePlatformConfig returned is frozen and taken as it is; a copy is checked again", () => {
        const config = parsePlatformConfig({ project: "acme-ml-dev", environment: "dev" });
        assert.ok(isValidatedConfig(config) && Object.isFrozen(config) && Object.isFrozen(config.cluster.cpuPool));
        assert.equal(platformConfigFromArgs("ml", config), config);
        assert.equal(checkPlatformArgs("ml", config), config);
        const copy = { ...config, network: { ...config.network, subnetCidr: "8.8.8.0/24" } };
        assert.equal(isValidatedConfig(copy), false);
        assert.throws(() => platformConfigFromArgs("ml", copy), PlatformArgsError);
    });
});
