/**
 * Writes the complete `--policy-pack-config` file of a stack, the one `pulumi preview
 * --policy-pack policy --policy-pack-config <file>` needs. Facts come from the stack files (this
 * stack's environment, ranges, namespace, production flag, members; every other stack's
 * network, ranges, namespace, bucket and identities as forbidden); limits come from the
 * optional `policy/limits/<stack>.json`, which holds nothing else. Adding an environment is one
 * stack file.
 *
 *   npm run policy-config -- dev                 writes policy/generated/dev.json
 *   npm run policy-config -- dev --out f.json    writes f.json
 */
import * as fs from "fs";
import * as path from "path";
import { NODE_SERVICE_ACCOUNT_ROLES } from "../components/gcp/cluster";
import { cidrsOverlap } from "../components/model/cidr";
import { CONFIG_NAMESPACE, platformConfigFrom, type PlatformConfig } from "../components/config/config";
import { MEMBER_PROJECT_ROLES } from "../components/model/memberAccess";
import { serviceAccountId } from "../components/model/naming";
import type { PackConfig } from "../offline/policyRunner";
import { catalogAccess, resolvePrices, type ResolvedPrices } from "./lib/billingCatalog";
import { REPO_ROOT, listStacks, readStackFile, shownPath } from "../offline/stackFiles";
import { OFFLINE_PROJECT } from "../offline/render";

/**
 * Where generated configs live. Limits live beside the stack files they belong to:
 * `<dir>/policy/limits/<stack>.json`, `dir` being the repository (the user's stacks) or a
 * directory laid out like it (the test fixtures, tests/fixtures/stacks).
 */
export const GENERATED_DIR = path.join(REPO_ROOT, "policy", "generated");

/** The limits file of a stack whose stack file is in `dir`. */
export function limitsFile(stack: string, dir: string = REPO_ROOT): string {
    return path.join(dir, "policy", "limits", `${stack}.json`);
}

/** What a stack file says about its environment, as the program will build it. */
export interface StackFacts {
    readonly stack: string;
    readonly environment: string;
    readonly production: boolean;
    readonly project: string;
    readonly region: string;
    /** Config key (network.subnetCidr, ...) -> CIDR. */
    readonly ranges: Record<string, string>;
    readonly network: string;
    readonly subnetwork: string;
    readonly cluster: string;
    readonly bucket: string;
    readonly namespace: string;
    readonly serviceAccountPrefix: string;
    readonly members: string[];
}

/** The facts of one stack file in `dir`; throws the stack's ConfigError when its config is invalid. */
export function stackFacts(stack: string, dir: string = REPO_ROOT): StackFacts {
    const { values, secretKeys } = readStackFile(stack, dir);
    const flat = { ...values };
    flat["gcp:project"] ??= OFFLINE_PROJECT;
    const cfg: PlatformConfig = platformConfigFrom(flat, stack, new Set(secretKeys));
    return {
        stack,
        environment: cfg.environment,
        production: cfg.production,
        project: cfg.project,
        region: cfg.region,
        ranges: {
            "network.subnetCidr": cfg.network.subnetCidr,
            "network.podsCidr": cfg.network.podsCidr,
            "network.servicesCidr": cfg.network.servicesCidr,
            "network.privateServiceAccessCidr": cfg.network.privateServiceAccessCidr,
        },
        // Names as components/gcp/network.ts, storage and identity build them.
        network: `metaflow-${cfg.environment}`,
        subnetwork: `metaflow-${cfg.environment}-${cfg.region}`,
        cluster: `metaflow-${cfg.environment}`,
        bucket: cfg.storage.bucketName,
        namespace: cfg.services.namespace,
        serviceAccountPrefix: serviceAccountId(cfg.environment, ""),
        members: cfg.access.members,
    };
}

/**
 * Every way `facts` collides with another stack of the repository, one message per clash:
 * environment name (and so network, cluster and service-account names), each overlapping
 * range, namespace, bucket.
 */
export function isolationClashes(facts: StackFacts, others: StackFacts[]): string[] {
    const clashes: string[] = [];
    const where = (o: StackFacts) => `Pulumi.${o.stack}.yaml`;
    for (const other of others.filter((o) => o.stack !== facts.stack)) {
        if (other.environment === facts.environment) {
            clashes.push(
                `${CONFIG_NAMESPACE}:environment "${facts.environment}" is also ${where(other)}'s: both would create network ${facts.network}, cluster metaflow-${facts.environment} and service accounts ${facts.serviceAccountPrefix}*`,
            );
        }
        for (const [key, cidr] of Object.entries(facts.ranges)) {
            for (const [otherKey, otherCidr] of Object.entries(other.ranges)) {
                if (cidrsOverlap(cidr, otherCidr)) {
                    clashes.push(`${CONFIG_NAMESPACE}:${key} ${cidr} overlaps ${where(other)}'s ${otherKey} ${otherCidr}`);
                }
            }
        }
        if (other.namespace === facts.namespace) {
            clashes.push(`Kubernetes namespace ${facts.namespace} (${CONFIG_NAMESPACE}:services.namespace) is also ${where(other)}'s: Workload Identity would let each act as the other`);
        }
        if (other.bucket === facts.bucket) {
            clashes.push(`bucket ${facts.bucket} (${CONFIG_NAMESPACE}:storage.bucketName) is also ${where(other)}'s`);
        }
    }
    return clashes;
}

/** Keys of the generated config that are facts: a limits file must not repeat them. */
const FACT_KEYS: Record<string, string[]> = {
    "environment-label": ["environment"],
    "firewall-own-ranges": ["allowedSourceRanges"],
    "iam-scoped-to-environment": ["serviceAccountPrefix", "namespace", "members"],
    "no-cross-environment-references": ["otherEnvironments"],
    "project-grants-allowed": ["serviceAccountPrefix", "namespace", "members", "allowedIdentityRoles", "allowedMemberRoles"],
    "k8s-rbac-scoped": ["namespace"],
    "prod-database-ha-pitr-protected": ["production"],
    "prod-cluster-deletion-protection": ["production"],
    "prod-bucket-recoverable": ["production"],
};

/** `policy/limits/<stack>.json` beside the stack file, or {} when there is none (the pack's defaults apply). */
export function readLimits(stack: string, dir: string = REPO_ROOT): PackConfig {
    const file = limitsFile(stack, dir);
    if (!fs.existsSync(file)) {
        return {};
    }
    const shown = shownPath(file);
    let limits: PackConfig;
    try {
        limits = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new Error(`${shown} is not valid JSON: ${(err as Error).message}`);
    }
    if (limits === null || typeof limits !== "object" || Array.isArray(limits)) {
        throw new Error(`${shown} must hold a JSON object: policy name -> settings`);
    }
    const problems: string[] = [];
    for (const [policy, keys] of Object.entries(FACT_KEYS)) {
        const entry = limits[policy];
        for (const key of keys.filter((k) => entry !== null && typeof entry === "object" && k in (entry as object))) {
            problems.push(`${shown}: "${policy}".${key} is a fact of Pulumi.${stack}.yaml, generated by npm run policy-config; remove it (limits files hold only limits and enforcement levels)`);
        }
    }
    if (problems.length > 0) {
        throw new Error(problems.join("\n"));
    }
    return limits;
}

/** The complete policy config of a stack in `dir`: facts from every stack file there, then its limits. */
export function policyConfigFor(stack: string, dir: string = REPO_ROOT, allStacks: string[] = listStacks(dir)): PackConfig {
    const facts = stackFacts(stack, dir);
    const others = allStacks.filter((s) => s !== stack).map((s) => stackFacts(s, dir));
    const generated: Record<string, Record<string, unknown>> = {
        "environment-label": { environment: facts.environment },
        "firewall-own-ranges": { allowedSourceRanges: Object.values(facts.ranges) },
        "iam-scoped-to-environment": { serviceAccountPrefix: facts.serviceAccountPrefix, namespace: facts.namespace, members: facts.members },
        "no-cross-environment-references": {
            otherEnvironments: others.map((o) => ({
                stack: o.stack,
                environment: o.environment,
                network: o.network,
                subnetwork: o.subnetwork,
                cluster: o.cluster,
                bucket: o.bucket,
                namespace: o.namespace,
                serviceAccountPrefix: o.serviceAccountPrefix,
                ranges: Object.values(o.ranges),
            })),
        },
        "project-grants-allowed": {
            serviceAccountPrefix: facts.serviceAccountPrefix,
            namespace: facts.namespace,
            members: facts.members,
            allowedIdentityRoles: [...NODE_SERVICE_ACCOUNT_ROLES],
            allowedMemberRoles: [...MEMBER_PROJECT_ROLES],
        },
        "k8s-rbac-scoped": { namespace: facts.namespace },
        "prod-database-ha-pitr-protected": { production: facts.production },
        "prod-cluster-deletion-protection": { production: facts.production },
        "prod-bucket-recoverable": { production: facts.production },
        "allowed-regions": { regions: [facts.region] },
    };
    const limits = readLimits(stack, dir);
    const merged: PackConfig = { ...limits };
    for (const [policy, settings] of Object.entries(generated)) {
        const limit = limits[policy];
        merged[policy] = typeof limit === "string" ? { enforcementLevel: limit, ...settings } : { ...settings, ...((limit as object | undefined) ?? {}) };
    }
    return merged;
}

/**
 * The config with live list prices for the cost policies (`cost-budget`, `cost-coverage`): only
 * prices from the Catalog API are written; the embedded table is the pack's own default.
 */
export function withPrices(config: PackConfig, resolved: ResolvedPrices): PackConfig {
    if (resolved.from !== "catalog" || !resolved.prices) {
        return config;
    }
    const prices = { region: resolved.region, from: resolved.prices.dataset.source, table: resolved.prices };
    const merged: PackConfig = { ...config };
    for (const policy of ["cost-budget", "cost-coverage"]) {
        const entry = merged[policy];
        merged[policy] = typeof entry === "string" ? { enforcementLevel: entry, prices } : { ...((entry as object | undefined) ?? {}), prices };
    }
    return merged;
}

interface Options {
    readonly stack: string;
    readonly out?: string;
    /** auto: the Catalog API when credentials allow, else embedded; catalog: the API or fail; embedded: never ask. */
    readonly prices: "auto" | "catalog" | "embedded";
}

function parseArgs(args: string[]): Options {
    const stacks: string[] = [];
    let out: string | undefined;
    let prices: Options["prices"] = "auto";
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--out" || args[i] === "--prices") {
            const value = args[++i];
            if (!value) {
                throw new Error(`${args[i - 1]} needs a value`);
            }
            if (args[i - 1] === "--out") {
                out = value;
            } else if (value === "auto" || value === "catalog" || value === "embedded") {
                prices = value;
            } else {
                throw new Error(`--prices ${value}: use auto, catalog or embedded`);
            }
        } else if (!args[i].startsWith("-")) {
            stacks.push(args[i]);
        }
    }
    if (stacks.length !== 1) {
        throw new Error("usage: npm run policy-config -- <stack> [--out <file>] [--prices auto|catalog|embedded]");
    }
    return { stack: stacks[0], out, prices };
}

async function main(): Promise<void> {
    const { stack, out, prices } = parseArgs(process.argv.slice(2));
    const clashes = isolationClashes(stackFacts(stack), listStacks().map((s) => stackFacts(s)));
    if (clashes.length > 0) {
        throw new Error(`stack ${stack} is not isolated from the other stacks of this repository:\n${clashes.map((c) => `  - ${c}`).join("\n")}`);
    }
    const access = prices === "embedded" ? undefined : await catalogAccess();
    if (prices === "catalog" && !access) {
        throw new Error("--prices catalog: no Cloud Billing credentials; set CLOUD_BILLING_API_KEY or run `gcloud auth application-default login`");
    }
    const resolved = await resolvePrices(stackFacts(stack).region, access, { strict: prices === "catalog", withoutAccess: prices === "embedded" ? "--prices embedded: embedded list prices" : undefined });
    const file = out ?? path.join(GENERATED_DIR, `${stack}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(withPrices(policyConfigFor(stack), resolved), null, 2)}\n`);
    console.log(`policy-config: wrote ${path.relative(process.cwd(), file)} for stack ${stack}; list prices for ${resolved.region}: ${resolved.from === "catalog" ? "Cloud Billing Catalog API" : "embedded table (components/estimate/prices.ts)"}`);
    for (const note of resolved.notes) {
        console.log(`  note: ${note}`);
    }
}

if (require.main === module) {
    main().catch((err) => {
        console.error(`policy-config: ${err instanceof Error ? err.message : err}`);
        process.exitCode = 1;
    });
}
