import type * as pulumi from "@pulumi/pulumi";

/**
 * Where a workload finds its PostgreSQL database on Cloud SQL: the instance's private IP, and the
 * database and user of its own (Metaflow's services, Airflow). The password is written only into
 * a Kubernetes Secret, as a Pulumi secret.
 */
export interface DatabaseConnection {
    readonly host: pulumi.Input<string>;
    readonly port: number;
    readonly name: pulumi.Input<string>;
    readonly user: pulumi.Input<string>;
    readonly password: pulumi.Input<string>;
}
