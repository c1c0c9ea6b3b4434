import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { boundRole } from "./k8sCommon";
import { releaseChart } from "./chartFiles";
import { childOptions, withDefaults, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { ARGO_SERVER_SERVICE } from "./specs/endpointRoutes";
import { ARGO_WORKFLOWS_CHART } from "./specs/versions";
import { CONTAINER_RESOURCES } from "../model/workloadRequests";


/** What a pod of a Metaflow workflow does through the Kubernetes API (Argo's emissary executor). */
export const WORKFLOW_POD_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    // Argo >= 3.4 reports step outputs through WorkflowTaskResults; without create/patch steps hang.
    { apiGroups: ["argoproj.io"], resources: ["workflowtaskresults"], verbs: ["create", "patch"] },
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "watch", "patch"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "watch"] },
    // Metaflow's exit hooks and heartbeats read and annotate their own workflow.
    { apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["get", "list", "watch", "patch"] },
];

export interface ArgoWorkflowsArgs {
    /** Namespace the controller watches and installs into (Metaflow's; it must exist). */
    readonly namespace: string;
    /** Service accounts workflow pods run as (Metaflow sets the task KSA on its templates); bound to WORKFLOW_POD_RULES. */
    readonly workflowServiceAccounts: string[];
    /** Controller and server replicas. Default: 1. */
    readonly replicas?: number;
    /**
     * Base href of the server's UI when a proxy serves it under a path and strips that path
     * (chart value `server.baseHref`, env ARGO_BASE_HREF). Default: "/".
     */
    readonly baseHref?: string;
    /**
     * Where the chart comes from: unset for its public repository, a mirror Helm repository
     * (`https://...`), an OCI registry (`oci://...`) or a local directory of charts
     * (components/kubernetes/specs/chartSource.ts). Default: the public repository.
     */
    readonly chartSource?: string;
}

/**
 * Defaults of the optional ArgoWorkflowsArgs: the chart's own (argoproj/argo-helm tag
 * argo-workflows-0.46.2, charts/argo-workflows/values.yaml: `controller.replicas` 1,
 * `server.baseHref` "/", `server.replicas` 1).
 */
export const ARGO_WORKFLOWS_DEFAULTS = { replicas: 1, baseHref: "/" } as const;

/**
 * Argo Workflows from the pinned argo-helm chart, namespaced to Metaflow's namespace, with the
 * Role its workflow pods need. The server is ClusterIP only (reached with `npm run tunnel`).
 */
export class ArgoWorkflows extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    /** The server's Service (UI and API), ClusterIP on ARGO_SERVER_PORT. */
    public readonly serverService: string;

    constructor(name: string, args: ArgoWorkflowsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ArgoWorkflows"), name, {}, withLegacyType("ArgoWorkflows", opts));
        const parent = childOptions(this, opts);
        const { replicas, baseHref } = withDefaults(ARGO_WORKFLOWS_DEFAULTS, args);

        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "argo-workflows",
                ...releaseChart(ARGO_WORKFLOWS_CHART, args.chartSource, this),
                namespace: args.namespace,
                atomic: true,
                cleanupOnFail: true,
                timeout: 600,
                values: {
                    fullnameOverride: "argo-workflows",
                    singleNamespace: true,
                    crds: { install: true, keep: true },
                    controller: {
                        replicas,
                        workflowNamespaces: [args.namespace],
                        resources: CONTAINER_RESOURCES.argoController,
                    },
                    server: {
                        enabled: true,
                        replicas,
                        serviceType: "ClusterIP",
                        secure: false,
                        // Reached via port-forward (gated by Kubernetes RBAC) or through the IAP endpoint
                        // (gated by IAP to access.members); never exposed otherwise.
                        authModes: ["server"],
                        resources: CONTAINER_RESOURCES.argoServer,
                        baseHref,
                    },
                    // We manage the workflow service accounts and their Role ourselves.
                    workflow: { serviceAccount: { create: false }, rbac: { create: false } },
                },
            },
            parent,
        );

        boundRole(
            `${name}-workflow`,
            { name: "metaflow-argo-workflow", namespace: args.namespace, rules: WORKFLOW_POD_RULES, serviceAccounts: args.workflowServiceAccounts },
            parent,
        );

        this.serverService = ARGO_SERVER_SERVICE.name;
        this.registerOutputs({ release: this.release.status, serverService: this.serverService });
    }
}
