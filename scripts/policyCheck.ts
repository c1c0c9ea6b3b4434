/**
 * Offline policy check: renders a stack with the offline renderer (offline/render.ts), twice — as after `pulumi up`
 * (provider-computed values known) and as its first `pulumi preview` (nothing exists yet, so
 * those values are unknown) — and runs the pack on both through @pulumi/policy's own server
 * handlers (offline/policyRunner.ts), with the `--policy-pack-config` file `npm run policy-config`
 * writes. Also checks the stack is isolated from every other stack file. Exits non-zero on any
 * mandatory violation or config error; every stack is checked and every failure reported.
 *
 *   npm run policy -- dev        one stack
 *   npm run policy               every stack (Pulumi.<stack>.yaml in the repository)
 */
import { runPolicies, type OfflineResource, type PackConfig, type Violation } from "../offline/policyRunner";
import { policies } from "../policy/policies";
import { REPO_ROOT, listStacks } from "../offline/stackFiles";
import { renderStack, type RenderedStack } from "../offline/render";
import { isolationClashes, policyConfigFor, stackFacts } from "./policyConfig";

export { policyConfigFor } from "./policyConfig";

/** The resources of a rendered stack as the engine sends them: inputs to `analyze`, outputs to `analyzeStack`. */
export function engineResources(stack: RenderedStack): OfflineResource[] {
    return stack.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: r.wireInputs,
        outputs: r.wireState,
        protect: r.protect,
        ignoreChanges: r.ignoreChanges,
        parent: r.parentUrn,
        dependencies: r.dependencies,
    }));
}

/** Runs the pack on a rendered stack with its generated policy config. */
export async function checkRendered(stack: RenderedStack, config: PackConfig = policyConfigFor(stack.stack, stack.stacksDir)): Promise<Violation[]> {
    return runPolicies(policies, engineResources(stack), config, { configSource: `for stack ${stack.stack}` });
}

/** A readable report; `failed` is true when a mandatory policy was violated. */
export function formatReport(stack: string, violations: Violation[], title = ""): { text: string; failed: boolean } {
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    const undecided = violations.filter((v) => v.couldNotRunInPreview);
    const lines = [
        `Policy pack metaflow-gcp on stack "${stack}"${title ? ` (${title})` : ""}: ${policies.length} policies, ${violations.length - undecided.length} violation(s), ${mandatory.length} mandatory` +
            (undecided.length > 0 ? `, ${undecided.length} could not run during preview.` : "."),
    ];
    for (const v of violations) {
        const where = v.resource ? `${v.resource.type} ${v.resource.name}` : "(stack)";
        lines.push(`  [${v.couldNotRunInPreview ? "advisory, can't run in preview" : v.enforcementLevel}] ${v.policy}: ${where}`, `      ${v.message.replace(/\n/g, "\n      ")}`);
    }
    if (violations.length === 0) {
        lines.push("  ✓ every policy passed");
    }
    return { text: lines.join("\n"), failed: mandatory.length > 0 };
}

/** Which stacks to check against each other, and how. */
export interface CheckOptions {
    /** Directory of the stack files (default: the repository, the user's stacks). */
    readonly dir?: string;
    /** The stacks the one checked must be isolated from (default: every stack file in `dir`). */
    readonly allStacks?: string[];
    /** Which renders to check (default both: after `pulumi up`, and a first preview). */
    readonly renders?: ReadonlyArray<"up" | "preview">;
}

/** Checks one stack: isolation from the other stack files, then the pack after `up` and on a first preview. */
export async function checkStack(stack: string, options: CheckOptions = {}): Promise<{ text: string; failed: boolean }> {
    const dir = options.dir ?? REPO_ROOT;
    const allStacks = options.allStacks ?? listStacks(dir);
    const clashes = isolationClashes(stackFacts(stack, dir), allStacks.map((s) => stackFacts(s, dir)));
    const parts: string[] = [];
    let failed = false;
    if (clashes.length > 0) {
        failed = true;
        parts.push(`Stack "${stack}" is not isolated from the other stacks of this repository (${clashes.length} clash(es)):\n${clashes.map((c) => `  ✗ ${c}`).join("\n")}`);
    }
    const config = policyConfigFor(stack, dir, allStacks);
    for (const [i, preview] of (options.renders ?? ["up", "preview"]).map((r) => r === "preview").entries()) {
        const rendered = await renderStack(stack, { preview, offlineProject: false, stacksDir: dir });
        parts.push(...(i === 0 ? rendered.notes.map((n) => `note: ${n}`) : []));
        const report = formatReport(stack, await checkRendered(rendered, config), preview ? "first preview, computed values unknown" : "after pulumi up");
        parts.push(report.text);
        failed ||= report.failed;
    }
    return { text: parts.join("\n\n"), failed };
}

/** Checks every stack given, continuing past failures; the text reports each and ends with a summary. */
export async function checkStacks(stacks: string[], dir: string = REPO_ROOT): Promise<{ text: string; failures: string[] }> {
    const parts: string[] = [];
    const failures: string[] = [];
    for (const stack of stacks) {
        try {
            const result = await checkStack(stack, { dir });
            parts.push(result.text);
            if (result.failed) {
                failures.push(stack);
            }
        } catch (err) {
            parts.push(`✗ stack "${stack}": ${err instanceof Error ? err.message : err}`);
            failures.push(stack);
        }
    }
    parts.push(failures.length === 0 ? `policy: ${stacks.length} stack(s) passed: ${stacks.join(", ")}` : `policy: ${failures.length} of ${stacks.length} stack(s) failed: ${failures.join(", ")}`);
    return { text: parts.join("\n\n"), failures };
}

async function main(): Promise<void> {
    const requested = process.argv.slice(2).filter((a) => !a.startsWith("-"));
    const result = await checkStacks(requested.length > 0 ? requested : listStacks());
    console.log(result.text);
    process.exitCode = result.failures.length > 0 ? 1 : 0;
}

if (require.main === module) {
    main().catch((err) => {
        console.error(`policy: ${err instanceof Error ? err.message : err}`);
        process.exitCode = 1;
    });
}
