/**
 * Everything the platform deploys onto the cluster, pinned, with the reason for each version.
 * Bump here, in one place; tests check that nothing deployed floats.
 */

/**
 * Metaflow metadata service and UI backend (one image), v2.5.0 (2025-04). It is new enough for Cloud SQL: its goose
 * migration runner (`run_goose.py`) reads MF_METADATA_DB_SSL_MODE since v2.4.4 (#373) and hands
 * it to Postgres under the key libpq knows, `sslmode`, since v2.4.6 (#408); our Cloud SQL enforces
 * TLS, and without it the service crash-loops (metaflow-service#434). The image also bundles the
 * Metaflow UI it was released with (Dockerfile `ARG UI_VERSION="v1.3.13"`), which the UI backend
 * serves itself (`UI_ENABLED=1`): UI and API come from one image, so their versions always agree
 * and the browser stays on one origin. That replaced a separate static UI (metaflow_ui v1.1.4,
 * 2022) that was two minor versions behind its backend and called it cross-origin.
 */
export const METADATA_SERVICE_IMAGE = "netflixoss/metaflow_metadata_service:v2.5.0";

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
