import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Airflow } from "./airflow";
import type { DatabaseConnection } from "./databaseConnection";
import { ArgoEvents } from "./argoEvents";
import { ArgoWorkflows } from "./argoWorkflows";
import { AIRFLOW_WEBSERVER } from "./specs/airflowValues";
import { appLabels, servicePorts, zoneSpread, type AppLabels, type ServedPodSpec } from "./specs/kubernetesObjects";
import { childOptions, nestedLegacyAlias, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { KUBERNETES_IDENTITIES, TASK_IDENTITY_USERS, defaultNamespace, type KubernetesIdentities } from "../model/naming";
import { DB_SECRET, metadataPodSpec, migrationJobName, migrationPodSpec, uiBackendPodSpec } from "./specs/servicePods";
import { METADATA_SERVICE_IMAGE } from "./specs/versions";
import { AIRFLOW_KSA, SERVICE_NAMES, SERVICE_PORTS } from "../model/wellKnown";
import { STANDALONE_DEFAULTS as PRODUCTION } from "../model/profiles";
import { ROLLING_UPDATE_SURGE } from "../model/sizing";

/** What Airflow needs from the Google Cloud half (AirflowCloud). */
export interface MetaflowServicesAirflowArgs {
    /** Google service account Airflow's KSA acts as (Workload Identity). */
    readonly googleServiceAccountEmail: pulumi.Input<string>;
    /** Datastore bucket: DAGs under airflow/dags, task logs under airflow/logs. */
    readonly bucketName: pulumi.Input<string>;
    /** Airflow's own database and user on the Cloud SQL instance. */
    readonly database: DatabaseConnection;
}

export interface MetaflowServicesArgs {
    /** Environment name (`dev`, `prod`): the `app.kubernetes.io/instance` label and the default namespace. */
    readonly environment: string;
    /**
     * Kubernetes namespace, created here. Workload Identity pools are per project, so two
     * environments in one project must not share it. Default: `metaflow-<environment>`.
     */
    readonly namespace?: string;
    /** Google service account the task and services KSAs act as (Workload Identity; see TASK_IDENTITY_USERS). */
    readonly taskServiceAccountEmail: pulumi.Input<string>;
    /**
     * Where the metadata service finds Cloud SQL. Without a database only the namespace and the
     * Workload Identity service accounts are created (steps run with local metadata), and the
     * switches below have no effect. Default: none.
     */
    readonly database?: DatabaseConnection;
    /** `gs://<bucket>/metaflow`: where the UI backend's Metaflow client reads artifacts and logs. */
    readonly datastoreRoot: pulumi.Input<string>;
    /**
     * `https://<hostname>` when the IAP endpoint serves the services (MetaflowEndpoint): Argo's UI
     * then lives under /argo/. Default: none (the services are reached through `npm run tunnel`).
     */
    readonly publicBaseUrl?: string;
    /**
     * Metadata service replicas, also those of the Argo controller and server and of Airflow's
     * scheduler, webserver and triggerer. More than one spreads them over zones and adds
     * PodDisruptionBudgets. Default: 2 (the production profile's: a rollout or node drain never takes the service down).
     */
    readonly metadataReplicas?: number;
    /** Deploy the UI backend, which serves the UI bundled in its image. Default: true. */
    readonly ui?: boolean;
    /** UI backend replicas (each holds its own database pools, see sizing.ts). Default: 2 (the production profile's). */
    readonly uiReplicas?: number;
    /**
     * Most connections the metadata service's pool opens per replica (MF_METADATA_DB_POOL_MAX);
     * count them against the database's max_connections. Default: 10 (metaflow-service's own).
     */
    readonly metadataDbPoolMax?: number;
    /** Most connections each of the UI backend's six pools opens per replica. Default: 10 (metaflow-service's own). */
    readonly uiDbPoolMax?: number;
    /**
     * Surge pods of the metadata service's and UI backend's rollouts: 1 keeps them serving through
     * a rollout; 0 restarts each in place (maxUnavailable 1) and spares the connections a surge
     * pod's pools would open. Default: 1.
     */
    readonly rolloutSurge?: number;
    /** Deploy Argo Workflows (`python flow.py argo-workflows create`). Default: true. */
    readonly argoWorkflows?: boolean;
    /** Deploy Argo Events for `@trigger` (needs Argo Workflows). Default: false. */
    readonly argoEvents?: boolean;
    /** Deploy Airflow as the orchestrator, with what it needs from Google Cloud. Default: none (no Airflow). */
    readonly airflow?: MetaflowServicesAirflowArgs;
    /** Where the Helm charts come from (ArgoWorkflowsArgs.chartSource). Default: their public repositories. */
    readonly chartSource?: string;
}

/**
 * Defaults of the optional MetaflowServicesArgs (the namespace's is `metaflow-<environment>`).
 * Pool sizes are metaflow-service's own when unset (Netflix/metaflow-service v2.5.0
 * services/utils/__init__.py, DBConfiguration: pool_max=10, the aiopg default).
 */
export const METAFLOW_SERVICES_DEFAULTS = {
    metadataReplicas: PRODUCTION.replicas as number,
    ui: PRODUCTION.services.ui as boolean,
    uiReplicas: PRODUCTION.replicas as number,
    metadataDbPoolMax: PRODUCTION.services.metadataDbPoolMax as number,
    uiDbPoolMax: PRODUCTION.services.uiDbPoolMax as number,
    rolloutSurge: ROLLING_UPDATE_SURGE as number,
    argoWorkflows: PRODUCTION.services.argoWorkflows as boolean,
    argoEvents: false,
} as const;

/** MetaflowServicesArgs with every default applied. */
type ServicesSettings = Required<Omit<MetaflowServicesArgs, "database" | "publicBaseUrl" | "airflow" | "chartSource">> &
    Pick<MetaflowServicesArgs, "database" | "publicBaseUrl" | "airflow" | "chartSource">;

/** The one place MetaflowServicesArgs' defaults are applied. */
function servicesSettings(args: MetaflowServicesArgs): ServicesSettings {
    return withDefaults({ ...METAFLOW_SERVICES_DEFAULTS, namespace: defaultNamespace(args.environment) }, args);
}

/** The Kubernetes service accounts of the platform (names in KUBERNETES_IDENTITIES). */
export interface MetaflowServiceAccounts {
    readonly task: k8s.core.v1.ServiceAccount;
    readonly argoWorkflow: k8s.core.v1.ServiceAccount;
    readonly argoEvents: k8s.core.v1.ServiceAccount;
    readonly services: k8s.core.v1.ServiceAccount;
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
    public readonly serviceAccounts: MetaflowServiceAccounts;
    /** Service of the Argo Workflows server (UI and API); undefined when Argo Workflows is not deployed. */
    public readonly argoServerService?: string;
    /** In-cluster URL of the Argo Events webhook (METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL); undefined without Argo Events. */
    public readonly argoEventsWebhookUrl?: string;
    /** Service of Airflow's web UI; undefined when Airflow is not deployed. */
    public readonly airflowWebserverService?: string;

    constructor(name: string, args: MetaflowServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetaflowServices"), name, {}, withLegacyType("MetaflowServices", opts));
        const s = servicesSettings(args);
        if (s.argoEvents && !s.argoWorkflows) {
            throw new pulumi.ResourceError("MetaflowServices: argoEvents needs argoWorkflows (Argo Events triggers Argo Workflows); set argoWorkflows to true or argoEvents to false", this);
        }
        const parent = childOptions(this, opts);
        this.namespace = s.namespace;
        this.metadataInternalUrl = `http://${SERVICE_NAMES.metadata}.${s.namespace}.svc.cluster.local:${SERVICE_PORTS.metadata}`;

        const namespace = this.createNamespace(name, args.environment, parent);
        this.serviceAccounts = this.createServiceAccounts(name, args.taskServiceAccountEmail, withDependencies(parent, namespace));

        if (s.database) {
            this.deployMetaflowServices(name, s, s.database, withDependencies(parent, namespace));
            const argoWorkflows = s.argoWorkflows ? this.deployArgoWorkflows(name, s, namespace) : undefined;
            this.argoServerService = argoWorkflows?.serverService;
            this.argoEventsWebhookUrl = argoWorkflows && s.argoEvents ? this.deployArgoEvents(name, s, namespace, argoWorkflows).internalWebhookUrl : undefined;
            this.airflowWebserverService = s.airflow ? this.deployAirflow(name, s, s.airflow, namespace) : undefined;
        }

        this.registerOutputs({
            namespace: this.namespace,
            metadataInternalUrl: this.metadataInternalUrl,
            argoServerService: this.argoServerService,
            argoEventsWebhookUrl: this.argoEventsWebhookUrl,
            airflowWebserverService: this.airflowWebserverService,
        });
    }

    private createNamespace(name: string, environment: string, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
        const labels = {
            "app.kubernetes.io/part-of": "metaflow",
            environment,
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
        };
        return new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: this.namespace, labels } }, opts);
    }

    private createServiceAccounts(name: string, taskServiceAccountEmail: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): MetaflowServiceAccounts {
        const serviceAccount = (key: keyof KubernetesIdentities) =>
            new k8s.core.v1.ServiceAccount(
                `${name}-sa-${KUBERNETES_IDENTITIES[key]}`,
                {
                    metadata: {
                        name: KUBERNETES_IDENTITIES[key],
                        namespace: this.namespace,
                        // Workload Identity: pods with this KSA get the task GSA's short-lived tokens.
                        annotations: TASK_IDENTITY_USERS.includes(key) ? { "iam.gke.io/gcp-service-account": taskServiceAccountEmail } : undefined,
                    },
                },
                opts,
            );
        return { task: serviceAccount("task"), argoWorkflow: serviceAccount("argoWorkflow"), argoEvents: serviceAccount("argoEvents"), services: serviceAccount("services") };
    }

    /**
     * The database Secret, the schema migrations and the metadata service and UI backend.
     * Migrations run once per metadata-service version, in a Job named after the image tag,
     * before the metadata Deployment rolls out (see migrationPodSpec for why never in an init
     * container).
     */
    private deployMetaflowServices(name: string, s: ServicesSettings, db: DatabaseConnection, inNamespace: pulumi.CustomResourceOptions): void {
        const dbSecret = new k8s.core.v1.Secret(
            `${name}-db-secret`,
            {
                metadata: { name: DB_SECRET.name, namespace: this.namespace },
                type: "Opaque",
                stringData: { [DB_SECRET.key]: pulumi.secret(db.password) },
            },
            inNamespace,
        );
        const afterSecret = withDependencies(inNamespace, dbSecret, this.serviceAccounts.services);
        const migrations = this.migrationJob(name, s, db, afterSecret);
        deployApp(
            name,
            {
                name: SERVICE_NAMES.metadata,
                namespace: this.namespace,
                labels: appLabels("metadata", s.environment),
                replicas: s.metadataReplicas,
                rolloutSurge: s.rolloutSurge,
                podSpec: metadataPodSpec(db, s.metadataDbPoolMax),
            },
            afterSecret,
            [migrations],
        );
        if (s.ui) {
            const podSpec = uiBackendPodSpec({ database: db, poolMax: s.uiDbPoolMax, datastoreRoot: s.datastoreRoot, metadataUrl: this.metadataInternalUrl });
            const labels = appLabels("ui-backend", s.environment);
            deployApp(name, { name: SERVICE_NAMES.uiBackend, namespace: this.namespace, labels, replicas: s.uiReplicas, rolloutSurge: s.rolloutSurge, podSpec }, afterSecret);
        }
    }

    /**
     * The Job that migrates the schema for this image version. One pod at a time
     * (parallelism 1), and a retry only once the previous pod has fully terminated
     * (podReplacementPolicy Failed), so `goose up` never runs twice at once. The name carries
     * the tag: a new version is a new Job, created (and awaited by Pulumi) before the
     * Deployment changes. A changed database target changes the immutable pod template, so the
     * Job is replaced and migrates the new database too.
     */
    private migrationJob(name: string, s: ServicesSettings, db: DatabaseConnection, opts: pulumi.CustomResourceOptions): k8s.batch.v1.Job {
        const labels = appLabels("db-migrations", s.environment);
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
                    template: { metadata: { labels: labels.labels }, spec: migrationPodSpec(db, s.metadataDbPoolMax) },
                },
            },
            opts,
        );
    }

    private deployArgoWorkflows(name: string, s: ServicesSettings, namespace: k8s.core.v1.Namespace): ArgoWorkflows {
        return new ArgoWorkflows(
            `${name}-argo-workflows`,
            {
                namespace: this.namespace,
                workflowServiceAccounts: [KUBERNETES_IDENTITIES.argoWorkflow, KUBERNETES_IDENTITIES.task],
                replicas: s.metadataReplicas,
                // Behind the endpoint the UI lives under /argo/ (the load balancer strips it).
                baseHref: s.publicBaseUrl ? "/argo/" : undefined,
                chartSource: s.chartSource,
            },
            { parent: this, dependsOn: [namespace, this.serviceAccounts.argoWorkflow, this.serviceAccounts.task], aliases: [nestedLegacyAlias("MetaflowServices", name, "ArgoWorkflows")] },
        );
    }

    private deployArgoEvents(name: string, s: ServicesSettings, namespace: k8s.core.v1.Namespace, argoWorkflows: ArgoWorkflows): ArgoEvents {
        return new ArgoEvents(
            `${name}-argo-events`,
            { namespace: this.namespace, sensorServiceAccount: KUBERNETES_IDENTITIES.argoEvents, highAvailability: s.metadataReplicas > 1, chartSource: s.chartSource },
            { parent: this, dependsOn: [namespace, this.serviceAccounts.argoEvents, argoWorkflows], aliases: [nestedLegacyAlias("MetaflowServices", name, "ArgoEvents")] },
        );
    }

    /** Airflow; returns its webserver's Service. */
    private deployAirflow(name: string, s: ServicesSettings, airflow: MetaflowServicesAirflowArgs, namespace: k8s.core.v1.Namespace): string {
        new Airflow(
            `${name}-airflow`,
            {
                namespace: this.namespace,
                serviceAccount: AIRFLOW_KSA,
                googleServiceAccountEmail: airflow.googleServiceAccountEmail,
                bucketName: airflow.bucketName,
                database: airflow.database,
                replicas: s.metadataReplicas,
                chartSource: s.chartSource,
            },
            { parent: this, dependsOn: [namespace], aliases: [nestedLegacyAlias("MetaflowServices", name, "Airflow")] },
        );
        return AIRFLOW_WEBSERVER.service;
    }
}

/** One long-running app, described once: its Deployment, Service and PodDisruptionBudget follow from it. */
export interface AppDescription {
    /** Kubernetes name of the Deployment, its Service and its PodDisruptionBudget. */
    readonly name: string;
    readonly namespace: string;
    /** Labels of every object; the Service, PDB, Deployment selector and zone spread use `selectorLabels`. */
    readonly labels: AppLabels;
    /** Pods; more than one spreads them over zones and adds a PodDisruptionBudget (minAvailable 1). */
    readonly replicas: number;
    /** The pod; the Service exposes each named container port under its name and number. */
    readonly podSpec: ServedPodSpec;
    /** Extra pods a rollout starts first (maxSurge); 0 replaces pods in place (maxUnavailable 1). Default: 1. */
    readonly rolloutSurge?: number;
}

/** The objects deployApp creates. */
export interface DeployedApp {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    /** Only with more than one replica. */
    readonly podDisruptionBudget?: k8s.policy.v1.PodDisruptionBudget;
}

/** A Deployment's rolling update: `surge` extra pods first, or with none one pod down at a time. */
export function rollingUpdate(surge: number): { maxSurge: number; maxUnavailable: number } {
    return { maxSurge: surge, maxUnavailable: surge > 0 ? 0 : 1 };
}

/**
 * Creates an app's Deployment (rolling, one extra pod at a time, never fewer than asked, unless
 * `rolloutSurge` is 0), the
 * ClusterIP Service selecting its pods on the ports its containers name, and with more than one
 * replica a PodDisruptionBudget, so node upgrades drain one pod at a time. Pulumi names:
 * `<prefix>-<app>`, `<prefix>-<app>-svc`, `<prefix>-<app>-pdb`. The Deployment and PDB also
 * wait for `rolloutAfter` (a migration Job); the Service need not.
 */
export function deployApp(prefix: string, app: AppDescription, opts: pulumi.CustomResourceOptions, rolloutAfter: pulumi.Resource[] = []): DeployedApp {
    const selector = app.labels.selectorLabels;
    const metadata = { name: app.name, namespace: app.namespace, labels: app.labels.labels };
    const rolloutOpts = withDependencies(opts, ...rolloutAfter);
    const spread = app.replicas > 1;
    const deployment = new k8s.apps.v1.Deployment(
        `${prefix}-${app.name}`,
        {
            metadata,
            spec: {
                replicas: app.replicas,
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: rollingUpdate(app.rolloutSurge ?? ROLLING_UPDATE_SURGE) },
                template: {
                    metadata: { labels: app.labels.labels },
                    spec: spread ? { ...app.podSpec, topologySpreadConstraints: zoneSpread(selector) } : app.podSpec,
                },
            },
        },
        rolloutOpts,
    );
    const podDisruptionBudget = spread
        ? new k8s.policy.v1.PodDisruptionBudget(`${prefix}-${app.name}-pdb`, { metadata, spec: { minAvailable: 1, selector: { matchLabels: selector } } }, rolloutOpts)
        : undefined;
    const service = new k8s.core.v1.Service(
        `${prefix}-${app.name}-svc`,
        {
            metadata: { name: app.name, namespace: app.namespace, labels: selector },
            spec: { type: "ClusterIP", selector, ports: servicePorts(app.podSpec) },
        },
        opts,
    );
    return { deployment, service, podDisruptionBudget };
}
