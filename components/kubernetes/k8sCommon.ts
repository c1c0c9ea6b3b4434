/** Shared pieces of the Kubernetes objects the services create. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { withDependencies } from "../options";

type Labels = Record<string, string>;

/** Recommended labels; `selectorLabels` is the stable subset a Service or PDB selects on. */
export function appLabels(component: string, environment: string): { labels: Labels; selectorLabels: Labels } {
    const selectorLabels = {
        "app.kubernetes.io/name": "metaflow",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": environment,
    };
    return { selectorLabels, labels: { ...selectorLabels, "app.kubernetes.io/part-of": "metaflow", "app.kubernetes.io/managed-by": "pulumi" } };
}

/** No privilege escalation, no capabilities, the runtime's seccomp profile. */
export const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
};
export const POD_SECURITY: k8s.types.input.core.v1.PodSecurityContext = { seccompProfile: { type: "RuntimeDefault" } };

/** Spread replicas over zones when there is more than one. */
export function zoneSpread(selectorLabels: Labels): k8s.types.input.core.v1.TopologySpreadConstraint[] {
    return [{ maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selectorLabels } }];
}

/** An HTTP probe on a named port. */
export function httpProbe(path: string, port: string, initialDelaySeconds: number): k8s.types.input.core.v1.Probe {
    return { httpGet: { path, port }, initialDelaySeconds, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 };
}

/** A namespaced Role and the RoleBinding that grants it to service accounts of that namespace. */
export function boundRole(
    resourceName: string,
    role: { name: string; namespace: string; rules: k8s.types.input.rbac.v1.PolicyRule[]; serviceAccounts: string[] },
    opts: pulumi.CustomResourceOptions,
): k8s.rbac.v1.Role {
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
