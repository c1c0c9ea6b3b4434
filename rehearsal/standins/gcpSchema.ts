/**
 * Checks a resource's inputs against pulumi-gcp 9.37.0's published types.
 *
 * Where the schema can be had: the provider's own schema (`provider/cmd/pulumi-resource-gcp/
 * schema.json` in github.com/pulumi/pulumi-gcp/provider/v9) is refused by the Go module proxy
 * (`go mod download github.com/pulumi/pulumi-gcp/provider/v9@v9.37.0`: "403 Forbidden ... This
 * module version is not available"), and the npm package ships no schema.json. The npm package
 * @pulumi/gcp 9.37.0 is generated from that schema: each resource's `<Name>Args` interface and
 * `types/input.d.ts` carry every input property, whether it is required, and its type. This
 * module reads those declarations (TypeScript's parser, no type checker) and checks what the
 * engine sends at run time: unknown properties, missing required ones, and the JSON kind
 * (string, number, boolean, list, map, object) at every depth.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { isSecret, UNKNOWN } from "./values";

const GCP_DIR = path.dirname(require.resolve("@pulumi/gcp/package.json"));

interface Failure {
    property: string;
    reason: string;
}

let inputTypes: Map<string, ts.InterfaceDeclaration> | undefined;

/** `container.ClusterNodeConfig` -> its interface in types/input.d.ts (parsed once). */
function inputInterfaces(): Map<string, ts.InterfaceDeclaration> {
    if (!inputTypes) {
        inputTypes = new Map();
        const file = path.join(GCP_DIR, "types", "input.d.ts");
        const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
        const visit = (node: ts.Node, ns: string[]) => {
            if (ts.isModuleDeclaration(node) && node.body) {
                const inner = [...ns, node.name.getText(sf)];
                ts.forEachChild(node.body, (c) => visit(c, inner));
            } else if (ts.isInterfaceDeclaration(node)) {
                inputTypes!.set([...ns, node.name.text].join("."), node);
            }
        };
        ts.forEachChild(sf, (c) => visit(c, []));
    }
    return inputTypes;
}

/** The `<Name>Args` interface of the resource whose `__pulumiType` is `token`. */
function argsInterface(token: string): ts.InterfaceDeclaration | undefined {
    const [, mod, name] = /^gcp:([^/]+)\/[^:]+:(.+)$/.exec(token) ?? [];
    if (!mod) {
        return undefined;
    }
    const dir = path.join(GCP_DIR, mod);
    const js = fs.readdirSync(dir).find((f) => f.endsWith(".js") && fs.readFileSync(path.join(dir, f), "utf8").includes(`__pulumiType = '${token}'`));
    if (!js) {
        return undefined;
    }
    const file = path.join(dir, js.replace(/\.js$/, ".d.ts"));
    const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
    return sf.statements.find((s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === `${name}Args`);
}

/** Strips `pulumi.Input<...>` and `| undefined`. */
function unwrap(t: ts.TypeNode): ts.TypeNode[] {
    if (ts.isTypeReferenceNode(t) && t.typeName.getText() === "pulumi.Input" && t.typeArguments?.length === 1) {
        return unwrap(t.typeArguments[0]);
    }
    if (ts.isUnionTypeNode(t)) {
        return t.types.flatMap(unwrap).filter((x) => x.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(x) && x.literal.kind === ts.SyntaxKind.UndefinedKeyword));
    }
    if (ts.isParenthesizedTypeNode(t)) {
        return unwrap(t.type);
    }
    return [t];
}

function kindOf(v: unknown): string {
    return Array.isArray(v) ? "list" : v === null ? "null" : typeof v;
}

/** Problems of `value` against one alternative type; empty when it fits. */
function checkAgainst(t: ts.TypeNode, value: unknown, at: string): Failure[] {
    switch (t.kind) {
        case ts.SyntaxKind.StringKeyword:
            return typeof value === "string" ? [] : [{ property: at, reason: `expected a string, got ${kindOf(value)}` }];
        case ts.SyntaxKind.NumberKeyword:
            return typeof value === "number" ? [] : [{ property: at, reason: `expected a number, got ${kindOf(value)}` }];
        case ts.SyntaxKind.BooleanKeyword:
            return typeof value === "boolean" ? [] : [{ property: at, reason: `expected a boolean, got ${kindOf(value)}` }];
        case ts.SyntaxKind.AnyKeyword:
            return [];
    }
    if (ts.isArrayTypeNode(t)) {
        return Array.isArray(value) ? value.flatMap((v, i) => checkValue(t.elementType, v, `${at}[${i}]`)) : [{ property: at, reason: `expected a list, got ${kindOf(value)}` }];
    }
    if (ts.isTypeLiteralNode(t)) {
        const index = t.members.find(ts.isIndexSignatureDeclaration);
        if (index && typeof value === "object" && value !== null && !Array.isArray(value)) {
            return Object.entries(value).flatMap(([k, v]) => checkValue(index.type, v, `${at}.${k}`));
        }
        return [{ property: at, reason: `expected a map, got ${kindOf(value)}` }];
    }
    if (ts.isTypeReferenceNode(t)) {
        const name = t.typeName.getText();
        if (name.startsWith("inputs.")) {
            const decl = inputInterfaces().get(name.slice("inputs.".length));
            return decl ? checkObject(decl, value, at) : [];
        }
        if (name.startsWith("enums.")) {
            return typeof value === "string" ? [] : [{ property: at, reason: `expected an enum string, got ${kindOf(value)}` }];
        }
    }
    return []; // a shape this checker does not read: accepted
}

function checkValue(t: ts.TypeNode, value: unknown, at: string): Failure[] {
    if (value === UNKNOWN || value === undefined) {
        return [];
    }
    if (isSecret(value)) {
        return checkValue(t, value.value, at);
    }
    const alternatives = unwrap(t);
    let best: Failure[] | undefined;
    for (const alt of alternatives) {
        const f = checkAgainst(alt, value, at);
        if (f.length === 0) {
            return [];
        }
        best = best === undefined || f.length < best.length ? f : best;
    }
    return best ?? [];
}

function checkObject(decl: ts.InterfaceDeclaration, value: unknown, at: string): Failure[] {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        return [{ property: at, reason: `expected an object (${decl.name.text}), got ${kindOf(value)}` }];
    }
    const props = new Map(decl.members.filter(ts.isPropertySignature).map((m) => [m.name.getText(), m]));
    const failures: Failure[] = [];
    for (const [k, v] of Object.entries(value)) {
        const p = props.get(k);
        const where = at ? `${at}.${k}` : k;
        if (!p) {
            failures.push({ property: where, reason: `not an input of ${decl.name.text} in pulumi-gcp 9.37.0` });
        } else if (p.type) {
            failures.push(...checkValue(p.type, v, where));
        }
    }
    for (const [k, p] of props) {
        if (!p.questionToken && (value as Record<string, unknown>)[k] === undefined) {
            failures.push({ property: at ? `${at}.${k}` : k, reason: `required by ${decl.name.text} in pulumi-gcp 9.37.0` });
        }
    }
    return failures;
}

/** Whether resource type `token` takes input `name`. */
export function hasInput(token: string, name: string): boolean {
    return argsInterface(token)?.members.some((m) => ts.isPropertySignature(m) && m.name.getText() === name) ?? false;
}

/** Failures of `inputs` for resource type `token`; a type whose Args cannot be found is reported. */
export function checkInputs(token: string, inputs: Record<string, unknown>): Failure[] {
    const decl = argsInterface(token);
    if (!decl) {
        return [{ property: "", reason: `no Args declaration for ${token} in @pulumi/gcp 9.37.0` }];
    }
    return checkObject(decl, inputs, "");
}
