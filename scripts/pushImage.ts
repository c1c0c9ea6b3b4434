/**
 * Builds the task image from docker/ and pushes it to a deployed stack's Artifact Registry.
 *
 *   npm run push-image -- dev                          GPU image (the profile's default image)
 *   npm run push-image -- dev --variant cpu            slim CPU image
 *   npm run push-image -- dev --from-file out.json     registry from saved `pulumi stack output --json`
 *   npm run push-image -- dev --dry-run                say what it would run, run nothing
 *
 * Needs docker (with a running daemon) and gcloud; the registry login uses your gcloud
 * credentials, no keys. Both are checked before `gcloud auth configure-docker` edits
 * ~/.docker/config.json. A dry run needs none of them, nor the Pulumi CLI: it reads the
 * registry when it can and says what the real run would still need.
 */
import { execFileSync, spawnSync } from "child_process";
import * as path from "path";
import { taskImageRef, type TaskImageVariant } from "../components/model/taskImage";
import { findOnPath, requireCommands } from "./prerequisites";
import { flag, positional, readStackOutputs } from "./stackOutputs";

/** The commands that build and push one variant to `registryUrl`. */
export function pushPlan(registryUrl: string, variant: TaskImageVariant, dockerDir: string): string[][] {
    const image = taskImageRef(registryUrl, variant);
    const registryHost = registryUrl.split("/")[0];
    return [
        ["gcloud", "auth", "configure-docker", registryHost, "--quiet"],
        ["docker", "build", "--target", variant, "--platform", "linux/amd64", "--tag", image, dockerDir],
        ["docker", "push", image],
    ];
}

/** Throws unless `docker info` reaches a daemon (bounded: a hung socket counts as no daemon). */
export function requireDockerDaemon(): void {
    const info = spawnSync("docker", ["info", "--format", "{{.ServerVersion}}"], { encoding: "utf8", timeout: 20_000 });
    if (info.error || info.status !== 0) {
        const detail = (info.stderr || info.error?.message || "").trim().split("\n").slice(-3).join(" ");
        throw new Error(
            `docker is installed but no Docker daemon answers (\`docker info\` failed${detail ? `: ${detail}` : ""}). ` +
                "Start Docker Desktop or the docker service (`sudo systemctl start docker`), then run this again. Nothing was changed.",
        );
    }
}

const TOOLS = [
    { command: "docker", neededFor: "to build and push the image" },
    { command: "gcloud", neededFor: "as Docker's credential helper for Artifact Registry" },
];

/**
 * What a dry run prints: the commands, with the registry read from the stack when the Pulumi CLI
 * (or --from-file) can read it, else a placeholder; and what the real run still needs.
 */
function dryRun(stack: string, variant: TaskImageVariant, fromFile: string | undefined): void {
    const readable = fromFile !== undefined || findOnPath("pulumi") !== undefined;
    const registryUrl = readable ? registryOf(stack, fromFile) : `<registryUrl output of stack ${stack}>`;
    const plan = pushPlan(registryUrl, variant, path.join(__dirname, "..", "docker"));
    console.log(`Dry run: would build and push ${taskImageRef(registryUrl, variant)} with:`);
    plan.forEach((command) => console.log(`  $ ${command.join(" ")}`));
    console.log("Nothing was run: no Docker credential helper was configured, nothing was built or pushed.");
    const missing = [...(readable ? [] : [{ command: "pulumi", neededFor: `to read stack ${stack}'s registry (or pass --from-file)` }]), ...TOOLS].filter((t) => !findOnPath(t.command));
    if (missing.length > 0) {
        console.log(`The real run also needs: ${missing.map((t) => `${t.command} (${t.neededFor})`).join("; ")}.`);
    }
}

/** The stack's registryUrl output. */
function registryOf(stack: string, fromFile: string | undefined): string {
    const { registryUrl } = readStackOutputs(stack, { fromFile, offerFromFile: true });
    if (typeof registryUrl !== "string") {
        throw new Error(`stack ${stack} has no registryUrl output; deploy it first with \`pulumi up -s ${stack}\``);
    }
    return registryUrl;
}

function main(): void {
    const argv = process.argv.slice(2);
    const stack = positional(argv, ["--variant", "--from-file"]);
    const variant = (flag(argv, "--variant") ?? "gpu") as TaskImageVariant;
    const fromFile = flag(argv, "--from-file");
    if (!stack || !["gpu", "cpu"].includes(variant)) {
        throw new Error("usage: npm run push-image -- <stack> [--variant gpu|cpu] [--from-file outputs.json] [--dry-run]");
    }
    if (argv.includes("--dry-run")) {
        dryRun(stack, variant, fromFile);
        return;
    }
    const registryUrl = registryOf(stack, fromFile);
    const plan = pushPlan(registryUrl, variant, path.join(__dirname, "..", "docker"));
    // Before anything changes: the first command edits ~/.docker/config.json.
    requireCommands(TOOLS);
    requireDockerDaemon();
    for (const command of plan) {
        console.log(`$ ${command.join(" ")}`);
        execFileSync(command[0], command.slice(1), { stdio: "inherit" });
    }
    console.log(`Pushed ${taskImageRef(registryUrl, variant)}`);
}

if (require.main === module) {
    try {
        main();
    } catch (err) {
        console.error(`push-image: ${(err as Error).message}`);
        process.exitCode = 1;
    }
}
