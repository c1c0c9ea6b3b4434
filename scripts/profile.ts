/**
 * Writes the Metaflow profile of a deployed stack to ~/.metaflowconfig/config_<stack>.json.
 *
 *   npm run profile -- dev                      reads `pulumi stack output metaflowConfig`
 *   npm run profile -- dev --from-file out.json  uses saved `pulumi stack output --json`
 *   npm run profile -- dev --dir /some/dir       writes somewhere else
 *
 * Then: export METAFLOW_PROFILE=dev (and run `npm run tunnel -- dev` in another terminal).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { METAFLOW_CONFIG_KEYS, type MetaflowProfile } from "../components/metaflowConfig";
import { flag, positional, readStackOutputs } from "./stackOutputs";

/** Checks a profile before it is written: only real Metaflow keys, only string values. */
export function checkProfile(profile: unknown): MetaflowProfile {
    if (profile === null || typeof profile !== "object" || Array.isArray(profile)) {
        throw new Error("the stack has no metaflowConfig output; is services.enabled true and the stack deployed?");
    }
    const known: readonly string[] = METAFLOW_CONFIG_KEYS;
    for (const [key, value] of Object.entries(profile)) {
        if (!known.includes(key)) {
            throw new Error(`metaflowConfig has ${key}, which Metaflow does not read; refusing to write a misleading profile`);
        }
        if (typeof value !== "string") {
            throw new Error(`metaflowConfig.${key} must be a string, got ${JSON.stringify(value)}`);
        }
    }
    return profile as MetaflowProfile;
}

/** Writes the profile file and returns its path. */
export function writeProfile(profile: MetaflowProfile, stack: string, dir: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `config_${stack}.json`);
    fs.writeFileSync(file, JSON.stringify(profile, null, 2) + "\n", { mode: 0o644 });
    return file;
}

function main(): void {
    const argv = process.argv.slice(2);
    const stack = positional(argv, ["--from-file", "--dir"]);
    if (!stack) {
        throw new Error("usage: npm run profile -- <stack> [--from-file outputs.json] [--dir ~/.metaflowconfig]");
    }
    const outputs = readStackOutputs(stack, { fromFile: flag(argv, "--from-file") });
    const profile = checkProfile(outputs.metaflowConfig);
    const file = writeProfile(profile, stack, flag(argv, "--dir") ?? path.join(os.homedir(), ".metaflowconfig"));
    console.log(`Wrote ${file} (${Object.keys(profile).length} keys).`);
    console.log(`Use it with:  export METAFLOW_PROFILE=${stack}`);
    console.log(`Reach the services with:  npm run tunnel -- ${stack}`);
}

if (require.main === module) {
    try {
        main();
    } catch (err) {
        console.error(`profile: ${(err as Error).message}`);
        process.exitCode = 1;
    }
}
