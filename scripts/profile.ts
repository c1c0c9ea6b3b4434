/**
 * Sets up a laptop for a deployed stack: writes its Metaflow profile to
 * ~/.metaflowconfig/config_<stack>.json and its Kubernetes context (`metaflow-<env>`, through the
 * cluster's DNS endpoint with gke-gcloud-auth-plugin) into your kubeconfig.
 *
 *   npm run profile -- dev                       reads `pulumi stack output` of stack dev
 *   npm run profile -- dev --from-file out.json  uses saved `pulumi stack output --json`
 *   npm run profile -- dev --dir /some/dir       writes the profile somewhere else
 *   npm run profile -- dev --keep-context        adds the context but leaves current-context alone
 *   npm run profile -- dev --no-kube-context     writes the Metaflow profile only
 *
 * Metaflow's Kubernetes client always uses the kubeconfig's current context, so by default the
 * new context becomes current (the previous one is printed, to switch back). Everything is
 * checked (the outputs, the kubeconfig it merges into) before either file is written, and the
 * kubeconfig keeps its comments and layout.
 * Then: export METAFLOW_PROFILE=dev (and run `npm run tunnel -- dev` in another terminal).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import type { KubeContext } from "../components/model/kubeconfig";
import { METAFLOW_CONFIG_KEYS, type MetaflowProfile } from "../components/model/metaflowConfig";
import { quotaProjectWarning, readAdcQuota, setQuotaProjectCommand } from "./adcQuota";
import { contextKubeconfig, kubeconfigPath, mergeKubeconfig, writeKubeconfig, type MergeResult } from "./kubeContext";
import { findOnPath } from "./prerequisites";
import { flag, positional, readStackOutputs } from "./stackOutputs";

/** Checks a profile before it is written: only real Metaflow keys, only string values. */
export function checkProfile(profile: unknown): MetaflowProfile {
    if (profile === null || typeof profile !== "object" || Array.isArray(profile)) {
        throw new Error("the stack has no metaflowConfig output; is services.enabled true and the stack deployed?");
    }
    const known: readonly string[] = METAFLOW_CONFIG_KEYS;
    for (const [key, value] of Object.entries(profile)) {
        if (!known.includes(key)) {
            throw new Error(
                `metaflowConfig has ${key}, which is not a key this platform sets (components/model/metaflowConfig.ts: either Metaflow does not read it, ` +
                    `or it changes what steps do, like a registry prefixed onto every image); refusing to write the profile`,
            );
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

/** Checks the stack's `kubeContext` output. */
export function checkKubeContext(value: unknown): KubeContext {
    const v = value as Partial<KubeContext> | undefined;
    if (!v || typeof v.name !== "string" || typeof v.server !== "string" || !/^https:\/\/\S+$/.test(v.server) || !["dns", "authorizedNetworks"].includes(String(v.controlPlaneAccess))) {
        throw new Error("the stack has no usable kubeContext output; run `pulumi up` with this version of the program, or pass --no-kube-context");
    }
    return v as KubeContext;
}

/** The IP endpoint's CA, from the secret kubeconfig output (authorizedNetworks mode only). */
function ipEndpointCa(stack: string, outputs: Record<string, any>, fromFile: string | undefined): string {
    let kubeconfig = outputs.kubeconfig;
    if (typeof kubeconfig !== "string" && !fromFile) {
        kubeconfig = readStackOutputs(stack, { showSecrets: true, name: "kubeconfig" }).kubeconfig;
    }
    const ca = typeof kubeconfig === "string" ? YAML.parse(kubeconfig)?.clusters?.[0]?.cluster?.["certificate-authority-data"] : undefined;
    if (typeof ca !== "string") {
        throw new Error("the cluster's IP endpoint needs its CA from the kubeconfig output; save the outputs with --show-secrets, or pass --no-kube-context");
    }
    return ca;
}

/** The kubeconfig the profile will write: checked and merged, nothing written yet. */
interface KubeContextPlan {
    readonly context: KubeContext;
    readonly file: string;
    readonly merged: MergeResult;
}

/** Checks the stack's context and merges it into the user's kubeconfig in memory; throws, writing nothing, on any problem. */
function planKubeContext(stack: string, outputs: Record<string, any>, argv: string[]): KubeContextPlan {
    const context = checkKubeContext(outputs.kubeContext);
    const fromFile = flag(argv, "--from-file");
    const caData = context.controlPlaneAccess === "dns" ? undefined : ipEndpointCa(stack, outputs, fromFile);
    const file = kubeconfigPath(process.env, os.homedir());
    const existing = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    const keep = argv.includes("--keep-context");
    return { context, file, merged: mergeKubeconfig(existing, contextKubeconfig(context, caData), { makeCurrent: !keep, file }) };
}

/** Writes the merged kubeconfig and says what changed. */
function setUpKubeContext({ context, file, merged }: KubeContextPlan): void {
    writeKubeconfig(file, merged.text);
    console.log(`${merged.replaced ? "Updated" : "Added"} Kubernetes context ${context.name} in ${file} (${context.server}, credentials from gke-gcloud-auth-plugin).`);
    if (merged.currentContext === context.name) {
        const was = merged.previousContext && merged.previousContext !== context.name ? ` (was ${merged.previousContext}; switch back with \`kubectl config use-context ${merged.previousContext}\`)` : "";
        console.log(`current-context is now ${context.name}${was}: Metaflow's Kubernetes client always uses the current context.`);
    } else {
        console.log(`current-context stays ${merged.previousContext}. Metaflow uses the current context: run \`kubectl config use-context ${context.name}\` before running flows.`);
    }
    if (!findOnPath("gke-gcloud-auth-plugin")) {
        console.warn("Warning: gke-gcloud-auth-plugin is not on PATH; the context cannot authenticate until you run `gcloud components install gke-gcloud-auth-plugin`.");
    }
}

function main(): void {
    const argv = process.argv.slice(2);
    const stack = positional(argv, ["--from-file", "--dir"]);
    if (!stack) {
        throw new Error("usage: npm run profile -- <stack> [--from-file outputs.json] [--dir ~/.metaflowconfig] [--keep-context] [--no-kube-context]");
    }
    const outputs = readStackOutputs(stack, { fromFile: flag(argv, "--from-file"), offerFromFile: true });
    const profile = checkProfile(outputs.metaflowConfig);
    // Both files are checked before either is written: a broken kubeconfig leaves no half set-up.
    const kube = argv.includes("--no-kube-context") ? undefined : planKubeContext(stack, outputs, argv);
    const file = writeProfile(profile, stack, flag(argv, "--dir") ?? path.join(os.homedir(), ".metaflowconfig"));
    console.log(`Wrote ${file} (${Object.keys(profile).length} keys).`);
    if (kube) {
        setUpKubeContext(kube);
    }
    console.log(`Use it with:  export METAFLOW_PROFILE=${stack}`);
    const project = typeof outputs.project === "string" ? outputs.project : undefined;
    if (profile.METAFLOW_GCP_IAP_CLIENT_ID) {
        // The endpoint is on: the profile's https URLs need the client extension to sign requests.
        console.log(`The services are at ${profile.METAFLOW_SERVICE_URL} behind IAP. Once per laptop:`);
        console.log(`  pip install "metaflow-gcp-iap @ git+<this repository>#subdirectory=client" && gcloud auth application-default login && ${setQuotaProjectCommand(project ?? "<project>")}`);
    } else if (profile.METAFLOW_DEFAULT_METADATA !== "local") {
        console.log(`Reach the services with:  npm run tunnel -- ${stack}`);
    }
    // Every stack has the `project` output; the laptop's Google calls (datastore, ID tokens) bill ADC's quota project.
    const warning = project === undefined ? undefined : quotaProjectWarning(readAdcQuota(process.env, os.homedir()), project);
    if (warning) {
        console.warn(`Warning: ${warning}`);
    }
}

if (require.main === module) {
    try {
        main();
    } catch (err) {
        console.error(`profile: ${(err as Error).message}`);
        process.exitCode = 1;
    }
}
