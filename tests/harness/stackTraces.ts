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
 * mocks. Those two traces get V8's plain format (the same text, JavaScript positions; the promise
 * trace is formatted only if the leak report shows it); every other stack trace (a failed
 * assertion, an error a test expects) stays mapped to TypeScript lines.
 */
import * as path from "path";

const PULUMI_SDK = `${path.sep}node_modules${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
/** Functions of the SDK that take a trace for bookkeeping, by file under the SDK. */
const BOOKKEEPING: Record<string, string> = {
    [path.join("runtime", "debuggable.js")]: "debuggablePromise",
    "resource.js": "callsites",
};

/** The SDK function that took the trace, when it is one of the bookkeeping ones. */
function bookkeeper(trace: NodeJS.CallSite[]): string | undefined {
    const top = trace[0];
    const file = top?.getFileName() ?? "";
    const at = file.lastIndexOf(PULUMI_SDK);
    const fn = at >= 0 ? BOOKKEEPING[file.slice(at + PULUMI_SDK.length)] : undefined;
    return fn !== undefined && fn === top.getFunctionName() ? fn : undefined;
}

/** V8's own format of a trace, unmapped. */
function plain(error: Error, trace: NodeJS.CallSite[]): string {
    return `${Error.prototype.toString.call(error)}${trace.map((frame) => `\n    at ${frame}`).join("")}`;
}

const mapped = Error.prepareStackTrace;
if (mapped === undefined) {
    throw new Error("tests/harness/stackTraces.ts must be loaded after ts-node's register hook (it wraps ts-node's source-map support)");
}
Error.prepareStackTrace = (error: Error, trace: NodeJS.CallSite[]): unknown => {
    switch (bookkeeper(trace)) {
        case undefined:
            return mapped(error, trace);
        case "debuggablePromise":
            // Kept for the leak report only (printed with PULUMI_DEBUG_PROMISE_LEAKS set), which
            // interpolates it into a template string: the same text, formatted if it is ever shown.
            return { toString: () => plain(error, trace) };
        default:
            // Resource.callsites parses the text at once.
            return plain(error, trace);
    }
};
