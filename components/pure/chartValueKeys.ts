/**
 * The Helm values keys and custom-resource fields we set, each checked against upstream at the
 * pinned version (versions.ts). Helm ignores an unknown values key silently and a typo'd CR
 * field is pruned by the API server, so a misspelt `resources` would quietly leave a container
 * unsized: tests check every key the program renders is on these lists.
 *
 * A key ending in `.*` admits anything below it (a Kubernetes object the chart passes through
 * verbatim, such as `resources`, rendered with `toYaml`).
 */

/**
 * argoproj/argo-helm, tag `argo-workflows-0.46.2`, charts/argo-workflows/values.yaml (the chart
 * has no values.schema.json). `controller.resources` and `server.resources` are rendered into
 * templates/controller/workflow-controller-deployment.yaml and templates/server/server-deployment.yaml.
 */
export const ARGO_WORKFLOWS_VALUE_KEYS = [
    "fullnameOverride",
    "singleNamespace",
    "crds.install",
    "crds.keep",
    "controller.replicas",
    "controller.workflowNamespaces",
    "controller.resources.*",
    "server.enabled",
    "server.replicas",
    "server.serviceType",
    "server.secure",
    "server.authModes",
    // values.yaml `server.baseHref: /`, rendered as env ARGO_BASE_HREF in server-deployment.yaml.
    "server.baseHref",
    "server.resources.*",
    "workflow.serviceAccount.create",
    "workflow.rbac.create",
] as const;

/**
 * argoproj/argo-helm, tag `argo-events-2.4.21`, charts/argo-events/values.yaml (no
 * values.schema.json). `controller.resources` is rendered into
 * templates/argo-events-controller/deployment.yaml.
 */
export const ARGO_EVENTS_VALUE_KEYS = ["fullnameOverride", "crds.install", "crds.keep", "controller.rbac.namespaced", "controller.resources.*"] as const;

/**
 * argoproj/argo-events, tag `v1.9.10` (the chart's appVersion): pkg/apis/events/v1alpha1/
 * eventbus_types.go, jetstream_eventbus.go (JetStreamBus: version, replicas, containerTemplate,
 * reloaderContainerTemplate, metricsContainerTemplate, affinity), container_template.go
 * (ContainerTemplate.resources). pkg/reconciler/eventbus/installer/jetstream.go copies each
 * template's `resources` onto the main, reloader and metrics containers.
 */
export const EVENTBUS_SPEC_KEYS = [
    "jetstream.version",
    "jetstream.replicas",
    "jetstream.containerTemplate.resources.*",
    "jetstream.reloaderContainerTemplate.resources.*",
    "jetstream.metricsContainerTemplate.resources.*",
    "jetstream.affinity.*",
] as const;

/**
 * argoproj/argo-events `v1.9.10`: eventsource_types.go (EventSourceSpec: eventBusName, template,
 * service, webhook), template.go (Template.container: Container with `resources`), and
 * pkg/reconciler/eventsource/resource.go (`Template.Container.ApplyToContainer` onto "main").
 */
export const EVENTSOURCE_SPEC_KEYS = ["eventBusName", "template.container.resources.*", "service.ports", "webhook.*"] as const;

/** Dotted paths of the leaves of a values object (arrays are leaves). */
export function leafPaths(value: unknown, prefix = ""): string[] {
    if (value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).length === 0) {
        return prefix ? [prefix] : [];
    }
    return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
}

/** The leaf paths of `value` that no verified key admits. */
export function unverifiedKeys(value: unknown, verified: readonly string[]): string[] {
    return leafPaths(value).filter(
        (path) => !verified.some((key) => (key.endsWith(".*") ? path.startsWith(key.slice(0, -1)) : path === key)),
    );
}
