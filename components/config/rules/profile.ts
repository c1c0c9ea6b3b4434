/** Rule: the preset and the profile go together. */
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function profileProblems({ config }: RuleInput): Problem[] {
    if (config.preset === "personal" && config.production) {
        return [problemAt(["preset"], "the personal preset has no database, no HA and no deletion protection; it is never a production environment (remove preset or production)")];
    }
    return [];
}
