/**
 * Renders fixture stacks (tests/fixtures/stacks, the stacks as shipped) under the mocks and prints
 * their outputs as JSON, for the Python test layer (tests/python), which checks what we emit
 * against the real Metaflow client:
 *
 *   ts-node --transpile-only tests/harness/exportStack.ts dev prod   -> {"dev": {...}, "prod": {...}}
 *   ... exportStack.ts --endpoint dev   the same, with the example HTTPS endpoint turned on
 *   ... exportStack.ts --both dev prod  {"shipped": <the first>, "endpoint": <the second>}
 *
 * `--both` is what the Python layer uses: one process instead of two, since starting one (ts-node,
 * the SDKs, the first render) costs more CPU than the renders after it.
 *
 * Secret outputs are replaced by the string "[secret]": the Python layer never needs them, and
 * nothing secret is written where a log could show it.
 */
// First: the SDK's bookkeeping stack traces without source maps (see the file).
import "./stackTraces";
import { withEndpoint } from "./endpointExample";
import { renderFixture } from "./fixtures";

/** {stack: outputs} of the fixture stacks, rendered as shipped or with the example endpoint. */
async function exportOutputs(stacks: string[], endpoint: boolean): Promise<Record<string, Record<string, unknown>>> {
    const result: Record<string, Record<string, unknown>> = {};
    for (const stack of stacks) {
        const rendered = await renderFixture(stack, endpoint ? withEndpoint(stack) : {});
        const outputs: Record<string, unknown> = {};
        for (const [key, output] of Object.entries(rendered.outputs)) {
            outputs[key] = output.secret ? "[secret]" : output.value;
        }
        result[stack] = outputs;
    }
    return result;
}

async function main(): Promise<void> {
    const flags = ["--endpoint", "--both"];
    const stacks = process.argv.slice(2).filter((a) => !flags.includes(a));
    if (stacks.length === 0) {
        throw new Error("usage: exportStack.ts [--endpoint | --both] <stack> [<stack> ...]");
    }
    const result = process.argv.includes("--both")
        ? { shipped: await exportOutputs(stacks, false), endpoint: await exportOutputs(stacks, true) }
        : await exportOutputs(stacks, process.argv.includes("--endpoint"));
    process.stdout.write(JSON.stringify(result));
}

main().catch((err: Error) => {
    console.error(`exportStack: ${err.message}`);
    process.exit(1);
});
