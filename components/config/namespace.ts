/**
 * How config keys are written: the project's namespace, the namespaces a stack file may use, a
 * key path as people type it (`metaflow-gcp:gpuPools[0].zones[1]`), and the `pulumi config`
 * command that changes it.
 */

export const CONFIG_NAMESPACE = "metaflow-gcp";

/** Config namespaces a stack file may use: ours, and the providers' own. */
export const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "gcp", "kubernetes", "random", "pulumi"];

/** Top-level keys that are the provider's own (`gcp:project`, `gcp:region`), not ours. */
export const PROVIDER_KEYS: readonly string[] = ["project", "region"];

/** The key at `path` as a person writes it, namespace included; "(config)" for the whole config. */
export function keyName(path: ReadonlyArray<PropertyKey>): string {
    if (path.length === 0) {
        return "(config)";
    }
    const [head, ...rest] = path;
    const ns = PROVIDER_KEYS.includes(String(head)) ? "gcp" : CONFIG_NAMESPACE;
    let key = `${ns}:${String(head)}`;
    for (const part of rest) {
        key += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    }
    return key;
}

/** Where a config was read from, for messages and fix commands. */
export interface ConfigSource {
    /** The stack name (`pulumi config -s <stack>`). */
    readonly stack: string;
    /** The stack file, `Pulumi.<stack>.yaml`. */
    readonly file: string;
}

/** The stack file the Pulumi CLI reads for `stack` (`workspace.DetectProjectStackPath`: `Pulumi.<stack>.yaml` beside Pulumi.yaml). */
export function stackSource(stack: string): ConfigSource {
    return { stack, file: `Pulumi.${stack}.yaml` };
}

/** A change to one key that fixes a problem. */
export type ConfigChange =
    /** Set the key to this value. */
    | { readonly key: string; readonly set: string | number | boolean }
    /** Remove the key, so its default applies. */
    | { readonly key: string; readonly remove: true }
    /** Set the key as a Pulumi secret; the CLI prompts for the value, which then never reaches the shell's history. */
    | { readonly key: string; readonly secret: true };

/** A shell word: as is when it holds only characters no shell treats specially, else single-quoted. */
export function shellWord(text: string): string {
    return /^[A-Za-z0-9_.,:/@=+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The `pulumi config` command that makes `change` in `stack`. A nested key (`a.b`, `a[0]`) needs
 * `--path`: the CLI then reads the text before the first `.` or `[` as `namespace:key` and the
 * rest as a path inside its value (pulumi/pulumi pkg/cmd/pulumi/config, `ParseConfigKey`); without
 * `--path` it would store a new top-level key literally named `services.namespace`. The key is
 * always quoted, since `[0]` is a shell glob.
 */
export function configCommand(change: ConfigChange, stack: string): string {
    const nested = /[.[]/.test(change.key.slice(change.key.indexOf(":") + 1));
    const path = nested ? " --path" : "";
    const key = `'${change.key}'`;
    if ("remove" in change) {
        return `pulumi config rm -s ${shellWord(stack)}${path} ${key}`;
    }
    if ("secret" in change) {
        return `pulumi config set -s ${shellWord(stack)} --secret${path} ${key}`;
    }
    return `pulumi config set -s ${shellWord(stack)}${path} ${key} ${shellWord(String(change.set))}`;
}
