/**
 * Which provider settings a stack file may hold, outside the project's own namespace. A key the
 * provider does not know (`gcp:regoin`) is silently ignored by Pulumi, and so is one the program
 * never lets the provider use; both are refused here with what to write instead.
 *
 * - `gcp:`: the Google provider is the default provider, so it reads its settings from the stack.
 *   Allowed: every key of its schema (./gcpProviderConfigKeys.ts) except those in
 *   GCP_KEYS_REFUSED, which the program overrides or which bypass its checks.
 * - `kubernetes:`: never read. The program's Kubernetes provider is an explicit one built from the
 *   cluster it creates (components/platform/platform.ts, `kubernetesProvider`), and Pulumi hands
 *   stack settings only to default providers.
 * - `random:`: the random provider has no settings.
 * - `pulumi:`: the engine's own; `disable-default-providers` may not disable the Google provider
 *   the program relies on.
 */
import { GCP_PROVIDER_CONFIG_KEYS } from "./gcpProviderConfigKeys";
import type { ConfigChange } from "./namespace";

/** One refused provider key: why, and the changes that fix it. */
export interface ProviderKeyProblem {
    readonly message: string;
    readonly fix: readonly ConfigChange[];
}

/** gcp: keys the provider knows that this program refuses, and why. */
const GCP_KEYS_REFUSED: Record<string, string> = {
    zone:
        "is never used: the cluster's zones come from metaflow-gcp:zones and the region from gcp:region (default us-central1), " +
        "so a stack with only gcp:zone deploys to us-central1",
    defaultLabels:
        "would label every resource behind the program's back (bypassing its label checks and the policy pack); " +
        "put the labels in metaflow-gcp:labels, which are checked and shown in the preview",
    universeDomain: "the platform is built and tested for Google Cloud's googleapis.com universe only (Artifact Registry pkg.dev hosts, IAP, Certificate Manager)",
};

/** The gcp: keys a stack may set. */
export const GCP_KEYS_ALLOWED: readonly string[] = GCP_PROVIDER_CONFIG_KEYS.filter((k) => !(k in GCP_KEYS_REFUSED));

/** What is wrong with provider key `ns:key` holding `text`, or undefined when the program honours it. */
export function providerKeyProblem(ns: string, key: string, text: string): ProviderKeyProblem | undefined {
    const fullKey = `${ns}:${key}`;
    const remove: ConfigChange = { key: fullKey, remove: true };
    switch (ns) {
        case "gcp":
            return gcpKeyProblem(key, text);
        case "kubernetes":
            return {
                message:
                    "is never read: the platform's Kubernetes provider is built from the cluster it creates (components/platform/platform.ts), " +
                    "and Pulumi gives stack settings only to default providers; remove it",
                fix: [remove],
            };
        case "random":
            return { message: "the random provider has no settings; remove it", fix: [remove] };
        case "pulumi":
            return key === "disable-default-providers" && disablesGcp(text)
                ? {
                      message: 'disables the default Google provider, which every Google Cloud resource of the platform uses; leave "gcp" out of it',
                      fix: [remove],
                  }
                : undefined;
        default:
            return undefined;
    }
}

function gcpKeyProblem(key: string, text: string): ProviderKeyProblem | undefined {
    const fullKey = `gcp:${key}`;
    if (!GCP_PROVIDER_CONFIG_KEYS.includes(key)) {
        const guess = closestName(key, GCP_PROVIDER_CONFIG_KEYS);
        return {
            message:
                `is not a setting of the Google provider (@pulumi/gcp config schema), so Pulumi would ignore it` +
                (guess ? `; did you mean gcp:${guess}?` : `; its settings include gcp:project, gcp:region, gcp:impersonateServiceAccount, gcp:billingProject`),
            fix: guess && !(guess in GCP_KEYS_REFUSED) ? [{ key: fullKey, remove: true }, { key: `gcp:${guess}`, set: text }] : [{ key: fullKey, remove: true }],
        };
    }
    const reason = GCP_KEYS_REFUSED[key];
    if (!reason) {
        return undefined;
    }
    const fix: ConfigChange[] = [{ key: fullKey, remove: true }];
    const zone = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(text);
    if (key === "zone" && zone) {
        fix.push({ key: "gcp:region", set: zone[1] }, { key: "metaflow-gcp:zones[0]", set: text });
    }
    return { message: reason, fix };
}

/** Whether `pulumi:disable-default-providers` (a JSON list of packages, `*` for all) turns off the Google provider. */
function disablesGcp(text: string): boolean {
    try {
        const list: unknown = JSON.parse(text);
        return Array.isArray(list) && list.some((p) => p === "*" || p === "gcp");
    } catch {
        return /(^|[^a-z])(gcp|\*)([^a-z]|$)/.test(text);
    }
}

/** The candidate nearest to `name` by edit distance, when near enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
    const distance = (a: string, b: string) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0][j] = j;
        for (let i = 1; i <= a.length; i++)
            for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        return d[a.length][b.length];
    };
    const best = candidates.map((c) => ({ c, d: distance(name.toLowerCase(), c.toLowerCase()) })).sort((x, y) => x.d - y.d)[0];
    return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.c : undefined;
}
