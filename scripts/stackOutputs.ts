/** Reads a deployed stack's outputs with the Pulumi CLI (or from a saved JSON file). */
import { execFileSync } from "child_process";
import * as fs from "fs";
import { requireCommands } from "./prerequisites";

/**
 * `pulumi stack output --json [--show-secrets] -s <stack> [<name>]`, parsed. With `name`, only
 * that output is read (a secret one without exposing the others). Missing CLI and unreadable
 * stacks fail with their real cause. `offerFromFile`: the calling script takes `--from-file`, so
 * the missing-CLI message may suggest it.
 */
export function readStackOutputs(stack: string, options: { showSecrets?: boolean; fromFile?: string; name?: string; offerFromFile?: boolean } = {}): Record<string, any> {
    if (options.fromFile) {
        let text: string;
        try {
            text = fs.readFileSync(options.fromFile, "utf8");
        } catch (err) {
            throw new Error(`cannot read ${options.fromFile}: ${(err as Error).message}`);
        }
        try {
            return JSON.parse(text);
        } catch {
            throw new Error(`${options.fromFile} is not JSON; save it with \`pulumi stack output --json -s ${stack} > ${options.fromFile}\``);
        }
    }
    // Only scripts that take --from-file say so (offerFromFile).
    const orFile = options.offerFromFile ? ` (or pass --from-file with saved \`pulumi stack output --json -s ${stack}\`)` : "";
    requireCommands([{ command: "pulumi", neededFor: `to read the outputs of stack "${stack}"${orFile}` }]);
    const args = ["stack", "output", "--json", "-s", stack, ...(options.showSecrets ? ["--show-secrets"] : []), ...(options.name ? [options.name] : [])];
    let text: string;
    try {
        text = execFileSync("pulumi", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
        throw new Error(`\`pulumi ${args.join(" ")}\` failed: ${detail}\nIs the stack deployed (\`pulumi up -s ${stack}\`) and are you logged in to its backend (\`pulumi login\`)?`);
    }
    try {
        const parsed = JSON.parse(text);
        return options.name ? { [options.name]: parsed } : parsed;
    } catch {
        throw new Error(`\`pulumi ${args.join(" ")}\` printed something that is not JSON: ${text.slice(0, 200)}`);
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
