/** Isolation between environments: labels, no peering or sharing, own ranges, own identities. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { cidrsOverlap, normalizeCidr } from "../components/model/cidr";
import { ENDPOINT_CLIENT_ACCOUNT, MEMBER_BUCKET_ROLE, MEMBER_ENDPOINT_CLIENT_ROLE, MEMBER_REGISTRY_ROLE } from "../components/model/memberAccess";
import { cidrWithin, describe, forTypes, grantMembers, knownStrings, peek } from "./helpers";
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
            members: { type: "array", items: { type: "string" }, default: [], description: "The stack's access.members" },
        },
        required: ["serviceAccountPrefix", "namespace"],
    },
    validateResource: forTypes(IAM_GRANT_TYPES.filter((t) => !t.startsWith("gcp:projects/")), (props, args, report) => {
        const { serviceAccountPrefix, namespace, members = [] } = args.getConfig<{ serviceAccountPrefix: string; namespace: string; members?: string[] }>();
        // The one role a listed member may hold here (components/model/memberAccess.ts).
        const memberRole = args.type.startsWith("gcp:storage/")
            ? MEMBER_BUCKET_ROLE
            : args.type.startsWith("gcp:artifactregistry/")
              ? MEMBER_REGISTRY_ROLE
              : args.type.startsWith("gcp:serviceaccount/") && isEndpointClientAccount(peek(() => props.serviceAccountId), serviceAccountPrefix)
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
                report(`${describe(args)} grants ${props.role} to ${member}, which is not one of this environment's service accounts (${serviceAccountPrefix}*) nor one of its access.members holding their member role.`);
            }
        }
    }),
};

/** `projects/<p>/serviceAccounts/<prefix>iap@...`: the HTTPS endpoint's client account (MetaflowEndpoint). */
function isEndpointClientAccount(serviceAccountId: unknown, serviceAccountPrefix: string): boolean {
    return typeof serviceAccountId === "string" && serviceAccountId.includes(`/serviceAccounts/${serviceAccountPrefix}${ENDPOINT_CLIENT_ACCOUNT}@`);
}


/** What the generated policy config says about each other environment in the repository. */
interface OtherEnvironment {
    stack: string;
    environment: string;
    network: string;
    subnetwork: string;
    cluster: string;
    bucket: string;
    namespace: string;
    serviceAccountPrefix: string;
    ranges: string[];
}

/** Fields of a Kubernetes object (or Helm release) that hold a namespace. */
const NAMESPACE_FIELDS = /^(metadata\.namespace|namespace|subjects\[\d+\]\.namespace)$/;

/** How the string at `path` refers to another environment's thing, if it does. */
function referenceTo(path: string, value: string, other: OtherEnvironment, kubernetes: boolean): string | undefined {
    const field = path.split(/[.[]/).pop() ?? "";
    // A bare name counts only in a field that holds that kind of name; a URL or path anywhere.
    if (value.endsWith(`networks/${other.network}`) || (/network$/i.test(field) && value === other.network)) {
        return `network ${other.network}`;
    }
    if (value.endsWith(`/subnetworks/${other.subnetwork}`) || (/subnetwork$/i.test(field) && value === other.subnetwork)) {
        return `subnet ${other.subnetwork}`;
    }
    if (value.endsWith(`/clusters/${other.cluster}`) || (field === "cluster" && value === other.cluster)) {
        return `cluster ${other.cluster}`;
    }
    if (value === other.bucket || value.startsWith(`gs://${other.bucket}/`) || value === `gs://${other.bucket}` || value.endsWith(`/b/${other.bucket}`)) {
        return `bucket ${other.bucket}`;
    }
    if (value.includes(`.svc.id.goog[${other.namespace}/`) || (kubernetes && NAMESPACE_FIELDS.test(path) && value === other.namespace)) {
        return `namespace ${other.namespace}`;
    }
    if (new RegExp(`^(serviceAccount:)?${other.serviceAccountPrefix}[a-z0-9-]*@`).test(value) || value.includes(`/serviceAccounts/${other.serviceAccountPrefix}`)) {
        return `service account ${value.replace(/^serviceAccount:/, "")}`;
    }
    if (/(^|\.)(labels|resourceLabels|userLabels)\.environment$/.test(path) && value === other.environment) {
        return `environment name ${other.environment}`;
    }
    const cidr = normalizeCidr(value);
    if (cidr !== undefined && !cidr.endsWith("/0")) {
        const overlapping = other.ranges.find((r) => cidrsOverlap(r, cidr));
        if (overlapping) {
            return `address range ${overlapping} (${value} overlaps it)`;
        }
    }
    return undefined;
}


export const noCrossEnvironmentReferences: ResourceValidationPolicy = {
    name: "no-cross-environment-references",
    description: "No resource refers to another environment's network, subnet, cluster, bucket, namespace, service accounts, address ranges or environment label (every other stack file of the repository).",
    configSchema: {
        properties: {
            otherEnvironments: {
                type: "array",
                default: [],
                items: {
                    type: "object",
                    properties: {
                        stack: { type: "string" },
                        environment: { type: "string" },
                        network: { type: "string" },
                        subnetwork: { type: "string" },
                        cluster: { type: "string" },
                        bucket: { type: "string" },
                        namespace: { type: "string" },
                        serviceAccountPrefix: { type: "string" },
                        ranges: { type: "array", items: { type: "string" } },
                    },
                    required: ["stack", "environment", "network", "subnetwork", "cluster", "bucket", "namespace", "serviceAccountPrefix", "ranges"],
                },
            },
        },
    },
    validateResource: (args, report) => {
        const { otherEnvironments } = args.getConfig<{ otherEnvironments: OtherEnvironment[] }>();
        if (otherEnvironments.length === 0) {
            return;
        }
        const seen = new Set<string>();
        const strings = knownStrings(args.props);
        // Names and ranges that are not a single string: the network's own name, and a
        // Private Service Access range given as address + prefixLength.
        if (args.type === T.network && typeof args.props.name === "string") {
            strings.push({ path: "name (network)", value: `networks/${args.props.name}` });
        }
        const address = peek(() => args.props.address);
        const prefixLength = peek(() => args.props.prefixLength);
        if (args.type === T.globalAddress && typeof address === "string" && typeof prefixLength === "number") {
            strings.push({ path: "address/prefixLength", value: `${address}/${prefixLength}` });
        }
        for (const { path, value } of strings) {
            for (const other of otherEnvironments) {
                const found = referenceTo(path, value, other, args.type.startsWith("kubernetes:"));
                const key = `${other.stack}:${found}`;
                if (found && !seen.has(key)) {
                    seen.add(key);
                    report(`${describe(args)} refers to stack ${other.stack}'s ${found} at ${path}; environments never share or reach into each other's resources.`);
                }
            }
        }
    },
};

export const isolationPolicies = [environmentLabel, noNetworkSharing, firewallOwnRanges, iamScopedToEnvironment, noCrossEnvironmentReferences];
