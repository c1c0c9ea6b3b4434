/**
 * The planned state the engine shows for a new @pulumi/gcp resource on a first `pulumi preview`:
 * what the program set, and every attribute the provider computes that it did not set unknown,
 * at any depth.
 *
 * Why, from the provider's own code: @pulumi/gcp is a Terraform SDKv2 provider behind
 * pulumi-terraform-bridge, which plans a create through the SDK's `PlanResourceChange`
 * (pulumi-terraform-bridge `pkg/tfshim/sdk-v2/provider2.go`). There,
 * hashicorp/terraform-plugin-sdk v2.38.1 `helper/schema/schema.go` `diffList` marks an
 * Optional+Computed list or set with no prior state and no configured elements `NewComputed`
 * (and `hcl2shim.ConfigValueFromHCL2Block` drops an empty block list from the config first, so
 * an explicit `[]` is the same as leaving it out), and `helper/schema/unknown.go` `SetUnknowns`
 * turns every computed attribute left null into unknown, inside each configured block too.
 * Measured with the SDK itself (a schema shaped like terraform-provider-google v7.40.0
 * `node_config.guest_accelerator`, planned through `GRPCProviderServer.PlanResourceChange` of
 * pulumi/terraform-plugin-sdk v2.0.0-20260318212141-5525259d096b, the bridge's pin): the list is
 * unknown when left out, given as `[]` or null, and known when it has an element.
 *
 * Which attributes are computed, without the provider binary: the bridge's schema generator
 * makes an output property optional only when it is Optional and not Computed
 * (pulumi-terraform-bridge `pkg/tfgen/generate.go` `isOptional`, `out` branch), so in
 * @pulumi/gcp's own typings a property without `?` (a resource's `Output<T>` without
 * `| undefined`) is Required or Computed. Required ones are always set; the rest are what a
 * first preview shows as unknown. The typings are read with TypeScript's parser, one namespace
 * of `types/output.d.ts` at a time, each parsed once per process.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

/** One property of an output type: whether the provider may leave it out, and its object type. */
interface OutputProperty {
    readonly optional: boolean;
    /** `outputs.<namespace>.<Interface>` the value is (or, with `array`, holds), if any. */
    readonly ref?: { readonly namespace: string; readonly name: string };
    readonly array: boolean;
}

type Shape = ReadonlyMap<string, OutputProperty>;

const GCP_ROOT = path.dirname(require.resolve("@pulumi/gcp/package.json"));

function parse(file: string, text: string): ts.SourceFile {
    return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
}

/** `outputs.ns.Name`, `outputs.ns.Name[]`, or `X | undefined` around them. */
function describeType(node: ts.TypeNode | undefined, source: ts.SourceFile): Omit<OutputProperty, "optional"> & { undefinedAllowed: boolean } {
    let undefinedAllowed = false;
    let type = node;
    if (type && ts.isUnionTypeNode(type)) {
        undefinedAllowed = type.types.some((t) => t.kind === ts.SyntaxKind.UndefinedKeyword);
        type = type.types.find((t) => t.kind !== ts.SyntaxKind.UndefinedKeyword);
    }
    let array = false;
    if (type && ts.isArrayTypeNode(type)) {
        array = true;
        type = type.elementType;
    }
    const name = type && ts.isTypeReferenceNode(type) ? type.typeName.getText(source) : "";
    const match = /^outputs\.(\w+)\.(\w+)$/.exec(name);
    return { undefinedAllowed, array, ref: match ? { namespace: match[1], name: match[2] } : undefined };
}

const resourceShapes = new Map<string, Shape | undefined>();

/** A resource class's outputs (`readonly x: pulumi.Output<T>`), from `<module>/<name>.d.ts`. */
function resourceShape(type: string): Shape | undefined {
    if (resourceShapes.has(type)) {
        return resourceShapes.get(type);
    }
    const match = /^gcp:([\w]+)\/(\w+):(\w+)$/.exec(type);
    const file = match ? path.join(GCP_ROOT, match[1], `${match[2]}.d.ts`) : "";
    let shape: Map<string, OutputProperty> | undefined;
    if (match && fs.existsSync(file)) {
        const source = parse(file, fs.readFileSync(file, "utf8"));
        const cls = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === match[3]);
        shape = new Map();
        for (const member of cls?.members ?? []) {
            if (!ts.isPropertyDeclaration(member) || !member.type || !ts.isTypeReferenceNode(member.type) || member.type.typeName.getText(source) !== "pulumi.Output") {
                continue;
            }
            const inner = describeType(member.type.typeArguments?.[0], source);
            shape.set(member.name.getText(source), { optional: inner.undefinedAllowed, ref: inner.ref, array: inner.array });
        }
    }
    resourceShapes.set(type, shape);
    return shape;
}

const namespaces = new Map<string, Map<string, Shape>>();

/** The interfaces of one namespace of `types/output.d.ts`, parsed from that namespace's text only. */
function namespaceShapes(namespace: string): Map<string, Shape> {
    let found = namespaces.get(namespace);
    if (found) {
        return found;
    }
    found = new Map();
    namespaces.set(namespace, found);
    const text = outputTypesText();
    const start = text.indexOf(`\nexport declare namespace ${namespace} {\n`);
    if (start < 0) {
        return found;
    }
    const end = text.indexOf("\nexport declare namespace ", start + 1);
    const source = parse(`${namespace}.d.ts`, text.slice(start, end < 0 ? undefined : end));
    const visit = (node: ts.Node): void => {
        if (ts.isInterfaceDeclaration(node)) {
            const shape = new Map<string, OutputProperty>();
            for (const member of node.members) {
                if (ts.isPropertySignature(member)) {
                    const inner = describeType(member.type, source);
                    shape.set(member.name.getText(source), { optional: member.questionToken !== undefined, ref: inner.ref, array: inner.array });
                }
            }
            found!.set(node.name.text, shape);
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
}

let outputTypes: string | undefined;
function outputTypesText(): string {
    outputTypes ??= fs.readFileSync(path.join(GCP_ROOT, "types", "output.d.ts"), "utf8");
    return outputTypes;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * `value` with every computed property it leaves out set to `unknownValue`, and the same inside
 * each nested object the program set. Values that are not plain objects (unknown inputs,
 * Outputs) are kept as they are.
 */
function withUnknowns(value: Record<string, unknown>, shape: Shape, unknownValue: unknown, skip: ReadonlySet<string>): Record<string, unknown> {
    const planned: Record<string, unknown> = { ...value };
    for (const [key, property] of shape) {
        const current = value[key];
        if (current === undefined) {
            if (!property.optional && !skip.has(key)) {
                planned[key] = unknownValue;
            }
            continue;
        }
        const nested = property.ref && namespaceShapes(property.ref.namespace).get(property.ref.name);
        if (!nested) {
            continue;
        }
        if (property.array && Array.isArray(current)) {
            planned[key] = current.map((item) => (isObject(item) ? withUnknowns(item, nested, unknownValue, new Set()) : item));
        } else if (!property.array && isObject(current)) {
            planned[key] = withUnknowns(current, nested, unknownValue, new Set());
        }
    }
    return planned;
}

/**
 * The planned state of a new @pulumi/gcp resource of `type` created from `inputs` (see the file
 * comment); `keep` names top-level properties the caller fills in itself (auto-names). Undefined
 * for a type whose typings are not found (not a @pulumi/gcp resource).
 */
export function plannedGcpState(type: string, inputs: Record<string, unknown>, unknownValue: unknown, keep: ReadonlySet<string> = new Set()): Record<string, unknown> | undefined {
    const shape = resourceShape(type);
    return shape && withUnknowns(inputs, shape, unknownValue, keep);
}
