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

/** `metaflow-<environment>`: the environment's GKE cluster. */
export function clusterName(environment: string): string {
    return `metaflow-${environment}`;
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

/**
 * `mf-<env>-`: the Secret Manager secret IDs of an environment. `@secrets` in its flows reads only
 * secrets named so (the task identity's grant is conditioned on it, `secretAccessCondition`); the
 * same prefix as its service accounts, so one name rule tells every environment's things apart
 * (environment names are letters and digits, so `mf-dev-` never matches `mf-dev2-...`).
 */
export function secretIdPrefix(environment: string): string {
    return serviceAccountId(environment, "");
}

/**
 * `projects/<number>/secrets/mf-<env>-`, the environment's `METAFLOW_GCP_SECRET_MANAGER_PREFIX`.
 * Metaflow 2.19.39 (`plugins/gcp/gcp_secret_manager_secrets_provider.py`, `get_secret_as_dict`)
 * turns `@secrets(sources=["db-password"])` into `<prefix>db-password/versions/latest` by plain
 * concatenation (`metaflow_config.py`: "it makes a difference whether the prefix ends with a
 * slash"), and exposes it as the env var `db_password`. The project *number*: IAM conditions see
 * Secret Manager resource names as `projects/<project-number>/secrets/<secret-id>`
 * (cloud.google.com/iam/docs/conditions-resource-attributes, resource name format), and
 * Metaflow's own full-name form accepts only digits there (`^projects/\d+/secrets/...`).
 */
export function secretManagerPrefix(projectNumber: string, environment: string): string {
    return `projects/${projectNumber}/secrets/${secretIdPrefix(environment)}`;
}

/**
 * The IAM condition of the task identity's project-level `roles/secretmanager.secretAccessor`:
 * this environment's secrets (and their versions) only, not every secret in the project.
 * `resource.name` is one of the resource attributes Secret Manager supports in conditions
 * (cloud.google.com/iam/docs/conditions-resource-attributes: secretmanager.googleapis.com).
 */
export function secretAccessCondition(projectNumber: string, environment: string): { title: string; description: string; expression: string } {
    return {
        title: `${secretIdPrefix(environment)}* secrets only`,
        description: `Metaflow ${environment} steps read the environment's own secrets (@secrets), nothing else in Secret Manager.`,
        expression: `resource.name.startsWith("${secretManagerPrefix(projectNumber, environment)}")`,
    };
}
