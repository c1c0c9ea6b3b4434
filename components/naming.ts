/**
 * Names and labels, decided in one place so the GCP side (Workload Identity bindings) and the
 * Kubernetes side (service accounts) cannot drift apart.
 */
import type { PlatformConfig } from "./config";

/** `metaflow-<env>-<suffix>`, the name of an environment's resource. */
export function resourceName(environment: string, suffix: string): string {
    return `metaflow-${environment}-${suffix}`;
}

/** A service account ID (6-30 characters): `mf-<env>-<role>`. */
export function serviceAccountId(environment: string, role: string): string {
    const id = `mf-${environment}-${role}`;
    if (id.length > 30) {
        throw new Error(`service account ID "${id}" is longer than 30 characters; shorten the environment name`);
    }
    return id;
}

/** Labels every labelable resource carries; `environment` is what the policy pack checks. */
export function platformLabels(cfg: Pick<PlatformConfig, "environment" | "labels">): Record<string, string> {
    return {
        ...cfg.labels,
        app: "metaflow",
        environment: cfg.environment,
        "managed-by": "pulumi",
    };
}

/** Kubernetes service accounts that act as the task Google service account. */
export interface KubernetesIdentities {
    /** Pods of Metaflow steps (`METAFLOW_KUBERNETES_SERVICE_ACCOUNT`). */
    readonly task: string;
    /** Argo workflow pods that run Metaflow steps on a schedule or trigger. */
    readonly argoWorkflow: string;
    /** Argo Events sensors that submit workflows. */
    readonly argoEvents: string;
    /** Metaflow metadata service and UI backend (read the datastore for the UI). */
    readonly services: string;
}

export const KUBERNETES_IDENTITIES: KubernetesIdentities = {
    task: "metaflow-task",
    argoWorkflow: "argo-workflow",
    argoEvents: "argo-events-sensor",
    services: "metaflow-services",
};

/** `serviceAccount:<project>.svc.id.goog[<namespace>/<ksa>]`, a Workload Identity member. */
export function workloadIdentityMember(project: string, namespace: string, ksa: string): string {
    return `serviceAccount:${project}.svc.id.goog[${namespace}/${ksa}]`;
}
