/**
 * Resource identity: every URN the fixture stacks (the stacks as shipped, and their "everything on" variants)
 * registered before 0.2.0, as recorded in tests/fixtures/urns/, is taken over by exactly one
 * resource of today's program, by its URN or one of its alias URNs. Pulumi identifies a
 * resource in state by its URN (type chain of its parents, its type, its name); an old URN
 * nobody takes over makes `pulumi up` delete that resource and create a new one, which for a
 * cluster, database or bucket is an outage or data loss. 0.2.0 put every component under
 * MetaflowPlatform and gave each the component package's type token
 * (`metaflow-gcp-platform:index:<Class>`), so every URN changed: aliases carry them.
 * The alias URNs are the ones Pulumi's Node SDK computed and sent (the render runs with alias
 * specs off, so `allAliases` in @pulumi/pulumi 3.248.0 `resource.js` resolves each resource's
 * aliases and those it inherits from its parent's); nothing here re-derives them.
 * The snapshots record deployed state and are never rewritten.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { componentType } from "../components/model/typeTokens";
import { renderFixture } from "./harness/fixtures";
import type { RenderedResource, RenderedStack } from "../offline/render";
import { URN_FIXTURES, urnVariants } from "./harness/urnSnapshot";

/**
 * Resources the program has added since the snapshots were taken, each with the reason: they have
 * no old URN to take over, and `pulumi up` creates them. Anything else without an old URN fails.
 */
const ADDED_SINCE_SNAPSHOTS: ReadonlyArray<{ type: string; name: string; why: string }> = [
    { type: componentType("MetaflowPlatform"), name: "metaflow", why: "0.2.0: the platform component itself (no cloud resource)" },
    { type: "gcp:projects/service:Service", name: "apis-secretmanager", why: "Secret Manager, for Metaflow's @secrets" },
    { type: "gcp:projects/iAMMember:IAMMember", name: "identity-secrets", why: "the task identity reads its environment's secrets (mf-<env>-*)" },
    { type: "pulumi-nodejs:dynamic/metaflow:NegCleanup", name: "gke-negs", why: "waits on destroy for the NEGs GKE made, so the subnet and network go in the same run" },
    { type: "pulumi-nodejs:dynamic/metaflow:ReplacementGuard", name: "replacement-guard", why: "the replacement guard, which replaced a StackReference to the stack itself (a read: no URN in the snapshots)" },
    ...["group-ml-team-example-com-258d06", "user-ada-example-com-ad20d6"].map((slug) => ({
        type: "gcp:projects/iAMMember:IAMMember",
        name: `members-serviceusage.serviceUsageConsumer-${slug}`,
        why: "members may make the platform's project their ADC quota project",
    })),
    { type: "random:index/randomPassword:RandomPassword", name: "services-airflow-fernet-key", why: "Airflow's Fernet key, no longer a RandomId (see REMOVED_SINCE_SNAPSHOTS)" },
    ...["pgbouncer-config", "pgbouncer-stats"].map((secret) => ({
        type: "kubernetes:core/v1:Secret",
        name: `services-airflow-${secret}`,
        why: "Airflow reaches its database through the chart's PgBouncer, configured by these Secrets",
    })),
];

/**
 * Resources a version removes on purpose, each with why the delete is wanted. Nothing else of a
 * deployed stack may go.
 */
const REMOVED_SINCE_SNAPSHOTS: ReadonlyArray<{ type: string; name: string; why: string }> = [
    {
        type: "random:index/randomId:RandomId",
        name: "services-airflow-fernet",
        why: "0.3.0: Airflow's Fernet key was a RandomId, whose resource ID (never encrypted by Pulumi) is the key itself: plaintext in the state file; it is replaced by a RandomPassword (`services-airflow-fernet-key`), and CHANGELOG says how to rotate what Airflow encrypted with the old key",
    },
];

function isRemovedSinceSnapshots(urn: string): boolean {
    return REMOVED_SINCE_SNAPSHOTS.some(({ type, name }) => urn.endsWith(`$${type}::${name}`) || urn.endsWith(`::${type}::${name}`));
}

function isAddedSinceSnapshots(urn: string): boolean {
    return ADDED_SINCE_SNAPSHOTS.some(({ type, name }) => urn.endsWith(`::${type}::${name}`) || urn.endsWith(`$${type}::${name}`));
}

/**
 * Resources a stack gained on purpose after its snapshot, which `pulumi up` creates beside the
 * deployed ones and which replace nothing: a capacity ladder's added rungs (a GpuNodePool
 * `gpu-<pool>-spot|ondemand|flex` and its node pool), its compute class, Kueue with its queues
 * (`queues`, issue 22), and the dashboard, alerts and PodMonitoring of `observability`. Only these
 * names, so an accidental new URN for a deployed resource still fails.
 */
function isAddedFeature(urn: string): boolean {
    const rung = new RegExp(`\\$${escape(componentType("GpuNodePool"))}(\\$gcp:container/nodePool:NodePool)?::gpu-[a-z0-9-]+-(spot|ondemand|flex)(-pool)?$`);
    const computeClass = new RegExp(`\\$${escape(componentType("GpuComputeClass"))}(\\$kubernetes:cloud\\.google\\.com/v1:ComputeClass)?::gpu-[a-z0-9-]+$`);
    const queues = new RegExp(`\\$${escape(componentType("KueueQueues"))}(\\$kubernetes:(helm\\.sh/v3:Release|core/v1:Service|kueue\\.x-k8s\\.io/v1beta2:[A-Za-z]+))?::queues(-[a-z0-9-]+)?$`);
    const monitoring = new RegExp(`\\$${escape(componentType("EnvironmentMonitoring"))}(\\$gcp:monitoring/[a-zA-Z]+:[A-Za-z]+)?::monitoring(-[a-z0-9-]+)?$`);
    const scraping = new RegExp(`\\$${escape(componentType("MetricsScraping"))}(\\$kubernetes:monitoring\\.googleapis\\.com/v1:PodMonitoring)?::scraping(-[a-z0-9-]+)?$`);
    return rung.test(urn) || computeClass.test(urn) || queues.test(urn) || monitoring.test(urn) || scraping.test(urn);
}

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Old URN -> the new resources that reach it by their URN or an alias URN. */
function claimsOf(resources: readonly RenderedResource[], olds: ReadonlySet<string>): Map<string, string[]> {
    const claims = new Map<string, string[]>();
    for (const r of resources) {
        for (const u of new Set([r.urn, ...r.aliasUrns])) {
            if (olds.has(u)) {
                claims.set(u, [...(claims.get(u) ?? []), r.urn]);
            }
        }
    }
    return claims;
}

function snapshot(file: string): string[] {
    return JSON.parse(fs.readFileSync(path.join(URN_FIXTURES, file), "utf8"));
}

describe("resource URNs: every snapshot URN is taken over by exactly one resource", () => {
    const renders = new Map<string, RenderedStack>();
    const rendered = async (v: ReturnType<typeof urnVariants>[number]) => {
        if (!renders.has(v.file)) {
            renders.set(v.file, await renderFixture(v.stack, v.options));
        }
        return renders.get(v.file)!;
    };

    for (const v of urnVariants()) {
        it(`${v.file.replace(/\.json$/, "")}: tests/fixtures/urns/${v.file} all reached, by URN or alias, once each`, async () => {
            const expected = snapshot(v.file);
            const olds = new Set(expected);
            const { resources } = await rendered(v);
            const claims = claimsOf(resources, olds);
            const lost = expected.filter((u) => !claims.has(u) && !isRemovedSinceSnapshots(u));
            assert.deepStrictEqual(lost, [], "old URNs nobody takes over: `pulumi up` would delete and recreate them");
            const shared = [...claims].filter(([, takers]) => takers.length > 1);
            assert.deepStrictEqual(shared, [], "old URNs two resources claim (the engine refuses a second claim)");
            const reaching = (r: RenderedResource) => [r.urn, ...r.aliasUrns].filter((u) => olds.has(u));
            const greedy = resources.filter((r) => new Set(reaching(r)).size > 1).map((r) => r.urn);
            assert.deepStrictEqual(greedy, [], "resources reaching two old URNs: the engine takes one, the other is deleted");
            const created = resources.filter((r) => reaching(r).length === 0 && !isAddedFeature(r.urn)).map((r) => r.urn);
            assert.deepStrictEqual(
                created.filter((u) => !isAddedSinceSnapshots(u)),
                [],
                "resources with no old URN and not listed in ADDED_SINCE_SNAPSHOTS: `pulumi up` would create them beside the old ones",
            );
            assert.ok(created.some((u) => u.endsWith(`::${componentType("MetaflowPlatform")}::metaflow`)), "the MetaflowPlatform component is new in 0.2.0");
        });
    }

    it("without the aliases, the same render would lose every snapshot URN (the check can fail)", async () => {
        const v = urnVariants()[0];
        const expected = snapshot(v.file);
        const stack = await rendered(v);
        assert.ok(stack.resources.some((r) => r.aliasUrns.length > 0), "the render carries alias URNs");
        const claims = claimsOf(
            stack.resources.map((r) => ({ ...r, aliasUrns: [] })),
            new Set(expected),
        );
        assert.equal(claims.size, 0);
    });

    it("every snapshot file belongs to a variant (no stale snapshots)", () => {
        const files = fs.readdirSync(URN_FIXTURES).sort();
        assert.deepStrictEqual(files, urnVariants().map((v) => v.file).sort());
    });
});
