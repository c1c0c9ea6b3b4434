/**
 * The stack configuration: one typed schema, its defaults per profile in one table, parsed and
 * validated once before any resource is created. Every key is documented in README.md
 * ("Configuration"); keep the two in step.
 *
 * Keys live in the project's namespace (`metaflow-gcp:<key>`), except the provider's own
 * `gcp:project` and `gcp:region`.
 */
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    GPU_TYPES,
    MAX_LOG_RETENTION_DAYS,
    REGION_ZONES,
    SQL_EDITIONS,
    checkSqlTier,
    KNOWN_MACHINE_SERIES,
    gpuZones,
    machineShape,
    pairGpuMachine,
} from "../pure/catalog";
import { coversWholeInternet, findOverlaps, isPrivateCidr, isWholeInternet, parseIpv4Cidr } from "../pure/cidr";
import { AUTOPILOT_DEFAULT_RESOURCES } from "../pure/metaflowConfig";
import { REPLACING_KEYS } from "../pure/replacement";
import {
    GKE_SYSTEM_PODS,
    METAFLOW_DEFAULT_STEP,
    autopilotStepProblem,
    connectionCapacity,
    cpuMachinesThatFit,
    cpuPoolPlan,
    maxConnectionsForTier,
    requiredConnections,
    serviceConnectionUses,
    servicesRequests,
    stepFits,
    type ConnectionUse,
} from "../pure/sizing";

export const CONFIG_NAMESPACE = "metaflow-gcp";

/**
 * What differs between a development and a production environment when the stack file says
 * nothing. Stack files override any of it; code never branches on the stack name.
 */
export const PROFILE_DEFAULTS = {
    development: {
        clusterMode: "standard",
        spotSteps: false,
        clusterRegional: false, // one zonal cluster per billing account is covered by GKE's free tier credit
        clusterDeletionProtection: false,
        // Spot: at most 40% of the on-demand price; a preempted node is replaced by the autoscaler
        // (services restart on it). One e2-standard-2 carries the services and GKE's add-ons;
        // a step gets a node of its own (maxNodes 3, see cpuPoolPlan in sizing.ts). 30 GB leaves
        // pods 12 GiB of ephemeral storage after GKE's reservation (a default step asks for
        // 10240 MB = 9.5 GiB); GKE's 15 GB system reservation holds the OS and the images.
        cpuPool: { machineType: "e2-standard-2", minNodes: 1, maxNodes: 3, spot: true, diskSizeGb: 30 },
        gpuSpot: true,
        databaseEnabled: true,
        // Pools that fit db-f1-micro's 25 connections at peak: (1+1) x 3 + (1+1) x 6 x 1 + 7 reserved.
        services: { enabled: true, ui: true, argoWorkflows: true, metadataDbPoolMax: 3, uiDbPoolMax: 1 },
        database: {
            tier: "db-f1-micro",
            highAvailability: false,
            deletionProtection: false,
            backupRetentionCount: 7,
            logRetentionDays: 1,
        },
        storage: { versioning: false, softDeleteDays: 0, forceDestroy: true, immutableTags: false },
        allowIapSsh: true,
        replicas: 1,
    },
    production: {
        clusterMode: "standard",
        spotSteps: false,
        clusterRegional: true,
        clusterDeletionProtection: true,
        cpuPool: { machineType: "e2-standard-4", minNodes: 1, maxNodes: 6, spot: false, diskSizeGb: 100 },
        gpuSpot: false,
        databaseEnabled: true,
        // aiopg's default pool size (10) per pool.
        services: { enabled: true, ui: true, argoWorkflows: true, metadataDbPoolMax: 10, uiDbPoolMax: 10 },
        database: {
            tier: "db-custom-2-7680",
            highAvailability: true,
            deletionProtection: true,
            backupRetentionCount: 14,
            logRetentionDays: 7,
        },
        storage: { versioning: true, softDeleteDays: 7, forceDestroy: false, immutableTags: true },
        allowIapSsh: false,
        replicas: 2,
    },
    /**
     * `preset: personal`: one person, cost first (the personal-metaflow design). No Cloud SQL and
     * no always-on services (local metadata, synced to the bucket by Metaflow); Autopilot, so
     * nothing is billed for compute while no step runs and GKE's free-tier credit covers the
     * cluster fee; spot GPUs; bucket and registry kept. Never combined with `production`.
     */
    personal: {
        clusterMode: "autopilot",
        // Every step asks for a Spot Pod (at most 40% of the price); a preempted step retries with @retry.
        spotSteps: true,
        clusterRegional: true, // Autopilot clusters are regional; the free-tier credit covers them too
        clusterDeletionProtection: false,
        cpuPool: { machineType: "e2-standard-4", minNodes: 1, maxNodes: 3, spot: true, diskSizeGb: 50 },
        gpuSpot: true,
        databaseEnabled: false,
        // The Kubernetes half is only the namespace and the task identity steps run as.
        services: { enabled: true, ui: false, argoWorkflows: false, metadataDbPoolMax: 3, uiDbPoolMax: 1 },
        database: {
            tier: "db-g1-small",
            highAvailability: false,
            deletionProtection: false,
            backupRetentionCount: 7,
            logRetentionDays: 1,
        },
        storage: { versioning: false, softDeleteDays: 0, forceDestroy: true, immutableTags: false },
        allowIapSsh: false,
        replicas: 1,
    },
} as const;
export type Profile = keyof typeof PROFILE_DEFAULTS;
type ProfileDefaults = (typeof PROFILE_DEFAULTS)[Profile];

/** Named sets of defaults a stack can pick with `preset`, beside the one `production` picks. */
export const PRESETS = ["personal"] as const;

const ENVIRONMENT_NAME = /^[a-z][a-z0-9]{1,11}$/;
const POOL_NAME = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/;
const ZONE_NAME = /^[a-z]+-[a-z]+\d+-[a-z]$/;
/** An IAM principal a member may be: a Google account, a Google Group or a service account. */
const MEMBER_PRINCIPAL = /^(user|group|serviceAccount):[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** IAM's special principals for everyone; never granted anything here. */
const PUBLIC_PRINCIPALS = ["allUsers", "allAuthenticatedUsers"];

const cidr = z.string().superRefine((value, ctx) => {
    try {
        parseIpv4Cidr(value);
    } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return;
    }
    if (!isPrivateCidr(value)) {
        ctx.addIssue({ code: "custom", message: `"${value}" is not RFC 1918 private space (10/8, 172.16/12, 192.168/16)` });
    }
});

const authorizedNetwork = z
    .object({
        cidr: z.string().refine((v) => {
            try {
                parseIpv4Cidr(v);
                return true;
            } catch {
                return false;
            }
        }, "must be an IPv4 CIDR block written with its network address"),
        name: z.string().min(1),
    })
    .strict();

/** Builds the schema with the defaults of one profile. */
function platformSchema(d: ProfileDefaults) {
    const network = z
        .object({
            /** Primary range of the subnet (nodes, internal load balancers). */
            subnetCidr: cidr.default("10.10.0.0/20"),
            /** Secondary range for pod IPs; a /16 fits 256 nodes at 110 pods each. */
            podsCidr: cidr.default("10.11.0.0/16"),
            /** Secondary range for Service cluster IPs. */
            servicesCidr: cidr.default("10.12.0.0/20"),
            /** Private Service Access range peered to Google's producer network (Cloud SQL). */
            privateServiceAccessCidr: cidr.default("10.13.0.0/20"),
            /** Allow SSH from Google's IAP range to nodes, for debugging. */
            allowIapSsh: z.boolean().default(d.allowIapSsh),
            /** Cloud NAT ports per VM; raise for steps that open many outbound connections. */
            natMinPortsPerVm: z.number().int().min(64).max(65536).default(256),
        })
        .strict();

    const cpuPool = z
        .object({
            machineType: z.string().regex(/^[a-z0-9]+-[a-z0-9-]+$/).default(d.cpuPool.machineType),
            /** Total nodes across the pool's zones (totalMinNodeCount). */
            minNodes: z.number().int().min(0).max(100).default(d.cpuPool.minNodes),
            /** Total nodes across the pool's zones (totalMaxNodeCount). */
            maxNodes: z.number().int().min(1).max(100).default(d.cpuPool.maxNodes),
            spot: z.boolean().default(d.cpuPool.spot),
            diskSizeGb: z.number().int().min(30).max(2000).default(d.cpuPool.diskSizeGb),
        })
        .strict();

    const cluster = z
        .object({
            /** "standard" (node pools we manage) or "autopilot" (Google manages nodes). */
            mode: z.enum(["standard", "autopilot"]).default(d.clusterMode),
            /**
             * Autopilot only: the Metaflow profile asks for Spot Pods for every step
             * (METAFLOW_KUBERNETES_NODE_SELECTOR cloud.google.com/gke-spot=true).
             */
            spotSteps: z.boolean().default(d.spotSteps),
            /** Regional control plane and nodes across zones; zonal otherwise (Autopilot is always regional). */
            regional: z.boolean().default(d.clusterRegional),
            releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR"),
            /**
             * How `pulumi up` reaches the control plane: "dns" (IAM-gated DNS endpoint, no IP
             * allow-list needed) or "authorizedNetworks" (public IP endpoint limited to
             * `authorizedNetworks`).
             */
            controlPlaneAccess: z.enum(["dns", "authorizedNetworks"]).default("dns"),
            /** CIDRs allowed to reach the control plane's IP endpoint. */
            authorizedNetworks: z.array(authorizedNetwork).default([]),
            deletionProtection: z.boolean().default(d.clusterDeletionProtection),
            cpuPool: cpuPool.prefault({}),
        })
        .strict();

    const gpuPool = z
        .object({
            /** Pool name, unique in the stack; becomes part of the node pool name. */
            name: z.string().regex(POOL_NAME, "must be 2-20 lowercase letters, digits or dashes, starting with a letter"),
            gpuType: z.enum(GPU_TYPES).default("nvidia-l4"),
            machineType: z.string().default("g2-standard-8"),
            /** GPUs per node; fixed by the machine type except for T4 on N1 (1, 2 or 4). */
            gpusPerNode: z.number().int().min(1).optional(),
            /** Total nodes across zones when idle; 0 scales to zero. */
            minNodes: z.number().int().min(0).max(100).default(0),
            /** Total nodes across zones at most (totalMaxNodeCount, not per zone). */
            maxNodes: z.number().int().min(1).max(100).default(2),
            spot: z.boolean().default(d.gpuSpot),
            /** Zones for the pool; default: the region's zones known to offer the GPU. */
            zones: z.array(z.string().regex(ZONE_NAME)).min(1).optional(),
            diskSizeGb: z.number().int().min(50).max(4000).default(200),
            /** GKE-managed driver install; never leave unset, unset means no driver. */
            driverVersion: z.enum(["DEFAULT", "LATEST"]).default("LATEST"),
        })
        .strict();

    const database = z
        .object({
            /**
             * Create Cloud SQL. Off = no metadata database (local metadata, as cost-first setups
             * do); the services need it, so `services.enabled` must then be false.
             */
            enabled: z.boolean().default(d.databaseEnabled),
            /** Always explicit: without it Postgres 16+ defaults to ENTERPRISE_PLUS (~$180/month minimum). */
            edition: z.enum(SQL_EDITIONS).default("ENTERPRISE"),
            tier: z.string().default(d.database.tier),
            version: z.enum(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17"]).default("POSTGRES_16"),
            /** REGIONAL availability (a standby in another zone). Required in production. */
            highAvailability: z.boolean().default(d.database.highAvailability),
            diskSizeGb: z.number().int().min(10).max(65536).default(20),
            backupRetentionCount: z.number().int().min(1).max(365).default(d.database.backupRetentionCount),
            /** Days of write-ahead log kept for point-in-time recovery. */
            logRetentionDays: z.number().int().min(1).max(35).default(d.database.logRetentionDays),
            deletionProtection: z.boolean().default(d.database.deletionProtection),
            /**
             * The max_connections flag; default from the tier's memory. Changing it restarts
             * Postgres, so it never follows replica counts.
             */
            maxConnections: z.number().int().min(25).max(10000).optional(),
        })
        .strict();

    const storage = z
        .object({
            /** Bucket name; default `<project>-metaflow-<environment>` (globally unique by project). */
            bucketName: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/).optional(),
            versioning: z.boolean().default(d.storage.versioning),
            /** Soft-delete retention; 0 turns it off, 7-90 otherwise. */
            softDeleteDays: z.number().int().min(0).max(90).default(d.storage.softDeleteDays),
            /** Objects under tmp/ are deleted after this many days. */
            tmpObjectTtlDays: z.number().int().min(1).max(365).default(7),
            /** Let `pulumi destroy` delete a non-empty bucket. Refused in production. */
            forceDestroy: z.boolean().default(d.storage.forceDestroy),
            /** Docker tags in Artifact Registry cannot be overwritten. */
            immutableTags: z.boolean().default(d.storage.immutableTags),
            /** Untagged images are deleted after this many days. */
            untaggedImageTtlDays: z.number().int().min(1).max(365).default(14),
        })
        .strict();

    const services = z
        .object({
            /**
             * Deploy the Kubernetes half (namespace, task identity, metadata service, UI, Argo).
             * With `database.enabled` false only the namespace and the task identity are deployed.
             */
            enabled: z.boolean().default(d.services.enabled),
            /**
             * Kubernetes namespace; default `metaflow-<environment>`. Workload Identity pools are
             * per project, so two environments in one project must not share a namespace name.
             */
            namespace: z.string().regex(/^[a-z][a-z0-9-]{1,30}[a-z0-9]$/).optional(),
            metadataReplicas: z.number().int().min(1).max(10).default(d.replicas),
            /** Deploy the Metaflow UI: the UI backend, which serves the UI bundled in its image. */
            ui: z.boolean().default(d.services.ui),
            /** Replicas of the UI backend (each holds its own database pools, see sizing.ts). */
            uiReplicas: z.number().int().min(1).max(10).default(d.replicas),
            /**
             * Most connections the metadata service's pool opens per replica
             * (MF_METADATA_DB_POOL_MAX); counted against the database's max_connections.
             */
            metadataDbPoolMax: z.number().int().min(1).max(100).default(d.services.metadataDbPoolMax),
            /** Most connections each of the UI backend's six pools opens per replica (see sizing.ts). */
            uiDbPoolMax: z.number().int().min(1).max(100).default(d.services.uiDbPoolMax),
            argoWorkflows: z.boolean().default(d.services.argoWorkflows),
            argoEvents: z.boolean().default(false),
            airflow: z.boolean().default(false),
        })
        .strict();

    const access = z
        .object({
            /**
             * IAM principals who run and schedule flows in this environment: `user:<email>`,
             * `group:<email>` or `serviceAccount:<email>`. Each gets exactly what that needs (see
             * README "Access"), nothing project-wide beyond fetching cluster credentials.
             */
            members: z
                .array(
                    z
                        .string()
                        // Public principals first, so they get their own reason rather than the format message.
                        .refine((m) => !PUBLIC_PRINCIPALS.includes(m.replace(/^[a-zA-Z]+:/, "")), "public principals are never granted access; list people, groups or service accounts")
                        .refine((m) => PUBLIC_PRINCIPALS.includes(m.replace(/^[a-zA-Z]+:/, "")) || MEMBER_PRINCIPAL.test(m), 'must be "user:<email>", "group:<email>" or "serviceAccount:<email>"'),
                )
                .default([]),
            /**
             * The `gke-security-groups@<domain>` Google Group that GKE's Google Groups for RBAC
             * reads; required when `members` lists a group.
             */
            securityGroup: z.string().regex(/^gke-security-groups@[^\s@]+\.[^\s@]+$/, 'must be "gke-security-groups@<your-domain>"').optional(),
        })
        .strict();

    const budget = z
        .object({
            /** Cloud Billing account ID, `XXXXXX-XXXXXX-XXXXXX`. */
            billingAccount: z.string().regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/, "must be a billing account ID like 012345-6789AB-CDEF01 (gcloud billing accounts list)"),
            /** Monthly amount, in the billing account's currency. */
            amount: z.number().int().positive(),
            /** Alert when actual spend passes these fractions of the amount (1.0 = 100%). */
            thresholds: z.array(z.number().positive().max(10)).min(1).default([0.5, 0.9, 1.0]),
            /** Email recipients (each becomes a Cloud Monitoring email notification channel; at most 5). */
            emails: z.array(z.string().regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address")).max(5).default([]),
            /** Pub/Sub topic for programmatic alerts, `projects/<project>/topics/<topic>`. */
            pubsubTopic: z.string().regex(/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/, "must be projects/<project>/topics/<topic>").optional(),
        })
        .strict();
    const billing = z
        .object({
            /** A Cloud Billing budget for this environment's project and `environment` label; off when unset. */
            budget: budget.optional(),
        })
        .strict();

    const endpoint = z
        .object({
            /** DNS name users reach the platform at; you create its A record (see the `endpoint` output). */
            hostname: z
                .string()
                .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a fully qualified lowercase DNS name you control, e.g. metaflow.example.com"),
            /** Client ID of the OAuth client IAP uses (created in the console, see README). */
            oauthClientId: z
                .string()
                .regex(/^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$/, 'must be an OAuth client ID, "<number>-<id>.apps.googleusercontent.com"'),
            /** Its secret; must be a Pulumi secret (`pulumi config set --secret --path endpoint.oauthClientSecret`). */
            oauthClientSecret: z.string().min(1, "must not be empty"),
        })
        .strict();

    return z
        .object({
            /** A named set of defaults (`personal`); unset = the development or production profile. */
            preset: z.enum(PRESETS).optional(),
            project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project ID (6-30 lowercase letters, digits, dashes)"),
            region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, "must be a GCP region such as us-central1").default("us-central1"),
            environment: z.string().regex(ENVIRONMENT_NAME, "must be 2-12 lowercase letters or digits, starting with a letter"),
            production: z.boolean().default(false),
            /** Zones for the cluster's nodes; default: the region's first three. */
            zones: z.array(z.string().regex(ZONE_NAME)).min(1).optional(),
            /** Extra labels on every resource that takes labels. */
            labels: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/), z.string().regex(/^[a-z0-9_-]{0,63}$/)).default({}),
            network: network.prefault({}),
            cluster: cluster.prefault({}),
            gpuPools: z.array(gpuPool).default([{ name: "l4" }].map((p) => gpuPool.parse(p))),
            database: database.prefault({}),
            storage: storage.prefault({}),
            services: services.prefault({}),
            access: access.prefault({}),
            billing: billing.prefault({}),
            /** Optional IAP-protected HTTPS endpoint for the UI, metadata service and Argo. */
            endpoint: endpoint.optional(),
            /**
             * Keys (as in REPLACING_KEYS, e.g. "metaflow-gcp:storage.bucketName") whose change may
             * replace production resources in the next update. Empty: such changes are refused.
             */
            allowReplacement: z
                .array(z.enum(REPLACING_KEYS.map((k) => k.key) as [string, ...string[]]))
                .default([]),
        })
        .strict();
}

type ParsedConfig = z.output<ReturnType<typeof platformSchema>>;

/** A GPU pool after validation: zones and GPUs per node resolved. */
export type GpuPoolConfig = Omit<ParsedConfig["gpuPools"][number], "zones" | "gpusPerNode"> & {
    readonly zones: string[];
    readonly gpusPerNode: number;
};

/** The validated configuration of one environment. */
export type PlatformConfig = Omit<ParsedConfig, "zones" | "gpuPools" | "database" | "storage" | "services"> & {
    readonly zones: string[];
    readonly gpuPools: GpuPoolConfig[];
    readonly database: ParsedConfig["database"] & { readonly maxConnections: number };
    readonly storage: ParsedConfig["storage"] & { readonly bucketName: string };
    readonly services: ParsedConfig["services"] & { readonly namespace: string };
};
export type NetworkConfig = PlatformConfig["network"];
export type ClusterConfig = PlatformConfig["cluster"];
export type DatabaseConfig = PlatformConfig["database"];
export type StorageConfig = PlatformConfig["storage"];
export type ServicesConfig = PlatformConfig["services"];
export type AccessConfig = PlatformConfig["access"];
export type BillingConfig = PlatformConfig["billing"];

export type EndpointConfig = NonNullable<PlatformConfig["endpoint"]>;

/** How the raw config was stored, as far as the program can tell. */
export interface ParseOptions {
    /**
     * Top-level keys (without namespace) the stack stores as secrets. When given, a key that must
     * be secret and is not is an error; tests that build config by hand leave it out.
     */
    readonly secretKeys?: readonly string[];
}

/** Raised when stack config is invalid; lists every problem with its key. */
export class ConfigError extends Error {
    constructor(public readonly problems: string[]) {
        super(
            `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created:\n` +
                problems.map((p) => `  - ${p}`).join("\n") +
                "\nFix with `pulumi config set <key> <value>` or edit Pulumi.<stack>.yaml; every key is described in README.md.",
        );
        this.name = "ConfigError";
    }
}

/** Config keys the program reads, for the unknown-key check. */
const TOP_LEVEL_KEYS = ["preset", "environment", "production", "zones", "labels", "network", "cluster", "gpuPools", "database", "storage", "services", "access", "billing", "endpoint", "allowReplacement"];

/** Config values never shown in an error message (path from the top-level key). */
const SECRET_PATHS: ReadonlyArray<ReadonlyArray<string>> = [["endpoint", "oauthClientSecret"]];

/** A value for an error message, with secret values replaced by "[secret]" wherever they sit. */
function shownValue(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    for (const secret of SECRET_PATHS) {
        const common = Math.min(path.length, secret.length);
        if (secret.slice(0, common).every((part, i) => part === path[i])) {
            if (path.length >= secret.length) {
                return "[secret]";
            }
            // An ancestor of the secret: show it with the secret masked.
            const value = valueAt(root, path);
            return value === undefined ? undefined : maskAt(value, secret.slice(path.length));
        }
    }
    return valueAt(root, path);
}

function maskAt(value: unknown, path: ReadonlyArray<string>): unknown {
    if (path.length === 0) {
        return "[secret]";
    }
    if (value === null || typeof value !== "object" || !(path[0] in value)) {
        return value;
    }
    const record = value as Record<string, unknown>;
    return { ...record, [path[0]]: maskAt(record[path[0]], path.slice(1)) };
}

function keyName(path: ReadonlyArray<PropertyKey>): string {
    if (path.length === 0) {
        return "(config)";
    }
    const [head, ...rest] = path;
    const ns = head === "project" || head === "region" ? "gcp" : CONFIG_NAMESPACE;
    let key = `${ns}:${String(head)}`;
    for (const part of rest) {
        key += typeof part === "number" ? `[${part}]` : `.${String(part)}`;
    }
    return key;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
    let value: unknown = raw;
    for (const part of path) {
        if (value === null || typeof value !== "object") {
            return undefined;
        }
        value = (value as Record<PropertyKey, unknown>)[part];
    }
    return value;
}

/** Names that hold credentials, wherever they appear in a structured value. */
const SECRET_NAME = /(password|passwd|secret|token|credential|(^|[-_.])key$|apikey|privatekey|accesskey)/i;

/** Copy of a value with anything under a credential-like name replaced by "[secret]". */
function redacted(value: unknown, name = ""): unknown {
    if (SECRET_NAME.test(name)) {
        return "[secret]";
    }
    if (Array.isArray(value)) {
        return value.map((v) => redacted(v));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redacted(v, k)]));
    }
    return value;
}

/** ` = <value>` for messages, secrets and credential-like names redacted; "" when there is no value. */
function shownSuffix(root: unknown, path: ReadonlyArray<PropertyKey>): string {
    const value = shownValue(root, path);
    return value === undefined ? "" : ` = ${JSON.stringify(redacted(value, String(path[path.length - 1] ?? "")))}`;
}

/** The keys the schema allows for the object at `path`, if it is an object. */
function objectKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | undefined {
    // zod 4's schema definitions (`_zod.def`): wrappers hold `innerType`, arrays `element`, objects `shape`.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let node: any = schema;
    const unwrap = () => {
        while (node && ["default", "prefault", "optional", "nullable", "pipe"].includes(node._zod?.def?.type)) {
            node = node._zod.def.innerType ?? node._zod.def.in;
        }
    };
    unwrap();
    for (const part of path) {
        if (node?._zod?.def?.type === "array") {
            node = node._zod.def.element;
        } else if (node?._zod?.def?.type === "object") {
            node = node._zod.def.shape[part as string];
        } else {
            return undefined;
        }
        unwrap();
    }
    return node?._zod?.def?.type === "object" ? Object.keys(node._zod.def.shape) : undefined;
}

/**
 * Why `zone` cannot hold nodes of `region`, or undefined when it can. A zone that does not exist
 * must be refused here: GKE otherwise places the pool elsewhere without saying so. For a region
 * missing from the catalog only the region prefix can be checked.
 */
export function zoneProblem(zone: string, region: string, knownZones: readonly string[] | undefined): string | undefined {
    if (!zone.startsWith(`${region}-`)) {
        return `zone is not in region ${region}`;
    }
    if (knownZones && !knownZones.includes(zone)) {
        return `${region} has no zone ${zone}; its zones are ${knownZones.join(", ")}`;
    }
    return undefined;
}

/**
 * Validates raw config values (as read from the stack) and resolves derived settings. Pure:
 * tests call it with plain objects. Throws ConfigError listing every problem.
 */
export function parsePlatformConfig(raw: Record<string, unknown>, options: ParseOptions = {}): PlatformConfig {
    const problems: string[] = [];
    const profile: Profile = raw.preset === "personal" && raw.production !== true ? "personal" : raw.production === true ? "production" : "development";
    const schema = platformSchema(PROFILE_DEFAULTS[profile]);
    const result = schema.safeParse(raw);
    if (!result.success) {
        for (const issue of result.error.issues) {
            if (issue.code === "unrecognized_keys") {
                // The value is not echoed: an unknown key may well be a misplaced password.
                const valid = objectKeysAt(schema, issue.path);
                problems.push(`${keyName(issue.path)}: unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}${valid ? `; valid keys: ${valid.join(", ")}` : ""}`);
                continue;
            }
            problems.push(`${keyName(issue.path)}${shownSuffix(raw, issue.path)}: ${issue.message}`);
        }
        throw new ConfigError(problems);
    }
    const cfg = result.data;
    const problem = (path: ReadonlyArray<PropertyKey>, message: string) => {
        problems.push(`${keyName(path)}${shownSuffix(cfg, path)}: ${message}`);
    };

    if (cfg.preset === "personal" && cfg.production) {
        problem(["preset"], "the personal preset has no database, no HA and no deletion protection; it is never a production environment (remove preset or production)");
    }

    // Zones
    const knownZones = REGION_ZONES[cfg.region];
    let zones = cfg.zones;
    if (!zones) {
        if (!knownZones) {
            problem(
                ["zones"],
                `components/pure/catalog.ts has no zone list for region ${cfg.region}, so there is no default and listed zones can only be checked for the region prefix; ` +
                    `list them exactly as \`gcloud compute zones list --filter=region:${cfg.region}\` prints them, e.g. ["${cfg.region}-a","${cfg.region}-b"], or add the region to REGION_ZONES`,
            );
            zones = [];
        } else {
            zones = knownZones.slice(0, 3);
        }
    }
    zones.forEach((zone, i) => {
        const wrong = zoneProblem(zone, cfg.region, knownZones);
        if (wrong) {
            problem(["zones", i], wrong);
        }
    });
    if (new Set(zones).size !== zones.length) {
        problem(["zones"], "zones are listed twice");
    }

    // Network plan
    const ranges: Record<string, string> = {
        "network.subnetCidr": cfg.network.subnetCidr,
        "network.podsCidr": cfg.network.podsCidr,
        "network.servicesCidr": cfg.network.servicesCidr,
        "network.privateServiceAccessCidr": cfg.network.privateServiceAccessCidr,
    };
    for (const [a, b] of findOverlaps(ranges)) {
        problems.push(`${CONFIG_NAMESPACE}:${a} (${ranges[a]}) overlaps ${CONFIG_NAMESPACE}:${b} (${ranges[b]}): every range of the plan must be disjoint`);
    }
    const prefixLimits: Array<[keyof typeof cfg.network, number, number]> = [
        ["subnetCidr", 16, 24],
        ["podsCidr", 12, 21],
        ["servicesCidr", 16, 24],
        ["privateServiceAccessCidr", 16, 24],
    ];
    for (const [key, min, max] of prefixLimits) {
        const length = parseIpv4Cidr(String(cfg.network[key])).prefixLength;
        if (length < min || length > max) {
            problem(["network", key], `prefix length must be between /${min} and /${max}`);
        }
    }

    // Cluster
    cfg.cluster.authorizedNetworks.forEach((net, i) => {
        if (isWholeInternet(net.cidr)) {
            problem(["cluster", "authorizedNetworks", i, "cidr"], "would open the control plane to the whole internet; list your office/VPN/CI ranges instead");
        }
    });
    const authorized = cfg.cluster.authorizedNetworks.map((n) => n.cidr);
    if (!authorized.some(isWholeInternet) && coversWholeInternet(authorized)) {
        problem(["cluster", "authorizedNetworks"], `${authorized.join(" + ")} together cover every IPv4 address: the control plane would be open to the whole internet`);
    }
    if (cfg.cluster.controlPlaneAccess === "authorizedNetworks" && cfg.cluster.authorizedNetworks.length === 0) {
        problem(["cluster", "authorizedNetworks"], 'controlPlaneAccess "authorizedNetworks" needs at least one CIDR, or use controlPlaneAccess "dns"');
    }
    if (cfg.cluster.spotSteps && cfg.cluster.mode !== "autopilot") {
        problem(["cluster", "spotSteps"], "Spot Pods for steps are an Autopilot setting; in standard mode make a pool spot (cluster.cpuPool.spot, gpuPools[].spot)");
    }
    if (cfg.cluster.cpuPool.maxNodes < cfg.cluster.cpuPool.minNodes) {
        problem(["cluster", "cpuPool", "maxNodes"], `must be at least cluster.cpuPool.minNodes (${cfg.cluster.cpuPool.minNodes})`);
    }
    if (cfg.production && !cfg.cluster.deletionProtection) {
        problem(["cluster", "deletionProtection"], "production clusters keep deletion protection on");
    }

    // Steps fit the nodes
    for (const [path, message] of stepCapacityProblems(cfg)) {
        problem(path, message);
    }

    // GPU pools
    const poolNames = new Set<string>();
    // Validated in Autopilot too: there they describe which GPUs steps may ask for.
    const gpuPools: GpuPoolConfig[] = cfg.gpuPools.map((pool, i) => {
        if (poolNames.has(pool.name)) {
            problem(["gpuPools", i, "name"], "pool names must be unique");
        }
        if (pool.name === "cpu") {
            problem(["gpuPools", i, "name"], 'is the CPU pool\'s name in the largestStep output; choose another, e.g. "l4"');
        }
        poolNames.add(pool.name);
        const pairing = pairGpuMachine(pool.gpuType, pool.machineType, pool.gpusPerNode);
        if (!pairing.ok) {
            problem(["gpuPools", i, "machineType"], pairing.reason);
        }
        if (pool.maxNodes < pool.minNodes) {
            problem(["gpuPools", i, "maxNodes"], `must be at least gpuPools[${i}].minNodes (${pool.minNodes})`);
        }
        const offered = gpuZones(pool.gpuType, cfg.region);
        let poolZones = pool.zones;
        if (!poolZones) {
            if (!offered) {
                problem(["gpuPools", i, "zones"], `no zone data for ${pool.gpuType} in ${cfg.region}; list the zones that offer it`);
                poolZones = [];
            } else {
                // Prefer the cluster's own zones that have the GPU, else every zone that has it.
                const shared = offered.filter((z) => zones.includes(z));
                poolZones = shared.length > 0 ? shared : offered;
            }
        }
        poolZones.forEach((zone, j) => {
            const wrong = zoneProblem(zone, cfg.region, knownZones);
            if (wrong) {
                problem(["gpuPools", i, "zones", j], wrong);
            } else if (offered && !offered.includes(zone)) {
                problem(["gpuPools", i, "zones", j], `${pool.gpuType} is not offered in ${zone}; zones that offer it: ${offered.join(", ")}`);
            }
        });
        return { ...pool, zones: poolZones, gpusPerNode: pairing.ok ? pairing.gpusPerNode : 0 };
    });

    // Database
    const tier = checkSqlTier(cfg.database.edition, cfg.database.tier);
    if (!tier.ok) {
        problem(["database", "tier"], `not a ${cfg.database.edition} tier: ${tier.reason}`);
    }
    const maxLog = MAX_LOG_RETENTION_DAYS[cfg.database.edition];
    if (cfg.database.logRetentionDays > maxLog) {
        problem(["database", "logRetentionDays"], `${cfg.database.edition} keeps at most ${maxLog} days of logs`);
    }
    if (cfg.production) {
        if (!cfg.database.highAvailability) {
            problem(["database", "highAvailability"], "production databases must be highly available (REGIONAL); set it to true");
        }
        if (!cfg.database.deletionProtection) {
            problem(["database", "deletionProtection"], "production databases keep deletion protection on");
        }
        if (tier.ok && tier.sharedCore) {
            problem(["database", "tier"], "shared-core tiers have no SLA; production needs db-custom-* (ENTERPRISE) or db-perf-optimized-* (ENTERPRISE_PLUS)");
        }
    }
    // max_connections comes from the tier (or the stack), never from replica counts: Postgres
    // restarts when it changes. Every database client adds its peak pools to this list.
    const connectionUses: ConnectionUse[] = [...serviceConnectionUses(cfg.services)];
    const maxConnections = cfg.database.maxConnections ?? (tier.ok ? maxConnectionsForTier(tier.memoryMb) : 0);
    if (tier.ok && cfg.database.maxConnections !== undefined && maxConnections > connectionCapacity(tier.memoryMb)) {
        problem(["database", "maxConnections"], `${cfg.database.tier} carries about ${connectionCapacity(tier.memoryMb)} connections; choose a larger tier or a smaller value`);
    }
    const needed = requiredConnections(connectionUses);
    if (tier.ok && cfg.database.enabled && needed > maxConnections) {
        const key = cfg.database.maxConnections === undefined ? "tier" : "maxConnections";
        problem(
            ["database", key],
            `max_connections=${maxConnections} but the database's clients need ${needed} at peak ` +
                `(${connectionUses.map((u) => `${u.who}: ${u.connections}`).join(", ")}, reserved: ${needed - connectionUses.reduce((n, u) => n + u.connections, 0)}); ` +
                "choose a larger tier, raise database.maxConnections within the tier's memory, or run fewer replicas",
        );
    }

    // Storage
    if (cfg.storage.softDeleteDays > 0 && cfg.storage.softDeleteDays < 7) {
        problem(["storage", "softDeleteDays"], "must be 0 (off) or 7-90 days, as Cloud Storage allows");
    }
    if (cfg.production) {
        if (cfg.storage.forceDestroy) {
            problem(["storage", "forceDestroy"], "production buckets are never force-destroyed");
        }
        if (!cfg.storage.versioning && cfg.storage.softDeleteDays === 0) {
            problem(["storage", "versioning"], "production buckets need versioning or soft delete so deleted artifacts can be recovered");
        }
    }
    const bucketName = cfg.storage.bucketName ?? `${cfg.project}-metaflow-${cfg.environment}`;

    // Services
    if (cfg.services.airflow && cfg.services.argoWorkflows) {
        problem(["services", "airflow"], "Airflow and Argo Workflows are alternative orchestrators; enable one (set services.argoWorkflows to false to use Airflow)");
    }
    if (cfg.services.airflow && !cfg.database.enabled) {
        problem(["services", "airflow"], "Airflow keeps its metadata in its own database on the environment's Cloud SQL instance; set database.enabled to true, or services.airflow to false");
    }
    if (cfg.services.airflow && !cfg.services.enabled) {
        problem(["services", "airflow"], "Airflow runs on the cluster with the other services; set services.enabled to true, or services.airflow to false");
    }
    const needDatabase = (["ui", "argoWorkflows", "argoEvents", "airflow"] as const).filter((key) => cfg.services[key]);
    if (cfg.services.enabled && !cfg.database.enabled && needDatabase.length > 0) {
        problem(
            ["services", "enabled"],
            `the metadata service and UI need the database; set database.enabled to true, or without a database deploy only the task namespace ` +
                `(set services.${needDatabase.join(", services.")} to false) or nothing (services.enabled false)`,
        );
    }
    if (cfg.production && !cfg.database.enabled) {
        problem(["database", "enabled"], "production keeps run metadata in Cloud SQL; local metadata is for development only");
    }
    if (cfg.services.argoEvents && !cfg.services.argoWorkflows) {
        problem(["services", "argoEvents"], "Argo Events triggers Argo Workflows; enable services.argoWorkflows too");
    }

    // Access
    const seenMembers = new Map<string, number>();
    cfg.access.members.forEach((member, i) => {
        // IAM compares emails case-insensitively; "user:A@x.com" and "user:a@x.com" are one person.
        const key = member.toLowerCase();
        const first = seenMembers.get(key);
        if (first !== undefined) {
            problem(["access", "members", i], `listed twice (also access.members[${first}]); list each principal once`);
        } else {
            seenMembers.set(key, i);
        }
    });
    const firstGroup = cfg.access.members.findIndex((m) => m.startsWith("group:"));
    if (firstGroup >= 0 && !cfg.access.securityGroup) {
        problem(
            ["access", "members", firstGroup],
            "a group reaches the cluster only through GKE's Google Groups for RBAC; set access.securityGroup to your " +
                "gke-security-groups@<domain> group (and nest this group in it), or list the people as user: members",
        );
    }

    // Endpoint
    if (cfg.endpoint) {
        if (options.secretKeys && !options.secretKeys.includes("endpoint")) {
            // The CLI marks a structured key secret when any value under it is; the stack file
            // then holds the client secret encrypted. Never show the value itself.
            problems.push(
                `${CONFIG_NAMESPACE}:endpoint.oauthClientSecret: is stored in plain text; store it as a secret with ` +
                    "`pulumi config set --secret --path endpoint.oauthClientSecret <value>` (and remove the plain value from Pulumi.<stack>.yaml)",
            );
        }
        if (!cfg.services.enabled) {
            problem(["services", "enabled"], "the endpoint serves the Metaflow services; set services.enabled to true or remove endpoint");
        } else if (!cfg.database.enabled) {
            problem(["database", "enabled"], "the endpoint serves the metadata service, which needs the database; set database.enabled to true or remove endpoint");
        }
        if (cfg.access.members.length === 0) {
            problem(["access", "members"], "the endpoint admits only access.members through IAP; list at least one principal or remove endpoint");
        }
    }

    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    return {
        ...cfg,
        zones,
        gpuPools,
        database: { ...cfg.database, maxConnections },
        storage: { ...cfg.storage, bucketName },
        services: { ...cfg.services, namespace: cfg.services.namespace ?? `metaflow-${cfg.environment}` },
    };
}

/** Config namespaces a stack file may use: ours, and the providers' own. */
const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "gcp", "kubernetes", "random", "pulumi"];

/**
 * The CPU pool must carry the services and GKE's add-ons on its minimum nodes, and run
 * Metaflow's default step beside GKE's DaemonSets: on a fresh node when maxNodes allows one
 * more node than the services need, otherwise beside the services (cpuPoolPlan in sizing.ts).
 * In Autopilot, the profile's default step must be within Autopilot's limits. Returns
 * [key path, message] pairs.
 */
function stepCapacityProblems(cfg: Pick<ParsedConfig, "cluster" | "services">): Array<[PropertyKey[], string]> {
    const problems: Array<[PropertyKey[], string]> = [];
    if (cfg.cluster.mode === "autopilot") {
        const step = { cpu: Number(AUTOPILOT_DEFAULT_RESOURCES.cpu), memoryMb: Number(AUTOPILOT_DEFAULT_RESOURCES.memoryMb), diskMb: Number(AUTOPILOT_DEFAULT_RESOURCES.diskMb) };
        const refused = autopilotStepProblem(step);
        if (refused) {
            problems.push([
                ["cluster", "mode"],
                `the profile's default step (METAFLOW_KUBERNETES_CPU/MEMORY/DISK = ${step.cpu}, ${step.memoryMb}, ${step.diskMb}) ` +
                    `is outside Autopilot's limits: ${refused}; fix AUTOPILOT_DEFAULT_RESOURCES in components/pure/metaflowConfig.ts`,
            ]);
        }
        return problems;
    }
    const pool = cfg.cluster.cpuPool;
    if (!machineShape(pool.machineType)) {
        problems.push([["cluster", "cpuPool", "machineType"], `not a machine type the catalog knows (components/pure/catalog.ts); use one of the series ${KNOWN_MACHINE_SERIES.join(", ")}, e.g. e2-standard-4`]);
        return problems;
    }
    const plan = cpuPoolPlan(pool, cfg.services);
    const step = METAFLOW_DEFAULT_STEP;
    const fits = cpuMachinesThatFit(cfg.services, pool);
    const suggestion = fits.length > 0 ? `machine types that fit: ${fits.join(", ")} or larger` : "no machine up to 32 vCPUs fits; run fewer service replicas";
    const minNodes = Math.max(1, pool.minNodes);
    const taken = servicesRequests(cfg.services);
    const addons = GKE_SYSTEM_PODS.clusterAddons;
    if (plan.servicesNodes > minNodes) {
        problems.push([
            ["cluster", "cpuPool", "minNodes"],
            `the always-on pods need ${Number.isFinite(plan.servicesNodes) ? plan.servicesNodes : "more"} ${pool.machineType} node(s) but minNodes keeps ${minNodes}: ` +
                `the services request ${taken.cpuMillis}m CPU, ${taken.memoryMiB} MiB and GKE's add-ons ~${addons.cpuMillis}m, ${addons.memoryMiB} MiB, ` +
                `while a node offers ${plan.perNode.cpuMillis}m, ${plan.perNode.memoryMiB} MiB after GKE's DaemonSets; raise minNodes or choose a larger machine (${suggestion})`,
        ]);
    }
    const room = plan.stepRoom;
    if (!stepFits({ ...step, diskMb: 0 }, room)) {
        const where =
            plan.stepNode === "fresh node"
                ? `on a fresh ${pool.machineType} node (after GKE's DaemonSets) a step gets ${room.cpu} CPU and ${room.memoryMb} MB`
                : `beside the services (maxNodes ${pool.maxNodes} leaves no node for steps beyond the services' ${plan.servicesNodes}), after GKE's own pods ` +
                  `(~${GKE_SYSTEM_PODS.perNode.cpuMillis + addons.cpuMillis}m CPU) and the services' requests (${taken.cpuMillis}m CPU, ${taken.memoryMiB} MiB) a node has ${room.cpu} CPU and ${room.memoryMb} MB left`;
        problems.push([
            ["cluster", "cpuPool", "machineType"],
            `cannot run Metaflow's default step (${step.cpu} CPU, ${step.memoryMb} MB): ${where}; ${suggestion}` +
                (plan.stepNode === "beside services" ? `, or raise maxNodes to ${plan.servicesNodes + 1} so the autoscaler adds a node for steps` : ""),
        ]);
    }
    if (room.diskMb < step.diskMb) {
        problems.push([["cluster", "cpuPool", "diskSizeGb"], `leaves pods ${room.diskMb} MB of ephemeral storage after GKE's reservation; Metaflow's default step asks for ${step.diskMb} MB`]);
    }
    return problems;
}

/**
 * Keys whose values are credentials: Pulumi secrets only (`pulumi config set --secret`).
 * `gcp:credentials` is a service-account key; anything named like a password, secret, token or
 * key is treated the same.
 */
export function mustBeSecret(fullKey: string): boolean {
    const key = fullKey.split(":").pop() ?? "";
    return fullKey === "gcp:credentials" || /(password|passwd|secret|token|credential|(^|[-_.])key$|apikey|privatekey|accesskey)/i.test(key);
}

/** Nearest known name, for "did you mean" in messages. */
function closest(name: string, candidates: string[]): string | undefined {
    const distance = (a: string, b: string) => {
        const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
        for (let j = 1; j <= b.length; j++) d[0][j] = j;
        for (let i = 1; i <= a.length; i++)
            for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        return d[a.length][b.length];
    };
    const best = candidates.map((c) => ({ c, d: distance(name.toLowerCase(), c) })).sort((x, y) => x.d - y.d)[0];
    return best && best.d <= Math.max(2, Math.floor(name.length / 3)) ? best.c : undefined;
}

/**
 * Validates a stack's flat config (`namespace:key` -> string, as the Pulumi CLI hands it to a
 * program) and resolves it. Pure: the program, the offline tools and tests share it.
 * `secretKeys` are the keys Pulumi marks secret (`PULUMI_CONFIG_SECRET_KEYS`). Every problem is
 * reported at once; values of keys that must be secret are never echoed.
 */
export function platformConfigFrom(all: Record<string, string>, stack: string, secretKeys: ReadonlySet<string> = new Set()): PlatformConfig {
    const raw: Record<string, unknown> = {};
    const secretTopLevelKeys: string[] = [];
    const problems: string[] = [];
    for (const [fullKey, text] of Object.entries(all)) {
        const colon = fullKey.indexOf(":");
        if (colon < 0) {
            problems.push(`${fullKey}: key has no namespace; write ${CONFIG_NAMESPACE}:${fullKey} (or gcp:${fullKey} for a provider setting)`);
            continue;
        }
        const ns = fullKey.slice(0, colon);
        const key = fullKey.slice(colon + 1);
        if (mustBeSecret(fullKey) && !secretKeys.has(fullKey)) {
            problems.push(`${fullKey}: holds a credential in plain text (value not shown); remove it from the stack file and run \`pulumi config set --secret ${fullKey}\`${fullKey === "gcp:credentials" ? ", or better, use Workload Identity / gcloud application-default credentials instead of a key" : ""}`);
            continue;
        }
        if (!KNOWN_NAMESPACES.includes(ns)) {
            const guess = closest(ns, KNOWN_NAMESPACES);
            problems.push(`${fullKey}: unknown config namespace "${ns}"${guess ? `; did you mean ${guess}:${key}?` : ""} (namespaces: ${KNOWN_NAMESPACES.join(", ")})`);
            continue;
        }
        if (ns !== CONFIG_NAMESPACE) {
            continue;
        }
        if (!TOP_LEVEL_KEYS.includes(key)) {
            const guess = closest(key, TOP_LEVEL_KEYS);
            problems.push(`${fullKey}: unknown key${guess ? `; did you mean ${CONFIG_NAMESPACE}:${guess}?` : ""} known keys: ${TOP_LEVEL_KEYS.map((k) => `${CONFIG_NAMESPACE}:${k}`).join(", ")}`);
            continue;
        }
        raw[key] = parseConfigValue(text);
        if (secretKeys.has(fullKey)) {
            secretTopLevelKeys.push(key);
        }
    }
    if (problems.length > 0) {
        throw new ConfigError(problems);
    }
    raw.project = all["gcp:project"];
    if (raw.project === undefined) {
        throw new ConfigError(["gcp:project: not set; run `pulumi config set gcp:project <your-project-id>`"]);
    }
    raw.region = all["gcp:region"];
    raw.environment ??= stack;
    return parsePlatformConfig(raw, { secretKeys: secretTopLevelKeys });
}

/**
 * Reads this stack's config from the Pulumi runtime and validates it. Unknown keys and
 * namespaces are errors (a typo would otherwise silently fall back to a default), and so are
 * credentials that are not Pulumi secrets.
 */
export function loadPlatformConfig(): PlatformConfig {
    const all = pulumi.runtime.allConfig();
    return platformConfigFrom(all, pulumi.getStack(), new Set(Object.keys(all).filter(isSecretConfigKey)));
}

/**
 * Whether the CLI handed this key to the program as a secret. The engine passes the list in
 * PULUMI_CONFIG_SECRET_KEYS and the SDK reads it in `runtime/config` `isConfigSecret`
 * (@pulumi/pulumi 3.248.0), which its typings mark internal.
 */
function isSecretConfigKey(fullKey: string): boolean {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };
    return runtimeConfig.isConfigSecret(fullKey);
}

/**
 * Parses a stack's config given as flat `namespace:key` strings (as the CLI hands them to a
 * program, and as the offline preview records them). For tools that read a stack's config
 * outside a Pulumi run.
 */
export function platformConfigFromFlat(flat: Record<string, string>, stack: string): PlatformConfig {
    const raw: Record<string, unknown> = {};
    for (const [fullKey, text] of Object.entries(flat)) {
        const [ns, key] = fullKey.split(":", 2);
        if (ns === CONFIG_NAMESPACE) {
            raw[key] = parseConfigValue(text);
        }
    }
    raw.project = flat["gcp:project"];
    raw.region = flat["gcp:region"];
    raw.environment ??= stack;
    return parsePlatformConfig(raw);
}

/** Stack config arrives as strings; objects, arrays, numbers and booleans as JSON text. */
function parseConfigValue(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
