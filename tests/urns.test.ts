/**
 * Resource identity: every URN the committed stacks (and their "everything on" variants)
 * register matches the snapshot in tests/fixtures/urns/. Pulumi identifies a resource in state
 * by its URN (type chain of its parents, its type, its name); a refactor that changes one makes
 * `pulumi up` delete the old resource and create a new one, which for a cluster, database or
 * bucket is an outage or data loss. A deliberate change needs an alias and a rewritten snapshot
 * (tests/harness/urnSnapshot.ts --write), both in the same commit.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { URN_FIXTURES, renderUrns, urnVariants } from "./harness/urnSnapshot";

describe("resource URNs stay what the snapshots record", () => {
    for (const v of urnVariants()) {
        it(`${v.file.replace(/\.json$/, "")}: same URNs as tests/fixtures/urns/${v.file}`, async () => {
            const expected: string[] = JSON.parse(fs.readFileSync(path.join(URN_FIXTURES, v.file), "utf8"));
            const actual = await renderUrns(v.stack, v.options);
            const missing = expected.filter((u) => !actual.includes(u));
            const added = actual.filter((u) => !expected.includes(u));
            assert.deepStrictEqual({ missing, added }, { missing: [], added: [] }, "URNs changed: every missing one would be deleted and recreated by `pulumi up`");
        });
    }

    it("every snapshot file belongs to a variant (no stale snapshots)", () => {
        const files = fs.readdirSync(URN_FIXTURES).sort();
        assert.deepStrictEqual(files, urnVariants().map((v) => v.file).sort());
    });
});
