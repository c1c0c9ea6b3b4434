import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "./options";
import { AIRFLOW_CHART } from "./versions";

export interface AirflowArgs {
    readonly namespace: string;
    /** Service account the scheduler and task pods run as (the Workload Identity task KSA). */
    readonly serviceAccount: string;
}

/**
 * Apache Airflow as an alternative orchestrator (`python flow.py airflow create`), from the
 * pinned official chart with the KubernetesExecutor. Its scheduler and workers run as the task
 * identity so DAG tasks reach the datastore with no keys.
 */
export class Airflow extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AirflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:k8s:Airflow", name, {}, opts);
        const useTaskIdentity = { create: false, name: args.serviceAccount };
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: "airflow",
                chart: AIRFLOW_CHART.name,
                version: AIRFLOW_CHART.version,
                repositoryOpts: { repo: AIRFLOW_CHART.repo },
                namespace: args.namespace,
                atomic: true,
                timeout: 900,
                values: {
                    executor: "KubernetesExecutor",
                    scheduler: { serviceAccount: useTaskIdentity },
                    workers: { serviceAccount: useTaskIdentity },
                    triggerer: { serviceAccount: useTaskIdentity },
                    webserver: { service: { type: "ClusterIP" } },
                },
            },
            childOptions(this, opts),
        );
        this.registerOutputs({ release: this.release.status });
    }
}
