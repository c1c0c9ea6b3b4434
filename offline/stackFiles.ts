/**
 * Stack files, read the way the Pulumi CLI reads them and hands them to a program. The one reader
 * of `Pulumi.<stack>.yaml` for every offline tool (preview, policy check, policy config, config
 * reference) and every test.
 *
 * What the CLI does (pulumi/pulumi, sdk/v3.248.0, `sdk/go/common/workspace/loaders.go`
 * `LoadProjectStackBytes`, `sdk/go/common/resource/config/object.go`, `map.go`, `plaintext.go`):
 * - a config key without a namespace belongs to the project (`stackConfigNamespacedWithProject`);
 * - a mapping with exactly one key `secure` whose value is a string is a ciphertext, at the top
 *   of a key (`pulumi config set --secret key v`) or anywhere inside a structured value
 *   (`pulumi config set --secret --path endpoint.oauthClientSecret v`) (`isSecureValue`);
 * - a key is secret when its value is, or contains, a ciphertext (`object.Secure`, `Map.SecureKeys`);
 *   the engine passes those keys to the program as PULUMI_CONFIG_SECRET_KEYS;
 * - the program gets every value as a string: strings as they are, everything else as JSON, with
 *   each ciphertext decrypted in place (`Map.Decrypt`, `Plaintext.marshalText`).
 *
 * Offline there is no passphrase or key (and with a cloud KMS provider no way to use one), so a
 * ciphertext is never decrypted here: it becomes OPAQUE_SECRET and its key stays secret, which is
 * what the program checks (a client secret must be a Pulumi secret). A key of the project's own
 * namespace encrypted as a whole (`pulumi config set --secret endpoint '{...}'`) would decrypt to
 * text the program parses and validates; offline its content is unknown, so it is left out of
 * the offline config and named in `notes`, never guessed.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

/** The repository: Pulumi.yaml and the user's stack files. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** What an encrypted value stands for offline. */
export const OPAQUE_SECRET = "[secret: encrypted in the stack file]";

/**
 * Stack names Pulumi allows, as a stack file name: pulumi/pulumi `sdk/go/common/tokens/stack_name.go`
 * (letters, digits, `-`, `_` and `.`, up to 100 characters); `sdk/go/common/workspace/paths.go`
 * (DetectProjectStackPath): the stack file takes the project file's extension, `.yaml` here.
 */
const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]{1,100})\.yaml$/;

/** Top-level keys of a stack file (`ProjectStack` in sdk/go/common/workspace/project.go). */
const STACK_FILE_KEYS = ["secretsprovider", "encryptedkey", "encryptionsalt", "config", "environment"];

/** A stack's config as the program would see it, offline. */
export interface StackConfig {
    /** The stack file, relative to the repository when inside it. */
    readonly file: string;
    /** Full key (`namespace:key`) -> value as the CLI hands it over: strings, JSON for the rest. */
    readonly values: Record<string, string>;
    /** Keys whose value is, or contains, a ciphertext (PULUMI_CONFIG_SECRET_KEYS). */
    readonly secretKeys: string[];
    /** Where ciphertexts sit, as `pulumi config set --path` names them (`metaflow-gcp:endpoint.oauthClientSecret`). */
    readonly encrypted: string[];
    /** What the offline reading could not show as the CLI would, one sentence each. */
    readonly notes: string[];
}

/** The project name from Pulumi.yaml: the config namespace of keys written without one. */
export function projectName(root: string = REPO_ROOT): string {
    const doc = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
    return doc.name;
}

/** Stacks with a Pulumi.<stack>.yaml in `dir` (default: the repository), sorted. */
export function listStacks(dir: string = REPO_ROOT): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => STACK_FILE.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The stack file of a stack in `dir`. */
export function stackFile(stack: string, dir: string = REPO_ROOT): string {
    return path.join(dir, `Pulumi.${stack}.yaml`);
}

/** A path for messages: relative to the repository when inside it. */
export function shownPath(file: string): string {
    const relative = path.relative(REPO_ROOT, file);
    return relative.startsWith("..") ? file : relative;
}

/** Reads and checks a stack file; see the module comment for what each value becomes. */
export function readStackFile(stack: string, dir: string = REPO_ROOT): StackConfig {
    const file = stackFile(stack, dir);
    const shown = shownPath(file);
    if (!fs.existsSync(file)) {
        throw new Error(`no stack file ${shown}; stacks: ${listStacks(dir).join(", ")}`);
    }
    return stackConfigOf(parseStackDocument(fs.readFileSync(file, "utf8"), shown), shown, projectName());
}

/** A stack file's YAML as a mapping, or an error naming the file. */
function parseStackDocument(text: string, shown: string): Record<string, unknown> {
    let doc: unknown;
    try {
        // The CLI strips a UTF-8 byte order mark first (loaders.go `readFileStripUTF8BOM`).
        doc = YAML.parse(text.replace(/^\uFEFF/, "")) ?? {};
    } catch (err) {
        throw new Error(`${shown} is not valid YAML: ${(err as Error).message}`);
    }
    const config = isMapping(doc) ? doc.config : undefined;
    if (!isMapping(doc) || (config !== undefined && config !== null && !isMapping(config))) {
        throw new Error(`${shown} must be a YAML mapping with a "config:" mapping of key: value`);
    }
    const unknown = Object.keys(doc).filter((k) => !STACK_FILE_KEYS.includes(k));
    if (unknown.length > 0) {
        throw new Error(`${shown}: unknown top-level key${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}; a stack file holds ${STACK_FILE_KEYS.join(", ")} (config keys go under "config:")`);
    }
    return doc;
}

function stackConfigOf(doc: Record<string, unknown>, shown: string, project: string): StackConfig {
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    const encrypted: string[] = [];
    const notes: string[] = [];
    if (doc.environment !== undefined && doc.environment !== null) {
        notes.push(`${shown} imports Pulumi ESC environments ("environment:"); offline tools cannot open them, so config they provide is missing here`);
    }
    for (const [written, value] of Object.entries((doc.config as Record<string, unknown> | null) ?? {})) {
        const key = written.includes(":") ? written : `${project}:${written}`;
        const ciphertexts = ciphertextPaths(value, key);
        if (ciphertexts.length > 0) {
            secretKeys.push(key);
            encrypted.push(...ciphertexts);
        }
        if (isCiphertext(value) && key.startsWith(`${project}:`)) {
            notes.push(
                `${key} is encrypted as a whole in ${shown}, so offline tools cannot read it and leave it out; ` +
                    "`pulumi preview` decrypts it. To check it offline, encrypt only what is secret: `pulumi config set --secret --path <key>.<field> <value>`",
            );
            continue;
        }
        values[key] = asConfigString(withOpaqueSecrets(value));
    }
    return { file: shown, values, secretKeys, encrypted, notes };
}

function isMapping(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `{secure: "<ciphertext>"}`: exactly one key, a string (object.go `isSecureValue`). */
export function isCiphertext(value: unknown): boolean {
    return isMapping(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

/** Where ciphertexts sit in a value, as property paths (`key.a.b`, `key.list[0]`). */
function ciphertextPaths(value: unknown, at: string): string[] {
    if (isCiphertext(value)) {
        return [at];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => ciphertextPaths(v, `${at}[${i}]`));
    }
    if (isMapping(value)) {
        return Object.entries(value).flatMap(([k, v]) => ciphertextPaths(v, /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `${at}.${k}` : `${at}["${k}"]`));
    }
    return [];
}

/** The value with every ciphertext replaced by OPAQUE_SECRET. */
function withOpaqueSecrets(value: unknown): unknown {
    if (isCiphertext(value)) {
        return OPAQUE_SECRET;
    }
    if (Array.isArray(value)) {
        return value.map(withOpaqueSecrets);
    }
    if (isMapping(value)) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withOpaqueSecrets(v)]));
    }
    return value;
}

/** A config value as the program receives it: strings as they are, the rest as JSON (plaintext.go `marshalText`). */
export function asConfigString(value: unknown): string {
    return typeof value === "string" ? value : JSON.stringify(value);
}
