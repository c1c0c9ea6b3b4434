/**
 * Airflow's PgBouncer: the official chart's Deployment (`pgbouncer.enabled`), with a config of
 * ours (`pgbouncer.configSecretName`) instead of the chart's, which would need the database
 * password in the Helm values (chart 1.16.0 `templates/_helpers.yaml` "pgbouncer_config" and
 * "pgbouncer_users" read `data.metadataConnection.pass`) and has no say on which host it uses
 * when `data.metadataSecretName` is set. What the chart does with the Secret: mounts its
 * `pgbouncer.ini` and `users.txt` at /etc/pgbouncer (`pgbouncer.mountConfigSecret`, default true)
 * and runs `pgbouncer -u nobody /etc/pgbouncer/pgbouncer.ini`; its Service is
 * `<release>-pgbouncer` on `ports.pgbouncer` 6543 (templates/pgbouncer/pgbouncer-service.yaml).
 * Settings: PgBouncer 1.23 (pgbouncer.org/config.html).
 */
import { AIRFLOW_DB, pgbouncerMaxClientConnections } from "../../model/sizing";

/** The chart's PgBouncer Service and port, and the database name clients ask PgBouncer for. */
export const PGBOUNCER = {
    service: "airflow-pgbouncer",
    port: 6543,
    /** The chart's own name for it (`<release>-metadata`). */
    database: "airflow-metadata",
    configDir: "/etc/pgbouncer",
} as const;

/** Where PgBouncer finds the metadata database, and how many Airflow pods use it. */
export interface PgbouncerIniInput {
    readonly host: string;
    readonly port: number;
    readonly dbName: string;
    readonly user: string;
    /** Scheduler (and PgBouncer) replicas: they decide how many clients connect. */
    readonly replicas: number;
}

/**
 * pgbouncer.ini. Transaction pooling (the chart's own mode, what Airflow's short transactions
 * suit); `pool_size` server connections to Cloud SQL per pod (sizing.ts AIRFLOW_DB); TLS to
 * Cloud SQL required (`server_tls_sslmode = require`: Cloud SQL accepts only encrypted
 * connections, ENCRYPTED_ONLY in components/gcp/database.ts, as the metadata service's
 * `sslmode=require`); clients in the cluster speak plain TCP to it (no client certificate:
 * `client_tls_sslmode` stays disable). SCRAM between Airflow and PgBouncer, whose users.txt holds
 * the password in plain text so it can log in to Cloud SQL in turn. `extra_float_digits` is
 * ignored, as the chart's config does, since drivers send it and PgBouncer would refuse it.
 */
export function pgbouncerIni(input: PgbouncerIniInput): string {
    return [
        "[databases]",
        `${PGBOUNCER.database} = host=${input.host} port=${input.port} dbname=${input.dbName} pool_size=${AIRFLOW_DB.pgbouncerPoolSize}`,
        "",
        "[pgbouncer]",
        "pool_mode = transaction",
        "listen_addr = *",
        `listen_port = ${PGBOUNCER.port}`,
        "auth_type = scram-sha-256",
        `auth_file = ${PGBOUNCER.configDir}/users.txt`,
        `stats_users = ${input.user}`,
        "ignore_startup_parameters = extra_float_digits",
        `max_client_conn = ${pgbouncerMaxClientConnections(input.replicas)}`,
        "server_tls_sslmode = require",
        "",
    ].join("\n");
}

/** users.txt: `"user" "password"`, a double quote inside doubled (PgBouncer's auth_file format). */
export function pgbouncerUsers(user: string, password: string): string {
    const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
    return `${quote(user)} ${quote(password)}\n`;
}

/**
 * Airflow's SQLAlchemy URL: PgBouncer's Service in the namespace, its database name, no TLS on
 * that hop (PgBouncer has no certificate; it speaks TLS to Cloud SQL).
 */
export function pgbouncerConnectionUrl(db: { user: string; password: string; namespace: string }): string {
    return `postgresql://${encodeURIComponent(db.user)}:${encodeURIComponent(db.password)}@${PGBOUNCER.service}.${db.namespace}:${PGBOUNCER.port}/${PGBOUNCER.database}?sslmode=disable`;
}

/**
 * The metrics exporter's connection to PgBouncer's admin database over the pod's loopback, as the
 * chart's own stats Secret builds it (templates/secrets/pgbouncer-stats-secret.yaml).
 */
export function pgbouncerStatsUrl(db: { user: string; password: string }): string {
    return `postgresql://${encodeURIComponent(db.user)}:${encodeURIComponent(db.password)}@127.0.0.1:${PGBOUNCER.port}/pgbouncer?sslmode=disable`;
}
