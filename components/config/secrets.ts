/**
 * Credentials by their shape: the one rule that keeps a pasted token out of plain-text config
 * and out of every message. Keys named like credentials must be Pulumi secrets (problems.ts
 * `SECRET_NAME`); this looks at the values themselves, since a token pasted into a label value or
 * a client ID field is just as secret and lands in plain text on every labelled resource.
 *
 * Known formats first (each issuer's documented prefix), then a shape test for the rest: a long
 * unbroken run of random-looking characters. Values with a known public format that would
 * otherwise look random (an OAuth client ID) are exempt.
 */

/** Documented token formats: [what it is, pattern]. */
const KNOWN_FORMATS: ReadonlyArray<readonly [string, RegExp]> = [
    // PEM private keys (RFC 7468 labels), and service-account key files, which carry one.
    ["a private key", /-----BEGIN [A-Z ]*PRIVATE KEY-----|"private_key"\s*:/],
    // Google: OAuth client secrets (GOCSPX-, since 2021), API keys (AIza + 35), OAuth access
    // tokens (ya29.) and refresh tokens (1//).
    ["a Google OAuth client secret", /GOCSPX-[A-Za-z0-9_-]{10,}/],
    ["a Google API key", /AIza[0-9A-Za-z_-]{35}/],
    ["a Google OAuth token", /\bya29\.[0-9A-Za-z_-]{20,}|(^|[^\w/])1\/\/0[0-9A-Za-z_-]{20,}/],
    // GitHub (docs.github.com "About authentication to GitHub", token prefixes) and GitLab.
    ["a GitHub token", /\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})/],
    ["a GitLab token", /\bglpat-[A-Za-z0-9_-]{20,}/],
    // Slack (xoxb-/xoxp-/...), AWS access key IDs, Stripe and OpenAI-style secret keys, package registries, Hugging Face.
    ["a Slack token", /\bxox[abposr]-[A-Za-z0-9-]{10,}/],
    ["an AWS access key", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
    ["an API secret key", /\b(sk|rk)_(live|test)_[A-Za-z0-9]{16,}|\bsk-[A-Za-z0-9_-]{20,}/],
    ["a package registry token", /\bnpm_[A-Za-z0-9]{36}\b|\bpypi-AgE[A-Za-z0-9_-]{20,}/],
    ["a Hugging Face token", /\bhf_[A-Za-z]{30,}/],
    // JSON Web Tokens: base64url header and payload, both JSON objects ("eyJ" is "{\""), and the
    // signature after them, which is what makes the token a credential: a match is what gets
    // hidden, so it must reach the token's end.
    ["a JSON Web Token", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/],
    // A password inside a URL (scheme://user:password@host).
    ["a URL with a password", /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i],
];

/** Values of a known public format that look random but are not secrets. */
const PUBLIC_FORMATS: readonly RegExp[] = [
    // OAuth client IDs, "<project number>-<32 characters>.apps.googleusercontent.com".
    /^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$/,
];

/** Bits of Shannon entropy per character of `text`. */
function entropyPerChar(text: string): number {
    const counts = new Map<string, number>();
    for (const c of text) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    let bits = 0;
    for (const n of counts.values()) {
        const p = n / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/**
 * Runs that look random: 32+ hex digits (API keys, digests used as tokens), or 24+ characters of
 * the base64/base64url alphabet, mostly in pieces that mix letters and digits (tokens do; words
 * joined by dashes, `office-vpn-berlin-2026`, do not), with near-random entropy (at least 4 bits
 * per character; names stay well below, `metaflow-dev-datastore` is 3.4).
 */
function randomRuns(value: string): string[] {
    const runs: string[] = [];
    for (const match of value.matchAll(/[A-Za-z0-9+/=_-]{24,}/g)) {
        const run = match[0];
        const pieces = run.split(/[-_/+=]/);
        const mixedChars = pieces.filter((p) => /\d/.test(p) && /[A-Za-z]/.test(p)).reduce((n, p) => n + p.length, 0);
        const hex = pieces.some((p) => /^[0-9a-fA-F]{32,}$/.test(p) && /\d/.test(p) && /[a-fA-F]/.test(p));
        const mixed = mixedChars >= 0.6 * run.length && (/[A-Z]/.test(run) || run.length >= 32) && entropyPerChar(run) >= 4;
        if (hex || mixed) {
            runs.push(run);
        }
    }
    return runs;
}

/** The parts of `value` that look like a credential (empty when none). */
export function secretTokens(value: string): string[] {
    if (PUBLIC_FORMATS.some((f) => f.test(value))) {
        return [];
    }
    const known = KNOWN_FORMATS.flatMap(([, pattern]) => {
        const m = new RegExp(pattern.source, pattern.flags.replace("g", "") + "g");
        return [...value.matchAll(m)].map((hit) => hit[0]);
    });
    return [...known, ...randomRuns(value)];
}

/** What `value` looks like when it looks like a credential ("a GitHub token"), else undefined. */
export function secretShape(value: string): string | undefined {
    if (PUBLIC_FORMATS.some((f) => f.test(value))) {
        return undefined;
    }
    const known = KNOWN_FORMATS.find(([, pattern]) => pattern.test(value));
    if (known) {
        return known[0];
    }
    return randomRuns(value).length > 0 ? "a long random string (an API key or token?)" : undefined;
}

/** One string a user gave: a value, or a key of a map (`labels: {<token>: x}` holds a pasted secret too). */
export interface StringLeaf {
    readonly path: PropertyKey[];
    readonly text: string;
    readonly isKey: boolean;
}

/** Every string in a config value, with its path. */
export function stringLeaves(value: unknown, path: PropertyKey[] = []): StringLeaf[] {
    if (typeof value === "string") {
        return [{ path, text: value, isKey: false }];
    }
    if (Array.isArray(value)) {
        return value.flatMap((v, i) => stringLeaves(v, [...path, i]));
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => [{ path: [...path, k], text: k, isKey: true }, ...stringLeaves(v, [...path, k])]);
    }
    return [];
}

/** `text` with every occurrence of each secret replaced by "[hidden]". */
export function hideSecrets(text: string, secrets: Iterable<string>): string {
    let out = text;
    for (const secret of [...secrets].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)) {
        out = out.split(secret).join("[hidden]");
        // JSON.stringify in messages escapes quotes and backslashes: hide that spelling too.
        const escaped = JSON.stringify(secret).slice(1, -1);
        if (escaped !== secret) {
            out = out.split(escaped).join("[hidden]");
        }
    }
    return out;
}
