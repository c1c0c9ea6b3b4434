/**
 * What Managed Service for Prometheus scrapes of ours: a PodMonitoring (monitoring.googleapis.com/v1,
 * GKE's managed collection; fields from its CRD, as a GKE cluster serves it: datreeio/CRDs-catalog
 * `monitoring.googleapis.com/podmonitoring_v1.json`) per component that exports Prometheus metrics.
 *
 * - Argo Workflows v3.7.6's workflow-controller serves them on its `metrics` container port (9090,
 *   path /metrics; argo-helm 0.46.2 declares the port whatever `controller.metricsConfig` says).
 *   The controller's own defaults (config/config.go `MetricsConfig`: enabled unless set false,
 *   `secure` true unless set false) apply because our chart values leave metricsConfig unset: TLS
 *   with a self-signed certificate, hence https without verification, inside the cluster. Only
 *   the leader reports workflow metrics.
 * - The metadata service (metaflow-service v2.5.0) exports none: it has no /metrics route and no
 *   Prometheus client. It is watched through Cloud SQL's metrics and the kube state metrics.
 */
import { ARGO_WORKFLOWS_CHART } from "./versions";

/** The Argo controller pod's selector labels (argo-helm 0.46.2 `argo-workflows.selectorLabels`; release `argo-workflows`). */
export const ARGO_CONTROLLER_SELECTOR = {
    "app.kubernetes.io/name": `${ARGO_WORKFLOWS_CHART.name}-workflow-controller`,
    "app.kubernetes.io/instance": "argo-workflows",
} as const;

/** The controller's metrics container port's name (chart value controller.metricsConfig.portName). */
export const ARGO_METRICS_PORT = "metrics";

export interface PodMonitoringObject {
    readonly apiVersion: "monitoring.googleapis.com/v1";
    readonly kind: "PodMonitoring";
    readonly metadata: { readonly name: string; readonly namespace: string; readonly labels: Record<string, string> };
    readonly spec: {
        readonly selector: { readonly matchLabels: Record<string, string> };
        readonly endpoints: ReadonlyArray<{
            readonly port: string;
            readonly path: string;
            readonly interval: string;
            readonly scheme: "http" | "https";
            readonly tls?: { readonly insecureSkipVerify: boolean };
        }>;
    };
}

/** The Argo workflow-controller's metrics, every 60 s (GMP's default interval, said aloud). */
export function argoControllerPodMonitoring(namespace: string, labels: Record<string, string>): PodMonitoringObject {
    return {
        apiVersion: "monitoring.googleapis.com/v1",
        kind: "PodMonitoring",
        metadata: { name: "argo-workflow-controller", namespace, labels },
        spec: {
            selector: { matchLabels: { ...ARGO_CONTROLLER_SELECTOR } },
            endpoints: [{ port: ARGO_METRICS_PORT, path: "/metrics", interval: "60s", scheme: "https", tls: { insecureSkipVerify: true } }],
        },
    };
}
