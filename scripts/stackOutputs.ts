/** Reads a deployed stack's outputs with the Pulumi CLI (or from a saved JSON file). */
import { execFileSync } from "child_process";
import * as fs from "fs";

/** `pulumi stack output --json [--show-secrets] -s <stack>`, parsed. */
export function readStackOutputs(stack: string, options: { showSecrets?: boolean; fromFile?: string } = {}): Record<string, any> {
    if (options.fromFile) {
        return JSON.parse(fs.readFileSync(options.fromFile, "utf8"));
    }
    const args = ["stack", "output", "--json", "-s", stack, ...(options.showSecrets ? ["--show-secrets"] : [])];
    try {
        return JSON.parse(execFileSync("pulumi", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    } catch (err) {
        const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
        throw new Error(`could not read the outputs of stack "${stack}" with \`pulumi ${args.join(" ")}\`: ${detail}\nIs the stack deployed (\`pulumi up -s ${stack}\`) and are you logged in to its backend?`);
    }
}

/** Value of `--name value` in argv, if present. */
export function flag(argv: string[], name: string): string | undefined {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
}

/** The first argument that is neither a flag nor a flag's value. */
export function positional(argv: string[], flagsWithValues: string[]): string | undefined {
    for (let i = 0; i < argv.length; i++) {
        if (flagsWithValues.includes(argv[i])) {
            i++;
        } else if (!argv[i].startsWith("-")) {
            return argv[i];
        }
    }
    return undefined;
}
