/**
 * `npm run docs` (with the README's configuration reference): writes
 * components/platform/metaflowPlatformArgs.ts, the interface programs fill to build a
 * MetaflowPlatform, from the config schema (components/config/schema.ts). Every key, its type,
 * whether it is required, its description and its default per profile come from the schema, so the
 * Args cannot drift from what `parsePlatformConfig` accepts; tests/platformArgs.test.ts fails when
 * the file is not what this writes.
 *
 * The output is analyzer-compatible for the component package (@pulumi/pulumi 3.248.0
 * `provider/experimental/analyzer.js`): interfaces, plain types, `T[]`, `Record<string, T>`, and
 * enums as the Google Cloud components' own const objects, so a component and the platform share
 * one schema type.
 */
import * as fs from "fs";
import * as path from "path";
import { ClusterMode, ControlPlaneAccess, ReleaseChannel } from "../components/gcp/cluster";
import { DatabaseEdition, PostgresVersion } from "../components/gcp/database";
import { GpuAccelerator, GpuDriverVersion } from "../components/gcp/gpuNodePool";
import { defaultCell, profileSchemas, type SchemaNode } from "./configReference";

const REPO_ROOT = path.join(__dirname, "..");
export const PLATFORM_ARGS_PATH = path.join(REPO_ROOT, "components", "platform", "metaflowPlatformArgs.ts");

/** Keys of the stack config that belong to the stack, not to a platform (the replacement guard's escape hatch). */
const STACK_ONLY_KEYS = ["allowReplacement"];
/** Keys the stack takes from elsewhere (the stack name) but a program must give. */
const REQUIRED_ARGUMENTS = ["project", "environment"];
/** Values that may come from another resource or a secret: the one Input of the Args. */
const INPUT_PATHS = ["endpoint.oauthClientSecret"];

/** The components' enums, matched to the schema's enums by their values. */
const ENUMS: Record<string, { readonly values: Record<string, string>; readonly from: string }> = {
    ClusterMode: { values: ClusterMode, from: "../gcp/cluster" },
    ReleaseChannel: { values: ReleaseChannel, from: "../gcp/cluster" },
    ControlPlaneAccess: { values: ControlPlaneAccess, from: "../gcp/cluster" },
    DatabaseEdition: { values: DatabaseEdition, from: "../gcp/database" },
    PostgresVersion: { values: PostgresVersion, from: "../gcp/database" },
    GpuAccelerator: { values: GpuAccelerator, from: "../gcp/gpuNodePool" },
    GpuDriverVersion: { values: GpuDriverVersion, from: "../gcp/gpuNodePool" },
};

/** Objects the components already type: the platform takes the same interface. */
const SHARED_INTERFACES: Record<string, { readonly name: string; readonly from: string }> = {
    "cluster.authorizedNetworks[]": { name: "AuthorizedNetwork", from: "../gcp/cluster" },
};

/** Interface names of nested objects: `Platform` + the key, singular for list elements. */
function interfaceName(at: readonly string[]): string {
    const key = at[at.length - 1] === "[]" ? at[at.length - 2].replace(/s$/, "") : at[at.length - 1];
    return `Platform${key[0].toUpperCase()}${key.slice(1)}`;
}

const dotted = (at: readonly string[]) => at.join(".").replace(/\.\[\]/g, "[]");

interface Emitted {
    readonly interfaces: string[];
    readonly imports: Map<string, Set<string>>;
}

function importName(out: Emitted, name: string, from: string): string {
    out.imports.set(from, (out.imports.get(from) ?? new Set()).add(name));
    return name;
}

function enumName(out: Emitted, node: SchemaNode, at: readonly string[]): string {
    const values = (node.enum ?? []).map(String);
    if (values.length === 1) {
        return "string"; // the analyzer takes no one-member enum; the description names the value
    }
    const found = Object.entries(ENUMS).find(([, e]) => {
        const own = Object.values(e.values);
        return own.length === values.length && own.every((v) => values.includes(v));
    });
    if (!found) {
        throw new Error(`components/config/schema.ts: ${dotted(at)} is an enum (${values.join(", ")}) with no const object of the same values; add one beside the component that takes it and list it in scripts/platformArgs.ts ENUMS`);
    }
    return importName(out, found[0], found[1].from);
}

/** The TypeScript type of a schema node, emitting interfaces for nested objects. */
function typeOf(out: Emitted, node: SchemaNode, at: readonly string[], schemas: ReturnType<typeof profileSchemas>): string {
    const key = dotted(at);
    if (INPUT_PATHS.includes(key)) {
        return `${importName(out, "pulumi", "@pulumi/pulumi")}.Input<string>`;
    }
    if (node.enum) {
        return enumName(out, node, at);
    }
    switch (node.type) {
        case "string":
            return "string";
        case "integer":
        case "number":
            return "number";
        case "boolean":
            return "boolean";
        case "array":
            return `${typeOf(out, node.items!, [...at, "[]"], schemas)}[]`;
        case "object":
            if (SHARED_INTERFACES[key]) {
                return importName(out, SHARED_INTERFACES[key].name, SHARED_INTERFACES[key].from);
            }
            if (!node.properties) {
                return `Record<string, ${typeOf(out, typeof node.additionalProperties === "object" ? node.additionalProperties : { type: "string" }, [...at, "*"], schemas)}>`;
            }
            return emitInterface(out, node, at, schemas);
    }
    throw new Error(`components/config/schema.ts: ${key} has a type scripts/platformArgs.ts cannot write (${JSON.stringify(node.type)})`);
}

/** A doc comment, wrapped at 100 columns. */
function docComment(text: string, indent: string): string[] {
    const words = text.split(/\s+/).filter(Boolean);
    const lines: string[] = [];
    let line = "";
    for (const word of words) {
        if (line && indent.length + 3 + line.length + 1 + word.length > 100) {
            lines.push(line);
            line = word;
        } else {
            line = line ? `${line} ${word}` : word;
        }
    }
    lines.push(line);
    return lines.length === 1 && indent.length + 7 + lines[0].length <= 100 ? [`${indent}/** ${lines[0]} */`] : [`${indent}/**`, ...lines.map((l) => `${indent} * ${l}`), `${indent} */`];
}

function fieldLines(out: Emitted, parent: SchemaNode, key: string, at: readonly string[], schemas: ReturnType<typeof profileSchemas>): string[] {
    const node = parent.properties![key];
    const path = [...at, key];
    const required = (parent.required ?? []).includes(key) || (at.length === 0 && REQUIRED_ARGUMENTS.includes(key));
    const type = typeOf(out, node, path, schemas);
    const described = node.description ?? node.title;
    if (!described) {
        throw new Error(`components/config/schema.ts: ${dotted(path)} has no description; add .describe("...") (or, for a section, .meta({ title })) to it`);
    }
    const section = node.type === "object" && node.properties && JSON.stringify(node.default) === "{}";
    const text = required ? described : `${described} Default: ${section ? "each key's own" : defaultCell(schemas, { path, node, required })}.`;
    return [...docComment(text, "    "), `    readonly ${key}${required ? "" : "?"}: ${type};`];
}

function emitInterface(out: Emitted, node: SchemaNode, at: readonly string[], schemas: ReturnType<typeof profileSchemas>): string {
    const name = at.length === 0 ? "MetaflowPlatformArgs" : interfaceName(at);
    const keys = Object.keys(node.properties ?? {}).filter((k) => at.length > 0 || !STACK_ONLY_KEYS.includes(k));
    const body = keys.flatMap((k) => fieldLines(out, node, k, at, schemas));
    const doc = at.length === 0 ? "Arguments of a MetaflowPlatform: one environment." : `\`${dotted(at)}\`: ${node.title ?? node.description}`;
    out.interfaces.push([...docComment(doc, ""), `export interface ${name} {`, ...body, "}"].join("\n"));
    return name;
}

/** The file's text, from the schema of each profile (`profileSchemas()`). */
export function renderPlatformArgs(schemas = profileSchemas()): string {
    const out: Emitted = { interfaces: [], imports: new Map() };
    emitInterface(out, schemas.development, [], schemas);
    const imports = [...out.imports.entries()]
        // Packages first, then our modules, each alphabetical.
        .sort(([a], [b]) => Number(a.startsWith(".")) - Number(b.startsWith(".")) || a.localeCompare(b))
        .map(([from, names]) => (from === "@pulumi/pulumi" ? `import type * as pulumi from "@pulumi/pulumi";` : `import type { ${[...names].sort().join(", ")} } from "${from}";`));
    const header = `/**
 * What a MetaflowPlatform is built from: the stack config's keys (README "Configuration"), as a
 * documented interface any Pulumi program can fill, in TypeScript or, through the component
 * package, in Python. Every value is checked by the same \`parsePlatformConfig\` the stack program
 * uses, and every default comes from it. A default written \`a\` / \`b\` is the development /
 * production profile's (PROFILE_DEFAULTS), with the personal preset's where it differs.
 *
 * Written by \`npm run docs\` (scripts/platformArgs.ts) from components/config/schema.ts: edit the
 * schema, not this file.
 */`;
    return [header, ...imports, "", ...out.interfaces.join("\n\n").split("\n"), ""].join("\n");
}

if (require.main === module) {
    const current = fs.existsSync(PLATFORM_ARGS_PATH) ? fs.readFileSync(PLATFORM_ARGS_PATH, "utf8") : "";
    const text = renderPlatformArgs();
    if (text === current) {
        console.log("components/platform/metaflowPlatformArgs.ts is up to date");
    } else {
        fs.writeFileSync(PLATFORM_ARGS_PATH, text);
        console.log("components/platform/metaflowPlatformArgs.ts rewritten from components/config/schema.ts");
    }
}
