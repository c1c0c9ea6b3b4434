/** Every config rule, in the order their problems are listed. */
import { accessProblems } from "./access";
import { billingProblems } from "./billing";
import { clusterProblems } from "./cluster";
import { connectionsProblems } from "./connections";
import { databaseProblems } from "./database";
import { endpointProblems } from "./endpoint";
import { gpuPoolsProblems } from "./gpuPools";
import { ladderProblems } from "./ladder";
import { labelsProblems } from "./labels";
import { networkProblems } from "./network";
import { nodeCapacityProblems } from "./nodeCapacity";
import { observabilityProblems } from "./observability";
import { profileProblems } from "./profile";
import { queuesProblems } from "./queues";
import type { Rule } from "./rule";
import { servicesProblems } from "./services";
import { storageProblems } from "./storage";
import { zonesProblems } from "./zones";

export type { Rule, RuleInput } from "./rule";
export { zoneProblem } from "./zones";

export const RULES: readonly Rule[] = [
    profileProblems,
    labelsProblems,
    zonesProblems,
    networkProblems,
    clusterProblems,
    nodeCapacityProblems,
    gpuPoolsProblems,
    ladderProblems,
    databaseProblems,
    connectionsProblems,
    storageProblems,
    servicesProblems,
    queuesProblems,
    accessProblems,
    billingProblems,
    observabilityProblems,
    endpointProblems,
];
