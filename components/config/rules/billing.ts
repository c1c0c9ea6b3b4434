/**
 * Rule: a budget lists each alert once. A repeated email would get a second Monitoring channel
 * and every alert twice; a repeated threshold, a second rule for the same crossing.
 */
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function billingProblems({ config }: RuleInput): Problem[] {
    const budget = config.billing.budget;
    if (!budget) {
        return [];
    }
    return [
        ...repeated(budget.emails.map((e) => e.toLowerCase())).map(([i, first]) =>
            problemAt(["billing", "budget", "emails", i], `listed twice (also billing.budget.emails[${first}]); each address gets every alert once`),
        ),
        ...repeated(budget.thresholds).map(([i, first]) => problemAt(["billing", "budget", "thresholds", i], `listed twice (also billing.budget.thresholds[${first}]); list each threshold once`)),
    ];
}

/** [index, index of its first occurrence] of every value seen before. */
function repeated<T>(values: readonly T[]): Array<[number, number]> {
    return values.flatMap((v, i) => (values.indexOf(v) < i ? [[i, values.indexOf(v)] as [number, number]] : []));
}
