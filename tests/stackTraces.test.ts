/**
 * The harness's stack-trace split (tests/harness/stackTraces.ts, loaded by .mocharc.json): traces
 * the Pulumi SDK takes for its own bookkeeping skip source maps; every other trace still points at
 * TypeScript lines, so a failing test still shows where it failed.
 */
import * as assert from "assert";
import * as fs from "fs";

// @internal in the SDK (no declaration): the function every SDK promise goes through.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: (p: Promise<unknown>, ctx: string) => Promise<unknown> };

/** The line of this file holding `marker`, 1-based. */
function lineOf(marker: string): number {
    return fs.readFileSync(__filename, "utf8").split("\n").findIndex((l) => l.includes(marker) && !l.includes("lineOf(")) + 1;
}

/** The line number the trace shows for this file's first frame. */
function shownLine(stack: string): number {
    const frame = stack.split("\n").find((l) => l.includes(__filename));
    assert.ok(frame, `no frame of ${__filename} in:\n${stack}`);
    return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

// Type-only lines: transpiled away, so the JavaScript lines below differ from the TypeScript ones.
interface Padding {
    readonly a: string;
    readonly b: string;
}
type Padded = Padding & { readonly c: string };
export type { Padded };

describe("harness stack traces", () => {
    it("an error thrown by a test shows its TypeScript line", () => {
        const error = new Error("where"); // marker: test error
        assert.equal(shownLine(error.stack!), lineOf("marker: test error"));
    });

    it("the SDK's bookkeeping trace of a promise is taken without source maps (JavaScript line)", () => {
        const p = Promise.resolve();
        void debuggablePromise(p, "harness check"); // marker: bookkeeping
        // Formatted when the leak report interpolates it (runtime/debuggable.js promiseDebugString).
        const stack = `${(p as unknown as { _debugStackTrace: unknown })._debugStackTrace}`;
        assert.match(stack, /^Error\n {4}at debuggablePromise \(.*@pulumi[/\\]pulumi[/\\]runtime[/\\]debuggable\.js:\d+:\d+\)/);
        assert.notEqual(shownLine(stack), lineOf("marker: bookkeeping"));
    });
});
