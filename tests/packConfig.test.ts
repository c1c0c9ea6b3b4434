/**
 * offline/packConfig.ts against the Pulumi CLI's own verdicts: tests/fixtures/policy-config-cli.json
 * holds config files and what pulumi/pulumi v3.248.0's code (pkg/resource/analyzer/config.go, the
 * local-pack branch of pkg/engine/update.go, analyzer_plugin.go GetAnalyzerInfo and Configure)
 * answers for each, written by running that code (scripts/oracles/policy-config). The offline
 * check must accept exactly what the CLI accepts and refuse with the CLI's words; the one thing it
 * adds is refusing a key that names no policy but carries its own level (the CLI ignores it).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PolicyConfigError, reconcilePackConfig, type PolicyInfo } from "../offline/packConfig";

interface OracleCase {
    readonly name: string;
    readonly policies: PolicyInfo[];
    readonly file: Record<string, unknown>;
    readonly cli: { readonly ok: boolean; readonly errors?: string[] };
}

const FIXTURE = path.join(__dirname, "fixtures", "policy-config-cli.json");
const fixture = JSON.parse(fs.readFileSync(FIXTURE, "utf8")) as { source: string; cases: OracleCase[] };

function verdict(c: OracleCase): { ok: boolean; cli: string[]; own: string[] } {
    try {
        reconcilePackConfig(c.policies, c.file);
        return { ok: true, cli: [], own: [] };
    } catch (err) {
        if (!(err instanceof PolicyConfigError)) {
            throw err;
        }
        return { ok: false, cli: err.cliProblems, own: err.ownProblems };
    }
}

describe("policy config handling matches the Pulumi CLI 3.248.0 (its own code's verdicts)", () => {
    it("the fixture was written by the oracle for every case", () => {
        assert.ok(fixture.cases.length >= 30, "cases");
        for (const c of fixture.cases) {
            assert.ok(c.cli && typeof c.cli.ok === "boolean", `${c.name}: no CLI verdict; run scripts/oracles/policy-config`);
        }
    });

    for (const c of fixture.cases) {
        it(`${c.cli.ok ? "accepts" : "refuses"}: ${c.name}`, () => {
            const ours = verdict(c);
            assert.deepEqual(ours.cli, c.cli.errors ?? [], "the CLI's problems, in the CLI's words and order");
            if (c.cli.ok && !ours.ok) {
                // Only the misspelling check may refuse what the CLI lets through.
                assert.deepEqual(
                    ours.own.map((p) => p.replace(/^"([^"]+)".*/, "$1")),
                    Object.keys(c.file).filter((k) => k !== "all" && k !== "environments" && !c.policies.some((p) => p.name === k)),
                    `only keys naming no policy: ${ours.own.join(" | ")}`,
                );
            } else {
                assert.equal(ours.ok, c.cli.ok);
            }
        });
    }
});
