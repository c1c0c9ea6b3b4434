/** Renders of the committed stacks, shared by test files (rendering is deterministic). */
import { renderStack, type RenderedStack } from "./render";

const cache = new Map<string, Promise<RenderedStack>>();
let queue: Promise<unknown> = Promise.resolve();

/**
 * The committed stack rendered once per process. Renders run one at a time: the Pulumi
 * runtime's mock state is global.
 */
export function committedStack(stack: string): Promise<RenderedStack> {
    let render = cache.get(stack);
    if (!render) {
        render = queue.then(() => renderStack(stack));
        queue = render.catch(() => undefined);
        cache.set(stack, render);
    }
    return render;
}
