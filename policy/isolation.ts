/** Isolation between environments: labels, no peering or sharing, own ranges, own identities. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ENDPOINT_CLIENT_ACCOUNT, MEMBER_BUCKET_ROLE, MEMBER_ENDPOINT_CLIENT_ROLE, MEMBER_REGISTRY_ROLE } from "../components/memberAccess";
import { cidrWithin, describe, forTypes, grantMembers } from "./helpers";
import { GOOGLE_SOURCE_RANGES, IAM_GRANT_TYPES, T } from "./types";

/** Where each labelable type keeps its labels. */
const LABELS_AT: Record<string, (props: Record<string, any>) => Record<string, string> | undefined> = {
    [T.bucket]: (p) => p.labels,
    [T.registry]: (p) => p.labels,
    [T.cluster]: (p) => p.resourceLabels,
    [T.nodePool]: (p) => p.nodeConfig?.resourceLabels,
    [T.sqlInstance]: (p) => p.settings?.userLabels,
};

export const environmentLabel: ResourceValidationPolicy = {
    name: "environment-label",
    description: "Every labelable resource carries the `environment` label of this stack.",
    configSchema: { properties: { environment: { type: "string" } }, required: ["environment"] },
    validateResource: forTypes(Object.keys(LABELS_AT), (props, args, report) => {
        const { environment } = args.getConfig<{ environment: string }>();
        const labels = LABELS_AT[args.type](props) ?? {};
        if (labels.environment !== environment) {
            report(`${describe(args)} must carry label environment=${environment}, found ${labels.environment === undefined ? "none" : `environment=${labels.environment}`}.`);
        }
    }),
};

export const noNetworkSharing: ResourceValidationPolicy = {
    name: "no-network-sharing",
    description: "An environment's VPC is neither peered with nor shared by another network (Google's own Private Service Access peering excepted).",
    validateResource: forTypes([T.networkPeering, T.sharedVpcHost, T.sharedVpcService], (_props, args, report) => {
        report(`${describe(args)} would connect this environment's network to another; environments stay isolated (only Private Service Access to Google is allowed).`);
    }),
};

export const firewallOwnRanges: ResourceValidationPolicy = {
    name: "firewall-own-ranges",
    description: "Ingress firewall rules admit only this environment's ranges, plus Google's IAP and health-check ranges.",
    configSchema: { properties: { allowedSourceRanges: { type: "array", items: { type: "string" } } }, required: ["allowedSourceRanges"] },
    validateResource: forTypes([T.firewall], (props, args, report) => {
        if ((props.direction ?? "INGRESS") !== "INGRESS") {
            return;
        }
        const { allowedSourceRanges } = args.getConfig<{ allowedSourceRanges: string[] }>();
        const allowed = [...allowedSourceRanges, GOOGLE_SOURCE_RANGES.iap, ...GOOGLE_SOURCE_RANGES.healthChecks];
        const outside = ((props.sourceRanges ?? []) as string[]).filter((range) => !allowed.some((a) => cidrWithin(range, a)));
        if (outside.length > 0) {
            report(`${describe(args)} admits ${outside.join(", ")}, outside this environment's ranges (${allowedSourceRanges.join(", ")}) and Google's IAP/health-check ranges.`);
        }
    }),
};

export const iamScopedToEnvironment: ResourceValidationPolicy = {
    name: "iam-scoped-to-environment",
    description:
        "IAM grants on this environment's bucket, registry and service accounts name only this environment's identities, " +
        "and its access.members with exactly their member role.",
    configSchema: {
        properties: {
            serviceAccountPrefix: { type: "string", description: "Account ID prefix of this environment's service accounts, e.g. mf-dev-" },
            namespace: { type: "string", description: "Kubernetes namespace whose service accounts may use Workload Identity" },
            members: { type: "array", items: { type: "string" }, description: "The stack's access.members; default none" },
        },
        required: ["serviceAccountPrefix", "namespace"],
    },
    validateResource: forTypes(IAM_GRANT_TYPES.filter((t) => !t.startsWith("gcp:projects/")), (props, args, report) => {
        const { serviceAccountPrefix, namespace, members = [] } = args.getConfig<{ serviceAccountPrefix: string; namespace: string; members?: string[] }>();
        // The one role a listed member may hold here (components/memberAccess.ts).
        const memberRole = args.type.startsWith("gcp:storage/")
            ? MEMBER_BUCKET_ROLE
            : args.type.startsWith("gcp:artifactregistry/")
              ? MEMBER_REGISTRY_ROLE
              : args.type.startsWith("gcp:serviceaccount/") && isEndpointClientAccount(props.serviceAccountId, serviceAccountPrefix)
                ? MEMBER_ENDPOINT_CLIENT_ROLE
                : undefined;
        for (const member of grantMembers(props)) {
            if (members.includes(member) && props.role === memberRole) {
                continue;
            }
            const workloadIdentity = /^serviceAccount:[^@]+\.svc\.id\.goog\[([^/]+)\/[^\]]+\]$/.exec(member);
            if (workloadIdentity) {
                if (workloadIdentity[1] !== namespace) {
                    report(`${describe(args)} lets Kubernetes namespace "${workloadIdentity[1]}" act as this environment's identity; only "${namespace}" may.`);
                }
                continue;
            }
            if (!member.startsWith(`serviceAccount:${serviceAccountPrefix}`)) {
                report(`${describe(args)} grants ${props.role} to ${member}, which is not one of this environment's service accounts (${serviceAccountPrefix}*).`);
            }
        }
    }),
};

/** `projects/<p>/serviceAccounts/<prefix>iap@...`: the HTTPS endpoint's client account (MetaflowEndpoint). */
function isEndpointClientAccount(serviceAccountId: unknown, serviceAccountPrefix: string): boolean {
    return typeof serviceAccountId === "string" && serviceAccountId.includes(`/serviceAccounts/${serviceAccountPrefix}${ENDPOINT_CLIENT_ACCOUNT}@`);
}

export const isolationPolicies = [environmentLabel, noNetworkSharing, firewallOwnRanges, iamScopedToEnvironment];
