/**
 * Stack traces the Pulumi SDK takes for its own bookkeeping, formatted without source maps.
 * Loaded right after ts-node's register hook (first `require` of .mocharc.json; imported first by
 * the harness processes the Python layer starts).
 *
 * Why: the SDK formats a stack trace for every promise and every resource it creates, and
 * never shows it unless something goes wrong: @pulumi/pulumi 3.248 `runtime/debuggable.js`
 * (debuggablePromise stores `new Error().stack` for its leak report) and `resource.js`
 * (Resource.callsites reads a whole, unlimited `new Error().stack` for the resource's source
 * position). ts-node's @cspotcode/source-map-support maps each frame of each of those traces in
 * JavaScript, cloning every call site: measured, half the CPU of rendering a stack under the
 * mocks. Those two traces get V8's plain format (the same text, JavaScript positions); every other
 * stack trace (a failed assertion, an error a test expects) stays mapped to TypeScript lines.
 */
import * as path from "path";

const PULUMI_SDK = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
/** Functions of the SDK that take a trace for bookkeeping, by file under the SDK. */
const BOOKKEEPING: Record<string, string> = {
    [path.join("runtime", "debuggable.js")]: "debuggablePromise",
    "resource.js": "callsites",
};

/** True when the trace was taken by one of the SDK's bookkeeping functions. */
function takenForBookkeeping(trace: NodeJS.CallSite[]): boolean {
    const top = trace[0];
    const file = top?.getFileName() ?? "";
    const at = file.lastIndexOf(PULUMI_SDK);
    return at >= 0 && BOOKKEEPING[file.slice(at + PULUMI_SDK.length)] === top.getFunctionName();
}

const mapped = Error.prepareStackTrace;
if (mapped === undefined) {
    throw new Error("tests/harness/stackTraces.ts must be loaded after ts-node's register hook (it wraps ts-node's source-map support)");
}
Error.prepareStackTrace = (error: Error, trace: NodeJS.CallSite[]): unknown =>
    takenForBookkeeping(trace) ? `${Error.prototype.toString.call(error)}${trace.map((frame) => `\n    at ${frame}`).join("")}` : mapped(error, trace);
