/** Small lookups over a rendered stack, so tests read like requirements. */
import type { RenderedResource, RenderedStack } from "./render";

/** Every resource of a Pulumi type token. */
export function ofType(stack: RenderedStack, type: string): RenderedResource[] {
    return stack.resources.filter((r) => r.type === type);
}

/** The single resource of a type (optionally whose name is `name`); throws otherwise. */
export function one(stack: RenderedStack, type: string, name?: string): RenderedResource {
    const found = ofType(stack, type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
        const names = ofType(stack, type).map((r) => r.name);
        throw new Error(`expected one ${type}${name ? ` named ${name}` : ""} in ${stack.stack}, found ${found.length} (${names.join(", ")})`);
    }
    return found[0];
}

/** The resource with this URN. */
export function byUrn(stack: RenderedStack, urn: string): RenderedResource | undefined {
    return stack.resources.find((r) => r.urn === urn);
}

/** The parent resource, or undefined for top-level resources. */
export function parentOf(stack: RenderedStack, resource: RenderedResource): RenderedResource | undefined {
    return byUrn(stack, resource.parentUrn);
}

/** Direct children of a resource. */
export function childrenOf(stack: RenderedStack, resource: RenderedResource): RenderedResource[] {
    return stack.resources.filter((r) => r.parentUrn === resource.urn);
}

/** The nearest component ancestor's type, e.g. "metaflow:gcp:MetaflowNetwork". */
export function componentTypeOf(stack: RenderedStack, resource: RenderedResource): string | undefined {
    let parent = parentOf(stack, resource);
    while (parent && parent.custom) {
        parent = parentOf(stack, parent);
    }
    return parent?.type;
}

/** The plain value of a stack output. */
export function output(stack: RenderedStack, name: string): any {
    const found = stack.outputs[name];
    if (!found) {
        throw new Error(`stack ${stack.stack} has no output ${name}; outputs: ${Object.keys(stack.outputs).join(", ")}`);
    }
    return found.value;
}
