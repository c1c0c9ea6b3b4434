/**
 * Fixture stacks: the stacks as shipped, copied under tests/fixtures/stacks (with their policy
 * limits under tests/fixtures/stacks/policy/limits). Tests that assert what a stack renders (this
 * cluster is zonal, that database is HA, the idle cost is $49.24) render these, never the
 * repository's own Pulumi.<stack>.yaml: those are the user's, who adds environments, members and
 * an endpoint to them as the README says, and our tests are the user's CI.
 * Tests that must hold for every stack a user writes iterate over `listStacks()` and `userStack`
 * (tests/harness/cache.ts) and assert only what holds for any valid stack.
 */
import * as path from "path";
import { listStacks, readStackFile, type StackConfig } from "../../offline/stackFiles";
import { sharedRender } from "./cache";
import { REPO_ROOT, renderStack, renderStackFailure, type RenderFailure, type RenderedStack, type RenderOptions } from "../../offline/render";

/** The fixture stacks' directory: Pulumi.<stack>.yaml and policy/limits/<stack>.json, as in the repository. */
export const FIXTURE_STACKS = path.join(REPO_ROOT, "tests", "fixtures", "stacks");

/** The fixture stacks (dev and prod). */
export function fixtureStacks(): string[] {
    return listStacks(FIXTURE_STACKS);
}

/** A fixture stack's config, read as every tool reads a stack file. */
export function readFixture(stack: string): StackConfig {
    return readStackFile(stack, FIXTURE_STACKS);
}

/** Renders a fixture stack (options as for renderStack). */
export function renderFixture(stack: string, options: RenderOptions = {}): Promise<RenderedStack> {
    return renderStack(stack, { ...options, stacksDir: FIXTURE_STACKS });
}

/** Renders a fixture stack that is expected to fail. */
export function renderFixtureFailure(stack: string, options: RenderOptions = {}): Promise<RenderFailure> {
    return renderStackFailure(stack, { ...options, stacksDir: FIXTURE_STACKS });
}

/** A fixture stack rendered once per process with these options, read-only (deep-frozen). */
export function fixtureStack(stack: string, options: RenderOptions = {}): Promise<RenderedStack> {
    return sharedRender(stack, { ...options, stacksDir: FIXTURE_STACKS });
}
