/**
 * A fixture stack's config with the HTTPS endpoint on, for tests: example hostname and OAuth
 * client, the client secret stored as a secret the way `pulumi config set --secret --path` does
 * (the key becomes secret). Test values only; they never reach a cloud.
 */
import { readFixture } from "./fixtures";
import type { RenderOptions } from "../../offline/render";

export const EXAMPLE_ENDPOINT = {
    hostname: "metaflow-dev.example.com",
    oauthClientId: "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
    oauthClientSecret: "GOCSPX-test-only-not-a-real-secret",
} as const;
export const EXAMPLE_MEMBERS = ["user:ada@example.com", "group:ml-team@example.com"];

/** Render options that turn the endpoint on for the fixture `stack` (plus any other config overrides). */
export function withEndpoint(stack: string, extra: Record<string, unknown> = {}): RenderOptions {
    return {
        // A group member needs Google Groups for RBAC (access.securityGroup).
        config: { "metaflow-gcp:endpoint": EXAMPLE_ENDPOINT, "metaflow-gcp:access": { members: EXAMPLE_MEMBERS, securityGroup: "gke-security-groups@example.com" }, ...extra },
        secretKeys: [...readFixture(stack).secretKeys, "metaflow-gcp:endpoint"],
    };
}
