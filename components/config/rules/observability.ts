/**
 * Rule: alert recipients are listed once (a repeated email would get a second channel and every
 * alert twice) and only when the alerts exist.
 */
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function observabilityProblems({ config }: RuleInput): Problem[] {
    const o = config.observability;
    if (!o.enabled) {
        return o.emails.length > 0 ? [problemAt(["observability", "emails"], "alert recipients need observability.enabled: true")] : [];
    }
    const lower = o.emails.map((e) => e.toLowerCase());
    return lower.flatMap((e, i) =>
        lower.indexOf(e) < i ? [problemAt(["observability", "emails", i], `listed twice (also observability.emails[${lower.indexOf(e)}]); each address gets every alert once`)] : [],
    );
}
