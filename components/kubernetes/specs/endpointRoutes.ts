/**
 * What the HTTPS endpoint serves, as data: one backend per path prefix, the in-cluster Service and
 * port it reaches, how the load balancer checks its health (the same path and port as the pods'
 * probes) and how long a request may last. Pure, so tests compare it with the Services the
 * program really creates.
 */
import { ENDPOINT_PATHS } from "../../model/endpointPaths";
import { ARGO_EVENTS_NAMES, ARGO_SERVER_PORT, SERVICE_NAMES, SERVICE_PORTS } from "../../model/wellKnown";

/** The load balancer's default backend timeout (30 s) also caps a websocket's lifetime. */
export const LONG_LIVED_TIMEOUT_SEC = 3600;
/** Ordinary API calls; Metaflow's client retries on its own. */
export const REQUEST_TIMEOUT_SEC = 120;

/** How the load balancer checks a backend: the same port (and path) as the pods' probes. */
export interface BackendHealthCheck {
    readonly port: number;
    /** HTTP path; undefined means a TCP check. */
    readonly path?: string;
}

/** One path of the endpoint and the Service behind it. */
export interface EndpointBackend {
    /** Short name, used in resource names. */
    readonly name: string;
    /** Path prefix on the endpoint (Gateway API `PathPrefix`). */
    readonly pathPrefix: string;
    /**
     * Strip the prefix before forwarding (`URLRewrite` / `ReplacePrefixMatch: /`): the backend
     * serves at its root. False when the backend itself serves under the prefix.
     */
    readonly stripPrefix: boolean;
    /** Kubernetes Service name, in the platform's namespace. */
    readonly service: string;
    /** Service port (also the container port: every Service here targets its own port number). */
    readonly port: number;
    /** Load balancer health check. */
    readonly healthCheck: BackendHealthCheck;
    /** Backend service timeout, seconds. */
    readonly timeoutSec: number;
}

/** Which services run, so the endpoint routes only to Services that exist. */
export interface EndpointServices {
    readonly ui: boolean;
    readonly argoWorkflows: boolean;
    readonly argoEvents: boolean;
}

/**
 * The Argo Workflows chart's server Service: `<fullnameOverride>-server` on `server.servicePort`
 * (argoproj/argo-helm charts/argo-workflows 0.46.2, templates/server/server-service.yaml and
 * values.yaml `server.servicePort: 2746`; we set `fullnameOverride: argo-workflows`).
 */
export const ARGO_SERVER_SERVICE = { name: "argo-workflows-server", port: ARGO_SERVER_PORT } as const;

/**
 * The Service the Argo Events controller creates for our webhook EventSource:
 * `<eventsource>-eventsource-svc` with the ports of the EventSource's `spec.service`.
 */
export const ARGO_WEBHOOK_SERVICE = { name: `${ARGO_EVENTS_NAMES.eventSource}-eventsource-svc`, port: ARGO_EVENTS_NAMES.webhookPort } as const;

export function endpointBackends(services: EndpointServices): EndpointBackend[] {
    const backends: EndpointBackend[] = [
        {
            name: "metadata",
            pathPrefix: ENDPOINT_PATHS.metadata,
            // The service's routes live at its root (/flows, /ping); pods and the UI backend keep
            // using that in-cluster root, so the prefix is stripped at the load balancer instead of
            // moving the service under PATH_PREFIX.
            stripPrefix: true,
            service: SERVICE_NAMES.metadata,
            port: SERVICE_PORTS.metadata,
            healthCheck: { port: SERVICE_PORTS.metadata, path: "/ping" },
            timeoutSec: REQUEST_TIMEOUT_SEC,
        },
    ];
    if (services.ui) {
        backends.push({
            name: "ui",
            pathPrefix: ENDPOINT_PATHS.ui,
            // The UI backend serves the bundled UI and its API on one origin, both at its root
            // (MetaflowServices): everything not claimed by a longer prefix goes there. Its
            // websockets (/ws) live as long as a browser tab.
            stripPrefix: false,
            service: SERVICE_NAMES.uiBackend,
            port: SERVICE_PORTS.uiBackend,
            healthCheck: { port: SERVICE_PORTS.uiBackend, path: "/ping" },
            timeoutSec: LONG_LIVED_TIMEOUT_SEC,
        });
    }
    if (services.argoWorkflows) {
        backends.push({
            name: "argo",
            pathPrefix: ENDPOINT_PATHS.argo,
            // The server's UI is told its base href (/argo/) and expects the proxy to strip it.
            stripPrefix: true,
            service: ARGO_SERVER_SERVICE.name,
            port: ARGO_SERVER_SERVICE.port,
            // The chart's readiness probe: GET / on 2746 (plain HTTP: server.secure is false).
            healthCheck: { port: ARGO_SERVER_SERVICE.port, path: "/" },
            // The UI follows workflows over long-lived event streams.
            timeoutSec: LONG_LIVED_TIMEOUT_SEC,
        });
    }
    if (services.argoEvents) {
        backends.push({
            name: "events",
            pathPrefix: ENDPOINT_PATHS.events,
            stripPrefix: true,
            service: ARGO_WEBHOOK_SERVICE.name,
            port: ARGO_WEBHOOK_SERVICE.port,
            // The webhook server answers only its configured POST endpoint: a TCP check.
            healthCheck: { port: ARGO_WEBHOOK_SERVICE.port },
            timeoutSec: REQUEST_TIMEOUT_SEC,
        });
    }
    return backends;
}

