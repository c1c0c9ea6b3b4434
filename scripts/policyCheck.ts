/**
 * Offline policy check: renders a stack with the test harness, runs every policy of the pack
 * with that stack's policy config (policy/config/<stack>.json) and prints a report. Exits
 * non-zero on any mandatory violation. What CI and pull requests run without cloud credentials.
 *
 *   npm run policy -- dev        one stack
 *   npm run policy               every stack
 */
import * as fs from "fs";
import * as path from "path";
import { runPolicies, type PackConfig, type Violation } from "../policy/offline";
import { policies } from "../policy/policies";
import { REPO_ROOT, listStacks, renderStack, type RenderedStack } from "../tests/harness/render";

/** The `--policy-pack-config` file of a stack. */
export function policyConfigFor(stack: string): PackConfig {
    const file = path.join(REPO_ROOT, "policy", "config", `${stack}.json`);
    if (!fs.existsSync(file)) {
        throw new Error(`no policy config for stack "${stack}": create ${path.relative(REPO_ROOT, file)} (see README, Policy pack)`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Runs the pack on a rendered stack. */
export async function checkRendered(stack: RenderedStack, config: PackConfig = policyConfigFor(stack.stack)): Promise<Violation[]> {
    const resources = stack.resources
        .filter((r) => r.custom)
        .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, protect: r.protect, ignoreChanges: r.ignoreChanges, parent: r.parentUrn }));
    return runPolicies(policies, resources, config);
}

/** A readable report; `failed` is true when a mandatory policy was violated. */
export function formatReport(stack: string, violations: Violation[]): { text: string; failed: boolean } {
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    const lines = [`Policy pack metaflow-gcp on stack "${stack}": ${policies.length} policies, ${violations.length} violation(s), ${mandatory.length} mandatory.`];
    for (const v of violations) {
        const where = v.resource ? `${v.resource.type} ${v.resource.name}` : "(stack)";
        lines.push(`  [${v.enforcementLevel}] ${v.policy}: ${where}`, `      ${v.message}`);
    }
    if (violations.length === 0) {
        lines.push("  ✓ every policy passed");
    }
    return { text: lines.join("\n"), failed: mandatory.length > 0 };
}

async function main(): Promise<void> {
    const requested = process.argv.slice(2).filter((a) => !a.startsWith("-"));
    let failed = false;
    for (const stack of requested.length > 0 ? requested : listStacks()) {
        const report = formatReport(stack, await checkRendered(await renderStack(stack)));
        console.log(report.text, "\n");
        failed ||= report.failed;
    }
    process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
    main().catch((err) => {
        console.error(`policy: ${err instanceof Error ? err.message : err}`);
        process.exitCode = 1;
    });
}
