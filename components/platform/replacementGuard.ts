/**
 * Refuses, before any resource is registered, a production config change that would replace
 * the cluster, database, bucket or network (see replacement.ts for the keys and why).
 *
 * The previous run's fingerprint comes back through a StackReference to this very stack: the
 * engine reads the stack's last checkpoint, whose outputs are still those of the previous
 * update while the program starts (a maintainer's example of reading a stack's own output back
 * on later updates: pulumi/pulumi#3722). On a stack's first update there is no output yet and
 * nothing is refused.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/config";
import { REPLACEMENT_GUARD_OUTPUT, ReplacementRefusedError, replacementFingerprint, replacingChanges } from "../config/replacement";

/** `<organization>/<project>/<stack>` of the running stack (`organization` on self-managed backends). */
export function selfStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * Compares this config with the previous run's; throws ReplacementRefusedError in production
 * and warns elsewhere. Returns the fingerprint to export as `replacementGuard`.
 */
export async function guardReplacements(cfg: PlatformConfig): Promise<Record<string, string>> {
    const current = replacementFingerprint(cfg);
    const self = new pulumi.StackReference("previous-run", { name: selfStackName() });
    const details = await self.getOutputDetails(REPLACEMENT_GUARD_OUTPUT);
    const previous = details.value as Record<string, string> | undefined;
    const changes = replacingChanges(previous, current, cfg.allowReplacement);
    if (changes.length > 0) {
        if (cfg.production) {
            throw new ReplacementRefusedError(changes);
        }
        pulumi.log.warn(`This update replaces resources (allowed outside production):\n${changes.map((c) => `  - ${c}`).join("\n")}`);
    }
    return current;
}
