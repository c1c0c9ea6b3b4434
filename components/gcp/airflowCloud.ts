/**
 * The Google Cloud half of Airflow: its own database and user on the environment's Cloud SQL
 * instance, and its own Google service account with access to the `airflow/` prefix of the
 * datastore bucket only (DAG files to read, task logs to write), reached through Workload
 * Identity from Airflow's Kubernetes service account.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { serviceAccountEmail, serviceAccountId, workloadIdentityMember } from "../model/naming";
import { AIRFLOW_KSA } from "../model/wellKnown";
import { childOptions, dependencyOn, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";

/** Database and role of Airflow's metadata, beside Metaflow's on the same instance. */
export const AIRFLOW_DB_NAME = "airflow";
export const AIRFLOW_DB_USER = "airflow";
/** Kubernetes service account of every Airflow component; defined with the other cross-layer names. */
export { AIRFLOW_KSA };
/** Objects Airflow may read and write: DAG files and task logs. */
export const AIRFLOW_PREFIX = "airflow/";

/**
 * The IAM condition that limits a bucket grant to `airflow/`: object operations are evaluated
 * on `projects/_/buckets/<b>/objects/<name>`, listing and bucket reads on the bucket itself
 * (cloud.google.com/storage/docs/access-control/iam#conditions, resource.name).
 */
export function airflowPrefixCondition(bucketName: string): string {
    const bucket = `projects/_/buckets/${bucketName}`;
    return `resource.name == "${bucket}" || resource.name.startsWith("${bucket}/objects/${AIRFLOW_PREFIX}")`;
}

export interface AirflowCloudArgs {
    /** Project of the instance, bucket and service account. */
    readonly project: string;
    /** Environment name; part of the service account ID. */
    readonly environment: string;
    /** The Cloud SQL instance (name) that already holds Metaflow's database. */
    readonly instanceName: pulumi.Input<string>;
    /** The datastore bucket; Airflow gets object access under `airflow/` only. */
    readonly bucketName: pulumi.Input<string>;
    /** Kubernetes namespace of the Airflow release. */
    readonly namespace: string;
    /**
     * MetaflowCluster.workloadPoolReady: the Workload Identity pool as an Output of the cluster
     * that creates it; the Workload Identity grant waits for it (IAM rejects a member of a pool
     * that does not exist yet). The member itself is built from `project`.
     */
    readonly workloadPoolReady: pulumi.Input<string>;
}

/** Airflow's database, user (generated password, secret) and Google identity. */
export class AirflowCloud extends pulumi.ComponentResource {
    public readonly database: gcp.sql.Database;
    public readonly user: gcp.sql.User;
    /** Generated password (secret). */
    public readonly password: pulumi.Output<string>;
    public readonly serviceAccount: gcp.serviceaccount.Account;
    public readonly serviceAccountEmail: pulumi.Output<string>;

    constructor(name: string, args: AirflowCloudArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("AirflowCloud"), name, {}, withLegacyType("AirflowCloud", opts));
        const parent = childOptions(this, opts);

        const password = new random.RandomPassword(
            `${name}-db-password`,
            // URL-safe symbols only: the password goes into a SQLAlchemy URL.
            { length: 32, special: true, overrideSpecial: "-_", minLower: 2, minUpper: 2, minNumeric: 2 },
            parent,
        );
        this.password = pulumi.secret(password.result);
        // Abandoned, like Metaflow's database and for the same reason (Airflow's pods may still
        // hold sessions when it is dropped, on destroy or when Airflow is turned off). Turning
        // Airflow off therefore keeps its metadata on the instance; see README (Airflow).
        this.database = new gcp.sql.Database(`${name}-db`, { project: args.project, instance: args.instanceName, name: AIRFLOW_DB_NAME, deletionPolicy: "ABANDON" }, parent);
        this.user = new gcp.sql.User(
            `${name}-db-user`,
            {
                project: args.project,
                instance: args.instanceName,
                name: AIRFLOW_DB_USER,
                password: this.password,
                // Postgres refuses to drop a role that owns objects; let destroy go on.
                deletionPolicy: "ABANDON",
            },
            parent,
        );

        this.serviceAccount = new gcp.serviceaccount.Account(
            `${name}-gsa`,
            {
                project: args.project,
                accountId: serviceAccountId(args.environment, "airflow"),
                displayName: `Metaflow ${args.environment} Airflow`,
                description: "Airflow scheduler, DAG processor, webserver and workers: reads DAGs from and writes task logs to gs://<bucket>/airflow/ (Workload Identity only, no keys).",
            },
            parent,
        );
        this.serviceAccountEmail = this.serviceAccount.email;
        new gcp.serviceaccount.IAMMember(
            `${name}-wi`,
            {
                serviceAccountId: this.serviceAccount.name,
                role: "roles/iam.workloadIdentityUser",
                member: workloadIdentityMember(args.project, args.namespace, AIRFLOW_KSA),
            },
            withDependencies(parent, dependencyOn(args.workloadPoolReady)),
        );
        // objectUser: read DAGs, write and rewrite log files (the GCS log handler rewrites an
        // object when it appends); limited to airflow/ by the condition.
        new gcp.storage.BucketIAMMember(
            `${name}-bucket-airflow`,
            {
                bucket: args.bucketName,
                role: "roles/storage.objectUser",
                // Built from the account ID, as MetaflowIdentity does, so it is known in a first
                // preview (the policy pack decides there); the grant waits for the account instead.
                member: `serviceAccount:${serviceAccountEmail(args.project, serviceAccountId(args.environment, "airflow"))}`,
                condition: {
                    title: "airflow-prefix-only",
                    description: "DAG files and task logs under airflow/ only",
                    expression: pulumi.output(args.bucketName).apply(airflowPrefixCondition),
                },
            },
            withDependencies(parent, this.serviceAccount),
        );

        this.registerOutputs({ serviceAccountEmail: this.serviceAccountEmail });
    }
}
