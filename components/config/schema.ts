/**
 * The stack configuration's schema: every key, its type, the values allowed, its default (from
 * one profile of PROFILE_DEFAULTS) and its description. The descriptions are the README's
 * configuration reference (`npm run docs` writes it); say there what a person setting the key
 * needs to know. Checks that involve more than one key are rules (./rules); parsePlatformConfig
 * (./config.ts) runs both.
 *
 * `defaultText` (metadata) says what the default is where no literal default exists (derived
 * from other keys, or required).
 */
import { z } from "zod";
import { GPU_TYPES, MAX_LOG_RETENTION_DAYS, SQL_EDITIONS, gpuZonesRequiredWhere } from "../model/catalog";
import { isPrivateCidr, parseIpv4Cidr } from "../model/cidr";
import { REPLACING_KEYS } from "./replacement";
import {
    METAFLOW_DEFAULT_STEP,
    RESERVED_CONNECTIONS,
    ROLLING_UPDATE_SURGE,
    SMALLEST_TIER_MAX_CONNECTIONS,
    UI_BACKEND_POOLS,
    airflowConnectionArithmetic,
    airflowServerConnections,
    connectionSum,
    serviceConnectionUses,
} from "../model/sizing";
import { PRESETS, PROFILE_DEFAULTS, type ProfileDefaults } from "../model/profiles";
import { FLEX_START_MAX_RUN_HOURS } from "../model/capacityLadder";
import { EMAIL, LABEL_KEY, LABEL_VALUE, NAMESPACE_PATTERN } from "./names";
import { PROVIDER_KEYS } from "./namespace";

declare module "zod" {
    interface GlobalMeta {
        /** The default in words, where the schema holds no literal one (e.g. "from the tier"). */
        defaultText?: string;
    }
}

const ENVIRONMENT_NAME = /^[a-z][a-z0-9]{1,11}$/;
const POOL_NAME = /^[a-z][a-z0-9-]{0,18}[a-z0-9]$/;
const ZONE_NAME = /^[a-z]+-[a-z]+\d+-[a-z]$/;
/** IAM's special principals for everyone; never granted anything here. */
const PUBLIC_PRINCIPALS = ["allUsers", "allAuthenticatedUsers"];

/** Prefix lengths each range of the network plan may have: [shortest, longest]. */
export const NETWORK_PREFIX_LIMITS = {
    subnetCidr: [16, 24],
    podsCidr: [12, 21],
    servicesCidr: [16, 24],
    privateServiceAccessCidr: [16, 24],
} as const;
const prefixes = (key: keyof typeof NETWORK_PREFIX_LIMITS) => `/${NETWORK_PREFIX_LIMITS[key][0]}-/${NETWORK_PREFIX_LIMITS[key][1]}`;

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
        cidr: z
            .string()
            .refine((v) => {
                try {
                    parseIpv4Cidr(v);
                    return true;
                } catch {
                    return false;
                }
            }, "must be an IPv4 CIDR block written with its network address")
            .describe("An IPv4 CIDR block, written with its network address."),
        name: z.string().min(1).describe("A display name for the range (office, VPN, CI)."),
    })
    .strict();

function networkSchema(d: ProfileDefaults) {
    return z
        .object({
            subnetCidr: cidr.default("10.10.0.0/20").describe(
                    `Primary range of the subnet (nodes, internal load balancers); ${prefixes("subnetCidr")}, RFC 1918, host bits clear; must hold an address for every node the pools may run (Google keeps 4).`,
                ),
            podsCidr: cidr
                .default("10.11.0.0/16")
                .describe(
                    `Secondary range for pod IPs: GKE gives each Standard node a /24 (110 pods), so a /16 fits 256 nodes and a /21 8; ${prefixes("podsCidr")}; cannot change while the cluster uses it. ` +
                        "Refused when it cannot hold every pool's `maxNodes` plus one surge node each.",
                ),
            servicesCidr: cidr.default("10.12.0.0/20").describe(`Secondary range for Service cluster IPs; ${prefixes("servicesCidr")}; cannot change while the cluster uses it.`),
            privateServiceAccessCidr: cidr
                .default("10.13.0.0/20")
                .describe(`Private Service Access range peered to Google's producer network; Cloud SQL private IPs come from here; ${prefixes("privateServiceAccessCidr")}.`),
            allowIapSsh: z.boolean().default(d.allowIapSsh).describe("Allow SSH to nodes, only from IAP's range, for debugging."),
            natMinPortsPerVm: z.number().int().min(64).max(65536).default(256).describe("Cloud NAT ports per VM; raise for steps that open many outbound connections."),
        })
        .strict();
}

function cpuPoolSchema(d: ProfileDefaults) {
    const step = METAFLOW_DEFAULT_STEP;
    return z
        .object({
            machineType: z
                .string()
                .regex(/^[a-z0-9]+-[a-z0-9-]+$/)
                .default(d.cpuPool.machineType)
                .describe(
                    "Runs the services and CPU steps. The services and GKE's add-ons must fit the pool's `minNodes`, and Metaflow's default step " +
                        `(${step.cpu} CPU, ${step.memoryMb} MB, ${step.diskMb} MB disk) must fit a node beside GKE's DaemonSets: a fresh node when \`maxNodes\` exceeds ` +
                        "the services' nodes, else beside the services (`cpuPoolPlan` in `components/model/sizing.ts`); otherwise refused with the machine types that fit.",
                ),
            minNodes: z
                .number()
                .int()
                .min(0)
                .max(100)
                .default(d.cpuPool.minNodes)
                .describe(
                    "Total nodes across the pool's zones (`totalMinNodeCount`). The pool starts at `minNodes` (`initialNodeCount` per zone, rounded up; " +
                        "ignored afterwards, so a later change never replaces the pool).",
                ),
            maxNodes: z.number().int().min(1).max(100).default(d.cpuPool.maxNodes).describe("Total nodes across the pool's zones (`totalMaxNodeCount`)."),
            spot: z
                .boolean()
                .default(d.cpuPool.spot)
                .describe("Spot VMs: cheaper than on demand at a price Google sets per region and machine (see \"Cost\"); a preempted node is replaced by the autoscaler and the services restart on it."),
            diskSizeGb: z
                .number()
                .int()
                .min(30)
                .max(2000)
                .default(d.cpuPool.diskSizeGb)
                .describe("Boot disk per node, GB; what GKE does not reserve is the pods' ephemeral storage, which must hold the default step's disk."),
        })
        .strict();
}

function clusterSchema(d: ProfileDefaults) {
    return z
        .object({
            mode: z
                .enum(["standard", "autopilot"])
                .default(d.clusterMode)
                .describe("`standard`: node pools we manage; `autopilot`: Google manages the nodes (no node pools; GPU hints in the outputs)."),
            spotSteps: z
                .boolean()
                .default(d.spotSteps)
                .describe(
                    "Autopilot only: the profile sets `METAFLOW_KUBERNETES_NODE_SELECTOR=cloud.google.com/gke-spot=true`, so steps run as Spot Pods " +
                        "(cheaper than on demand; a preempted step retries with `@retry`).",
                ),
            regional: z
                .boolean()
                .default(d.clusterRegional)
                .describe("Regional control plane and nodes across zones; zonal otherwise (Autopilot is always regional). A zonal dev cluster fits GKE's free-tier credit."),
            releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR").describe("GKE release channel (how soon the cluster gets new versions)."),
            controlPlaneAccess: z
                .enum(["dns", "authorizedNetworks"])
                .default("dns")
                .describe(
                    "How `pulumi up` reaches the control plane: `dns`, the IAM-gated DNS endpoint (no IP allow-list needed); `authorizedNetworks`, the public IP " +
                        "endpoint for the listed CIDRs. Switching updates the Kubernetes provider in place (`clusterIdentifier`); no object is replaced.",
                ),
            authorizedNetworks: z
                .array(authorizedNetwork)
                .default([])
                .describe("CIDRs allowed to reach the control plane's IP endpoint, `[{cidr, name}]`; `0.0.0.0/0`, or ranges that together cover every address, are refused."),
            deletionProtection: z
                .boolean()
                .default(d.clusterDeletionProtection)
                .describe("Must be `true` in production; also Pulumi `protect` on the cluster and every node pool."),
            cpuPool: cpuPoolSchema(d).prefault({}).meta({ title: "The autoscaling pool that runs the services and CPU steps (Standard mode)." }),
        })
        .strict();
}

const rungNodes = z.number().int().min(1).max(100).describe("Total nodes this rung may reach (`totalMaxNodeCount` of its node pool).");

/** Rungs a GPU pool adds to its own capacity; GKE tries them in the order spot, on-demand, flex-start. */
function ladderSchema() {
    return z
        .object({
            spot: z.object({ maxNodes: rungNodes }).strict().optional().describe("A spot rung, node pool `gpu-<name>-spot`, tried first."),
            onDemand: z.object({ maxNodes: rungNodes }).strict().optional().describe("An on-demand rung, node pool `gpu-<name>-ondemand`, tried after spot."),
            flexStart: z
                .object({
                    maxNodes: rungNodes,
                    maxRunHours: z
                        .number()
                        .int()
                        .min(1)
                        .max(FLEX_START_MAX_RUN_HOURS)
                        .default(24)
                        .describe(`Hours a flex-start node may run before Compute Engine deletes it (at most ${FLEX_START_MAX_RUN_HOURS}, seven days); longer steps are cut off.`),
                })
                .strict()
                .optional()
                .describe(
                    "A flex-start rung (Dynamic Workload Scheduler), node pool `gpu-<name>-flex`, tried last: waits for capacity instead of failing; " +
                        "accelerator-optimized machines only (G2, A2, A3), preemptible quota.",
                ),
        })
        .strict()
        .optional()
        .describe(
            "A capacity ladder: node pools GKE tries in the order spot, on-demand, flex-start when a GPU step needs a node, through a custom compute class " +
                "`gpu-<name>` that steps select (see the gpuScheduling output). The pool itself is the rung of its own capacity (`spot`), so list the others. " +
                "Standard clusters with the services on; unset: the pool alone.",
        );
}

function gpuPoolSchema(d: ProfileDefaults) {
    return z
        .object({
            name: z
                .string()
                .regex(POOL_NAME, "must be 2-20 lowercase letters, digits or dashes, starting with a letter")
                .describe("Pool name, unique in the stack, 2-20 lowercase letters, digits or dashes; the node pool is `gpu-<name>`; `cpu` is taken."),
            gpuType: z.enum(GPU_TYPES).default("nvidia-l4").describe("The GPU model."),
            machineType: z.string().default("g2-standard-8").describe("Must carry the GPU (see `components/model/catalog.ts`)."),
            gpusPerNode: z
                .number()
                .int()
                .min(1)
                .optional()
                .meta({ description: "GPUs per node; fixed by the machine type except for T4 on N1 (1, 2 or 4).", defaultText: "from the machine type" }),
            minNodes: z.number().int().min(0).max(100).default(0).describe("Total nodes across the pool's zones when idle; 0 scales to zero."),
            maxNodes: z.number().int().min(1).max(100).default(2).describe("Total nodes across the pool's zones at most (`totalMaxNodeCount`, not per zone)."),
            spot: z.boolean().default(d.gpuSpot).describe("Spot VMs: cheaper than on demand at a price Google sets per region and machine (see \"Cost\")."),
            zones: z
                .array(z.string().regex(ZONE_NAME))
                .min(1)
                .optional()
                .meta({
                    description: `Zones for the pool; required where components/model/catalog.ts \`GPU_ZONES\` has none for the GPU in the region: ${gpuZonesRequiredWhere()}.`,
                    defaultText: "the region's zones offering the GPU (those of the cluster's zones first)",
                }),
            diskSizeGb: z.number().int().min(50).max(4000).default(200).describe("Boot disk per node, GB."),
            driverVersion: z.enum(["DEFAULT", "LATEST"]).default("LATEST").describe("The GKE-managed driver install; never unset (unset means no driver)."),
            ladder: ladderSchema(),
        })
        .strict();
}

function databaseSchema(d: ProfileDefaults) {
    return z
        .object({
            enabled: z
                .boolean()
                .default(d.databaseEnabled)
                .describe(
                    "Create Cloud SQL. Off: no metadata database (local metadata in the profile, as cost-first setups do); the Kubernetes half is then only " +
                        "the namespace and the task identity (`services.ui`, `argoWorkflows`, `argoEvents`, `airflow` must be `false`); refused in production.",
                ),
            edition: z.enum(SQL_EDITIONS).default("ENTERPRISE").describe("Always explicit: unset, Postgres 16+ defaults to ENTERPRISE_PLUS (~$180/month minimum)."),
            tier: z.string().default(d.database.tier).describe("Must exist in the edition and carry the services' connections; a change restarts the instance."),
            version: z.enum(["POSTGRES_15", "POSTGRES_16", "POSTGRES_17"]).default("POSTGRES_16").describe("The Postgres major version."),
            highAvailability: z
                .boolean()
                .default(d.database.highAvailability)
                .describe("REGIONAL availability (a standby in another zone); required in production."),
            diskSizeGb: z.number().int().min(10).max(65536).default(20).describe("Initial disk size, GB; grows automatically."),
            backupRetentionCount: z.number().int().min(1).max(365).default(d.database.backupRetentionCount).describe("Daily backups kept."),
            logRetentionDays: z
                .number()
                .int()
                .min(1)
                .max(35)
                .default(d.database.logRetentionDays)
                .describe(
                    `Days of write-ahead log kept for point-in-time recovery (the PITR window); at most ${MAX_LOG_RETENTION_DAYS.ENTERPRISE} on ENTERPRISE, ` +
                        `${MAX_LOG_RETENTION_DAYS.ENTERPRISE_PLUS} on ENTERPRISE_PLUS.`,
                ),
            deletionProtection: z
                .boolean()
                .default(d.database.deletionProtection)
                .describe("API flag + Pulumi `protect` + backups kept after delete; required in production."),
            maxConnections: z
                .number()
                .int()
                .min(25)
                .max(10000)
                .optional()
                .meta({ description: MAX_CONNECTIONS_DESCRIPTION, defaultText: "from the tier" }),
        })
        .strict();
}

const MAX_CONNECTIONS_DESCRIPTION =
    "The `max_connections` flag. Default: the tier's memory / 12 MB, rounded down to 10 (db-g1-small 140, db-custom-2-7680 640), and Cloud SQL's own " +
    "default 25 below 1 GiB (db-f1-micro: 614 MB would go entirely to backends); never derived from replicas, since changing it restarts Postgres " +
    "(stacks deployed before this rule get one restart when it rolls out: dev 100 → 140, prod 170 → 640). Validation refuses clients whose pools exceed it: " +
    `the services' replicas + \`services.rolloutSurge\` surge pods per Deployment × their pools (\`services.metadataDbPoolMax\`; the UI backend opens ${UI_BACKEND_POOLS} pools of \`uiDbPoolMax\`), ` +
    `Airflow's PgBouncer pools when on, + ${RESERVED_CONNECTIONS} reserved (3 superuser, 2 migration Job, 2 operator).`;

function storageSchema(d: ProfileDefaults) {
    return z
        .object({
            bucketName: z
                .string()
                .optional()
                .meta({
                    description:
                        "The datastore bucket's name (globally unique; the default is, by project). Cloud Storage's naming rules apply, to the default too: " +
                        '3-63 lowercase letters, digits, `-` and `_`; no dots (they need a verified domain), no "goog" prefix, no "google" or misspelling of it.',
                    defaultText: "`<project>-metaflow-<environment>`",
                }),
            versioning: z.boolean().default(d.storage.versioning).describe("Object versioning; noncurrent versions expire after 30 days."),
            softDeleteDays: z.number().int().min(0).max(90).default(d.storage.softDeleteDays).describe("Soft-delete retention: 0 (off) or 7-90 days."),
            tmpObjectTtlDays: z.number().int().min(1).max(365).default(7).describe("Objects under `tmp/` are deleted after this many days (bucket lifecycle rule)."),
            forceDestroy: z.boolean().default(d.storage.forceDestroy).describe("Let `pulumi destroy` delete a non-empty bucket; refused in production."),
            immutableTags: z.boolean().default(d.storage.immutableTags).describe("Docker tags in the Artifact Registry repository cannot be overwritten."),
            untaggedImageTtlDays: z.number().int().min(1).max(365).default(14).describe("Untagged images are deleted after this many days (registry cleanup policy)."),
        })
        .strict();
}

function servicesSchema(d: ProfileDefaults) {
    return z
        .object({
            enabled: z
                .boolean()
                .default(d.services.enabled)
                .describe(
                    "Deploy the Kubernetes half (namespace, task identity, metadata service, UI, Argo). With `database.enabled` false only the namespace and the task identity.",
                ),
            namespace: z
                .string()
                .regex(NAMESPACE_PATTERN, "must be 3-32 lowercase letters, digits or dashes, starting with a letter and ending with a letter or digit (a DNS-1123 label)")
                .optional()
                .meta({
                    description:
                        "The Kubernetes namespace; distinct per environment: Workload Identity pools are per project, so two environments in one project must not share it. " +
                        "3-32 lowercase letters, digits or dashes; never `default`, `kube-*`, `gke-*` or a GKE add-on's namespace (`gmp-system`, ...).",
                    defaultText: "`metaflow-<environment>`",
                }),
            metadataReplicas: z.number().int().min(1).max(10).default(d.replicas).describe("Metadata service pods."),
            ui: z.boolean().default(d.services.ui).describe("Deploy the Metaflow UI: a UI backend that serves the UI bundled in its image."),
            uiReplicas: z
                .number()
                .int()
                .min(1)
                .max(10)
                .default(d.replicas)
                .describe("UI backend pods (each serves the UI and its API, and holds its own database pools, see `components/model/sizing.ts`)."),
            metadataDbPoolMax: z
                .number()
                .int()
                .min(1)
                .max(100)
                .default(d.services.metadataDbPoolMax)
                .describe("`MF_METADATA_DB_POOL_MAX`: most connections each metadata-service replica's pool opens (production: aiopg's default 10); counted against `max_connections`."),
            uiDbPoolMax: z
                .number()
                .int()
                .min(1)
                .max(100)
                .default(d.services.uiDbPoolMax)
                .describe(
                    `Most connections each of the UI backend's ${UI_BACKEND_POOLS} pools opens per replica (metaflow-service v2.5.0 \`ui_server.py\`; production: aiopg's default 10); counted against \`max_connections\`.`,
                ),
            rolloutSurge: z
                .number()
                .int()
                .min(0)
                .max(1)
                .default(ROLLING_UPDATE_SURGE)
                .describe(
                    "Extra pods a rollout of the metadata service and UI backend starts before stopping old ones (their Deployments' `maxSurge`). " +
                        "`1`: they stay up through a rollout, and the surge pods' pools count against `max_connections`; `0`: each restarts in place " +
                        "(`maxUnavailable` 1; with one replica, seconds without the UI and the metadata service per rollout), which frees those connections: " +
                        "how dev's `db-f1-micro` also carries Airflow.",
                ),
            argoWorkflows: z.boolean().default(d.services.argoWorkflows).describe("Deploy Argo Workflows, the orchestrator `argo-workflows create` deploys flows to."),
            argoEvents: z.boolean().default(false).describe("Deploy Argo Events (event-triggered flows); needs `argoWorkflows`."),
            airflow: z.boolean().default(false).describe(AIRFLOW_DESCRIPTION),
        })
        .strict();
}

/** Dev's connections with Airflow on and no rollout surge (the development profile's pools), written out. */
function devAirflowArithmetic(): string {
    const d = PROFILE_DEFAULTS.development;
    const uses = serviceConnectionUses({ ...d.services, enabled: true, metadataReplicas: d.replicas, ui: true, uiReplicas: d.replicas, airflow: true, rolloutSurge: 0 });
    return `${connectionSum(uses)} of ${SMALLEST_TIER_MAX_CONNECTIONS}`;
}

const AIRFLOW_DESCRIPTION =
    "Deploy Airflow as the orchestrator: an alternative to Argo, not both; needs `database.enabled`. It reaches the database through the chart's PgBouncer " +
    `(transaction pooling, TLS to Cloud SQL): ${airflowConnectionArithmetic(1)}; with 2, ${airflowServerConnections(2)}. ` +
    `On dev's \`db-f1-micro\` (25) that fits beside the services with \`services.rolloutSurge\` 0: ${devAirflowArithmetic()} ` +
    "(on dev's e2-standard-2 pool also `cpuPool.minNodes` 2). Turns on GKE's Cloud Storage FUSE add-on (in place).";

function accessSchema() {
    return z
        .object({
            members: z
                .array(
                    z
                        .string()
                        // Public principals get their own reason; the format is the access rule's (it can suggest the fix).
                        .refine((m) => !PUBLIC_PRINCIPALS.includes(m.replace(/^[a-zA-Z]+:/, "")), "public principals are never granted access; list people, groups or service accounts"),
                )
                .default([])
                .describe(
                    "IAM principals who run and schedule flows in this environment, as IAM writes them: `user:<email>`, `group:<email>`, `serviceAccount:<name>@<project>.iam.gserviceaccount.com` (nothing after the address); each gets exactly " +
                        "the grants under [Access](#access), nothing project-wide beyond fetching cluster credentials and using the project as their credentials' quota project. Duplicates, `allUsers` and `allAuthenticatedUsers` are refused.",
                ),
            securityGroup: z
                .string()
                .refine((v) => v.startsWith("gke-security-groups@") && EMAIL.test(v), 'must be "gke-security-groups@<your-domain>"')
                .optional()
                .describe(
                    "The `gke-security-groups@<domain>` Google Group: turns on GKE's Google Groups for RBAC; required when `members` lists a `group:`. " +
                        "Changing it updates the cluster in place (no replacement).",
                ),
        })
        .strict();
}

function chartsSchema() {
    return z
        .object({
            source: z
                .string()
                .min(1)
                .optional()
                .describe(
                    "Where the Helm charts (Argo Workflows, Argo Events, Airflow) come from, for deployers without access to the public chart repositories: " +
                        "a mirror Helm repository (`https://...`), an OCI registry (`oci://host/path`) or a directory of charts, absolute or relative to the project " +
                        "(`<chart>-<version>/`, `<chart>-<version>.tgz` or `<chart>/` holding the pinned version; `components/kubernetes/specs/chartSource.ts`). Checked before anything is created.",
                ),
        })
        .strict();
}

const TEAM_NAME = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;

function queuesSchema() {
    const team = z
        .object({
            name: z
                .string()
                .regex(TEAM_NAME, "must be 2-32 lowercase letters, digits or dashes, starting with a letter")
                .describe("The team's LocalQueue in the Metaflow namespace, which its steps name with the label `kueue.x-k8s.io/queue-name`; unique, not `metaflow`."),
            gpus: z.number().int().min(0).default(0).describe("GPUs the team is guaranteed (its ClusterQueue's nominal quota), taken out of the environment's."),
            cpus: z.number().min(0).default(0).describe("vCPUs the team is guaranteed, taken out of the environment's."),
            borrowing: z.boolean().default(true).describe("Run beyond its guarantee on quota the other queues leave idle (and give it back when they need it)."),
        })
        .strict();
    return z
        .object({
            enabled: z
                .boolean()
                .default(false)
                .describe(
                    "Queue steps with Kueue (chart 0.19.2): a step waits in a queue until the environment's GPU and CPU quota (what its pools hold at maxNodes) has room, " +
                        "first come first served; the profile labels every step for the queue `metaflow`. Standard clusters with the services on.",
                ),
            teams: z
                .array(team)
                .default([])
                .describe("Per-team queues that share the environment's quota as one cohort; each team's guarantee is carved out of the environment's queue."),
        })
        .strict();
}

function observabilitySchema() {
    return z
        .object({
            enabled: z
                .boolean()
                .default(false)
                .describe(
                    "Watch the environment: GKE's Managed Service for Prometheus with the kube state and GPU (DCGM) metrics packages, scraping of the Argo controller, " +
                        "a Cloud Monitoring dashboard and alert policies (see \"Watching the platform\"). Updates the cluster in place; the metrics packages and alert conditions are billed by use.",
                ),
            emails: z
                .array(z.string().regex(EMAIL, "must be an email address (name@example.com) and nothing else"))
                .max(16)
                .default([])
                .describe("Alert recipients, each listed once and each a Cloud Monitoring email channel; none: the alerts go to `billing.budget.emails`' channels, and with neither they only show in the console."),
            idleGpuMinutes: z.number().int().min(5).max(1440).default(30).describe("Alert when a GPU node's GPUs did no work for this many minutes."),
            unschedulableMinutes: z.number().int().min(5).max(1440).default(30).describe("Alert when a step pod waits this many minutes for a node the scheduler cannot find (steps still queued by Kueue do not count)."),
        })
        .strict();
}

function billingSchema() {
    const budget = z
        .object({
            billingAccount: z
                .string()
                .regex(/^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$/, "must be a billing account ID like 012345-6789AB-CDEF01 (gcloud billing accounts list)")
                .describe("The Cloud Billing account ID, `XXXXXX-XXXXXX-XXXXXX` (`gcloud billing accounts list`)."),
            amount: z.number().int().positive().describe("Whole units of the billing account's currency per month."),
            thresholds: z
                .array(z.number().positive().max(10))
                .min(1)
                .default([0.5, 0.9, 1.0])
                .describe("Alert when actual spend passes these fractions of the amount (1.0 = 100%); each listed once."),
            emails: z
                .array(z.string().regex(EMAIL, "must be an email address (name@example.com) and nothing else"))
                .max(5)
                .default([])
                .describe("Up to 5 email recipients, each listed once and each a Cloud Monitoring email notification channel; billing admins are always alerted."),
            pubsubTopic: z
                .string()
                .regex(/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/topics\/[A-Za-z][\w.~+%-]{2,254}$/, "must be projects/<project>/topics/<topic>")
                .optional()
                .describe("Pub/Sub topic for programmatic alerts, `projects/<p>/topics/<t>`."),
        })
        .strict();
    return z
        .object({
            budget: budget
                .optional()
                .describe("A monthly Cloud Billing budget for this environment's project and `environment` label, see \"Cost\"; unset: none."),
        })
        .strict();
}

function endpointSchema() {
    return z
        .object({
            hostname: z
                .string()
                .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a fully qualified lowercase DNS name you control, e.g. metaflow.example.com")
                .describe("DNS name of the HTTPS endpoint; you create its A record (see the `endpoint` output)."),
            oauthClientId: z
                .string()
                .regex(/^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$/, 'must be an OAuth client ID, "<number>-<id>.apps.googleusercontent.com"')
                .describe("Client ID of the OAuth client IAP uses, created in the console (see *HTTPS endpoint*)."),
            oauthClientSecret: z
                .string()
                .min(1, "must not be empty")
                .describe("Its secret; must be a Pulumi secret (`pulumi config set --secret --path endpoint.oauthClientSecret <value>`); a plain value is refused."),
        })
        .strict();
}

/**
 * The schema with the defaults of one profile. Built once per profile: building takes ~45 ms,
 * parsing ~1 ms, and a zod schema is immutable.
 */
export function platformSchema(d: ProfileDefaults): ReturnType<typeof buildPlatformSchema> {
    let schema = SCHEMAS.get(d);
    if (!schema) {
        schema = buildPlatformSchema(d);
        SCHEMAS.set(d, schema);
    }
    return schema;
}
const SCHEMAS = new WeakMap<ProfileDefaults, ReturnType<typeof buildPlatformSchema>>();

function buildPlatformSchema(d: ProfileDefaults) {
    const gpuPool = gpuPoolSchema(d);
    return z
        .object({
            preset: z
                .enum(PRESETS)
                .optional()
                .describe('A named set of defaults: `personal`, the one-person defaults of "Cost" (Autopilot, no database, no services); refused with `production: true`.'),
            project: z
                .string()
                .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project ID (6-30 lowercase letters, digits, dashes)")
                .describe("The project ID; set by you (`pulumi config set gcp:project <id>`); the shipped stack files leave it unset."),
            region: z.string().regex(/^[a-z]+-[a-z]+\d+$/, "must be a GCP region such as us-central1").default("us-central1").describe("The region of every regional resource."),
            environment: z
                .string()
                .regex(ENVIRONMENT_NAME, "must be 2-12 lowercase letters or digits, starting with a letter")
                .meta({ description: "2-12 lowercase letters/digits; in resource names and the `environment` label.", defaultText: "the stack name" }),
            production: z.boolean().default(false).describe("Selects the production profile and its safety checks."),
            zones: z
                .array(z.string().regex(ZONE_NAME))
                .min(1)
                .optional()
                .meta({
                    description:
                        "Cluster node zones; a zonal cluster uses the first. Refused if the region has no such zone (`components/model/catalog.ts` `REGION_ZONES`; " +
                        "a region missing there has no default and its zones are checked for the region prefix only).",
                    defaultText: "the region's first 3 zones",
                }),
            labels: z
                .record(
                    z.string().regex(LABEL_KEY, "label keys are 1-63 lowercase letters, digits, `_` or `-`, starting with a letter"),
                    z.string().regex(LABEL_VALUE, "label values are 0-63 lowercase letters, digits, `_` or `-`"),
                )
                .default({})
                .describe(
                    "Extra labels on every resource that takes labels (keys 1-63 lowercase letters, digits, `_`, `-`, starting with a letter; values 0-63 of the same; 64 labels on a resource with the platform's 4). " +
                        "`app`, `environment` and `managed-by` are the platform's (`environment` is the environment's name), `gpu-pool` too on GPU pools: refused unless equal to the platform's value. " +
                        "Labels are plain text on every labelled resource: a value that looks like a credential is refused, and never shown.",
                ),
            network: networkSchema(d).prefault({}).meta({ title: "The environment's VPC: its ranges, NAT and SSH access." }),
            cluster: clusterSchema(d).prefault({}).meta({ title: "The GKE cluster." }),
            gpuPools: z
                .array(gpuPool)
                .default([{ name: "l4" }].map((p) => gpuPool.parse(p)))
                .describe("GPU node pools, one per entry; `[]` for no GPUs. In Autopilot they say which GPUs steps may ask for."),
            database: databaseSchema(d).prefault({}).meta({ title: "Cloud SQL for PostgreSQL, the metadata service's database." }),
            storage: storageSchema(d).prefault({}).meta({ title: "The datastore bucket and the task image registry." }),
            services: servicesSchema(d).prefault({}).meta({ title: "The Kubernetes half: namespace, task identity, metadata service, UI and orchestrators." }),
            access: accessSchema().prefault({}).meta({ title: "Who runs and schedules flows in this environment." }),
            queues: queuesSchema().prefault({}).meta({ title: "Fair queues for steps (Kueue)." }),
            observability: observabilitySchema().prefault({}).meta({ title: "Dashboards and alerts (Cloud Monitoring)." }),
            billing: billingSchema().prefault({}).meta({ title: "Billing: the environment's budget." }),
            charts: chartsSchema().prefault({}).meta({ title: "Where the Helm charts come from." }),
            endpoint: endpointSchema().optional().describe("An IAP-protected HTTPS endpoint for the UI, the metadata service and Argo; unset: no endpoint."),
            allowReplacement: z
                .array(z.enum(REPLACING_KEYS.map((k) => k.key) as [string, ...string[]]))
                .default([])
                .describe(
                    "Keys (as `metaflow-gcp:storage.bucketName`) whose replacing change the next update may make in production; a change of such a key is refused otherwise (see below).",
                ),
        })
        .strict();
}

/** The config as the schema returns it: defaults applied, derived values (zones, bucket name...) not yet resolved. */
export type ParsedConfig = z.output<ReturnType<typeof buildPlatformSchema>>;

/** Config keys the program reads in its own namespace, for the unknown-key check. */
export const TOP_LEVEL_KEYS: readonly string[] = Object.keys(platformSchema(PROFILE_DEFAULTS.development).shape).filter((k) => !PROVIDER_KEYS.includes(k));

/** Config values never shown in an error message (path from the top-level key). */
export const SECRET_PATHS: ReadonlyArray<ReadonlyArray<string>> = [["endpoint", "oauthClientSecret"]];

/** The keys the schema allows for the object at `path`, if it is an object. */
export function objectKeysAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): string[] | undefined {
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

/** Whether the key at `path` (an object's key, not an array element) may be left out: it has a default, is optional or is a record's entry. */
export function hasDefaultAt(schema: z.ZodType, path: ReadonlyArray<PropertyKey>): boolean {
    if (path.length === 0 || typeof path[path.length - 1] !== "string") {
        return false;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let node: any = schema;
    const unwrap = () => {
        while (node && ["default", "prefault", "optional", "nullable", "pipe"].includes(node._zod?.def?.type)) {
            node = node._zod.def.innerType ?? node._zod.def.in;
        }
    };
    for (const [i, part] of path.entries()) {
        unwrap();
        if (node?._zod?.def?.type === "array") {
            node = node._zod.def.element;
        } else if (node?._zod?.def?.type === "object") {
            node = node._zod.def.shape[part as string];
        } else {
            return node?._zod?.def?.type === "record" && i === path.length - 1;
        }
    }
    return ["default", "prefault", "optional"].includes(node?._zod?.def?.type);
}
