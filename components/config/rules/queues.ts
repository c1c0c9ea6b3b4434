/**
 * Rule: the queues can exist and their teams' guarantees fit. Kueue queues steps of the
 * Kubernetes half (services on) and takes its quota from our pools, which Autopilot does not
 * have; teams are named once, never `metaflow` (the environment's own LocalQueue), and together
 * are guaranteed no more than the pools hold.
 */
import { DEFAULT_LOCAL_QUEUE } from "../../model/queues";
import { problemAt, type Problem } from "../problems";
import { queueCapacityFromConfig } from "../queues";
import type { RuleInput } from "./rule";

export function queuesProblems({ config }: RuleInput): Problem[] {
    const q = config.queues;
    if (!q.enabled) {
        return q.teams.length > 0 ? [problemAt(["queues", "teams"], "team queues need queues.enabled: true")] : [];
    }
    const problems: Problem[] = [];
    if (!config.services.enabled) {
        problems.push(problemAt(["queues", "enabled"], "needs services.enabled: Kueue runs on the cluster beside the services"));
    }
    if (config.cluster.mode === "autopilot") {
        problems.push(problemAt(["queues", "enabled"], "needs cluster.mode standard: the queues' quota is what our node pools hold, and Autopilot has none"));
    }
    const seen = new Set<string>([DEFAULT_LOCAL_QUEUE]);
    q.teams.forEach((team, i) => {
        if (seen.has(team.name)) {
            problems.push(problemAt(["queues", "teams", i, "name"], team.name === DEFAULT_LOCAL_QUEUE ? "is the environment's own queue; choose another" : "team names must be unique"));
        }
        seen.add(team.name);
    });
    if (problems.length === 0 && q.teams.length > 0) {
        problems.push(...shareProblems(queueCapacityFromConfig(config), q.teams));
    }
    return problems;
}

/** Teams may be guaranteed at most what the pools hold. */
function shareProblems(capacity: { cpuMillis: number; gpus: number }, teams: ReadonlyArray<{ gpus: number; cpus: number }>): Problem[] {
    const gpus = teams.reduce((s, t) => s + t.gpus, 0);
    const cpus = teams.reduce((s, t) => s + t.cpus, 0);
    const problems: Problem[] = [];
    if (gpus > capacity.gpus) {
        problems.push(problemAt(["queues", "teams"], `guarantee ${gpus} GPUs in total, but the GPU pools hold ${capacity.gpus} at maxNodes; lower the teams' gpus or raise the pools' maxNodes`));
    }
    if (cpus * 1000 > capacity.cpuMillis) {
        problems.push(problemAt(["queues", "teams"], `guarantee ${cpus} vCPUs in total, but steps can have ${capacity.cpuMillis / 1000} of the pools' vCPUs at maxNodes; lower the teams' cpus or raise the pools' maxNodes`));
    }
    return problems;
}
