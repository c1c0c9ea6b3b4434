/**
 * Checks that the command-line tools a script needs are installed, before it does anything, so
 * a missing tool is reported as itself ("kubectl is not installed") and never as a symptom
 * ("is the stack deployed?").
 */
import * as fs from "fs";
import * as path from "path";

/** Where each tool comes from, for the error message. */
export const INSTALL_HINTS: Record<string, string> = {
    pulumi: "install the Pulumi CLI 3.x: https://www.pulumi.com/docs/install/",
    kubectl: "install it with `gcloud components install kubectl` (or your package manager)",
    "gke-gcloud-auth-plugin": "install it with `gcloud components install gke-gcloud-auth-plugin`",
    gcloud: "install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install",
    docker: "install Docker Engine or Docker Desktop: https://docs.docker.com/get-docker/",
};

/** The full path of `command` on `PATH` (an executable file), or undefined. Pure apart from stat. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
    const dirs = (env.PATH ?? "").split(path.delimiter).filter((d) => d.length > 0);
    const extensions = process.platform === "win32" ? (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";") : [""];
    for (const dir of dirs) {
        for (const ext of extensions) {
            const candidate = path.join(dir, command + ext);
            try {
                fs.accessSync(candidate, fs.constants.X_OK);
                if (fs.statSync(candidate).isFile()) {
                    return candidate;
                }
            } catch {
                // not here
            }
        }
    }
    return undefined;
}

/** Throws a message naming every missing tool, what it is needed for and how to install it. */
export function requireCommands(commands: Array<{ command: string; neededFor: string }>, env: NodeJS.ProcessEnv = process.env): void {
    const missing = commands.filter((c) => !findOnPath(c.command, env));
    if (missing.length > 0) {
        throw new Error(
            missing
                .map((c) => `${c.command} is not installed (not found on PATH); it is needed ${c.neededFor}. To fix: ${INSTALL_HINTS[c.command] ?? "install it"}.`)
                .join("\n"),
        );
    }
}
