/**
 * The laptop's Kubernetes context for one environment: built from the stack's `kubeContext`
 * output (gke-gcloud-auth-plugin, no stored credentials) and merged into the user's kubeconfig
 * next to their other contexts, which are left as they are.
 *
 * Metaflow 2.19's Kubernetes client (plugins/kubernetes/kubernetes_client.py, `_refresh_client`)
 * calls `kubernetes.config.load_kube_config()` with no context argument, and Metaflow has no
 * config key for one: it always uses the kubeconfig's *current* context (from `$KUBECONFIG`, else
 * `~/.kube/config`). So the profile makes ours current unless told not to, and says so.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { buildKubeconfig, type KubeContext } from "../components/model/kubeconfig";

type Named = { name: string; [key: string]: unknown };
const SECTIONS = ["clusters", "users", "contexts"] as const;

/** The kubeconfig file kubectl (and the Python client) reads first: `$KUBECONFIG`'s first entry, else `~/.kube/config`. */
export function kubeconfigPath(env: NodeJS.ProcessEnv, home: string): string {
    const first = (env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p.length > 0);
    return first ?? path.join(home, ".kube", "config");
}

/** A one-context kubeconfig for the environment; `caData` only for the IP endpoint. */
export function contextKubeconfig(context: KubeContext, caData?: string): string {
    return buildKubeconfig({ name: context.name, server: context.server, caData: context.controlPlaneAccess === "dns" ? undefined : caData });
}

/** Result of merging one context into a kubeconfig. */
export interface MergeResult {
    readonly text: string;
    /** current-context before the merge, if any. */
    readonly previousContext?: string;
    /** current-context after the merge. */
    readonly currentContext?: string;
    /** True when entries of that name already existed and were replaced. */
    readonly replaced: boolean;
}

/**
 * Adds (or replaces, by name) the cluster, user and context of `addition` in `existing`, leaving
 * every other entry, key and comment untouched: the file is edited as a YAML document (the
 * `yaml` library's Document API keeps comments and formatting of what it does not change).
 * `makeCurrent` switches current-context to the new one; without it current-context is kept, or
 * set when the file has none. Throws, changing nothing, when `existing` is not a kubeconfig.
 */
export function mergeKubeconfig(existing: string | undefined, addition: string, options: { makeCurrent: boolean; file?: string }): MergeResult {
    const where = options.file ?? "the kubeconfig";
    const doc = YAML.parseDocument(existing ?? "");
    if (doc.errors.length > 0) {
        throw new Error(`${where} is not valid YAML (${doc.errors[0].message.split("\n")[0]}); fix or move it, nothing was changed`);
    }
    if (doc.contents === null) {
        doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
    }
    if (!YAML.isMap(doc.contents)) {
        throw new Error(`${where} is not a kubeconfig (expected a YAML mapping); nothing was changed`);
    }
    const add = YAML.parse(addition) as Record<string, Named[]> & { "current-context": string };
    if (!doc.has("apiVersion")) {
        doc.set("apiVersion", "v1");
    }
    if (!doc.has("kind")) {
        doc.set("kind", "Config");
    }
    let replaced = false;
    for (const section of SECTIONS) {
        replaced = mergeSection(doc, section, add[section], where) || replaced;
    }
    const current = doc.get("current-context");
    const previousContext = typeof current === "string" && current !== "" ? current : undefined;
    if (options.makeCurrent || previousContext === undefined) {
        doc.set("current-context", add["current-context"]);
    }
    return { text: doc.toString(), previousContext, currentContext: doc.get("current-context") as string, replaced };
}

/** Puts each entry into the section's list, replacing one of the same name; true when one was replaced. */
function mergeSection(doc: YAML.Document, section: string, entries: Named[], where: string): boolean {
    let list = doc.get(section, true);
    if (list === undefined || list === null || (YAML.isScalar(list) && list.value === null)) {
        list = doc.createNode([]);
        doc.set(section, list);
    }
    if (!YAML.isSeq(list)) {
        throw new Error(`${where}: "${section}" is not a list; nothing was changed`);
    }
    let replaced = false;
    for (const entry of entries) {
        const i = list.items.findIndex((item) => YAML.isMap(item) && item.get("name") === entry.name);
        if (i >= 0) {
            list.items[i] = doc.createNode(entry);
            replaced = true;
        } else {
            list.items.push(doc.createNode(entry));
        }
    }
    return replaced;
}

/**
 * Writes a kubeconfig readable by its owner only (it names clusters and auth commands), through
 * a temporary file and a rename so an interrupted write never leaves half a file.
 */
export function writeKubeconfig(file: string, text: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, text, { mode: 0o600 });
    fs.renameSync(temp, file);
}
