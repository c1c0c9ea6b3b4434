/**
 * The one defaults table: what differs between a development and a production environment (and
 * the `personal` preset) when the stack file says nothing. Stack files override any of it; code
 * never branches on the stack name.
 */
export const PROFILE_DEFAULTS = {
    development: {
        clusterMode: "standard",
        spotSteps: false,
        clusterRegional: false, // one zonal cluster per billing account is covered by GKE's free tier credit
        clusterDeletionProtection: false,
        // Spot: cheaper than on demand (60% of it for E2 in us-central1 in the 2026-07-30 catalog,
        // prices.ts); a preempted node is replaced by the autoscaler
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
        // Every step asks for a Spot Pod (cheaper than on demand); a preempted step retries with @retry.
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

/**
 * Defaults of a component built on its own (outside MetaflowPlatform): the production profile's
 * values, safe first, as `production: true` gets them.
 */
export const STANDALONE_DEFAULTS = PROFILE_DEFAULTS.production;
export type ProfileDefaults = (typeof PROFILE_DEFAULTS)[Profile];

/** Named sets of defaults a stack can pick with `preset`, beside the one `production` picks. */
export const PRESETS = ["personal"] as const;

/** The profile whose defaults a raw config gets: `preset: personal` (never with production), production, or development. */
export function profileOf(raw: Readonly<Record<string, unknown>>): Profile {
    if (raw.preset === "personal" && raw.production !== true) {
        return "personal";
    }
    return raw.production === true ? "production" : "development";
}
