/**
 * Every policy of the pack, as one array. The pack's entry file (index.ts) only wraps this in a
 * PolicyPack; tests and the offline check import this module and never start the pack's server.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { costPolicies } from "./cost";
import { exposurePolicies } from "./exposure";
import { iamPolicies } from "./iam";
import { isolationPolicies } from "./isolation";
import { kubernetesPolicies } from "./kubernetes";
import { nodePolicies } from "./nodes";
import { productionPolicies } from "./production";
import { quotaPolicies } from "./quotas";
import { securityPolicies } from "./security";

export type Policy = ResourceValidationPolicy | StackValidationPolicy;

/** One module per group of rules; a new module adds its array here. */
export const policies: Policy[] = [
    ...isolationPolicies,
    ...securityPolicies,
    ...iamPolicies,
    ...nodePolicies,
    ...productionPolicies,
    ...quotaPolicies,
    ...kubernetesPolicies,
    ...costPolicies,
    ...exposurePolicies,
];
