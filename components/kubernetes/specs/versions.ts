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
export const ARGO_WORKFLOWS_CHART = { name: "argo-workflows", version: "0.46.2", appVersion: "v3.7.6", repo: ARGO_HELM_REPO } as const;

/** Argo Events chart 2.4.21 (Argo Events 1.9.x): the maintained line Metaflow's @trigger targets. */
export const ARGO_EVENTS_CHART = { name: "argo-events", version: "2.4.21", repo: ARGO_HELM_REPO } as const;

/** NATS JetStream version of the EventBus; one the Argo Events 1.9 controller ships a config for. */
export const JETSTREAM_VERSION = "2.10.10";

/**
 * Apache Airflow chart 1.16.0: the last chart line whose default Airflow is 2.x (2.10.5), so its
 * templates and `airflowVersion`-gated branches are the ones released and tested with our image.
 * Later lines default to Airflow 3, which Metaflow's Airflow integration cannot use (its compiled
 * DAGs import `airflow.kubernetes.secret` and `airflow.sensors.external_task_sensor`, gone in 3).
 * We never enable the chart's bundled PostgreSQL (its Bitnami image is no longer published,
 * apache/airflow#56498) nor Redis (KubernetesExecutor needs no broker).
 */
export const AIRFLOW_CHART = { name: "airflow", version: "1.16.0", repo: "https://airflow.apache.org" } as const;

/**
 * The official Airflow image, 2.10.5 on Python 3.11 (the Python of our task images and of the
 * test layer). Why 2.10.5 and not 2.11: Metaflow 2.19's compiled DAG reads
 * `get_provider_info()["versions"]` of the cncf-kubernetes provider, which providers >= 10.4
 * no longer carry (KeyError at import: measured in tests/python/airflow with 10.4.3, 10.5.0,
 * 10.8.0, 10.10.0; 9.0.1 through 10.3.1 import). Airflow 2.10.5 (released February 2025) was
 * frozen with its constraints before provider 10.4 (spring 2025) existed; Airflow 2.11 was built
 * with newer providers.
 *
 * `kubernetesProvider`: the apache-airflow-providers-cncf-kubernetes inside this image, 10.1.0.
 * The image installs its providers with the `constraints-2.10.5` constraints of apache/airflow,
 * which pin the newest provider release when 2.10.5 was cut: 10.1.0 (PyPI upload 2024-12-26;
 * 2.10.5rc1 2025-02-05, 2.10.5 2025-02-10; the next provider, 10.2.0, came 2025-02-21). A
 * `pip list` taken inside an apache/airflow:2.10.5 container (public notes file) shows the same
 * 10.1.0 and the rest of the image's provider set, which the test layer pins too
 * (tests/python/airflow/requirements.txt; test_metaflow_dag.py checks it against this field).
 * 10.1.0 is inside the range Metaflow's DAG imports with.
 */
export const AIRFLOW_IMAGE = {
    repository: "apache/airflow",
    tag: "2.10.5-python3.11",
    airflowVersion: "2.10.5",
    kubernetesProvider: "10.1.0",
} as const;

/**
 * The PgBouncer images of the Airflow chart 1.16.0 (its values.yaml `images.pgbouncer` and
 * `images.pgbouncerExporter`: PgBouncer 1.23.1 and pgbouncer_exporter 0.18.0, built by the
 * chart's `dockerfiles/pgbouncer*` and published 2025-03-05), set explicitly so the release
 * never follows a chart default: the versions the chart was released and tested with.
 */
export const AIRFLOW_PGBOUNCER_IMAGES = {
    pgbouncer: { repository: "apache/airflow", tag: "airflow-pgbouncer-2025.03.05-1.23.1" },
    pgbouncerExporter: { repository: "apache/airflow", tag: "airflow-pgbouncer-exporter-2025.03.05-0.18.0" },
} as const;

/**
 * Kueue (kubernetes-sigs/kueue) v0.19.2: the chart and the controller at the same release, the
 * newest when issue 22 was written (tag 2026-08-20, commit 8eab6877). It serves its APIs as v1beta2
 * (ClusterQueue `cohortName`) and turns QuotaCheckStrategy on by default (beta since 0.19,
 * CHANGELOG-0.19.md #13075), which lets the queues count CPU and GPUs only. Its chart is published
 * only as an OCI artifact (charts/kueue/README.md: `helm install kueue
 * oci://registry.k8s.io/kueue/charts/kueue --version="0.19.2"`).
 */
export const KUEUE_CHART = { name: "kueue", version: "0.19.2", repo: "oci://registry.k8s.io/kueue/charts" } as const;

/**
 * The Kueue release's controller image. The chart's own default is the staging registry's
 * floating `release-0.19` tag with `pullPolicy: Always` (charts/kueue/values.yaml at v0.19.2);
 * released images are promoted to registry.k8s.io/kueue/kueue:<tag> (hack/testing/e2e-common.sh at
 * the tag pulls released versions from there).
 */
export const KUEUE_IMAGE = { repository: "registry.k8s.io/kueue/kueue", tag: "v0.19.2" } as const;
