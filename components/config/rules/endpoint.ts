/** Rule: the endpoint's client secret is a Pulumi secret, and what the endpoint serves exists and admits someone. */
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function endpointProblems({ config, secretKeys }: RuleInput): Problem[] {
    if (!config.endpoint) {
        return [];
    }
    const problems: Problem[] = [];
    if (secretKeys && !secretKeys.includes("endpoint")) {
        // The CLI marks a structured key secret when any value under it is; the stack file
        // then holds the client secret encrypted. Never show the value itself.
        problems.push({
            path: ["endpoint", "oauthClientSecret"],
            message:
                "is stored in plain text; store it as a secret with " +
                "`pulumi config set --secret --path endpoint.oauthClientSecret <value>` (and remove the plain value from Pulumi.<stack>.yaml)",
            value: "hidden",
        });
    }
    if (!config.services.enabled) {
        problems.push(problemAt(["services", "enabled"], "the endpoint serves the Metaflow services; set services.enabled to true or remove endpoint"));
    } else if (!config.database.enabled) {
        problems.push(problemAt(["database", "enabled"], "the endpoint serves the metadata service, which needs the database; set database.enabled to true or remove endpoint"));
    }
    if (config.access.members.length === 0) {
        problems.push(problemAt(["access", "members"], "the endpoint admits only access.members through IAP; list at least one principal or remove endpoint"));
    }
    return problems;
}
