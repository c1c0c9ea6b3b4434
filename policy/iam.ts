/** IAM beyond one environment's resources: nothing public, nothing project-wide beyond a short list. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, grantMembers, peek, UNKNOWN } from "./helpers";
import { PROJECT_IAM_TYPES, isIamResource } from "./types";

/** Principals that mean "anyone" (allUsers) or "anyone with a Google account". */
const PUBLIC_PRINCIPALS = ["allUsers", "allAuthenticatedUsers"];

export const noPublicPrincipals: ResourceValidationPolicy = {
    name: "no-public-principals",
    description: "No IAM resource of any service grants anything to allUsers or allAuthenticatedUsers.",
    validateResource: (args, report) => {
        if (!isIamResource(args.type)) {
            return;
        }
        const role = peek(() => args.props.role);
        for (const member of grantMembers(args.props)) {
            if (PUBLIC_PRINCIPALS.includes(member)) {
                report(`${describe(args)} grants ${role === UNKNOWN || role === undefined ? "access" : role} to ${member}: anyone${member === "allAuthenticatedUsers" ? " with a Google account" : " on the internet"} would get it.`);
            }
        }
    },
};

/**
 * The one project role an identity may hold only under a condition: `@secrets` reads Secret
 * Manager, which grants on a secret or the project, and secrets are made after `pulumi up`
 * (components/gcp/identity.ts). The condition must keep it to the environment's secrets, whose
 * IDs share its service accounts' prefix (components/model/naming.ts `secretAccessCondition`).
 */
const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

/** Whether a grant's IAM condition is exactly `resource.name.startsWith("projects/<p>/secrets/<prefix>")`. */
function scopedToOwnSecrets(props: Record<string, any>, secretIdPrefix: string): boolean {
    const expression = peek(() => props.condition?.expression);
    if (typeof expression !== "string") {
        return false;
    }
    const escaped = secretIdPrefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return new RegExp(`^resource\\.name\\.startsWith\\("projects/[^/"]+/secrets/${escaped}"\\)$`).test(expression.trim());
}

interface ProjectGrantConfig {
    serviceAccountPrefix: string;
    namespace: string;
    members: string[];
    allowedIdentityRoles: string[];
    allowedMemberRoles: string[];
}

export const projectGrantsAllowed: ResourceValidationPolicy = {
    name: "project-grants-allowed",
    description:
        "Project-level grants to this environment's identities or its access.members use only the allowed roles; everything else is granted on the environment's own resources. " +
        "Its identities may also read secrets, under a condition that keeps them to the environment's own (`projects/<p>/secrets/<serviceAccountPrefix>*`).",
    configSchema: {
        properties: {
            serviceAccountPrefix: { type: "string", description: "Account ID prefix of this environment's service accounts, e.g. mf-dev-" },
            namespace: { type: "string", description: "Kubernetes namespace whose Workload Identity members are this environment's" },
            members: { type: "array", items: { type: "string" }, default: [], description: "The stack's access.members" },
            allowedIdentityRoles: { type: "array", items: { type: "string" }, description: "Project roles this environment's service accounts may hold" },
            allowedMemberRoles: { type: "array", items: { type: "string" }, description: "Project roles access.members may hold" },
        },
        required: ["serviceAccountPrefix", "namespace", "allowedIdentityRoles", "allowedMemberRoles"],
    },
    validateResource: (args, report) => {
        if (!(PROJECT_IAM_TYPES as readonly string[]).includes(args.type)) {
            return;
        }
        const c = args.getConfig<ProjectGrantConfig>();
        for (const { role, member } of grantPairs(args.props)) {
            const identity = member.startsWith(`serviceAccount:${c.serviceAccountPrefix}`) || member.includes(`.svc.id.goog[${c.namespace}/`);
            const accessMember = c.members.includes(member);
            if (!identity && !accessMember) {
                continue;
            }
            const allowed = identity ? c.allowedIdentityRoles : c.allowedMemberRoles;
            if (identity && role === SECRET_ACCESSOR_ROLE && scopedToOwnSecrets(args.props, c.serviceAccountPrefix)) {
                continue;
            }
            if (identity && role === SECRET_ACCESSOR_ROLE) {
                report(
                    `${describe(args)} grants ${role} to ${member} on every secret of the project; ` +
                        `it needs the IAM condition resource.name.startsWith("projects/<project number>/secrets/${c.serviceAccountPrefix}") and nothing else, so the environment reads only its own secrets.`,
                );
                continue;
            }
            if (!allowed.includes(role)) {
                report(
                    `${describe(args)} grants ${role} on the whole project to ${member}, ${identity ? "an identity of this environment" : "one of access.members"}; ` +
                        `allowed project roles: ${allowed.join(", ") || "none"}. Grant it on the environment's own bucket, registry or cluster namespace instead.`,
                );
            }
        }
    },
};

/** Role/member pairs of a grant: `role` with `member(s)`, or each binding of a policy document. */
function grantPairs(props: Record<string, any>): Array<{ role: string; member: string }> {
    const role = peek(() => props.role);
    if (typeof role === "string") {
        return grantMembers(props).map((member) => ({ role, member }));
    }
    const policyData = peek(() => props.policyData);
    if (typeof policyData !== "string") {
        return [];
    }
    try {
        const doc = JSON.parse(policyData) as { bindings?: Array<{ role?: string; members?: string[] }> };
        return (doc.bindings ?? []).flatMap((b) => (b.members ?? []).map((member) => ({ role: b.role ?? "", member })));
    } catch {
        return [];
    }
}

/**
 * Members that are people: users, groups, whole domains, workforce-identity principals, and the
 * `deleted:` forms IAM keeps for removed ones (IAM docs, "Principal identifiers"). Service
 * accounts and workload identities are not.
 */
const PEOPLE = /^(deleted:)?(user|group|domain):|^principal(Set)?:\/\/iam\.googleapis\.com\/locations\/global\/workforcePools\//;

/**
 * Roles that administer a whole project, or a whole service in it: the basic owner and editor
 * roles and every predefined administrator role, `roles/<service>.admin` or
 * `roles/<service>.<x>Admin` (roles/storage.admin, roles/container.admin,
 * roles/resourcemanager.projectIamAdmin, roles/iam.securityAdmin, ...).
 */
export function isBroadRole(role: string): boolean {
    return role === "roles/owner" || role === "roles/editor" || /^roles\/\w+\.(admin|\w*Admin)$/.test(role);
}

/** IAM resources that grant on a whole project, folder or organization, and what they cover. */
const WIDE_GRANTS: Record<string, string> = {
    ...Object.fromEntries(PROJECT_IAM_TYPES.map((t) => [t, "the whole project"])),
    "gcp:folder/iAMMember:IAMMember": "a whole folder",
    "gcp:folder/iAMBinding:IAMBinding": "a whole folder",
    "gcp:folder/iAMPolicy:IAMPolicy": "a whole folder",
    "gcp:organizations/iAMMember:IAMMember": "the whole organization",
    "gcp:organizations/iAMBinding:IAMBinding": "the whole organization",
    "gcp:organizations/iAMPolicy:IAMPolicy": "the whole organization",
};

export const noBroadRolesToPeople: ResourceValidationPolicy = {
    name: "no-broad-roles-to-people",
    description:
        "No person or group (user:, group:, domain:, workforce principals) gets owner, editor or an administrator role (roles/*.admin, roles/*.*Admin) on a whole project, folder or organization; " +
        "a grant that may be one but is not known before the update runs is refused too.",
    validateResource: (args, report) => {
        const scope = WIDE_GRANTS[args.type];
        if (!scope) {
            return;
        }
        for (const finding of broadGrantsToPeople(args.props)) {
            report(`${describe(args)} ${finding} on ${scope}. People get their access on the environment's own bucket, registry and namespace (access.members); administration stays with the deploying identity.`);
        }
    },
};

/** True when a value, or an item of it, is not known before the update runs. */
function unknownIn(read: () => unknown): boolean {
    const value = peek(read);
    return value === UNKNOWN || (Array.isArray(value) && Object.keys(value).some((k) => peek(() => (value as unknown[])[Number(k)]) === UNKNOWN));
}

/**
 * What a wide grant gives people, one phrase each. On a first preview a role, a member or a policy
 * document may still be unknown: a grant that could then be a broad role for a person is refused,
 * since the policy must decide before anything exists.
 */
function broadGrantsToPeople(props: Record<string, any>): string[] {
    if (unknownIn(() => props.role)) {
        const people = grantMembers(props).filter((m) => PEOPLE.test(m));
        return people.length > 0 ? [`grants a role not known before the update runs to ${people.join(", ")}`] : [];
    }
    if (unknownIn(() => props.policyData)) {
        return ["sets the whole IAM policy from a document not known before the update runs"];
    }
    const found = grantPairs(props)
        .filter(({ role, member }) => isBroadRole(role) && PEOPLE.test(member))
        .map(({ role, member }) => `grants ${role} to ${member}`);
    const role = peek(() => props.role);
    if (typeof role === "string" && isBroadRole(role) && (unknownIn(() => props.member) || unknownIn(() => props.members))) {
        found.push(`grants ${role} to a member not known before the update runs (it may be a person)`);
    }
    return found;
}

export const iamPolicies = [noPublicPrincipals, projectGrantsAllowed, noBroadRolesToPeople];
