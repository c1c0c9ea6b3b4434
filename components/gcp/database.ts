import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { childOptions, dependencyOn, withDefaults, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { checkSqlTier } from "../model/catalog";
import { maxConnectionsForTier } from "../model/sizing";
import { STANDALONE_DEFAULTS as PRODUCTION } from "../model/profiles";

/** Database and role the Metaflow services use. */
export const METAFLOW_DB_NAME = "metaflow";
export const METAFLOW_DB_USER = "metaflow";
export const POSTGRES_PORT = 5432;

/**
 * Cloud SQL edition; always sent: unset means ENTERPRISE_PLUS on Postgres 16+, which rejects
 * db-custom-* tiers and costs ~$180/month at minimum.
 */
export const DatabaseEdition = { Enterprise: "ENTERPRISE", EnterprisePlus: "ENTERPRISE_PLUS" } as const;
export type DatabaseEdition = (typeof DatabaseEdition)[keyof typeof DatabaseEdition];

/** PostgreSQL major versions offered. */
export const PostgresVersion = { Postgres15: "POSTGRES_15", Postgres16: "POSTGRES_16", Postgres17: "POSTGRES_17" } as const;
export type PostgresVersion = (typeof PostgresVersion)[keyof typeof PostgresVersion];

export interface MetaflowDatabaseArgs {
    /** Project of the instance. */
    readonly project: string;
    /** Region of the instance. */
    readonly region: string;
    /** VPC the private IP lives in (MetaflowNetwork.networkId). */
    readonly networkId: pulumi.Input<string>;
    /**
     * MetaflowNetwork.privateServiceAccess: an Output that carries the Private Service Access
     * connection and peering removal. The instance is created after them and deleted before
     * them; the value itself is not used.
     */
    readonly privateServiceAccess: pulumi.Input<string>;
    /** Cloud SQL user labels. Default: none. */
    readonly labels?: Record<string, string>;
    /** Default: `ENTERPRISE`. */
    readonly edition?: DatabaseEdition;
    /** Machine tier; must exist in `edition`. Default: `db-custom-2-7680` (2 vCPUs, 7.5 GB). */
    readonly tier?: string;
    /** Default: `POSTGRES_16`. */
    readonly version?: PostgresVersion;
    /** REGIONAL availability (a standby in another zone). Default: true. */
    readonly highAvailability?: boolean;
    /** SSD size in GB; grows automatically. Default: 20. */
    readonly diskSizeGb?: number;
    /** Automated backups kept. Default: 14. */
    readonly backupRetentionCount?: number;
    /** Days of write-ahead log kept for point-in-time recovery. Default: 7. */
    readonly logRetentionDays?: number;
    /**
     * The API's deletion protection, Pulumi's `protect`, and backups kept after the instance is
     * deleted. Default: true.
     */
    readonly deletionProtection?: boolean;
    /**
     * The max_connections flag (changing it restarts Postgres). Default: from the tier's memory
     * (`maxConnectionsForTier` in model/sizing.ts).
     */
    readonly maxConnections?: number;
}

/**
 * The defaults MetaflowDatabaseArgs documents (the production profile's database), applied once
 * at the top of the constructor; maxConnections follows the tier (`databaseMaxConnections`).
 */
export const METAFLOW_DATABASE_DEFAULTS = {
    labels: {} as Record<string, string>,
    edition: DatabaseEdition.Enterprise as DatabaseEdition,
    tier: PRODUCTION.database.tier as string,
    version: PostgresVersion.Postgres16 as PostgresVersion,
    highAvailability: PRODUCTION.database.highAvailability as boolean,
    diskSizeGb: 20,
    backupRetentionCount: PRODUCTION.database.backupRetentionCount as number,
    logRetentionDays: PRODUCTION.database.logRetentionDays as number,
    deletionProtection: PRODUCTION.database.deletionProtection as boolean,
};

/** `maxConnections` when given, else the tier's default; an unknown tier without it is an error. */
export function databaseMaxConnections(edition: DatabaseEdition, tier: string, maxConnections?: number): number {
    if (maxConnections !== undefined) {
        return maxConnections;
    }
    const check = checkSqlTier(edition, tier);
    if (!check.ok) {
        throw new Error(`MetaflowDatabase: tier "${tier}" is not a ${edition} tier (${check.reason}); choose one, or set maxConnections`);
    }
    return maxConnectionsForTier(check.memoryMb);
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
        super(componentType("MetaflowDatabase"), name, {}, withLegacyType("MetaflowDatabase", opts));
        const s = withDefaults(METAFLOW_DATABASE_DEFAULTS, args);
        const maxConnections = databaseMaxConnections(s.edition, s.tier, s.maxConnections);
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
                        { name: "max_connections", value: String(maxConnections) },
                        { name: "log_min_duration_statement", value: "1000" },
                    ],
                    maintenanceWindow: { day: 7, hour: 4, updateTrack: "stable" },
                    insightsConfig: { queryInsightsEnabled: true, recordApplicationTags: true },
                    userLabels: s.labels,
                },
            },
            { ...withDependencies(parent, dependencyOn(args.privateServiceAccess)), protect: s.deletionProtection },
        );

        this.database = new gcp.sql.Database(
            `${name}-db`,
            // Abandoned like the user: pods still terminating may hold sessions, and PostgreSQL
            // refuses to drop a database in use; the instance, deleted next, takes it along.
            // ABANDON only drops it from state (terraform-provider-google v7.45.0
            // sql/resource_sql_database.go resourceSQLDatabaseDelete).
            { project: args.project, instance: this.instance.name, name: METAFLOW_DB_NAME, deletionPolicy: "ABANDON" },
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
