/** Rule: the cluster's zones exist in the region (GKE would otherwise place nodes elsewhere). */
import { REGION_ZONES } from "../../model/catalog";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

/**
 * Why `zone` cannot hold nodes of `region`, or undefined when it can. A zone that does not exist
 * must be refused here: GKE otherwise places the pool elsewhere without saying so. For a region
 * missing from the catalog only the region prefix can be checked.
 */
export function zoneProblem(zone: string, region: string, knownZones: readonly string[] | undefined): string | undefined {
    if (!zone.startsWith(`${region}-`)) {
        return `zone is not in region ${region}`;
    }
    if (knownZones && !knownZones.includes(zone)) {
        return `${region} has no zone ${zone}; its zones are ${knownZones.join(", ")}`;
    }
    return undefined;
}

export function zonesProblems({ config, given }: RuleInput): Problem[] {
    const problems: Problem[] = [];
    const region = config.region;
    const knownZones = REGION_ZONES[region];
    if (!given.zones && !knownZones) {
        problems.push(
            problemAt(
                ["zones"],
                `components/model/catalog.ts has no zone list for region ${region}, so there is no default and listed zones can only be checked for the region prefix; ` +
                    `list them exactly as \`gcloud compute zones list --filter=region:${region}\` prints them, e.g. ["${region}-a","${region}-b"], or add the region to REGION_ZONES`,
            ),
        );
    }
    config.zones.forEach((zone, i) => {
        const wrong = zoneProblem(zone, region, knownZones);
        if (wrong) {
            problems.push(problemAt(["zones", i], wrong));
        }
    });
    if (new Set(config.zones).size !== config.zones.length) {
        problems.push(problemAt(["zones"], "zones are listed twice"));
    }
    return problems;
}
