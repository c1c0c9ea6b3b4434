/**
 * Rule across cluster and services: the CPU pool carries the services and GKE's add-ons on its
 * minimum nodes, and runs Metaflow's default step beside GKE's DaemonSets: on a fresh node when
 * maxNodes allows one more node than the services need, otherwise beside the services
 * (cpuPoolPlan in sizing.ts). In Autopilot, the profile's default step must be within
 * Autopilot's limits.
 */
import { KNOWN_MACHINE_SERIES, machineShape } from "../../model/catalog";
import { AUTOPILOT_DEFAULT_RESOURCES } from "../../model/metaflowConfig";
import { GKE_SYSTEM_PODS, METAFLOW_DEFAULT_STEP, autopilotStepProblem, cpuMachinesThatFit, cpuPoolPlan, servicesEphemeralMiB, servicesRequests, stepFits } from "../../model/sizing";
import { servicesSizing } from "../sizing";
import { problemAt, type Problem } from "../problems";
import type { RuleInput } from "./rule";

export function nodeCapacityProblems({ config }: RuleInput): Problem[] {
    if (config.cluster.mode === "autopilot") {
        return autopilotStepProblems();
    }
    if (!machineShape(config.cluster.cpuPool.machineType)) {
        return [
            problemAt(
                ["cluster", "cpuPool", "machineType"],
                `not a machine type the catalog knows (components/model/catalog.ts); use one of the series ${KNOWN_MACHINE_SERIES.join(", ")}, e.g. e2-standard-4`,
            ),
        ];
    }
    return cpuPoolProblems(config);
}

function autopilotStepProblems(): Problem[] {
    const step = { cpu: Number(AUTOPILOT_DEFAULT_RESOURCES.cpu), memoryMb: Number(AUTOPILOT_DEFAULT_RESOURCES.memoryMb), diskMb: Number(AUTOPILOT_DEFAULT_RESOURCES.diskMb) };
    const refused = autopilotStepProblem(step);
    if (!refused) {
        return [];
    }
    return [
        problemAt(
            ["cluster", "mode"],
            `the profile's default step (METAFLOW_KUBERNETES_CPU/MEMORY/DISK = ${step.cpu}, ${step.memoryMb}, ${step.diskMb}) ` +
                `is outside Autopilot's limits: ${refused}; fix AUTOPILOT_DEFAULT_RESOURCES in components/model/metaflowConfig.ts`,
        ),
    ];
}

function cpuPoolProblems(config: RuleInput["config"]): Problem[] {
    const problems: Problem[] = [];
    const pool = config.cluster.cpuPool;
    const plan = cpuPoolPlan(pool, servicesSizing(config));
    const step = METAFLOW_DEFAULT_STEP;
    const fits = cpuMachinesThatFit(servicesSizing(config), pool);
    const suggestion = fits.length > 0 ? `machine types that fit: ${fits.join(", ")} or larger` : "no machine up to 32 vCPUs fits; run fewer service replicas";
    const minNodes = Math.max(1, pool.minNodes);
    const taken = servicesRequests(servicesSizing(config));
    const addons = GKE_SYSTEM_PODS.clusterAddons;
    if (plan.servicesNodes > minNodes) {
        problems.push(
            problemAt(
                ["cluster", "cpuPool", "minNodes"],
                `the always-on pods need ${Number.isFinite(plan.servicesNodes) ? plan.servicesNodes : "more"} ${pool.machineType} node(s) but minNodes keeps ${minNodes}: ` +
                    `the services request ${taken.cpuMillis}m CPU, ${taken.memoryMiB} MiB and GKE's add-ons ~${addons.cpuMillis}m, ${addons.memoryMiB} MiB, ` +
                    `while a node offers ${plan.perNode.cpuMillis}m, ${plan.perNode.memoryMiB} MiB after GKE's DaemonSets; raise minNodes or choose a larger machine (${suggestion})`,
            ),
        );
    }
    const room = plan.stepRoom;
    if (!stepFits({ ...step, diskMb: 0 }, room)) {
        const where =
            plan.stepNode === "fresh node"
                ? `on a fresh ${pool.machineType} node (after GKE's DaemonSets) a step gets ${room.cpu} CPU and ${room.memoryMb} MB`
                : `beside the services (maxNodes ${pool.maxNodes} leaves no node for steps beyond the services' ${plan.servicesNodes}), after GKE's own pods ` +
                  `(~${GKE_SYSTEM_PODS.perNode.cpuMillis + addons.cpuMillis}m CPU) and the services' requests (${taken.cpuMillis}m CPU, ${taken.memoryMiB} MiB) a node has ${room.cpu} CPU and ${room.memoryMb} MB left`;
        problems.push(
            problemAt(
                ["cluster", "cpuPool", "machineType"],
                `cannot run Metaflow's default step (${step.cpu} CPU, ${step.memoryMb} MB): ${where}; ${suggestion}` +
                    (plan.stepNode === "beside services" ? `, or raise maxNodes to ${plan.servicesNodes + 1} so the autoscaler adds a node for steps` : ""),
            ),
        );
    }
    if (room.diskMb < step.diskMb) {
        const besides = plan.stepNode === "beside services" && servicesEphemeralMiB(config.services) > 0 ? ` and the services' ${servicesEphemeralMiB(config.services)} MiB` : "";
        problems.push(problemAt(["cluster", "cpuPool", "diskSizeGb"], `leaves a step ${room.diskMb} MB of ephemeral storage after GKE's reservation${besides}; Metaflow's default step asks for ${step.diskMb} MB`));
    }
    return problems;
}
