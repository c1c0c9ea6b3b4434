/**
 * Resource identity: every URN the committed stacks (and their "everything on" variants)
 * registered before 0.2.0, as recorded in tests/fixtures/urns/, is taken over by exactly one
 * resource of today's program, by its URN or through an alias, as the Pulumi engine matches
 * them (harness/aliases.ts). Pulumi identifies a resource in state by its URN (type chain of
 * its parents, its type, its name); an old URN nobody takes over makes `pulumi up` delete that
 * resource and create a new one, which for a cluster, database or bucket is an outage or data
 * loss. 0.2.0 put every component under MetaflowPlatform and gave each the component package's
 * type token (`metaflow-gcp-platform:index:<Class>`), so every URN changed: aliases carry them.
 * The snapshots record deployed state and are never rewritten.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { componentType } from "../components/pure/typeTokens";
import { matchPreviousState } from "./harness/aliases";
import { renderStack, type RenderedStack } from "./harness/render";
import { URN_FIXTURES, urnVariants } from "./harness/urnSnapshot";

/** The one resource 0.2.0 adds: the platform component itself (no cloud resource). */
function isNewInThisVersion(urn: string): boolean {
    return urn.endsWith(`::${componentType("MetaflowPlatform")}::metaflow`);
}

describe("resource URNs: every snapshot URN is taken over by exactly one resource", () => {
    const renders = new Map<string, RenderedStack>();
    const rendered = async (v: ReturnType<typeof urnVariants>[number]) => {
        if (!renders.has(v.file)) {
            renders.set(v.file, await renderStack(v.stack, v.options));
        }
        return renders.get(v.file)!;
    };

    for (const v of urnVariants()) {
        it(`${v.file.replace(/\.json$/, "")}: tests/fixtures/urns/${v.file} all reached, by URN or alias, once each`, async () => {
            const expected: string[] = JSON.parse(fs.readFileSync(path.join(URN_FIXTURES, v.file), "utf8"));
            const stack = await rendered(v);
            const match = matchPreviousState(stack.resources, new Set(expected));
            assert.deepStrictEqual(match.errors, [], "the engine would refuse these aliases");
            const lost = expected.filter((u) => !match.claimed.has(u));
            assert.deepStrictEqual(lost, [], "old URNs nobody takes over: `pulumi up` would delete and recreate them");
            const takers = [...match.claimed.values()];
            assert.equal(new Set(takers).size, takers.length, "one resource took over two old URNs");
            assert.deepStrictEqual(
                match.created.filter((u) => !isNewInThisVersion(u)),
                [],
                "resources with no old URN: `pulumi up` would create them beside the old ones",
            );
        });
    }

    it("without the aliases, the same render would lose every snapshot URN (the check can fail)", async () => {
        const v = urnVariants()[0];
        const expected: string[] = JSON.parse(fs.readFileSync(path.join(URN_FIXTURES, v.file), "utf8"));
        const stack = await rendered(v);
        const match = matchPreviousState(
            stack.resources.map((r) => ({ ...r, aliases: [] })),
            new Set(expected),
        );
        assert.equal(match.claimed.size, 0);
    });

    it("every snapshot file belongs to a variant (no stale snapshots)", () => {
        const files = fs.readdirSync(URN_FIXTURES).sort();
        assert.deepStrictEqual(files, urnVariants().map((v) => v.file).sort());
    });
});
