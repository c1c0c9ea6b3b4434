/**
 * Renders shared by test files (rendering is deterministic): the committed stacks, and variants
 * several files render with the same options. A shared render is deep-frozen, so a test that
 * tried to change it would fail at once instead of changing what other files read.
 */
import { renderStack, type RenderedStack, type RenderOptions } from "./render";

const cache = new Map<string, Promise<RenderedStack>>();
let queue: Promise<unknown> = Promise.resolve();

/** Options as a key: JSON, except that a key set to `undefined` (removes a config key) stays. */
function optionsKey(stack: string, options: RenderOptions): string {
    return JSON.stringify([stack, options], (_key, value: unknown) => (value === undefined ? "\u0000undefined" : value));
}

/** Freezes plain objects and arrays all the way down (class instances are left alone). */
function deepFreeze<T>(value: T): T {
    if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
        const proto = Object.getPrototypeOf(value);
        if (Array.isArray(value) || proto === Object.prototype || proto === null) {
            Object.freeze(value);
            Object.values(value).forEach(deepFreeze);
        }
    }
    return value;
}

/**
 * A stack rendered once per process with these options, read-only. Renders run one at a time:
 * the Pulumi runtime's mock state is global.
 */
export function sharedRender(stack: string, options: RenderOptions = {}): Promise<RenderedStack> {
    const key = optionsKey(stack, options);
    let render = cache.get(key);
    if (!render) {
        render = queue.then(async () => deepFreeze(await renderStack(stack, options)));
        queue = render.catch(() => undefined);
        cache.set(key, render);
    }
    return render;
}

/** The committed stack rendered once per process (read-only). */
export function committedStack(stack: string): Promise<RenderedStack> {
    return sharedRender(stack);
}
