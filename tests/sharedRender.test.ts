/**
 * The harness's shared renders (tests/harness/cache.ts): one render per (stack, options) per
 * process, read-only, and options that differ only by a key set to `undefined` (which removes a
 * config key) are different renders.
 */
import * as assert from "assert";
import { sharedRender } from "./harness/cache";
import { FIXTURE_STACKS, fixtureStack } from "./harness/fixtures";

describe("harness shared renders", () => {
    it("equal options share one render, and it cannot be changed", async () => {
        const options = { stacksDir: FIXTURE_STACKS, config: { "metaflow-gcp:cluster": { mode: "autopilot" } } };
        const first = sharedRender("dev", options);
        assert.strictEqual(sharedRender("dev", JSON.parse(JSON.stringify(options))), first);
        const dev = await fixtureStack("dev");
        assert.strictEqual(await sharedRender("dev", { stacksDir: FIXTURE_STACKS }), dev);
        assert.throws(() => {
            (dev.resources[0].inputs as Record<string, unknown>).added = 1;
        }, TypeError);
        assert.throws(() => dev.resources.pop(), TypeError);
    });

    it("a key set to undefined is part of the key", async () => {
        const withoutKey = fixtureStack("dev", { config: { "metaflow-gcp:database": undefined } });
        assert.notStrictEqual(withoutKey, fixtureStack("dev"));
        await withoutKey;
    });
});
