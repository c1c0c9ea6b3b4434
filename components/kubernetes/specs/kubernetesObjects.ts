/**
 * Shared pieces of the Kubernetes objects the platform creates: recommended labels, security
 * contexts, probes, zone spread, and the shape of a pod a Service fronts. Plain objects typed
 * with @pulumi/kubernetes' input types (type imports only); the resource layer turns them into
 * objects.
 */
import type * as k8s from "@pulumi/kubernetes";

type Labels = Record<string, string>;

/** An app's labels: all of them for the objects, the stable subset for selectors. */
export interface AppLabels {
    readonly labels: Labels;
    /** What a Service, PodDisruptionBudget or spread constraint selects on; never changes for a running app. */
    readonly selectorLabels: Labels;
}

/** The recommended labels every object of the platform carries (Kubernetes "Recommended Labels"). */
export const PLATFORM_LABELS = { "app.kubernetes.io/part-of": "metaflow", "app.kubernetes.io/managed-by": "pulumi" } as const;

/** Recommended labels; `selectorLabels` is the stable subset a Service or PDB selects on. */
export function appLabels(component: string, environment: string): AppLabels {
    const selectorLabels = {
        "app.kubernetes.io/name": "metaflow",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/instance": environment,
    };
    return { selectorLabels, labels: { ...selectorLabels, ...PLATFORM_LABELS } };
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

/** A container port a Service exposes: the Service port takes its number and targets its name. */
export interface NamedPort {
    readonly name: string;
    readonly containerPort: number;
}

/** A container whose ports are all named, so a Service can be derived from it. */
export interface ServedContainer extends k8s.types.input.core.v1.Container {
    readonly ports: NamedPort[];
}

/** A pod spec whose containers' named ports are what its Service exposes. */
export interface ServedPodSpec extends k8s.types.input.core.v1.PodSpec {
    readonly containers: ServedContainer[];
}

/** The Service ports of a pod: one per named container port, same number, targeted by name. */
export function servicePorts(podSpec: ServedPodSpec): { name: string; port: number; targetPort: string; protocol: "TCP" }[] {
    return podSpec.containers.flatMap((c) => c.ports.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: "TCP" as const })));
}
