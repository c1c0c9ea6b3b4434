/**
 * The README's steps that change stack files, replayed offline on a copy of the repository, as a
 * team following the README would run them: the deploy steps (`gcp:project`), "Add an
 * environment" (as `qa`, as written, and again as `staging`), onboarding a member ("Access"), the
 * HTTPS endpoint's config (a secret inside the `endpoint` object) and the personal preset. The
 * commands are read from README.md itself, so a changed README is replayed as it reads; a command
 * this replay does not know stops it, naming the command.
 *
 *   ts-node --transpile-only scripts/readmeReplay.ts <copy of the repository>
 *
 * `pulumi config set` is done as the CLI does it (offline/configSet.ts); `pulumi stack
 * init/select` select the stack later commands without `-s` apply to; commands that need a cloud,
 * a backend or a deployed stack (`pulumi up`, `npm run profile`, ...) are skipped and listed.
 * scripts/replay-readme.sh runs this and then the preview, the policy check and `npm test` on the copy.
 */
import * as fs from "fs";
import * as path from "path";
import { configSet, parseConfigSetArgs } from "../offline/configSet";
import { stackFile } from "../offline/stackFiles";

/** Example values for the README's placeholders (never reach a cloud). */
export const PLACEHOLDERS: Record<string, string> = {
    "<your-project-id>": "acme-ml",
    "<CLIENT_ID>": "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
    "<CLIENT_SECRET>": "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ret",
    "<stack>": "prod",
};

/** Commands that need a cloud, a backend, a deployed stack or a laptop's tools: not replayed. */
const NOT_REPLAYED = /^(pulumi (up|preview|login|destroy|refresh|stack (output|export|import|rm))\b|npm |npx |python |pip |export |gcloud |gsutil |kubectl |docker )/;

/** The text of a README section, from its heading to the next heading of the same or a higher level (code blocks are not headings). */
export function sectionOf(readme: string, heading: string): string {
    const lines = readme.split("\n");
    let inCode = false;
    const headings: Array<{ line: number; level: number; text: string }> = [];
    lines.forEach((line, i) => {
        if (line.trimStart().startsWith("```")) {
            inCode = !inCode;
        } else if (!inCode && /^#{1,6} /.test(line)) {
            headings.push({ line: i, level: line.indexOf(" "), text: line.slice(line.indexOf(" ") + 1) });
        }
    });
    const at = headings.findIndex((h) => h.text === heading);
    if (at < 0) {
        throw new Error(`README.md has no section "${heading}" (the replay reads its commands from there)`);
    }
    const end = headings.slice(at + 1).find((h) => h.level <= headings[at].level)?.line ?? lines.length;
    return lines.slice(headings[at].line, end).join("\n");
}

/** The fenced blocks of a language in a text, as their lines. */
export function codeBlocks(text: string, language: string): string[][] {
    return [...text.matchAll(new RegExp("^ *```" + language + "\\n([\\s\\S]*?)^ *```", "gm"))].map((m) => m[1].split("\n").filter((l) => l.trim()));
}

/** The commands of a section's bash blocks: comments removed, `&&` chains split. */
export function commandsOf(section: string): string[] {
    return codeBlocks(section, "bash")
        .flat()
        .map((line) => line.replace(/\s+#.*$/, "").trim())
        .filter((line) => line && !line.startsWith("#"))
        .flatMap((line) => line.split(/\s*&&\s*/));
}

/** Words of a command line: whitespace-separated, single and double quotes grouping. */
export function words(command: string): string[] {
    return [...command.matchAll(/'([^']*)'|"((?:\\"|[^"])*)"|(\S+)/g)].map((m) => m[1] ?? m[2]?.replace(/\\"/g, '"') ?? m[3]);
}

/** Where the replay is: the copy, and the stack commands without `-s` apply to. */
export interface ReplayState {
    readonly dir: string;
    selected?: string;
    /** What was done and what was skipped, one line each. */
    readonly log: string[];
}

/** Runs one README command on the copy (see the module comment for what each does). */
export function replayCommand(state: ReplayState, command: string): void {
    if (NOT_REPLAYED.test(command)) {
        state.log.push(`  skipped (needs a cloud, a backend, a deployed stack or a laptop's tools): ${command}`);
        return;
    }
    const substituted = Object.entries(PLACEHOLDERS).reduce((c, [from, to]) => c.split(from).join(to), command);
    const left = /<[A-Za-z][^>]*>/.exec(substituted);
    if (left) {
        throw new Error(`README command "${command}": no example value for ${left[0]} (add one to PLACEHOLDERS in scripts/readmeReplay.ts)`);
    }
    const argv = words(substituted);
    if (argv[0] === "cp" && argv.length === 3) {
        fs.copyFileSync(path.join(state.dir, argv[1]), path.join(state.dir, argv[2]));
    } else if (argv[0] === "pulumi" && argv[1] === "stack" && (argv[2] === "init" || argv[2] === "select")) {
        state.selected = argv[3];
    } else if (argv[0] === "pulumi" && argv[1] === "config" && argv[2] === "set") {
        const { set, stack } = parseConfigSetArgs(argv.slice(3));
        const target = stack ?? state.selected;
        if (!target) {
            throw new Error(`README command "${command}": no stack selected (pulumi stack select <stack>, or -s <stack>)`);
        }
        configSet(stackFile(target, state.dir), set);
    } else {
        throw new Error(`README command "${command}" is not one the replay knows; teach scripts/readmeReplay.ts what it does to stack files`);
    }
    state.log.push(`  ${substituted}`);
}

/** "Add an environment" for another name: the commands with `qa` replaced, and its ranges moved (10.4x to `secondOctet`x). */
export function asEnvironment(commands: string[], name: string, secondOctet: number): string[] {
    return commands.map((c) => c.replace(/\bqa\b/g, name).replace(/\b10\.4(\d)\./g, (_m, d) => `10.${secondOctet + Number(d)}.`));
}

/** The personal preset's stack file from the README's "Cost" section (its `# Pulumi.personal.yaml` block). */
function writePersonalStack(state: ReplayState, readme: string): void {
    const block = codeBlocks(sectionOf(readme, "Personal preset: one person, about $6 a month"), "yaml").find((lines) => lines[0].trim() === "# Pulumi.personal.yaml");
    if (!block) {
        throw new Error('README.md "Personal preset" shows no `# Pulumi.personal.yaml` block');
    }
    fs.writeFileSync(stackFile("personal", state.dir), `${block.join("\n")}\n`);
    state.log.push("  wrote Pulumi.personal.yaml from the README");
}

/** Replays every step on the copy in `dir`; returns the log. */
export function replayReadme(dir: string, readme: string = fs.readFileSync(path.join(dir, "README.md"), "utf8")): string[] {
    const state: ReplayState = { dir, log: [] };
    const run = (title: string, commands: string[]) => {
        state.log.push(`${title}:`);
        commands.forEach((c) => replayCommand(state, c));
    };
    const addEnvironment = commandsOf(sectionOf(readme, "Add an environment"));
    run("Deploying with `pulumi up` / Steps", commandsOf(sectionOf(readme, "Steps")));
    run("Add an environment (qa, as written)", addEnvironment);
    run("Add an environment (staging)", asEnvironment(addEnvironment, "staging", 50));
    run("Access (a member added)", commandsOf(sectionOf(readme, "Access")));
    state.selected = "dev";
    run("HTTPS endpoint, set-up (on dev)", commandsOf(sectionOf(readme, "Set-up, from OAuth client to a flow run")));
    state.log.push("Personal preset:");
    writePersonalStack(state, readme);
    run("Personal preset (its commands)", commandsOf(sectionOf(readme, "Personal preset: one person, about $6 a month")));
    return state.log;
}

if (require.main === module) {
    const dir = process.argv[2];
    if (!dir || !fs.existsSync(path.join(dir, "README.md"))) {
        console.error("usage: ts-node --transpile-only scripts/readmeReplay.ts <copy of the repository>");
        process.exit(2);
    }
    try {
        console.log(replayReadme(dir).join("\n"));
    } catch (err) {
        console.error(`readme-replay: ${err instanceof Error ? err.message : err}`);
        process.exit(1);
    }
}
