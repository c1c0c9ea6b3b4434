/**
 * `pulumi config set [--secret] [--path] <key> <value>` done offline on a stack file, writing what
 * the Pulumi CLI writes, so the README's steps can be replayed without the CLI or a backend
 * (scripts/readmeReplay.ts; tests/readmeSteps.test.ts compares the result with files the CLI's
 * own code wrote, tests/fixtures/cli-stack-files).
 *
 * What the CLI does (pulumi/pulumi sdk/v3.248.0): `pkg/cmd/pulumi/config/config.go` configSetCmd
 * (a key without a namespace is the project's; a secret is stored as `config.NewSecureValue`, a
 * plain value as `NewTypedValue(value, TypeUnknown)`), `sdk/go/common/resource/config/map.go`
 * `Map.Set` (a path's first element is the key; a plain value set below it is coerced: `true`,
 * `false`, and digits not starting with 0 become a boolean or number, object.go `coerce`; missing
 * maps and lists are created, a list grows by appending at its length, an index past it is an
 * error), `sdk/go/common/resource/properties_path.go` (path syntax), `ProjectStack.Save` (a
 * comment-preserving edit). The first secret makes the passphrase secrets manager write
 * `encryptionsalt` (pkg/secrets/passphrase/manager.go).
 *
 * Offline there is no passphrase: a secret is written as `secure: v1:<nonce>:<ciphertext>` of
 * random bytes, the CLI's ciphertext format, which no one can decrypt. Offline tools treat every
 * ciphertext as opaque anyway (offline/stackFiles.ts).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as YAML from "yaml";
import { projectName } from "./stackFiles";

/** One `pulumi config set` as its arguments say it. */
export interface ConfigSet {
    readonly key: string;
    readonly value: string;
    readonly secret?: boolean;
    readonly path?: boolean;
}

/** `a.b[0]["c.d"]` as path elements (properties_path.go parsePropertyPath). */
export function parsePropertyPath(text: string): Array<string | number> {
    const elements: Array<string | number> = [];
    let rest = text;
    if (rest.startsWith(".")) {
        throw new Error(`${text}: expected property path to start with a name or index`);
    }
    while (rest.length > 0) {
        const quoted = /^\["((?:\\"|[^"])*)"\]/.exec(rest);
        const index = /^\[(\d+)\]/.exec(rest);
        const name = /^\.?([^.[]+)/.exec(rest);
        if (quoted) {
            elements.push(quoted[1].replace(/\\"/g, '"'));
            rest = rest.slice(quoted[0].length);
        } else if (index) {
            elements.push(Number(index[1]));
            rest = rest.slice(index[0].length);
        } else if (name && !(rest.startsWith(".") && elements.length === 0)) {
            elements.push(name[1]);
            rest = rest.slice(name[0].length);
        } else {
            throw new Error(`${text}: not a property path (names, [index] or ["name"])`);
        }
    }
    return elements;
}

/** A plain value set below a key: booleans and numbers as the CLI coerces them (object.go `coerce`). */
function coerced(value: string): unknown {
    if (value === "true" || value === "false") {
        return value === "true";
    }
    return /^(0|[1-9][0-9]*)$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

/** A ciphertext in the CLI's format (crypt.go symmetricCrypter: `v1:<nonce>:<sealed>`, base64) that nothing decrypts. */
function opaqueCiphertext(bytes: number): string {
    return `v1:${randomBytes(12).toString("base64")}:${randomBytes(bytes + 16).toString("base64")}`;
}

/** Applies one `pulumi config set` to a stack file, as the CLI would. */
export function configSet(file: string, set: ConfigSet): void {
    const doc = YAML.parseDocument(fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
    const fullKey = set.key.includes(":") ? set.key : `${projectName()}:${set.key}`;
    const colon = fullKey.indexOf(":");
    const elements = set.path ? parsePropertyPath(fullKey.slice(colon + 1)) : [fullKey.slice(colon + 1)];
    if (typeof elements[0] !== "string") {
        throw new Error(`${set.key}: a config key starts with a name`);
    }
    const configKey = `${fullKey.slice(0, colon)}:${elements[0]}`;
    const below = elements.slice(1);
    const value = set.secret ? doc.createNode({ secure: opaqueCiphertext(set.value.length) }) : below.length > 0 ? coerced(set.value) : set.value;
    checkIndexes(doc, ["config", configKey], below, set.key);
    doc.setIn(["config", configKey, ...below], value);
    stringifyTopLevelScalars(doc);
    if (set.secret && !doc.has("encryptionsalt")) {
        doc.set("encryptionsalt", `v1:${randomBytes(8).toString("base64")}:${opaqueCiphertext(6)}`);
    }
    fs.writeFileSync(file, doc.toString({ lineWidth: 0 }));
}

/**
 * The CLI saves every key's own scalar as a string (`production: false` comes back as
 * `production: "false"`): a config Value holds its text and is written back as a string
 * (value.go `unmarshalObject` for TypeUnknown). Values below a key keep their types.
 */
function stringifyTopLevelScalars(doc: YAML.Document): void {
    const config = doc.get("config", true);
    if (!YAML.isMap(config)) {
        return;
    }
    for (const pair of config.items) {
        if (YAML.isScalar(pair.value) && (typeof pair.value.value === "boolean" || typeof pair.value.value === "number")) {
            pair.value = doc.createNode(String(pair.value.value));
        }
    }
}

/** Map.Set's list rule: an index may be at most the list's length (which appends). */
function checkIndexes(doc: YAML.Document, at: Array<string | number>, below: Array<string | number>, key: string): void {
    for (let i = 0; i < below.length; i++) {
        const container = doc.getIn([...at, ...below.slice(0, i)], true);
        const element = below[i];
        if (typeof element === "number" && YAML.isSeq(container) && element > container.items.length) {
            throw new Error(`${key}: array index out of range (the list has ${container.items.length} entries; [${container.items.length}] appends)`);
        }
    }
}

/**
 * The arguments of a `pulumi config set` command line: `[-s <stack>] [--secret] [--path] <key> <value>`
 * (flags anywhere), as a ConfigSet and the stack it names (undefined: the selected stack).
 */
export function parseConfigSetArgs(args: readonly string[]): { set: ConfigSet; stack?: string } {
    const positional: string[] = [];
    let stack: string | undefined;
    let secret = false;
    let pathFlag = false;
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        if (arg === "-s" || arg === "--stack") {
            stack = args[++i];
        } else if (arg.startsWith("--stack=")) {
            stack = arg.slice("--stack=".length);
        } else if (arg === "--secret") {
            secret = true;
        } else if (arg === "--path") {
            pathFlag = true;
        } else if (arg === "--plaintext") {
            secret = false;
        } else if (arg.startsWith("-")) {
            throw new Error(`pulumi config set: flag ${arg} is not replayed offline`);
        } else {
            positional.push(arg);
        }
    }
    if (positional.length !== 2) {
        throw new Error(`pulumi config set: expected <key> <value>, got ${positional.join(" ")}`);
    }
    return { set: { key: positional[0], value: positional[1], secret, path: pathFlag }, stack };
}
