/**
 * The Metaflow client profile a user saves as `~/.metaflowconfig/config_<stack>.json`. Pure:
 * built from plain values so tests check every key against what was deployed.
 */
import { ENDPOINT_PATHS, endpointUrl } from "./endpointPaths";
import { QUEUE_NAME_LABEL } from "./queues";

/**
 * Every key this project may write, each read by Metaflow's `metaflow_config.py` through
 * `from_conf` (the file is `METAFLOW_` + the name). Keys outside this list are a bug: Metaflow
 * ignores unknown keys silently (e.g. `METAFLOW_DEFAULT_DOCKER_REGISTRY` does nothing).
 *
 * `METAFLOW_KUBERNETES_CONTAINER_REGISTRY` is deliberately absent: Metaflow prefixes it onto any
 * image given without a registry (metaflow 2.19.39 `plugins/kubernetes/kubernetes_decorator.py`,
 * `init`), so `@kubernetes(image="python:3.11")` would become `<our registry>/python:3.11`, an
 * image that does not exist. The default image is fully qualified and needs no prefix.
 */
export const METAFLOW_CONFIG_KEYS = [
    "METAFLOW_DEFAULT_DATASTORE",
    "METAFLOW_DATASTORE_SYSROOT_GS",
    "METAFLOW_CARD_GSROOT",
    "METAFLOW_DEFAULT_METADATA",
    "METAFLOW_SERVICE_URL",
    "METAFLOW_SERVICE_INTERNAL_URL",
    "METAFLOW_UI_URL",
    "METAFLOW_KUBERNETES_NAMESPACE",
    "METAFLOW_KUBERNETES_SERVICE_ACCOUNT",
    "METAFLOW_KUBERNETES_CONTAINER_IMAGE",
    "METAFLOW_KUBERNETES_NODE_SELECTOR",
    "METAFLOW_KUBERNETES_LABELS",
    "METAFLOW_KUBERNETES_GPU_VENDOR",
    "METAFLOW_KUBERNETES_CPU",
    "METAFLOW_KUBERNETES_MEMORY",
    "METAFLOW_KUBERNETES_DISK",
    "METAFLOW_ARGO_WORKFLOWS_UI_URL",
    "METAFLOW_ARGO_EVENTS_EVENT_BUS",
    "METAFLOW_ARGO_EVENTS_EVENT_SOURCE",
    "METAFLOW_ARGO_EVENTS_EVENT",
    "METAFLOW_ARGO_EVENTS_SERVICE_ACCOUNT",
    "METAFLOW_ARGO_EVENTS_WEBHOOK_URL",
    "METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL",
    "METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE",
    "METAFLOW_GCP_SECRET_MANAGER_PREFIX",
    // Read through `from_conf` by this project's client extension (client/, package
    // metaflow-gcp-iap), which Metaflow loads as a config extension; plain Metaflow ignores them.
    "METAFLOW_GCP_IAP_CLIENT_ID",
    "METAFLOW_GCP_IAP_SERVICE_ACCOUNT",
] as const;
export type MetaflowConfigKey = (typeof METAFLOW_CONFIG_KEYS)[number];
export type MetaflowProfile = Partial<Record<MetaflowConfigKey, string>>;

/**
 * Local ports the port-forward script uses; the profile's local URLs point at them. The UI
 * backend serves the UI and its API on one port.
 */
export const LOCAL_PORTS = { metadata: 8080, uiBackend: 8083, argoServer: 2746, argoWebhook: 12000, airflowUi: 8090 } as const;

/**
 * Pod sizes Autopilot accepts for Metaflow's default step (1 vCPU : 4 GiB fits its CPU:memory
 * ratio; the disk stays under its ephemeral-storage limit).
 */
export const AUTOPILOT_DEFAULT_RESOURCES = { cpu: "1", memoryMb: "4096", diskMb: "8192" } as const;

/** The node label that makes an Autopilot Pod a Spot Pod (GKE docs, "Spot Pods"). */
export const SPOT_POD_SELECTOR = { key: "cloud.google.com/gke-spot", value: "true" } as const;

/**
 * Metaflow's name for Secret Manager as a secrets backend (metaflow 2.19.39
 * `plugins/gcp/gcp_secret_manager_secrets_provider.py`, `GcpSecretManagerSecretsProvider.TYPE`).
 */
export const GCP_SECRETS_BACKEND = "gcp-secret-manager";

/** What the profile is built from. */
export interface MetaflowProfileInput {
    readonly datastoreRoot: string;
    readonly namespace: string;
    readonly taskServiceAccount: string;
    /** In-cluster URL of the metadata service. */
    readonly metadataInternalUrl: string;
    readonly taskImage: string;
    readonly clusterMode: "standard" | "autopilot";
    /**
     * "service": the metadata service; "local": no service (no database), Metaflow keeps
     * metadata in `.metaflow` and, for Kubernetes steps, syncs it to the datastore. Default "service".
     */
    readonly metadata?: "service" | "local";
    readonly ui: boolean;
    /** Autopilot: every step asks for a Spot Pod (GKE adds the matching toleration itself). */
    readonly spotSteps?: boolean;
    readonly argoWorkflows: boolean;
    /**
     * The LocalQueue every step is labelled for, when the queues are on: Metaflow puts the
     * profile's labels on each Job and pod template (`@kubernetes(labels=...)` wins per key).
     */
    readonly queue?: string;
    /**
     * METAFLOW_GCP_SECRET_MANAGER_PREFIX (`projects/<number>/secrets/mf-<env>-`, naming.ts
     * `secretManagerPrefix`): `@secrets(sources=["x"])` then reads the environment's secret
     * `mf-<env>-x`, which the task identity may access. Unset: no secrets keys.
     */
    readonly secretManagerPrefix?: string;
    /** Set when the IAP endpoint is deployed: the laptop then uses its https URLs. */
    readonly endpoint?: {
        readonly hostname: string;
        readonly oauthClientId: string;
        /** Service account the client extension mints ID tokens as. */
        readonly clientServiceAccount: string;
    };
    /** Set when Argo Events is deployed. */
    readonly argoEvents?: {
        readonly eventBus: string;
        readonly eventSource: string;
        readonly event: string;
        readonly serviceAccount: string;
        readonly internalWebhookUrl: string;
    };
}

export function buildMetaflowProfile(input: MetaflowProfileInput): MetaflowProfile {
    const profile: MetaflowProfile = {
        METAFLOW_DEFAULT_DATASTORE: "gs",
        METAFLOW_DATASTORE_SYSROOT_GS: input.datastoreRoot,
        METAFLOW_CARD_GSROOT: `${input.datastoreRoot}/mf.cards`,
        METAFLOW_DEFAULT_METADATA: "service",
        // The laptop reaches the service through `npm run tunnel`; pods use the in-cluster URL.
        METAFLOW_SERVICE_URL: `http://localhost:${LOCAL_PORTS.metadata}`,
        METAFLOW_SERVICE_INTERNAL_URL: input.metadataInternalUrl,
        METAFLOW_KUBERNETES_NAMESPACE: input.namespace,
        METAFLOW_KUBERNETES_SERVICE_ACCOUNT: input.taskServiceAccount,
        METAFLOW_KUBERNETES_CONTAINER_IMAGE: input.taskImage,
        // GPU steps request nvidia.com/gpu and GKE adds the matching toleration to those pods only;
        // no global toleration or node selector is set, so CPU steps never land on GPU nodes.
        METAFLOW_KUBERNETES_GPU_VENDOR: "nvidia",
    };
    if (input.secretManagerPrefix) {
        // Without a default backend, `@secrets` fails with "No default secrets backend type
        // configured" (plugins/secrets/utils.py); Metaflow forwards both keys to Kubernetes Jobs,
        // Argo and Airflow pods only when they are set (plugins/kubernetes/kubernetes.py,
        // plugins/argo/argo_workflows.py, plugins/airflow/airflow.py).
        profile.METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE = GCP_SECRETS_BACKEND;
        profile.METAFLOW_GCP_SECRET_MANAGER_PREFIX = input.secretManagerPrefix;
    }
    if (input.metadata === "local") {
        profile.METAFLOW_DEFAULT_METADATA = "local";
        delete profile.METAFLOW_SERVICE_URL;
        delete profile.METAFLOW_SERVICE_INTERNAL_URL;
    }
    if (input.ui) {
        profile.METAFLOW_UI_URL = `http://localhost:${LOCAL_PORTS.uiBackend}`;
    }
    if (input.clusterMode === "autopilot") {
        profile.METAFLOW_KUBERNETES_CPU = AUTOPILOT_DEFAULT_RESOURCES.cpu;
        profile.METAFLOW_KUBERNETES_MEMORY = AUTOPILOT_DEFAULT_RESOURCES.memoryMb;
        profile.METAFLOW_KUBERNETES_DISK = AUTOPILOT_DEFAULT_RESOURCES.diskMb;
        if (input.spotSteps) {
            // metaflow_config.py KUBERNETES_NODE_SELECTOR: "k=v,..."; used when a step sets no node_selector.
            profile.METAFLOW_KUBERNETES_NODE_SELECTOR = `${SPOT_POD_SELECTOR.key}=${SPOT_POD_SELECTOR.value}`;
        }
    }
    if (input.queue) {
        // metaflow_config.py KUBERNETES_LABELS: "k=v,..." (kubernetes_decorator.py parses it with
        // parse_kube_keyvalue_list and validate_kube_labels checks the value), on Jobs and Argo templates.
        profile.METAFLOW_KUBERNETES_LABELS = `${QUEUE_NAME_LABEL}=${input.queue}`;
    }
    if (input.argoWorkflows) {
        profile.METAFLOW_ARGO_WORKFLOWS_UI_URL = `http://localhost:${LOCAL_PORTS.argoServer}`;
    }
    if (input.argoEvents) {
        profile.METAFLOW_ARGO_EVENTS_EVENT_BUS = input.argoEvents.eventBus;
        profile.METAFLOW_ARGO_EVENTS_EVENT_SOURCE = input.argoEvents.eventSource;
        profile.METAFLOW_ARGO_EVENTS_EVENT = input.argoEvents.event;
        profile.METAFLOW_ARGO_EVENTS_SERVICE_ACCOUNT = input.argoEvents.serviceAccount;
        profile.METAFLOW_ARGO_EVENTS_WEBHOOK_URL = `http://localhost:${LOCAL_PORTS.argoWebhook}/${input.argoEvents.event}`;
        profile.METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL = input.argoEvents.internalWebhookUrl;
    }
    if (input.endpoint) {
        // The laptop goes through the IAP endpoint; pods keep METAFLOW_SERVICE_INTERNAL_URL, which
        // Metaflow hands them as their METAFLOW_SERVICE_URL. `npm run tunnel` still works with
        // the local URLs of a profile built without the endpoint.
        const url = (path: string) => endpointUrl(input.endpoint!.hostname, path);
        profile.METAFLOW_SERVICE_URL = url(ENDPOINT_PATHS.metadata);
        profile.METAFLOW_GCP_IAP_CLIENT_ID = input.endpoint.oauthClientId;
        profile.METAFLOW_GCP_IAP_SERVICE_ACCOUNT = input.endpoint.clientServiceAccount;
        if (input.ui) {
            profile.METAFLOW_UI_URL = url(ENDPOINT_PATHS.ui);
        }
        if (input.argoWorkflows) {
            profile.METAFLOW_ARGO_WORKFLOWS_UI_URL = url(ENDPOINT_PATHS.argo);
        }
        if (input.argoEvents) {
            profile.METAFLOW_ARGO_EVENTS_WEBHOOK_URL = `${url(ENDPOINT_PATHS.events)}/${input.argoEvents.event}`;
        }
    }
    return profile;
}
