/**
 * The Helm values of the Airflow release, as a pure function of a few decisions, so tests can
 * check every key and value type against the chart's schema (tests/fixtures/airflow-chart-keys.json)
 * and the component stays declarative. Keys are those apache/airflow `chart/values.schema.json`
 * declares around the pinned 1.16.0 (1.15.0 and 1.18.0); see that fixture for the sources.
 */
import { AIRFLOW_DB } from "../../model/sizing";
import { CONTAINER_RESOURCES } from "../../model/workloadRequests";
import { AIRFLOW_IMAGE, AIRFLOW_PGBOUNCER_IMAGES } from "./versions";

/**
 * Secrets the Airflow release reads, and the key of each the chart's env vars take
 * (apache/airflow chart/templates/_helpers.yaml, "standard_airflow_environment":
 * AIRFLOW__DATABASE__SQL_ALCHEMY_CONN <- `connection`, AIRFLOW__CORE__FERNET_KEY <- `fernet-key`,
 * AIRFLOW__WEBSERVER__SECRET_KEY <- `webserver-secret-key`).
 */
export const AIRFLOW_SECRETS = {
    /** `data.metadataSecretName`: a SQLAlchemy URL. */
    metadata: { name: "airflow-metadata", key: "connection" },
    /** `fernetKeySecretName`: encrypts connections and variables in the database. */
    fernet: { name: "airflow-fernet-key", key: "fernet-key" },
    /** `webserverSecretKeySecretName`: signs webserver sessions; static so restarts keep them. */
    webserver: { name: "airflow-webserver-secret-key", key: "webserver-secret-key" },
    /**
     * `pgbouncer.configSecretName`: `pgbouncer.ini` and `users.txt` (chart 1.16.0
     * templates/pgbouncer/pgbouncer-deployment.yaml mounts both keys; specs/pgbouncer.ts).
     */
    pgbouncerConfig: { name: "airflow-pgbouncer-config", key: "pgbouncer.ini" },
    /** `pgbouncer.metricsExporterSidecar.statsSecretName`: the exporter's DATABASE_URL, key `connection` (the chart's default key). */
    pgbouncerStats: { name: "airflow-pgbouncer-stats", key: "connection" },
} as const;

/** The second key of the PgBouncer config Secret. */
export const PGBOUNCER_USERS_KEY = "users.txt";

/** Helm release name; the chart names its Services `<release>-<component>`. */
export const AIRFLOW_RELEASE = "airflow";
/** The web UI Service (`<release>-webserver`) and port (chart `ports.airflowUI`). */
export const AIRFLOW_WEBSERVER = { service: `${AIRFLOW_RELEASE}-webserver`, port: 8080 } as const;
/** Prefixes under the datastore bucket: DAG files (mounted read-only) and task logs. */
export const AIRFLOW_BUCKET_PREFIXES = { dags: "airflow/dags", logs: "airflow/logs" } as const;
/** Where the DAG folder is mounted: the image's default `dags_folder` ($AIRFLOW_HOME/dags). */
export const AIRFLOW_DAGS_PATH = "/opt/airflow/dags";
/** The CSI driver of GKE's Cloud Storage FUSE add-on. */
export const GCS_FUSE_DRIVER = "gcsfuse.csi.storage.gke.io";

export interface AirflowValuesInput {
    /** Kubernetes service account every Airflow component runs as (Workload Identity). */
    readonly serviceAccount: string;
    readonly bucketName: string;
    /** Replicas of the scheduler, webserver and triggerer; > 1 adds PDBs and zone spread. */
    readonly replicas: number;
}

/** Container sizes: the one table in components/model/workloadRequests.ts (validation and cost read it too). */
const R = CONTAINER_RESOURCES;
const GROOMER = R.airflowLogGroomer;

/**
 * What a `gke-gcsfuse/*-limit` annotation of "0" means to the driver: no limit (a zero quantity is
 * left out of the container's limits, GoogleCloudPlatform/gcs-fuse-csi-driver `pkg/webhook/config.go`
 * `prepareResourceList`, HEAD 5fcdc04 of 2026-08-21).
 */
export const GCS_FUSE_NO_LIMIT = "0";

/**
 * Pod annotations that make GKE inject its Cloud Storage FUSE sidecar, and set every resource of
 * it (GKE docs "Configure the Cloud Storage FUSE CSI driver sidecar container"). The driver's
 * webhook (gcs-fuse-csi-driver HEAD 5fcdc04, `pkg/webhook/config.go` `populateResource`) gives a
 * resource with neither annotation its defaults (`cmd/webhook/main.go` flags: CPU 250m/250m,
 * memory 256Mi/256Mi, ephemeral storage 5Gi request and 5Gi limit), and a limit annotated alone or
 * a request annotated alone is copied to the other; so every request and limit is named here:
 * - CPU: 50m requested, no limit ("0"): a request alone would become a 50m cap, and no container
 *   of ours carries a CPU limit (components/model/workloadRequests.ts says why);
 * - memory: request and limit from the table;
 * - ephemeral storage: 64Mi requested (instead of 5Gi on every scheduler, DAG-processor and task
 *   pod), no limit ("0"). A limit here would cap the whole pod: the kubelet evicts a pod whose
 *   total ephemeral use (every container's logs and writable layer, its emptyDirs) exceeds the sum
 *   of its containers' limits, counting only containers that set one (kubernetes
 *   `pkg/kubelet/eviction/eviction_manager.go` `podEphemeralStorageLimitEviction`), and Airflow's
 *   containers set none.
 */
export const GCS_FUSE_POD_ANNOTATIONS = {
    "gke-gcsfuse/volumes": "true",
    "gke-gcsfuse/cpu-request": CONTAINER_RESOURCES.gcsFuseSidecar.requests.cpu,
    "gke-gcsfuse/cpu-limit": GCS_FUSE_NO_LIMIT,
    "gke-gcsfuse/memory-request": CONTAINER_RESOURCES.gcsFuseSidecar.requests.memory,
    "gke-gcsfuse/memory-limit": CONTAINER_RESOURCES.gcsFuseSidecar.limits.memory,
    "gke-gcsfuse/ephemeral-storage-request": CONTAINER_RESOURCES.gcsFuseSidecar.requests["ephemeral-storage"],
    "gke-gcsfuse/ephemeral-storage-limit": GCS_FUSE_NO_LIMIT,
};

/** The read-only DAG folder: `gs://<bucket>/airflow/dags` through the CSI driver (ephemeral volume). */
export function dagsVolume(bucketName: string) {
    return {
        name: "dags",
        csi: {
            driver: GCS_FUSE_DRIVER,
            readOnly: true,
            volumeAttributes: {
                bucketName,
                // only-dir: mount just the DAG prefix; implicit-dirs: folders without placeholder objects.
                mountOptions: `implicit-dirs,only-dir=${AIRFLOW_BUCKET_PREFIXES.dags}`,
            },
        },
    };
}
const DAGS_MOUNT = { name: "dags", mountPath: AIRFLOW_DAGS_PATH, readOnly: true };

/** Values of the official Airflow chart for one environment. */
export function airflowValues(input: AirflowValuesInput) {
    return { ...airflowSettings(input.bucketName), ...airflowComponents(input) };
}

/** Executor, image, secrets, the external database and remote logging: what every component shares. */
function airflowSettings(bucketName: string) {
    return {
        executor: "KubernetesExecutor",
        airflowVersion: AIRFLOW_IMAGE.airflowVersion,
        defaultAirflowRepository: AIRFLOW_IMAGE.repository,
        defaultAirflowTag: AIRFLOW_IMAGE.tag,
        // External database only: the bundled PostgreSQL's Bitnami image is gone (apache/airflow#56498).
        postgresql: { enabled: false },
        images: { pgbouncer: AIRFLOW_PGBOUNCER_IMAGES.pgbouncer, pgbouncerExporter: AIRFLOW_PGBOUNCER_IMAGES.pgbouncerExporter },
        redis: { enabled: false },
        statsd: { enabled: false },
        data: { metadataSecretName: AIRFLOW_SECRETS.metadata.name },
        fernetKeySecretName: AIRFLOW_SECRETS.fernet.name,
        webserverSecretKeySecretName: AIRFLOW_SECRETS.webserver.name,
        // Task logs go to the bucket through Application Default Credentials (Workload Identity):
        // a connection URI with no key makes the Google provider fall back to them.
        env: [{ name: "AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT", value: "google-cloud-platform://" }],
        config: {
            core: { parallelism: String(AIRFLOW_DB.parallelism) },
            database: {
                sql_alchemy_pool_size: String(AIRFLOW_DB.poolSize),
                sql_alchemy_max_overflow: String(AIRFLOW_DB.maxOverflow),
            },
            logging: {
                remote_logging: "True",
                remote_base_log_folder: `gs://${bucketName}/${AIRFLOW_BUCKET_PREFIXES.logs}`,
                remote_log_conn_id: "google_cloud_default",
            },
            scheduler: { parsing_processes: String(AIRFLOW_DB.parsingProcesses) },
            webserver: { workers: String(AIRFLOW_DB.webserverWorkers) },
        },
    };
}

/** Each component's replicas, identity, DAG folder, sizes and disruption settings. */
function airflowComponents(input: AirflowValuesInput) {
    const serviceAccount = { create: false, name: input.serviceAccount };
    const ha = input.replicas > 1;
    const spread = (component: string) =>
        ha
            ? [
                  {
                      maxSkew: 1,
                      topologyKey: "topology.kubernetes.io/zone",
                      whenUnsatisfiable: "ScheduleAnyway" as const,
                      labelSelector: { matchLabels: { tier: "airflow", component, release: AIRFLOW_RELEASE } },
                  },
              ]
            : [];
    const withDags = {
        podAnnotations: GCS_FUSE_POD_ANNOTATIONS,
        extraVolumes: [dagsVolume(input.bucketName)],
        extraVolumeMounts: [DAGS_MOUNT],
    };
    return {
        scheduler: {
            replicas: input.replicas,
            serviceAccount,
            ...withDags,
            resources: R.airflowScheduler,
            logGroomerSidecar: { resources: GROOMER },
            podDisruptionBudget: { enabled: ha },
            topologySpreadConstraints: spread("scheduler"),
        },
        dagProcessor: {
            enabled: true,
            replicas: 1,
            serviceAccount,
            ...withDags,
            resources: R.airflowDagProcessor,
            logGroomerSidecar: { resources: GROOMER },
        },
        triggerer: {
            replicas: input.replicas,
            serviceAccount,
            // Logs go to the bucket; no 100Gi volume per triggerer.
            persistence: { enabled: false },
            resources: R.airflowTriggerer,
            logGroomerSidecar: { resources: GROOMER },
            topologySpreadConstraints: spread("triggerer"),
        },
        webserver: {
            replicas: input.replicas,
            serviceAccount,
            service: { type: "ClusterIP" },
            // No default admin/admin user: the UI is reached only through `npm run tunnel`
            // (port-forward, gated by Kubernetes RBAC), where everyone is Admin, as with Argo's UI.
            defaultUser: { enabled: false },
            webserverConfig: 'AUTH_ROLE_PUBLIC = "Admin"\n',
            resources: R.airflowWebserver,
            podDisruptionBudget: { enabled: ha },
            topologySpreadConstraints: spread("webserver"),
        },
        // KubernetesExecutor: one pod per task instance, built from these values.
        workers: {
            serviceAccount,
            ...withDags,
            resources: R.airflowWorker,
        },
        migrateDatabaseJob: { serviceAccount, resources: R.airflowMigrations },
        // Every Airflow process reaches the database through it (specs/pgbouncer.ts, sizing.ts).
        pgbouncer: {
            enabled: true,
            replicas: input.replicas,
            configSecretName: AIRFLOW_SECRETS.pgbouncerConfig.name,
            resources: R.airflowPgbouncer,
            metricsExporterSidecar: { resources: R.airflowPgbouncerExporter, statsSecretName: AIRFLOW_SECRETS.pgbouncerStats.name },
            podDisruptionBudget: { enabled: ha },
            topologySpreadConstraints: spread("pgbouncer"),
        },
    };
}

export type AirflowValues = ReturnType<typeof airflowValues>;
