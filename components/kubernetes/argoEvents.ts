import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { boundRole } from "./k8sCommon";
import { ARGO_WEBHOOK_SERVICE } from "./specs/endpointRoutes";
import { releaseChart } from "./chartFiles";
import { childOptions, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { ARGO_EVENTS_CHART, JETSTREAM_VERSION } from "./specs/versions";
import { CONTAINER_RESOURCES, EVENTBUS_REPLICAS } from "../model/workloadRequests";
import { ARGO_EVENTS_NAMES } from "../model/wellKnown";


/** What a sensor created by Metaflow does: submit workflows from the flow's template. */
export const SENSOR_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    { apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["create", "get", "list", "watch", "update", "patch"] },
    { apiGroups: ["argoproj.io"], resources: ["workflowtemplates"], verbs: ["get", "list", "watch"] },
];

export interface ArgoEventsArgs {
    /** Namespace of the controller, EventBus, EventSource and sensors (Metaflow's; it must exist). */
    readonly namespace: string;
    /** Service account Metaflow's sensors run as; bound to SENSOR_RULES. */
    readonly sensorServiceAccount: string;
    /** Spread the three JetStream servers over zones (production) rather than pack them. Default: false. */
    readonly highAvailability?: boolean;
    /**
     * Where the chart comes from: unset for its public repository, a mirror Helm repository
     * (`https://...`), an OCI registry (`oci://...`) or a local directory of charts
     * (components/kubernetes/specs/chartSource.ts). Default: the public repository.
     */
    readonly chartSource?: string;
}

/** Defaults of the optional ArgoEventsArgs. */
export const ARGO_EVENTS_DEFAULTS = { highAvailability: false } as const;

/**
 * Argo Events from the pinned chart, a JetStream EventBus, a webhook EventSource that Metaflow
 * publishes events to, and the Role for the sensors Metaflow creates.
 */
export class ArgoEvents extends pulumi.ComponentResource {
    /** In-cluster URL of the webhook (METAFLOW_ARGO_EVENTS_INTERNAL_WEBHOOK_URL). */
    public readonly internalWebhookUrl: string;

    constructor(name: string, args: ArgoEventsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ArgoEvents"), name, {}, withLegacyType("ArgoEvents", opts));
        const parent = childOptions(this, opts);
        const n = ARGO_EVENTS_NAMES;
        const { highAvailability } = withDefaults(ARGO_EVENTS_DEFAULTS, args);

        const release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "argo-events",
                ...releaseChart(ARGO_EVENTS_CHART, args.chartSource, this),
                namespace: args.namespace,
                atomic: true,
                cleanupOnFail: true,
                timeout: 600,
                values: {
                    fullnameOverride: "argo-events",
                    crds: { install: true, keep: true },
                    controller: { rbac: { namespaced: true }, resources: CONTAINER_RESOURCES.argoEventsController },
                },
            },
            parent,
        );
        const afterCrds = withDependencies(parent, release);

        new k8s.apiextensions.CustomResource(
            `${name}-eventbus`,
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "EventBus",
                metadata: { name: n.eventBus, namespace: args.namespace },
                spec: {
                    jetstream: {
                        version: JETSTREAM_VERSION,
                        replicas: EVENTBUS_REPLICAS,
                        // The controller copies only `resources` from each template onto the
                        // StatefulSet's main, reloader and metrics containers.
                        containerTemplate: { resources: CONTAINER_RESOURCES.jetstream },
                        reloaderContainerTemplate: { resources: CONTAINER_RESOURCES.jetstreamReloader },
                        metricsContainerTemplate: { resources: CONTAINER_RESOURCES.jetstreamMetrics },
                        ...(highAvailability
                            ? { affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchLabels: { "eventbus-name": n.eventBus } } } }] } } }
                            : {}),
                    },
                },
            },
            afterCrds,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-eventsource`,
            {
                apiVersion: "argoproj.io/v1alpha1",
                kind: "EventSource",
                metadata: { name: n.eventSource, namespace: args.namespace },
                spec: {
                    eventBusName: n.eventBus,
                    template: { container: { resources: CONTAINER_RESOURCES.eventSource } },
                    service: { ports: [{ port: n.webhookPort, targetPort: n.webhookPort }] },
                    webhook: { [n.event]: { port: String(n.webhookPort), endpoint: `/${n.event}`, method: "POST" } },
                },
            },
            afterCrds,
        );

        boundRole(
            `${name}-sensor`,
            { name: "metaflow-argo-events-sensor", namespace: args.namespace, rules: SENSOR_RULES, serviceAccounts: [args.sensorServiceAccount] },
            parent,
        );

        // The EventSource controller names the Service `<eventsource>-eventsource-svc`.
        this.internalWebhookUrl = `http://${ARGO_WEBHOOK_SERVICE.name}.${args.namespace}.svc.cluster.local:${ARGO_WEBHOOK_SERVICE.port}/${n.event}`;
        this.registerOutputs({ internalWebhookUrl: this.internalWebhookUrl });
    }
}
