/**
 * Property values as a provider receives them over gRPC (@pulumi/pulumi provider/server.js passes
 * the raw structs): secrets are `{ [SECRET_SIG]: SECRET_VALUE_SIG, value }` objects and unknowns
 * a sentinel string (@pulumi/pulumi runtime/rpc.ts, `specialSigKey`, `specialSecretSig`,
 * `unknownValue`).
 */

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

export function isSecret(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

/** The value with every secret wrapper removed (the provider works on plain values). */
export function plain(v: Any): Any {
    if (isSecret(v)) {
        return plain(v.value);
    }
    if (Array.isArray(v)) {
        return v.map(plain);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    }
    return v;
}

/** A value the engine will keep secret. */
export function secret(value: unknown): Any {
    return { [SIG_KEY]: SECRET_SIG, value };
}

/** Deep equality of two property values, secrets compared by what they hold. */
export function sameValue(a: unknown, b: unknown): boolean {
    return JSON.stringify(sortKeys(plain(a))) === JSON.stringify(sortKeys(plain(b)));
}

function sortKeys(v: Any): Any {
    if (Array.isArray(v)) {
        return v.map(sortKeys);
    }
    if (typeof v === "object" && v !== null) {
        return Object.fromEntries(
            Object.keys(v)
                .sort()
                .map((k) => [k, sortKeys(v[k])]),
        );
    }
    return v;
}

/**
 * Whether the inputs `news` are already what the state `olds` holds: every key `news` sets, at
 * every depth, has the same value there. Keys only the state has are what the provider computed
 * (nested ones too, e.g. a cluster's DNS endpoint inside controlPlaneEndpointsConfig), which a
 * real provider leaves out of its diff. An unknown input may change anything.
 */
export function coveredBy(news: unknown, olds: unknown): boolean {
    const n = isSecret(news) ? news.value : news;
    const o = isSecret(olds) ? olds.value : olds;
    if (n === UNKNOWN) {
        return false;
    }
    if (Array.isArray(n)) {
        return Array.isArray(o) && n.length === o.length && n.every((x, i) => coveredBy(x, o[i]));
    }
    if (typeof n === "object" && n !== null) {
        return typeof o === "object" && o !== null && Object.entries(n).every(([k, v]) => coveredBy(v, (o as Record<string, unknown>)[k]));
    }
    return n === o;
}

/** The resource type token of a URN (`urn:pulumi:<stack>::<project>::<parent$...$>type::<name>`). */
export function typeOf(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.split("$").pop() ?? qualified;
}
