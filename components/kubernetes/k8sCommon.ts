/** Kubernetes objects more than one component creates. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { withDependencies } from "../options";

/** A namespaced Role and the service accounts of that namespace it is granted to. */
export interface BoundRoleSpec {
    /** Name of the Role and of its RoleBinding. */
    readonly name: string;
    readonly namespace: string;
    readonly rules: k8s.types.input.rbac.v1.PolicyRule[];
    /** Service accounts (of `namespace`) the RoleBinding names. */
    readonly serviceAccounts: string[];
}

/** A namespaced Role and the RoleBinding that grants it to service accounts of that namespace. */
export function boundRole(resourceName: string, role: BoundRoleSpec, opts: pulumi.CustomResourceOptions): k8s.rbac.v1.Role {
    const created = new k8s.rbac.v1.Role(`${resourceName}-role`, { metadata: { name: role.name, namespace: role.namespace }, rules: role.rules }, opts);
    new k8s.rbac.v1.RoleBinding(
        `${resourceName}-binding`,
        {
            metadata: { name: role.name, namespace: role.namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.name },
            subjects: role.serviceAccounts.map((sa) => ({ kind: "ServiceAccount", name: sa, namespace: role.namespace })),
        },
        withDependencies(opts, created),
    );
    return created;
}
