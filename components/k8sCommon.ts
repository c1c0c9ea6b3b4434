/** Shared pieces of the Kubernetes objects the services create. */
import type * as k8s from "@pulumi/kubernetes";

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
