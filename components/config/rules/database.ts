/** Rule: the tier exists in the edition, the log window fits it, and production databases are HA, protected and on a tier with an SLA. */
import { MAX_LOG_RETENTION_DAYS, checkSqlTier } from "../../model/catalog";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function databaseProblems({ config }: RuleInput): Problem[] {
    const problems: Problem[] = [];
    const database = config.database;
    const tier = checkSqlTier(database.edition, database.tier);
    if (!tier.ok) {
        problems.push(problemAt(["database", "tier"], `not a ${database.edition} tier: ${tier.reason}`));
    }
    const maxLog = MAX_LOG_RETENTION_DAYS[database.edition];
    if (database.logRetentionDays > maxLog) {
        problems.push(problemAt(["database", "logRetentionDays"], `${database.edition} keeps at most ${maxLog} days of logs`));
    }
    if (config.production) {
        if (!database.highAvailability) {
            problems.push(problemAt(["database", "highAvailability"], "production databases must be highly available (REGIONAL); set it to true"));
        }
        if (!database.deletionProtection) {
            problems.push(problemAt(["database", "deletionProtection"], "production databases keep deletion protection on"));
        }
        if (tier.ok && tier.sharedCore) {
            problems.push(problemAt(["database", "tier"], "shared-core tiers have no SLA; production needs db-custom-* (ENTERPRISE) or db-perf-optimized-* (ENTERPRISE_PLUS)"));
        }
    }
    return problems;
}
