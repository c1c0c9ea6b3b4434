import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Airflow, type AirflowDatabase } from "./airflow";
import { AIRFLOW_KSA } from "../gcp/airflowCloud";
import { ArgoEvents } from "./argoEvents";
import { ArgoWorkflows } from "./argoWorkflows";
import type { ServicesConfig } from "../config/config";
import { POD_SECURITY, RESTRICTED_CONTAINER, appLabels, httpProbe, zoneSpread } from "./k8sCommon";
import { KUBERNETES_IDENTITIES, TASK_IDENTITY_USERS } from "../pure/naming";
import { childOptions, withDependencies } from "../options";
import { DB_POOL_MIN } from "../pure/sizing";
import { METADATA_SERVICE_IMAGE } from "../pure/versions";
import { CONTAINER_RESOURCES } from "../pure/workloadRequests";
import { SERVICE_PORTS } from "../pure/wellKnown";

/** Kubernetes Secret holding the database password, and its key. */
export const DB_SECRET = { name: "metaflow-db", key: "password" } as const;
/**
 * Name of the migration Job for a metadata-service image: one Job per version
 * (`netflixoss/metaflow_metadata_service:v2.5.0` -> `metaflow-db-migrations-v2-5-0`).
 */
export function migrationJobName(image: string): string {
    const tag = image.slice(image.lastIndexOf(":") + 1).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    return `metaflow-db-migrations-${tag}`.slice(0, 63).replace(/-+$/, "");
}

/** Python in the metaflow-service image. */
const SERVICE_PYTHON = "/opt/latest/bin/python3";

/** Where the services find the database. */
export interface DatabaseConnection {
    readonly host: pulumi.Input<string>;
    readonly port: number;
    readonly name: pulumi.Input<string>;
    readonly user: pulumi.Input<string>;
    /** Secret output; written only into a Kubernetes Secret. */
    readonly password: pulumi.Output<string>;
}

export interface MetaflowServicesArgs {
    readonly environment: string;
    /** Validated services settings (namespace, replicas, orchestrator flags). */
    readonly settings: ServicesConfig;
    /** Google service account the task and services KSAs act as (Workload Identity; see TASK_IDENTITY_USERS). */
    readonly taskServiceAccountEmail: pulumi.Input<string>;
    /**
     * Where the metadata service finds Cloud SQL. Without a database only the namespace and the
     * Workload Identity service accounts are created: steps run with local metadata.
     */
    readonly database?: DatabaseConnection;
    /** `gs://<bucket>/metaflow` */
    readonly datastoreRoot: pulumi.Input<string>;
    /**
     * `https://<hostname>` when the IAP endpoint serves the services (MetaflowEndpoint): Argo's UI
     * then lives under /argo/. Undefined when they are reached through `npm run tunnel` only.
     */
    readonly publicBaseUrl?: string;
    /** What Airflow needs from the Google Cloud half; required when `settings.airflow` is on. */
    readonly airflow?: {
        readonly googleServiceAccountEmail: pulumi.Input<string>;
        readonly bucketName: pulumi.Input<string>;
        readonly database: AirflowDatabase;
    };
}

/**
 * The Kubernetes half of the platform, deployed in the same `pulumi up` through a provider
 * built from the cluster's outputs: namespace, Workload Identity service accounts, the
 * database Secret, the metadata service (migrations on every rollout, TLS to Cloud SQL), the
 * UI backend serving the UI it bundles, and the orchestrators (Argo Workflows, Argo Events, or
 * Airflow).
 */
export class MetaflowServices extends pulumi.ComponentResource {
    public readonly namespace: string;
    /** In-cluster URL of the metadata service, for pods (METAFLOW_SERVICE_INTERNAL_URL). */
    public readonly metadataInternalUrl: string;
    public readonly serviceAccounts: Record<keyof typeof KUBERNETES_IDENTITIES, k8s.core.v1.ServiceAccount>;
    public readonly argoWorkflows?: ArgoWorkflows;
    public readonly argoEvents?: ArgoEvents;
    public readonly airflow?: Airflow;

    constructor(name: string, args: MetaflowServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:k8s:MetaflowServices", name, {}, opts);
        const s = args.settings;
        const ns = s.namespace;
        const parent = childOptions(this, opts);
        this.namespace = ns;
        this.metadataInternalUrl = `http://metaflow-metadata.${ns}.svc.cluster.local:${SERVICE_PORTS.metadata}`;

        const namespace = new k8s.core.v1.Namespace(
            `${name}-ns`,
            {
                metadata: {
                    name: ns,
                    labels: {
                        "app.kubernetes.io/part-of": "metaflow",
                        environment: args.environment,
                        "pod-security.kubernetes.io/enforce": "baseline",
                        "pod-security.kubernetes.io/warn": "restricted",
                    },
                },
            },
            parent,
        );
        const inNs = withDependencies(parent, namespace);

        const serviceAccount = (key: keyof typeof KUBERNETES_IDENTITIES) =>
            new k8s.core.v1.ServiceAccount(
                `${name}-sa-${KUBERNETES_IDENTITIES[key]}`,
                {
                    metadata: {
                        name: KUBERNETES_IDENTITIES[key],
                        namespace: ns,
                        // Workload Identity: pods with this KSA get the task GSA's short-lived tokens.
                        annotations: TASK_IDENTITY_USERS.includes(key) ? { "iam.gke.io/gcp-service-account": args.taskServiceAccountEmail } : undefined,
                    },
                },
                inNs,
            );
        this.serviceAccounts = {
            task: serviceAccount("task"),
            argoWorkflow: serviceAccount("argoWorkflow"),
            argoEvents: serviceAccount("argoEvents"),
            services: serviceAccount("services"),
        };

        if (!args.database) {
            this.registerOutputs({ namespace: this.namespace });
            return;
        }

        const dbSecret = new k8s.core.v1.Secret(
            `${name}-db-secret`,
            {
                metadata: { name: DB_SECRET.name, namespace: ns },
                type: "Opaque",
                stringData: { [DB_SECRET.key]: args.database.password },
            },
            inNs,
        );

        // Pool sizes per service: counted against max_connections (serviceConnectionUses in sizing.ts).
        const db = args.database;
        const dbEnvWithPool = (poolMax: number): k8s.types.input.core.v1.EnvVar[] => [
            { name: "MF_METADATA_DB_HOST", value: db.host },
            { name: "MF_METADATA_DB_PORT", value: String(db.port) },
            { name: "MF_METADATA_DB_USER", value: db.user },
            { name: "MF_METADATA_DB_NAME", value: db.name },
            { name: "MF_METADATA_DB_PSWD", valueFrom: { secretKeyRef: { name: DB_SECRET.name, key: DB_SECRET.key } } },
            // Cloud SQL enforces TLS (ENCRYPTED_ONLY); without this the service cannot connect.
            { name: "MF_METADATA_DB_SSL_MODE", value: "require" },
            { name: "MF_METADATA_DB_POOL_MIN", value: String(DB_POOL_MIN) },
            { name: "MF_METADATA_DB_POOL_MAX", value: String(poolMax) },
        ];
        const dbEnv = dbEnvWithPool(s.metadataDbPoolMax);
        const afterSecret = withDependencies(inNs, dbSecret, this.serviceAccounts.services);

        // Schema migrations run once per metadata-service version, in a Job named after the image
        // tag, before the Deployment rolls out. Never in an init container: two replicas starting
        // together would run `goose up` twice at once (run_goose.py in metaflow-service v2.5.0
        // calls the goose v3.9.0 CLI, which takes no lock). Never `--only-if-empty-db` either:
        // newer migrations must reach existing databases.
        // The metadata server alone starts: the image's default command (run_script.py) would also
        // start the migration service on 8082 with its unauthenticated `PATCH /upgrade`.
        const migrations = this.migrationJob(name, args.environment, dbEnv, afterSecret);
        const metadata = appLabels("metadata", args.environment);
        this.deployment(name, "metaflow-metadata", s.metadataReplicas, metadata, withDependencies(afterSecret, migrations), {
            serviceAccountName: KUBERNETES_IDENTITIES.services,
            securityContext: POD_SECURITY,
            containers: [
                {
                    name: "metadata",
                    image: METADATA_SERVICE_IMAGE,
                    command: [SERVICE_PYTHON, "-m", "services.metadata_service.server"],
                    ports: [{ name: "http", containerPort: SERVICE_PORTS.metadata }],
                    env: [...dbEnv, { name: "MF_METADATA_PORT", value: String(SERVICE_PORTS.metadata) }],
                    readinessProbe: httpProbe("/ping", "http", 5),
                    livenessProbe: httpProbe("/ping", "http", 30),
                    securityContext: RESTRICTED_CONTAINER,
                    resources: CONTAINER_RESOURCES.metadata,
                },
            ],
        });
        this.service(name, "metaflow-metadata", metadata.selectorLabels, SERVICE_PORTS.metadata, afterSecret);

        if (s.ui) {
            // One origin for the UI and its API: the backend serves the UI bundled in its own image
            // (v2.5.0 bundles metaflow-ui v1.3.13), so the two versions always agree and the
            // browser never calls another origin. No PATH_PREFIX: the bundle's assets are absolute
            // (`/static/...`) and PATH_PREFIX would mount the UI under the prefix as well, so
            // the UI, its assets and the API all live at the root (ui_server.py, frontend.py,
            // metaflow-service v2.5.0); frontend.py tells the UI its API base through
            // `window.METAFLOW_SERVICE`, default "/": this same origin. One wrinkle: the UI page
            // /notifications and the API's GET /notifications share a path (the API wins), so
            // reloading that one page shows JSON.
            const backend = appLabels("ui-backend", args.environment);
            this.deployment(name, "metaflow-ui-backend", s.uiReplicas, backend, afterSecret, {
                serviceAccountName: KUBERNETES_IDENTITIES.services,
                securityContext: POD_SECURITY,
                containers: [
                    {
                        name: "ui-backend",
                        image: METADATA_SERVICE_IMAGE,
                        command: [SERVICE_PYTHON, "-m", "services.ui_backend_service.ui_server"],
                        ports: [{ name: "http", containerPort: SERVICE_PORTS.uiBackend }],
                        env: [
                            ...dbEnvWithPool(s.uiDbPoolMax),
                            { name: "UI_ENABLED", value: "1" },
                            // The Metaflow client inside the backend reads artifacts and logs for the UI.
                            { name: "METAFLOW_DATASTORE_SYSROOT_GS", value: args.datastoreRoot },
                            { name: "METAFLOW_DEFAULT_DATASTORE", value: "gs" },
                            { name: "METAFLOW_DEFAULT_METADATA", value: "service" },
                            { name: "METAFLOW_SERVICE_URL", value: this.metadataInternalUrl },
                        ],
                        readinessProbe: httpProbe("/ping", "http", 10),
                        livenessProbe: httpProbe("/ping", "http", 60),
                        securityContext: RESTRICTED_CONTAINER,
                        resources: CONTAINER_RESOURCES.uiBackend,
                    },
                ],
            });
            this.service(name, "metaflow-ui-backend", backend.selectorLabels, SERVICE_PORTS.uiBackend, afterSecret);
        }

        if (s.argoWorkflows) {
            this.argoWorkflows = new ArgoWorkflows(
                `${name}-argo-workflows`,
                {
                    namespace: ns,
                    workflowServiceAccounts: [KUBERNETES_IDENTITIES.argoWorkflow, KUBERNETES_IDENTITIES.task],
                    replicas: s.metadataReplicas,
                    // Behind the endpoint the UI lives under /argo/ (the load balancer strips it).
                    baseHref: args.publicBaseUrl ? "/argo/" : undefined,
                },
                { parent: this, dependsOn: [namespace, this.serviceAccounts.argoWorkflow, this.serviceAccounts.task] },
            );
        }
        if (s.argoEvents && this.argoWorkflows) {
            this.argoEvents = new ArgoEvents(
                `${name}-argo-events`,
                { namespace: ns, sensorServiceAccount: KUBERNETES_IDENTITIES.argoEvents, highAvailability: s.metadataReplicas > 1 },
                { parent: this, dependsOn: [namespace, this.serviceAccounts.argoEvents, this.argoWorkflows] },
            );
        }
        if (s.airflow) {
            if (!args.airflow) {
                throw new pulumi.ResourceError("services.airflow is on but no Airflow database and identity were passed to MetaflowServices", this);
            }
            this.airflow = new Airflow(
                `${name}-airflow`,
                {
                    namespace: ns,
                    serviceAccount: AIRFLOW_KSA,
                    googleServiceAccountEmail: args.airflow.googleServiceAccountEmail,
                    bucketName: args.airflow.bucketName,
                    database: args.airflow.database,
                    replicas: s.metadataReplicas,
                },
                { parent: this, dependsOn: [namespace] },
            );
        }

        this.registerOutputs({ namespace: this.namespace, metadataInternalUrl: this.metadataInternalUrl });
    }

    /**
     * The Job that migrates the schema for this image version. One pod at a time
     * (parallelism 1), and a retry only once the previous pod has fully terminated
     * (podReplacementPolicy Failed), so `goose up` never runs twice at once. The name carries
     * the tag: a new version is a new Job, created (and awaited by Pulumi) before the
     * Deployment changes. A changed database target changes the immutable pod template, so the
     * Job is replaced and migrates the new database too.
     */
    private migrationJob(name: string, environment: string, dbEnv: k8s.types.input.core.v1.EnvVar[], opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
        const labels = appLabels("db-migrations", environment);
        return new k8s.batch.v1.Job(
            `${name}-db-migrations`,
            {
                metadata: { name: migrationJobName(METADATA_SERVICE_IMAGE), namespace: this.namespace, labels: labels.labels },
                spec: {
                    parallelism: 1,
                    completions: 1,
                    backoffLimit: 4,
                    podReplacementPolicy: "Failed",
                    activeDeadlineSeconds: 900,
                    template: {
                        metadata: { labels: labels.labels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: POD_SECURITY,
                            containers: [
                                {
                                    name: "db-migrations",
                                    image: METADATA_SERVICE_IMAGE,
                                    command: [SERVICE_PYTHON, "/root/run_goose.py", "--wait", "120"],
                                    env: dbEnv,
                                    securityContext: RESTRICTED_CONTAINER,
                                    resources: CONTAINER_RESOURCES.metadataMigrations,
                                },
                            ],
                        },
                    },
                },
            },
            opts,
        );
    }

    private deployment(
        name: string,
        appName: string,
        replicas: number,
        labels: ReturnType<typeof appLabels>,
        opts: pulumi.CustomResourceOptions,
        podSpec: k8s.types.input.core.v1.PodSpec,
    ): k8s.apps.v1.Deployment {
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-${appName}`,
            {
                metadata: { name: appName, namespace: this.namespace, labels: labels.labels },
                spec: {
                    replicas,
                    selector: { matchLabels: labels.selectorLabels },
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: {
                        metadata: { labels: labels.labels },
                        spec: replicas > 1 ? { ...podSpec, topologySpreadConstraints: zoneSpread(labels.selectorLabels) } : podSpec,
                    },
                },
            },
            opts,
        );
        if (replicas > 1) {
            // Node upgrades drain one pod at a time; the service stays up.
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-${appName}-pdb`,
                { metadata: { name: appName, namespace: this.namespace, labels: labels.labels }, spec: { minAvailable: 1, selector: { matchLabels: labels.selectorLabels } } },
                opts,
            );
        }
        return deployment;
    }

    private service(name: string, appName: string, selector: Record<string, string>, port: number, opts: pulumi.CustomResourceOptions): k8s.core.v1.Service {
        return new k8s.core.v1.Service(
            `${name}-${appName}-svc`,
            {
                metadata: { name: appName, namespace: this.namespace, labels: selector },
                spec: { type: "ClusterIP", selector, ports: [{ name: "http", port, targetPort: "http", protocol: "TCP" }] },
            },
            opts,
        );
    }
}
