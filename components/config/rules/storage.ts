/** Rule: soft delete within what Cloud Storage allows; production buckets can be recovered and are never force-destroyed. */
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function storageProblems({ config }: RuleInput): Problem[] {
    const problems: Problem[] = [];
    const storage = config.storage;
    if (storage.softDeleteDays > 0 && storage.softDeleteDays < 7) {
        problems.push(problemAt(["storage", "softDeleteDays"], "must be 0 (off) or 7-90 days, as Cloud Storage allows"));
    }
    if (config.production) {
        if (storage.forceDestroy) {
            problems.push(problemAt(["storage", "forceDestroy"], "production buckets are never force-destroyed"));
        }
        if (!storage.versioning && storage.softDeleteDays === 0) {
            problems.push(problemAt(["storage", "versioning"], "production buckets need versioning or soft delete so deleted artifacts can be recovered"));
        }
    }
    return problems;
}
