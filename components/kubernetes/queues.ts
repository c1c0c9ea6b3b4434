import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { releaseChart } from "./chartFiles";
import { childOptions, withDefaults, withDependencies } from "../options";
import { componentType } from "../model/typeTokens";
import { DEFAULT_LOCAL_QUEUE, KUEUE_NAMESPACE, queuePlan } from "../model/queues";
import { KUEUE_RELEASE, kueueObjects, kueueReadinessService, kueueValues } from "./specs/kueue";
import { KUEUE_CHART } from "./specs/versions";
import { PLATFORM_LABELS } from "./specs/kubernetesObjects";

/** A team's queue: a guarantee carved out of the environment's quota. */
export interface KueueTeamArgs {
    /** Its LocalQueue in the Metaflow namespace. */
    readonly name: string;
    /** GPUs guaranteed. */
    readonly gpus: number;
    /** vCPUs guaranteed. */
    readonly cpus: number;
    /** Run beyond the guarantee on idle quota. Default: true. */
    readonly borrowing?: boolean;
}

export interface KueueQueuesArgs {
    /** The environment's name: its ClusterQueue is `metaflow-<environment>`. */
    readonly environment: string;
    /** The Metaflow namespace (it must exist): the only one Kueue manages, and home of the LocalQueues. */
    readonly namespace: string;
    /** GPUs steps may hold at once (what the GPU pools hold at maxNodes). */
    readonly gpus: number;
    /** vCPUs steps may hold at once, in millicores. */
    readonly cpuMillis: number;
    /** Per-team queues sharing the quota as one cohort. Default: none. */
    readonly teams?: KueueTeamArgs[];
    /** Controller replicas (2 keeps the fail-closed pod webhook answering during a rollout). Default: 1. */
    readonly replicas?: number;
    /** Where the chart comes from (components/kubernetes/specs/chartSource.ts). Default: its public OCI registry. */
    readonly chartSource?: string;
}

/** The defaults KueueQueuesArgs and KueueTeamArgs document. */
export const KUEUE_QUEUES_DEFAULTS = { teams: [] as KueueTeamArgs[], replicas: 1 };
export const KUEUE_TEAM_DEFAULTS = { borrowing: true };

/**
 * Kueue from its pinned chart in `kueue-system`, configured to manage the Metaflow namespace only,
 * and the queues: one ResourceFlavor, the environment's ClusterQueue and one per team, and their
 * LocalQueues (`metaflow` and each team's) in the Metaflow namespace. See kubernetes/specs/kueue.ts.
 */
export class KueueQueues extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    /** The LocalQueue Metaflow's steps name by default. */
    public readonly localQueue: string;

    constructor(name: string, args: KueueQueuesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("KueueQueues"), name, {}, opts);
        const parent = childOptions(this, opts);
        const a = withDefaults(KUEUE_QUEUES_DEFAULTS, args);
        const teams = a.teams.map((t) => withDefaults(KUEUE_TEAM_DEFAULTS, t));
        const plan = queuePlan(a.environment, { cpuMillis: a.cpuMillis, gpus: a.gpus }, teams);

        // The release does not wait, neither to install nor to uninstall: Helm's uninstall wait
        // never ends for this chart. Its two aggregating ClusterRoles (kueue-batch-admin-role,
        // kueue-batch-user-role) are re-created by kube-controller-manager's aggregation controller,
        // which server-side-applies a role it still has in its cache while Helm deletes the roles it
        // aggregates (kubernetes pkg/controller/clusterroleaggregation, syncClusterRole), so the
        // wait would time out and destroy fail (found by the deploy rehearsal, every run). A role
        // so re-created carries no Helm labels; `takeOwnership` lets a later install adopt it.
        // The queue objects wait for Kueue's webhooks instead (kueueReadinessService).
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: KUEUE_RELEASE,
                ...releaseChart(KUEUE_CHART, a.chartSource, this),
                namespace: KUEUE_NAMESPACE,
                createNamespace: true,
                skipAwait: true,
                takeOwnership: true,
                cleanupOnFail: true,
                timeout: 600,
                values: kueueValues(a.namespace, a.replicas, teams.length > 0),
            },
            parent,
        );
        const labels = { ...PLATFORM_LABELS };
        const ready = new k8s.core.v1.Service(`${name}-webhook-ready`, kueueReadinessService(labels), withDependencies(parent, this.release));
        // The chart installs the CRDs and the webhooks that check these objects: create them once its controller serves.
        for (const object of kueueObjects(a.environment, a.namespace, plan, labels)) {
            new k8s.apiextensions.CustomResource(`${name}-${object.kind.toLowerCase()}-${object.metadata.name}`, { ...object, metadata: { ...object.metadata } }, withDependencies(parent, ready));
        }
        this.localQueue = DEFAULT_LOCAL_QUEUE;
        this.registerOutputs({ localQueue: this.localQueue });
    }
}
