import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AIRFLOW_RELEASE, AIRFLOW_SECRETS, PGBOUNCER_USERS_KEY, airflowValues } from "./specs/airflowValues";
import { pgbouncerConnectionUrl, pgbouncerIni, pgbouncerStatsUrl, pgbouncerUsers } from "./specs/pgbouncer";
import { releaseChart } from "./chartFiles";
import { childOptions, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { AIRFLOW_CHART } from "./specs/versions";
import { AIRFLOW_KSA } from "../model/wellKnown";
import type { DatabaseConnection } from "./databaseConnection";

export interface AirflowArgs {
    /** Namespace of the release, its Secrets and service account (it must exist). */
    readonly namespace: string;
    /**
     * Kubernetes service account every Airflow component runs as; created here, bound by Workload
     * Identity (AirflowCloud binds this name). Default: "airflow" (AIRFLOW_KSA).
     */
    readonly serviceAccount?: string;
    /** Google service account that KSA acts as (access to gs://<bucket>/airflow/ only). */
    readonly googleServiceAccountEmail: pulumi.Input<string>;
    /** Datastore bucket: DAGs under airflow/dags, task logs under airflow/logs. */
    readonly bucketName: pulumi.Input<string>;
    /** Airflow's metadata database: its own database and user on the Cloud SQL instance. */
    readonly database: DatabaseConnection;
    /** Scheduler, webserver and triggerer replicas; more than one adds PDBs and zone spread. Default: 1. */
    readonly replicas?: number;
    /**
     * Where the chart comes from: unset for its public repository, a mirror Helm repository
     * (`https://...`), an OCI registry (`oci://...`) or a local directory of charts
     * (components/kubernetes/specs/chartSource.ts). Default: the public repository.
     */
    readonly chartSource?: string;
}

/** Defaults of the optional AirflowArgs. */
export const AIRFLOW_DEFAULTS = { serviceAccount: AIRFLOW_KSA, replicas: 1 } as const;

/**
 * Apache Airflow as the alternative orchestrator (`python flow.py airflow create`), from the
 * pinned official chart: KubernetesExecutor, metadata on Cloud SQL through the chart's PgBouncer
 * (TLS from PgBouncer to Cloud SQL), DAG files mounted
 * read-only from the datastore bucket through GKE's Cloud Storage FUSE driver, task logs written
 * to the bucket. Metaflow's task pods themselves run as the task identity (the compiled DAG
 * names it from the Metaflow profile).
 */
export class Airflow extends pulumi.ComponentResource {
    public readonly release: k8s.helm.v3.Release;
    public readonly serviceAccount: k8s.core.v1.ServiceAccount;

    constructor(name: string, args: AirflowArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("Airflow"), name, {}, withLegacyType("Airflow", opts));
        const parent = childOptions(this, opts);
        const ns = args.namespace;
        const { serviceAccount, replicas } = withDefaults(AIRFLOW_DEFAULTS, args);

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: serviceAccount, namespace: ns, annotations: { "iam.gke.io/gcp-service-account": args.googleServiceAccountEmail } } },
            parent,
        );

        const db = pulumi.all([args.database.host, args.database.name, args.database.user, args.database.password]);
        // Airflow's processes reach the database through the chart's PgBouncer, configured here.
        const connection = db.apply(([, , user, password]) => pgbouncerConnectionUrl({ user, password, namespace: ns }));
        // Fernet key: 32 random bytes, URL-safe base64 with padding (what Fernet.generate_key()
        // returns): 43 characters drawn uniformly from the 64 of that alphabet, then "=" (base64
        // decoding ignores the last character's two spare bits). A RandomPassword, because its
        // resource ID is "none": a RandomId's ID is its b64Url and a RandomBytes' its base64
        // (pulumi-random resources.go computeRandomBytesID), and Pulumi never encrypts IDs, so
        // either would put the key in plaintext in the state file (found by the deploy rehearsal).
        const fernet = new random.RandomPassword(`${name}-fernet-key`, { length: 43, special: true, overrideSpecial: "-_", minLower: 0, minUpper: 0, minNumeric: 0, minSpecial: 0 }, parent);
        const webserverKey = new random.RandomPassword(`${name}-webserver-key`, { length: 48, special: false }, parent);
        const secret = (key: keyof typeof AIRFLOW_SECRETS, value: pulumi.Output<string>) =>
            new k8s.core.v1.Secret(
                `${name}-${key}`,
                {
                    metadata: { name: AIRFLOW_SECRETS[key].name, namespace: ns },
                    type: "Opaque",
                    stringData: { [AIRFLOW_SECRETS[key].key]: pulumi.secret(value) },
                },
                parent,
            );
        const pgbouncerConfig = new k8s.core.v1.Secret(
            `${name}-pgbouncer-config`,
            {
                metadata: { name: AIRFLOW_SECRETS.pgbouncerConfig.name, namespace: ns },
                type: "Opaque",
                stringData: pulumi.secret(
                    db.apply(([host, dbName, user, password]) => ({
                        [AIRFLOW_SECRETS.pgbouncerConfig.key]: pgbouncerIni({ host, port: args.database.port, dbName, user, replicas }),
                        [PGBOUNCER_USERS_KEY]: pgbouncerUsers(user, password),
                    })),
                ),
            },
            parent,
        );
        const secrets = [
            secret("metadata", connection),
            secret("fernet", fernet.result.apply((key) => `${key}=`)),
            secret("webserver", webserverKey.result),
            pgbouncerConfig,
            new k8s.core.v1.Secret(
                `${name}-pgbouncer-stats`,
                {
                    metadata: { name: AIRFLOW_SECRETS.pgbouncerStats.name, namespace: ns },
                    type: "Opaque",
                    stringData: { [AIRFLOW_SECRETS.pgbouncerStats.key]: pulumi.secret(db.apply(([, , user, password]) => pgbouncerStatsUrl({ user, password }))) },
                },
                parent,
            ),
        ];

        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: AIRFLOW_RELEASE,
                ...releaseChart(AIRFLOW_CHART, args.chartSource, this),
                namespace: ns,
                atomic: true,
                timeout: 900,
                values: pulumi.output(args.bucketName).apply((bucketName) => airflowValues({ serviceAccount, bucketName, replicas })),
            },
            withDependencies(parent, this.serviceAccount, ...secrets),
        );
        this.registerOutputs({ release: this.release.status });
    }
}
