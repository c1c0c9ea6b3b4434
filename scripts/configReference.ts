/**
 * `npm run docs`: writes README.md's configuration reference, the table of every config key,
 * between its markers. Everything in it comes from the code, so it cannot drift:
 *   - key, description and allowed values: the schema (components/config/schema.ts, zod
 *     `.describe()`/`.meta()`, read through `z.toJSONSchema`);
 *   - defaults per profile: the schema built with each profile of PROFILE_DEFAULTS;
 *   - what the stacks as shipped set: dev and prod, read from their copies in tests/fixtures/stacks
 *     (the repository's own Pulumi.<stack>.yaml are the user's to change; the table documents
 *     what ships);
 *   - "⚠ replaces": the keys components/config/replacement.ts declares.
 * tests/configReference.test.ts fails when README.md is not what this writes.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { REPO_ROOT, readStackFile } from "../offline/stackFiles";
import { PROFILE_DEFAULTS, type Profile } from "../components/model/profiles";
import { CONFIG_NAMESPACE, PROVIDER_KEYS } from "../components/config/namespace";
import { platformSchema } from "../components/config/schema";
import { OTHER_REPLACING_KEYS, REPLACING_KEYS } from "../components/config/replacement";

export const README_PATH = path.join(REPO_ROOT, "README.md");
export const BEGIN_MARKER = "<!-- config-reference: written by `npm run docs` from components/config/schema.ts; edit the schema, not this table -->";
export const END_MARKER = "<!-- /config-reference -->";

/** The stacks as shipped, documented in the table; a stack file of your own is not. */
export const REFERENCE_STACKS = ["dev", "prod"];
/** Where the shipped stacks are kept as they ship (tests render the same copies). */
export const SHIPPED_STACKS = path.join(REPO_ROOT, "tests", "fixtures", "stacks");

/** A JSON Schema node as `z.toJSONSchema` writes it (the parts read here). */
export interface SchemaNode {
    readonly type?: string;
    readonly description?: string;
    /** A section's own one-line summary (its keys carry the descriptions). */
    readonly title?: string;
    readonly defaultText?: string;
    readonly default?: unknown;
    readonly enum?: readonly unknown[];
    readonly minimum?: number;
    readonly maximum?: number;
    readonly properties?: Record<string, SchemaNode>;
    readonly required?: readonly string[];
    readonly items?: SchemaNode;
    readonly additionalProperties?: SchemaNode | boolean;
}

/** One row of the table. */
interface Row {
    /** Path from the top-level key; "[]" stands for every element of a list. */
    readonly path: readonly string[];
    readonly node: SchemaNode;
    readonly required: boolean;
}

/** The schema of each profile as JSON Schema: same keys and descriptions, each with its defaults. */
export function profileSchemas(): Record<Profile, SchemaNode> {
    const profiles = Object.keys(PROFILE_DEFAULTS) as Profile[];
    return Object.fromEntries(profiles.map((p) => [p, z.toJSONSchema(platformSchema(PROFILE_DEFAULTS[p]), { io: "input", unrepresentable: "any" }) as SchemaNode])) as Record<Profile, SchemaNode>;
}

/** Every documented key: leaves, and lists or optional objects that carry their own description. */
function rowsOf(node: SchemaNode, at: readonly string[], required: boolean): Row[] {
    if (node.type === "object" && node.properties) {
        const own = at.length > 0 && node.description ? [{ path: at, node, required }] : [];
        const children = Object.entries(node.properties).flatMap(([key, child]) => rowsOf(child, [...at, key], (node.required ?? []).includes(key)));
        return [...own, ...children];
    }
    if (node.type === "array" && node.items?.type === "object") {
        return [{ path: at, node, required }, ...rowsOf(node.items, [...at, "[]"], true)];
    }
    return [{ path: at, node, required }];
}

/** The node at `at` in a profile's schema. */
function nodeAt(root: SchemaNode, at: readonly string[]): SchemaNode | undefined {
    let node: SchemaNode | undefined = root;
    for (const part of at) {
        node = part === "[]" ? node?.items : node?.properties?.[part];
    }
    return node;
}

/** The key as the table shows it: ours without namespace, the provider's with it. */
export function displayKey(at: readonly string[]): string {
    const key = at.join(".").replace(/\.\[\]/g, "[]");
    return PROVIDER_KEYS.includes(at[0]) ? `gcp:${key}` : key;
}

/** The key as replacement.ts and `allowReplacement` write it. */
function fullKey(at: readonly string[]): string {
    const key = displayKey(at);
    return key.startsWith("gcp:") ? key : `${CONFIG_NAMESPACE}:${key}`;
}

/** A value in a cell: code-formatted; lists of named objects by their names. */
function shown(value: unknown): string {
    if (Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === "object" && "name" in v)) {
        return value.map((v) => `\`${(v as { name: string }).name}\``).join(", ");
    }
    const text = (v: unknown): string => (Array.isArray(v) ? `[${v.map(text).join(", ")}]` : typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
    return `\`${text(value)}\``;
}

/** What the key is when the stack sets nothing, in one profile. */
function defaultOf(node: SchemaNode | undefined, required: boolean): string {
    if (node?.defaultText) {
        return node.defaultText;
    }
    if (node && "default" in node) {
        return shown(node.default);
    }
    return required ? "required" : "unset";
}

/** The default cell: one value, or development / production, and personal where it differs from development. */
export function defaultCell(schemas: Record<Profile, SchemaNode>, row: Row): string {
    const [dev, prod, personal] = (["development", "production", "personal"] as const).map((p) => defaultOf(nodeAt(schemas[p], row.path), row.required));
    const main = dev === prod ? dev : `${dev} / ${prod}`;
    return personal === dev ? main : `${main} (personal: ${personal})`;
}

/** A shipped stack's config as nested values under our keys (`project`, `network`, ...). */
function stackValues(stack: string): Record<string, unknown> {
    const values: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(readStackFile(stack, SHIPPED_STACKS).values)) {
        const [ns, name] = key.split(":", 2);
        if (ns === CONFIG_NAMESPACE || (ns === "gcp" && PROVIDER_KEYS.includes(name))) {
            values[name] = parsedValue(text);
        }
    }
    return values;
}

/** A config string as the program parses it: JSON where it is JSON, else the string. */
function parsedValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/** What a stack sets at `at` ("" when it leaves the default); each element's value for list keys. */
function stackCell(values: unknown, at: readonly string[]): string {
    const collect = (value: unknown, rest: readonly string[]): unknown[] => {
        if (value === undefined || value === null) {
            return [];
        }
        if (rest.length === 0) {
            return [value];
        }
        if (rest[0] === "[]") {
            return Array.isArray(value) ? value.flatMap((v) => collect(v, rest.slice(1))) : [];
        }
        return typeof value === "object" ? collect((value as Record<string, unknown>)[rest[0]], rest.slice(1)) : [];
    };
    const found = collect(values, at);
    if (found.some((v) => typeof v === "object" && v !== null && !Array.isArray(v) && "secure" in v)) {
        return "(secret)";
    }
    return found.length === 0 ? "" : [...new Set(found.map(shown))].join(", ");
}

/** Description, allowed values the description does not name, and what a change replaces. */
function notesCell(row: Row): string {
    const { node } = row;
    const key = displayKey(row.path);
    if (!node.description) {
        throw new Error(`components/config/schema.ts: ${key} has no description; add .describe("...") (or .meta({ description })) to it`);
    }
    const notes = [node.description];
    const values = node.enum ?? node.items?.enum;
    if (values && !values.every((v) => node.description?.includes(`\`${String(v)}\``))) {
        notes.push(`One of ${values.map((v) => `\`${String(v)}\``).join(", ")}.`);
    }
    if (node.type === "integer" && node.minimum !== undefined && node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER) {
        notes.push(`${node.minimum}-${node.maximum}.`);
    }
    for (const replacing of [...REPLACING_KEYS, ...OTHER_REPLACING_KEYS].filter((k) => k.key === fullKey(row.path))) {
        notes.push(`⚠ replaces ${replacing.replaces}.`);
    }
    return notes.join(" ");
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The table, markers included. */
export function renderConfigReference(): string {
    const schemas = profileSchemas();
    const rows = rowsOf(schemas.development, [], true);
    const keys = new Set(rows.map((r) => fullKey(r.path)));
    const unknown = [...REPLACING_KEYS, ...OTHER_REPLACING_KEYS].filter((k) => !keys.has(k.key));
    if (unknown.length > 0) {
        throw new Error(`components/config/replacement.ts names keys the schema does not have: ${unknown.map((k) => k.key).join(", ")}`);
    }
    const stacks = REFERENCE_STACKS.map((s) => ({ name: s, values: stackValues(s) }));
    const header = `| key | default (development / production; personal preset where it differs) | ${stacks.map((s) => `${s.name} as shipped`).join(" | ")} | notes |`;
    const lines = [BEGIN_MARKER, "", header, `| ${["---", "---", ...stacks.map(() => "---"), "---"].join(" | ")} |`];
    for (const row of rows) {
        const cells = [`\`${displayKey(row.path)}\``, defaultCell(schemas, row), ...stacks.map((s) => stackCell(s.values, row.path)), notesCell(row)];
        lines.push(`| ${cells.map(cell).join(" | ")} |`);
    }
    return [...lines, "", END_MARKER].join("\n");
}

/** README text with the reference replaced by `reference`; throws when the markers are missing. */
export function withReference(readme: string, reference: string): string {
    const begin = readme.indexOf(BEGIN_MARKER);
    const end = readme.indexOf(END_MARKER);
    if (begin < 0 || end < begin) {
        throw new Error(`README.md has no configuration reference markers; put ${BEGIN_MARKER} and ${END_MARKER} where the table belongs (section "Configuration")`);
    }
    return readme.slice(0, begin) + reference + readme.slice(end + END_MARKER.length);
}

if (require.main === module) {
    const readme = fs.readFileSync(README_PATH, "utf8");
    const updated = withReference(readme, renderConfigReference());
    if (updated === readme) {
        console.log("README.md: configuration reference is up to date");
    } else {
        fs.writeFileSync(README_PATH, updated);
        console.log("README.md: configuration reference rewritten from components/config/schema.ts");
    }
}
