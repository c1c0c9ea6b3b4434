/**
 * Names and numbers more than one layer uses (Google Cloud components, Kubernetes components,
 * pure decisions, the policy pack), defined once here. Pure: no resource classes.
 */

/** Google's IAP TCP-forwarding range: the only source of SSH we ever admit (cloud.google.com/iap/docs/using-tcp-forwarding). */
export const IAP_TCP_FORWARDING_RANGE = "35.235.240.0/20";

/** Names of the subnet's secondary ranges, which the cluster refers to. */
export const POD_RANGE_NAME = "pods";
export const SERVICE_RANGE_NAME = "services";

/** The taint that keeps CPU pods off GPU nodes; GPU pods get the toleration automatically. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" } as const;
/** Node label GKE puts on GPU nodes; Metaflow's node selector for GPU steps uses it. */
export const GKE_ACCELERATOR_LABEL = "cloud.google.com/gke-accelerator";

/** Boot disk type of every pool: SSD-backed, with a 3,000 IOPS / 140 MiB/s baseline at any size. */
export const NODE_DISK_TYPE = "pd-balanced";

/** Argo Workflows' server port (argo-helm `server.servicePort` default). */
export const ARGO_SERVER_PORT = 2746;

/** Names Metaflow's @trigger integration is configured with. */
export const ARGO_EVENTS_NAMES = { eventBus: "default", eventSource: "metaflow-webhook", event: "metaflow-event", webhookPort: 12000 } as const;

/** Ports of the Metaflow services; the UI backend also serves the UI itself. */
export const SERVICE_PORTS = { metadata: 8080, uiBackend: 8083 } as const;
/** Names of their Deployments and Services in the platform's namespace. */
export const SERVICE_NAMES = { metadata: "metaflow-metadata", uiBackend: "metaflow-ui-backend" } as const;

/** Kubernetes service account of every Airflow component (scheduler, DAG processor, workers, ...). */
export const AIRFLOW_KSA = "airflow";
