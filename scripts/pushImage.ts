/**
 * Builds the task image from docker/ and pushes it to a deployed stack's Artifact Registry.
 *
 *   npm run push-image -- dev                 GPU image (the profile's default image)
 *   npm run push-image -- dev --variant cpu   slim CPU image
 *   npm run push-image -- dev --dry-run       print the commands only
 *
 * Needs docker and gcloud (the registry login uses your gcloud credentials, no keys).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { taskImageRef, type TaskImageVariant } from "../components/taskImage";
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

function main(): void {
    const argv = process.argv.slice(2);
    const stack = positional(argv, ["--variant"]);
    const variant = (flag(argv, "--variant") ?? "gpu") as TaskImageVariant;
    if (!stack || !["gpu", "cpu"].includes(variant)) {
        throw new Error("usage: npm run push-image -- <stack> [--variant gpu|cpu] [--dry-run]");
    }
    const { registryUrl } = readStackOutputs(stack);
    if (typeof registryUrl !== "string") {
        throw new Error(`stack ${stack} has no registryUrl output; deploy it first with \`pulumi up -s ${stack}\``);
    }
    for (const command of pushPlan(registryUrl, variant, path.join(__dirname, "..", "docker"))) {
        console.log(`$ ${command.join(" ")}`);
        if (!argv.includes("--dry-run")) {
            execFileSync(command[0], command.slice(1), { stdio: "inherit" });
        }
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
