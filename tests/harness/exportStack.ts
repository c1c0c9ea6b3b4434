/**
 * Renders committed stacks under the mocks and prints their outputs as JSON, for the Python test
 * layer (tests/python), which checks what we emit against the real Metaflow client:
 *
 *   ts-node --transpile-only tests/harness/exportStack.ts dev prod   -> {"dev": {...}, "prod": {...}}
 *   ... exportStack.ts --endpoint dev   the same, with the example HTTPS endpoint turned on
 *
 * Secret outputs are replaced by the string "[secret]": the Python layer never needs them, and
 * nothing secret is written where a log could show it.
 */
// First: the SDK's bookkeeping stack traces without source maps (see the file).
import "./stackTraces";
import { withEndpoint } from "./endpointExample";
import { renderStack } from "./render";

async function main(): Promise<void> {
    const endpoint = process.argv.includes("--endpoint");
    const stacks = process.argv.slice(2).filter((a) => a !== "--endpoint");
    if (stacks.length === 0) {
        throw new Error("usage: exportStack.ts <stack> [<stack> ...]");
    }
    const result: Record<string, Record<string, unknown>> = {};
    for (const stack of stacks) {
        const rendered = await renderStack(stack, endpoint ? withEndpoint(stack) : {});
        const outputs: Record<string, unknown> = {};
        for (const [key, output] of Object.entries(rendered.outputs)) {
            outputs[key] = output.secret ? "[secret]" : output.value;
        }
        result[stack] = outputs;
    }
    process.stdout.write(JSON.stringify(result));
}

main().catch((err: Error) => {
    console.error(`exportStack: ${err.message}`);
    process.exit(1);
});
