/**
 * Renders shared by test files (rendering is deterministic): the fixture stacks, the user's
 * stacks, and variants several files render with the same options. A shared render is deep-frozen, so a test that
 * tried to change it would fail at once instead of changing what other files read.
 */
import { renderStack, type RenderedStack, type RenderOptions } from "../../offline/render";

const cache = new Map<string, Promise<RenderedStack>>();
let queue: Promise<unknown> = Promise.resolve();

/**
 * Options as a key: JSON with object keys sorted (the same options written in another order are
 * one render), except that a key set to `undefined` (removes a config key) stays.
 */
function optionsKey(stack: string, options: RenderOptions): string {
    return JSON.stringify([stack, options], (_key, value: unknown) => {
        if (value === undefined) {
            return "\u0000undefined";
        }
        if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
        }
        return value;
    });
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

/**
 * One of the user's stacks (the repository's Pulumi.<stack>.yaml) rendered once per process
 * (read-only). Only for tests that hold for every stack a user may write; tests about what a
 * stack renders use the fixtures (tests/harness/fixtures.ts).
 */
export function userStack(stack: string): Promise<RenderedStack> {
    return sharedRender(stack);
}
