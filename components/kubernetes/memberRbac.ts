import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MEMBER_RBAC_RULES, MEMBER_ROLE_NAME, rbacSubject } from "../model/memberAccess";
import { childOptions, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { PLATFORM_LABELS } from "./specs/kubernetesObjects";

export interface MemberRbacArgs {
    /** The Metaflow namespace; the Role and RoleBinding live there and grant nothing outside it. */
    readonly namespace: string;
    /**
     * IAM principals (`user:`, `group:`, `serviceAccount:`) who run and schedule flows; GKE
     * authenticates them, this binding authorizes them.
     */
    readonly members: string[];
}

/**
 * The in-cluster half of `access.members`: one namespaced Role with MEMBER_RBAC_RULES (what
 * `run --with kubernetes`, `argo-workflows create/trigger` and `npm run tunnel` call) and one
 * RoleBinding naming each member as GKE presents it (users and service accounts as User, groups
 * as Group). Never a ClusterRole or ClusterRoleBinding.
 */
export class MemberRbac extends pulumi.ComponentResource {
    public readonly role: k8s.rbac.v1.Role;

    constructor(name: string, args: MemberRbacArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MemberRbac"), name, {}, withLegacyType("MemberRbac", opts));
        const parent = childOptions(this, opts);
        const labels = { ...PLATFORM_LABELS };

        this.role = new k8s.rbac.v1.Role(
            `${name}-role`,
            { metadata: { name: MEMBER_ROLE_NAME, namespace: args.namespace, labels }, rules: MEMBER_RBAC_RULES },
            parent,
        );
        new k8s.rbac.v1.RoleBinding(
            `${name}-binding`,
            {
                metadata: { name: MEMBER_ROLE_NAME, namespace: args.namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: MEMBER_ROLE_NAME },
                subjects: args.members.map(rbacSubject),
            },
            withDependencies(parent, this.role),
        );
        this.registerOutputs({ role: MEMBER_ROLE_NAME });
    }
}
