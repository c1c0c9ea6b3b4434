/**
 * The harness's shared renders (tests/harness/cache.ts): one render per (stack, options) per
 * process, read-only, and options that differ only by a key set to `undefined` (which removes a
 * config key) are different renders.
 */
import * as assert from "assert";
import { committedStack, sharedRender } from "./harness/cache";

describe("harness shared renders", () => {
    it("equal options share one render, and it cannot be changed", async () => {
        const options = { config: { "metaflow-gcp:cluster": { mode: "autopilot" } } };
        const first = sharedRender("dev", options);
        assert.strictEqual(sharedRender("dev", JSON.parse(JSON.stringify(options))), first);
        const dev = await committedStack("dev");
        assert.strictEqual(await sharedRender("dev", {}), dev);
        assert.throws(() => {
            (dev.resources[0].inputs as Record<string, unknown>).added = 1;
        }, TypeError);
        assert.throws(() => dev.resources.pop(), TypeError);
    });

    it("a key set to undefined is part of the key", async () => {
        const withoutKey = sharedRender("dev", { config: { "metaflow-gcp:database": undefined } });
        assert.notStrictEqual(withoutKey, sharedRender("dev", {}));
        await withoutKey;
    });
});
