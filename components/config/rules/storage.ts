/** Rule: soft delete within what Cloud Storage allows; production buckets can be recovered and are never force-destroyed. */
import { defaultBucketName } from "../../model/naming";
import { bucketNameProblem } from "../names";
import { keyName } from "../namespace";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function storageProblems({ config, given }: RuleInput): Problem[] {
    const problems: Problem[] = [...bucketNameProblems(config, given.storage.bucketName !== undefined)];
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

/**
 * The bucket name, set or derived from the project and environment, is one Cloud Storage
 * accepts. A derived name is blamed on storage.bucketName (unset), with the name it would be and
 * a name that would do.
 */
function bucketNameProblems(config: RuleInput["config"], set: boolean): Problem[] {
    const name = config.storage.bucketName;
    const wrong = bucketNameProblem(name);
    if (!wrong) {
        return [];
    }
    const key = keyName(["storage", "bucketName"]);
    const fallback = defaultBucketName(config.project, config.environment);
    if (set && !bucketNameProblem(fallback)) {
        return [{ path: ["storage", "bucketName"], message: `${wrong}; unset, it is ${fallback}`, fix: [{ key, remove: true }] }];
    }
    const candidate = acceptableBucketName(config.project, config.environment);
    const fix = candidate ? [{ key, set: candidate }] : [];
    const what = set ? wrong : `unset, so the bucket would be ${name} (<project>-metaflow-<environment>): ${wrong}`;
    return [{ path: ["storage", "bucketName"], message: `${what}; set a name Cloud Storage accepts${candidate ? `, e.g. ${candidate}` : ""}`, fix }];
}

/** A bucket name Cloud Storage accepts, from the project and environment with anything it refuses taken out. */
function acceptableBucketName(project: string, environment: string): string | undefined {
    const clean = (part: string) => part.replace(/[^a-z0-9-]/g, "-").replace(/g[o0]+g[l1]*[e3]?/g, "").replace(/^-+|-+$/g, "");
    const candidate = ["metaflow", clean(environment), clean(project)].filter((p) => p.length > 0).join("-").slice(0, 63).replace(/-+$/, "");
    return bucketNameProblem(candidate) ? undefined : candidate;
}
