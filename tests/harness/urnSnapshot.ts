/**
 * URN snapshots: every resource URN a fixture stack (the stacks as shipped, tests/fixtures/stacks)
 * registered before 0.2.0, and those of one "everything on" variant of each (HTTPS endpoint, members, Airflow, a billing budget), so
 * options the shipped stacks leave off are covered too. A URN is a resource's identity in
 * Pulumi's state: a refactor that changes one without an alias makes `pulumi up` delete and
 * recreate that resource. The snapshots stand for deployed stacks, so they are never rewritten;
 * `npx ts-node --transpile-only tests/harness/urnSnapshot.ts --write` writes only missing ones
 * (a new variant), from today's program.
 */
import * as fs from "fs";
import * as path from "path";
import { withEndpoint } from "./endpointExample";
import { fixtureStacks, readFixture, renderFixture } from "./fixtures";
import { REPO_ROOT, type RenderOptions } from "../../offline/render";

export const URN_FIXTURES = path.join(REPO_ROOT, "tests", "fixtures", "urns");

/** A billing budget for the "everything on" variant (test values; never reach a cloud). */
const EXAMPLE_BUDGET = { billingAccount: "012345-6789AB-CDEF01", amount: 100, emails: ["ml-team@example.com"] };

/**
 * The snapshots, of the fixture stacks only (a user's own stack files have none): each as shipped; each with the endpoint, members and a
 * budget; each in Autopilot mode; and production with Airflow instead of Argo.
 */
export function urnVariants(): { readonly file: string; readonly stack: string; readonly options: RenderOptions }[] {
    return fixtureStacks().flatMap((stack) => [
        { file: `${stack}.json`, stack, options: {} },
        {
            file: `${stack}-everything.json`,
            stack,
            options: withEndpoint(stack, { "metaflow-gcp:billing": { budget: EXAMPLE_BUDGET } }),
        },
        { file: `${stack}-autopilot.json`, stack, options: { config: { "metaflow-gcp:cluster": { mode: "autopilot" }, ...withoutLadders(stack) } } },
        ...(stack === "prod"
            ? [{ file: "prod-airflow.json", stack, options: withEndpoint(stack, { "metaflow-gcp:services": { argoWorkflows: false, airflow: true } }) }]
            : []),
    ]);
}

/**
 * The stack's GPU pools without their capacity ladders and its queues off, where it has them:
 * Autopilot refuses both (GKE makes its own nodes there, so neither a rung's limit nor a quota
 * from our pools holds), and the Autopilot variant stands for the same stack otherwise.
 */
function withoutLadders(stack: string): Record<string, unknown> {
    const values = readFixture(stack).values;
    const text = values["metaflow-gcp:gpuPools"];
    const pools: Array<Record<string, unknown>> | undefined = text ? JSON.parse(text) : undefined;
    return {
        ...(pools?.some((p) => "ladder" in p) ? { "metaflow-gcp:gpuPools": pools.map(({ ladder: _ladder, ...pool }) => pool) } : {}),
        ...(values["metaflow-gcp:queues"] ? { "metaflow-gcp:queues": undefined } : {}),
    };
}

/** The URNs a render registers, sorted. */
export async function renderUrns(stack: string, options: RenderOptions): Promise<string[]> {
    const rendered = await renderFixture(stack, options);
    return rendered.resources.map((r) => r.urn).sort();
}

async function write(): Promise<void> {
    fs.mkdirSync(URN_FIXTURES, { recursive: true });
    for (const v of urnVariants()) {
        if (fs.existsSync(path.join(URN_FIXTURES, v.file))) {
            console.log(`${v.file}: kept (snapshots record deployed state)`);
            continue;
        }
        const urns = await renderUrns(v.stack, v.options);
        fs.writeFileSync(path.join(URN_FIXTURES, v.file), `${JSON.stringify(urns, null, 2)}\n`);
        console.log(`${v.file}: ${urns.length} URNs`);
    }
}

if (require.main === module && process.argv.includes("--write")) {
    write().catch((e) => {
        console.error(e);
        process.exit(1);
    });
}
