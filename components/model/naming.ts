/**
 * Names and labels, decided in one place so the GCP side (Workload Identity bindings) and the
 * Kubernetes side (service accounts) cannot drift apart.
 */

/** `metaflow-<env>-<suffix>`, the name of an environment's resource. */
export function resourceName(environment: string, suffix: string): string {
    return `metaflow-${environment}-${suffix}`;
}

/** `<project>-metaflow-<environment>`: the default bucket name, globally unique as long as the project ID is. */
export function defaultBucketName(project: string, environment: string): string {
    return `${project}-metaflow-${environment}`;
}

/** `metaflow-<environment>`: the default Kubernetes namespace of an environment's services and steps. */
export function defaultNamespace(environment: string): string {
    return `metaflow-${environment}`;
}

/** A service account ID (6-30 characters): `mf-<env>-<role>`. */
export function serviceAccountId(environment: string, role: string): string {
    const id = `mf-${environment}-${role}`;
    if (id.length > 30) {
        throw new Error(`service account ID "${id}" is longer than 30 characters; shorten the environment name`);
    }
    return id;
}

/**
 * `<accountId>@<project>.iam.gserviceaccount.com`, the email GCP gives a service account. Built
 * from what we choose rather than read from the account's `email` output: the value is then
 * known in a first `pulumi preview`, so IAM grants and node pools can be checked before
 * anything exists. Users of it must depend on the account resource explicitly.
 */
export function serviceAccountEmail(project: string, accountId: string): string {
    return `${accountId}@${project}.iam.gserviceaccount.com`;
}

/** Labels every labelable resource carries; `environment` is what the policy pack checks. */
export function platformLabels(cfg: { readonly environment: string; readonly labels: Readonly<Record<string, string>> }): Record<string, string> {
    return {
        ...cfg.labels,
        app: "metaflow",
        environment: cfg.environment,
        "managed-by": "pulumi",
    };
}

/** The Kubernetes service accounts of an environment's namespace. */
export interface KubernetesIdentities {
    /**
     * Pods of Metaflow steps (`METAFLOW_KUBERNETES_SERVICE_ACCOUNT`), also when Argo runs them:
     * Metaflow's Argo compiler puts this account on every template it emits (steps, exit hooks,
     * heartbeat daemon; `plugins/argo/argo_workflows.py`, Metaflow 2.19.39).
     */
    readonly task: string;
    /**
     * Bound to the Argo workflow Role for workflows submitted without Metaflow (argo CLI/UI).
     * Kubernetes API only: no Google identity.
     */
    readonly argoWorkflow: string;
    /**
     * Argo Events sensors (`METAFLOW_ARGO_EVENTS_SERVICE_ACCOUNT`): a sensor only creates
     * Workflow objects through the Kubernetes API, so it gets no Google identity.
     */
    readonly argoEvents: string;
    /** Metaflow metadata service and UI backend (the UI backend reads the datastore). */
    readonly services: string;
}

export const KUBERNETES_IDENTITIES: KubernetesIdentities = {
    task: "metaflow-task",
    argoWorkflow: "argo-workflow",
    argoEvents: "argo-events-sensor",
    services: "metaflow-services",
};

/**
 * The Kubernetes service accounts that act as the task Google service account (Workload
 * Identity): only pods that read or write the datastore bucket. The Argo accounts talk to the
 * Kubernetes API alone and get no Google identity.
 */
export const TASK_IDENTITY_USERS: ReadonlyArray<keyof KubernetesIdentities> = ["task", "services"];

/** `serviceAccount:<project>.svc.id.goog[<namespace>/<ksa>]`, a Workload Identity member. */
export function workloadIdentityMember(project: string, namespace: string, ksa: string): string {
    return `serviceAccount:${project}.svc.id.goog[${namespace}/${ksa}]`;
}
