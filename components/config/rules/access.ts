/**
 * Rule: each member is an IAM principal this platform can grant (names.ts `principalProblem`),
 * listed once (IAM compares emails case-insensitively); a group needs GKE's security group.
 */
import { principalProblem, principalWithoutTrailingText } from "../names";
import { keyName } from "../namespace";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function accessProblems({ config }: RuleInput): Problem[] {
    const members = config.access.members;
    const problems: Problem[] = members.flatMap((member, i): Problem[] => {
        const wrong = principalProblem(member);
        if (!wrong) {
            return [];
        }
        const trimmed = principalWithoutTrailingText(member);
        return [{ path: ["access", "members", i], message: wrong, fix: trimmed ? [{ key: keyName(["access", "members", i]), set: trimmed }] : [] }];
    });
    const seen = new Map<string, number>();
    members.forEach((member, i) => {
        // "user:A@x.com" and "user:a@x.com" are one person.
        const key = member.toLowerCase();
        const first = seen.get(key);
        if (first !== undefined) {
            problems.push(problemAt(["access", "members", i], `listed twice (also access.members[${first}]); list each principal once`));
        } else {
            seen.set(key, i);
        }
    });
    const firstGroup = members.findIndex((m) => m.startsWith("group:"));
    if (firstGroup >= 0 && !config.access.securityGroup) {
        problems.push(
            problemAt(
                ["access", "members", firstGroup],
                "a group reaches the cluster only through GKE's Google Groups for RBAC; set access.securityGroup to your " +
                    "gke-security-groups@<domain> group (and nest this group in it), or list the people as user: members",
            ),
        );
    }
    return problems;
}
