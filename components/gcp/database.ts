import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { DatabaseConfig } from "../config/config";
import { childOptions, withDependencies } from "../options";

/** Database and role the Metaflow services use. */
export const METAFLOW_DB_NAME = "metaflow";
export const METAFLOW_DB_USER = "metaflow";
export const POSTGRES_PORT = 5432;

export interface MetaflowDatabaseArgs {
    readonly project: string;
    readonly region: string;
    readonly environment: string;
    readonly labels: Record<string, string>;
    /** VPC the private IP lives in. */
    readonly networkId: pulumi.Input<string>;
    /**
     * The Private Service Access resources (connection, peering removal): the instance is
     * created after them and deleted before them.
     */
    readonly privateServiceAccess: pulumi.Resource[];
    /** Validated database settings (edition, tier, HA, backups, max_connections). */
    readonly settings: DatabaseConfig;
}

/**
 * Cloud SQL for PostgreSQL on private IP only, with an explicit edition, TLS enforced,
 * automated backups with point-in-time recovery, and a generated password that never leaves
 * Pulumi's secret handling. With deletion protection on (production), both the API-side flag
 * and Pulumi's `protect` guard the instance, and backups outlive it.
 */
export class MetaflowDatabase extends pulumi.ComponentResource {
    public readonly instance: gcp.sql.DatabaseInstance;
    public readonly database: gcp.sql.Database;
    public readonly user: gcp.sql.User;
    /** Private IP of the instance. */
    public readonly host: pulumi.Output<string>;
    public readonly port: number = POSTGRES_PORT;
    public readonly databaseName: pulumi.Output<string>;
    public readonly username: pulumi.Output<string>;
    /** Generated password (secret). */
    public readonly password: pulumi.Output<string>;
    public readonly connectionName: pulumi.Output<string>;

    constructor(name: string, args: MetaflowDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:gcp:MetaflowDatabase", name, {}, opts);
        const s = args.settings;
        const parent = childOptions(this, opts);

        const password = new random.RandomPassword(
            `${name}-password`,
            // Letters, digits and two URL-safe symbols: no quoting surprises in DSNs or shells.
            { length: 32, special: true, overrideSpecial: "-_", minLower: 2, minUpper: 2, minNumeric: 2 },
            parent,
        );
        this.password = pulumi.secret(password.result);

        this.instance = new gcp.sql.DatabaseInstance(
            `${name}-pg`,
            {
                project: args.project,
                region: args.region,
                databaseVersion: s.version,
                deletionProtection: s.deletionProtection,
                settings: {
                    // Always explicit: unset means ENTERPRISE_PLUS on Postgres 16+, which rejects
                    // db-custom-* tiers and costs ~$180/month at minimum.
                    edition: s.edition,
                    tier: s.tier,
                    availabilityType: s.highAvailability ? "REGIONAL" : "ZONAL",
                    diskType: "PD_SSD",
                    diskSize: s.diskSizeGb,
                    diskAutoresize: true,
                    deletionProtectionEnabled: s.deletionProtection,
                    retainBackupsOnDelete: s.deletionProtection,
                    ipConfiguration: {
                        ipv4Enabled: false,
                        privateNetwork: args.networkId,
                        sslMode: "ENCRYPTED_ONLY",
                    },
                    backupConfiguration: {
                        enabled: true,
                        startTime: "03:00",
                        pointInTimeRecoveryEnabled: true,
                        transactionLogRetentionDays: s.logRetentionDays,
                        backupRetentionSettings: { retainedBackups: s.backupRetentionCount, retentionUnit: "COUNT" },
                    },
                    databaseFlags: [
                        { name: "max_connections", value: String(s.maxConnections) },
                        { name: "log_min_duration_statement", value: "1000" },
                    ],
                    maintenanceWindow: { day: 7, hour: 4, updateTrack: "stable" },
                    insightsConfig: { queryInsightsEnabled: true, recordApplicationTags: true },
                    userLabels: args.labels,
                },
            },
            { ...withDependencies(parent, ...args.privateServiceAccess), protect: s.deletionProtection },
        );

        this.database = new gcp.sql.Database(
            `${name}-db`,
            { project: args.project, instance: this.instance.name, name: METAFLOW_DB_NAME },
            parent,
        );

        this.user = new gcp.sql.User(
            `${name}-user`,
            {
                project: args.project,
                instance: this.instance.name,
                name: METAFLOW_DB_USER,
                password: this.password,
                // Postgres refuses to drop a role that owns objects; let destroy go on.
                deletionPolicy: "ABANDON",
            },
            parent,
        );

        this.host = this.instance.privateIpAddress;
        this.databaseName = this.database.name;
        this.username = this.user.name;
        this.connectionName = this.instance.connectionName;
        this.registerOutputs({
            host: this.host,
            port: this.port,
            databaseName: this.databaseName,
            username: this.username,
            password: this.password,
            connectionName: this.connectionName,
        });
    }
}
