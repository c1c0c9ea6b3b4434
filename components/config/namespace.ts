/**
 * How config keys are written: the project's namespace, the namespaces a stack file may use, and
 * a key path as people type it (`metaflow-gcp:gpuPools[0].zones[1]`).
 */

export const CONFIG_NAMESPACE = "metaflow-gcp";

/** Config namespaces a stack file may use: ours, and the providers' own. */
export const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "gcp", "kubernetes", "random", "pulumi"];

/** Top-level keys that are the provider's own (`gcp:project`, `gcp:region`), not ours. */
const PROVIDER_KEYS: ReadonlySet<PropertyKey> = new Set(["project", "region"]);

/** The key at `path` as a person writes it, namespace included; "(config)" for the whole config. */
export function keyName(path: ReadonlyArray<PropertyKey>): string {
    if (path.length === 0) {
        return "(config)";
    }
    const [head, ...rest] = path;
    const ns = PROVIDER_KEYS.has(head) ? "gcp" : CONFIG_NAMESPACE;
    let key = `${ns}:${String(head)}`;
    for (const part of rest) {
        key += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    }
    return key;
}
