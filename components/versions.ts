/**
 * Everything the platform deploys onto the cluster, pinned, with the reason for each version.
 * Bump here, in one place; tests check that nothing deployed floats.
 */

/**
 * Metaflow metadata service and UI backend. v2.5.0: first release whose goose migration runner
 * passes MF_METADATA_DB_SSL_MODE to the database connection, which our Cloud SQL instances need
 * (TLS enforced; without it the service crash-loops, metaflow-service#434).
 */
export const METADATA_SERVICE_IMAGE = "netflixoss/metaflow_metadata_service:v2.5.0";

/**
 * Static Metaflow UI (nginx). v1.1.4 is the tag Outerbounds' own metaflow-ui chart pins against
 * the 2.x backend; the UI talks to the backend only through its documented /api paths.
 */
export const METAFLOW_UI_IMAGE = "public.ecr.aws/outerbounds/metaflow_ui:v1.1.4";

/** argo-helm repository. */
export const ARGO_HELM_REPO = "https://argoproj.github.io/argo-helm";

/**
 * Argo Workflows chart 0.46.2 = Argo Workflows v3.7.6: Metaflow's `@schedule` needs >= 3.6, and
 * the 3.7 line is the newest before the 4.x major, which Metaflow has not been validated on.
 */
export const ARGO_WORKFLOWS_CHART = { name: "argo-workflows", version: "0.46.2", appVersion: "v3.7.6" } as const;

/** Argo Events chart 2.4.21 (Argo Events 1.9.x): the maintained line Metaflow's @trigger targets. */
export const ARGO_EVENTS_CHART = { name: "argo-events", version: "2.4.21" } as const;

/** NATS JetStream version of the EventBus; one the Argo Events 1.9 controller ships a config for. */
export const JETSTREAM_VERSION = "2.10.10";

/** Apache Airflow chart 1.16.0 (Airflow 2.10.x): Metaflow's Airflow integration targets Airflow 2. */
export const AIRFLOW_CHART = { name: "airflow", version: "1.16.0", repo: "https://airflow.apache.org" } as const;
