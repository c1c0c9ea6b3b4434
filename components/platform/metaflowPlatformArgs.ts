/**
 * What a MetaflowPlatform is built from: the stack config's keys (README "Configuration"), as a
 * documented interface any Pulumi program can fill, in TypeScript or, through the component
 * package, in Python. Every value is checked by the same `parsePlatformConfig` the stack program
 * uses, and every default comes from it. A default written `a` / `b` is the development /
 * production profile's (PROFILE_DEFAULTS), with the personal preset's where it differs.
 *
 * Written by `npm run docs` (scripts/platformArgs.ts) from components/config/schema.ts: edit the
 * schema, not this file.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AuthorizedNetwork, ClusterMode, ControlPlaneAccess, ReleaseChannel } from "../gcp/cluster";
import type { DatabaseEdition, PostgresVersion } from "../gcp/database";
import type { GpuAccelerator, GpuDriverVersion } from "../gcp/gpuNodePool";

/** `network`: The environment's VPC: its ranges, NAT and SSH access. */
export interface PlatformNetwork {
    /**
     * Primary range of the subnet (nodes, internal load balancers); /16-/24, RFC 1918, host bits
     * clear; must hold an address for every node the pools may run (Google keeps 4). Default:
     * `10.10.0.0/20`.
     */
    readonly subnetCidr?: string;
    /**
     * Secondary range for pod IPs: GKE gives each Standard node a /24 (110 pods), so a /16 fits 256
     * nodes and a /21 8; /12-/21; cannot change while the cluster uses it. Refused when it cannot
     * hold every pool's `maxNodes` plus one surge node each. Default: `10.11.0.0/16`.
     */
    readonly podsCidr?: string;
    /**
     * Secondary range for Service cluster IPs; /16-/24; cannot change while the cluster uses it.
     * Default: `10.12.0.0/20`.
     */
    readonly servicesCidr?: string;
    /**
     * Private Service Access range peered to Google's producer network; Cloud SQL private IPs come
     * from here; /16-/24. Default: `10.13.0.0/20`.
     */
    readonly privateServiceAccessCidr?: string;
    /**
     * Allow SSH to nodes, only from IAP's range, for debugging. Default: `true` / `false`
     * (personal: `false`).
     */
    readonly allowIapSsh?: boolean;
    /**
     * Cloud NAT ports per VM; raise for steps that open many outbound connections. Default: `256`.
     */
    readonly natMinPortsPerVm?: number;
}

/** `cluster.cpuPool`: The autoscaling pool that runs the services and CPU steps (Standard mode). */
export interface PlatformCpuPool {
    /**
     * Runs the services and CPU steps. The services and GKE's add-ons must fit the pool's
     * `minNodes`, and Metaflow's default step (1 CPU, 4096 MB, 10240 MB disk) must fit a node
     * beside GKE's DaemonSets: a fresh node when `maxNodes` exceeds the services' nodes, else
     * beside the services (`cpuPoolPlan` in `components/model/sizing.ts`); otherwise refused with
     * the machine types that fit. Default: `e2-standard-2` / `e2-standard-4` (personal:
     * `e2-standard-4`).
     */
    readonly machineType?: string;
    /**
     * Total nodes across the pool's zones (`totalMinNodeCount`). The pool starts at `minNodes`
     * (`initialNodeCount` per zone, rounded up; ignored afterwards, so a later change never
     * replaces the pool). Default: `1`.
     */
    readonly minNodes?: number;
    /** Total nodes across the pool's zones (`totalMaxNodeCount`). Default: `3` / `6`. */
    readonly maxNodes?: number;
    /**
     * Spot VMs: cheaper than on demand at a price Google sets per region and machine (see "Cost");
     * a preempted node is replaced by the autoscaler and the services restart on it. Default:
     * `true` / `false`.
     */
    readonly spot?: boolean;
    /**
     * Boot disk per node, GB; what GKE does not reserve is the pods' ephemeral storage, which must
     * hold the default step's disk. Default: `30` / `100` (personal: `50`).
     */
    readonly diskSizeGb?: number;
}

/** `cluster`: The GKE cluster. */
export interface PlatformCluster {
    /**
     * `standard`: node pools we manage; `autopilot`: Google manages the nodes (no node pools; GPU
     * hints in the outputs). Default: `standard` (personal: `autopilot`).
     */
    readonly mode?: ClusterMode;
    /**
     * Autopilot only: the profile sets
     * `METAFLOW_KUBERNETES_NODE_SELECTOR=cloud.google.com/gke-spot=true`, so steps run as Spot Pods
     * (cheaper than on demand; a preempted step retries with `@retry`). Default: `false` (personal:
     * `true`).
     */
    readonly spotSteps?: boolean;
    /**
     * Regional control plane and nodes across zones; zonal otherwise (Autopilot is always
     * regional). A zonal dev cluster fits GKE's free-tier credit. Default: `false` / `true`
     * (personal: `true`).
     */
    readonly regional?: boolean;
    /** GKE release channel (how soon the cluster gets new versions). Default: `REGULAR`. */
    readonly releaseChannel?: ReleaseChannel;
    /**
     * How `pulumi up` reaches the control plane: `dns`, the IAM-gated DNS endpoint (no IP
     * allow-list needed); `authorizedNetworks`, the public IP endpoint for the listed CIDRs.
     * Switching updates the Kubernetes provider in place (`clusterIdentifier`); no object is
     * replaced. Default: `dns`.
     */
    readonly controlPlaneAccess?: ControlPlaneAccess;
    /**
     * CIDRs allowed to reach the control plane's IP endpoint, `[{cidr, name}]`; `0.0.0.0/0`, or
     * ranges that together cover every address, are refused. Default: `[]`.
     */
    readonly authorizedNetworks?: AuthorizedNetwork[];
    /**
     * Must be `true` in production; also Pulumi `protect` on the cluster and every node pool.
     * Default: `false` / `true`.
     */
    readonly deletionProtection?: boolean;
    /**
     * The autoscaling pool that runs the services and CPU steps (Standard mode). Default: each
     * key's own.
     */
    readonly cpuPool?: PlatformCpuPool;
}

/** `gpuPools[].ladder.spot`: A spot rung, node pool `gpu-<name>-spot`, tried first. */
export interface PlatformSpot {
    /** Total nodes this rung may reach (`totalMaxNodeCount` of its node pool). */
    readonly maxNodes: number;
}

/**
 * `gpuPools[].ladder.onDemand`: An on-demand rung, node pool `gpu-<name>-ondemand`, tried after
 * spot.
 */
export interface PlatformOnDemand {
    /** Total nodes this rung may reach (`totalMaxNodeCount` of its node pool). */
    readonly maxNodes: number;
}

/**
 * `gpuPools[].ladder.flexStart`: A flex-start rung (Dynamic Workload Scheduler), node pool
 * `gpu-<name>-flex`, tried last: waits for capacity instead of failing; accelerator-optimized
 * machines only (G2, A2, A3), preemptible quota.
 */
export interface PlatformFlexStart {
    /** Total nodes this rung may reach (`totalMaxNodeCount` of its node pool). */
    readonly maxNodes: number;
    /**
     * Hours a flex-start node may run before Compute Engine deletes it (at most 168, seven days);
     * longer steps are cut off. Default: `24`.
     */
    readonly maxRunHours?: number;
}

/**
 * `gpuPools[].ladder`: A capacity ladder: node pools GKE tries in the order spot, on-demand,
 * flex-start when a GPU step needs a node, through a custom compute class `gpu-<name>` that steps
 * select (see the gpuScheduling output). The pool itself is the rung of its own capacity (`spot`),
 * so list the others. Standard clusters with the services on; unset: the pool alone.
 */
export interface PlatformLadder {
    /** A spot rung, node pool `gpu-<name>-spot`, tried first. Default: unset. */
    readonly spot?: PlatformSpot;
    /** An on-demand rung, node pool `gpu-<name>-ondemand`, tried after spot. Default: unset. */
    readonly onDemand?: PlatformOnDemand;
    /**
     * A flex-start rung (Dynamic Workload Scheduler), node pool `gpu-<name>-flex`, tried last:
     * waits for capacity instead of failing; accelerator-optimized machines only (G2, A2, A3),
     * preemptible quota. Default: unset.
     */
    readonly flexStart?: PlatformFlexStart;
}

/** `gpuPools[]`: undefined */
export interface PlatformGpuPool {
    /**
     * Pool name, unique in the stack, 2-20 lowercase letters, digits or dashes; the node pool is
     * `gpu-<name>`; `cpu` is taken.
     */
    readonly name: string;
    /** The GPU model. Default: `nvidia-l4`. */
    readonly gpuType?: GpuAccelerator;
    /** Must carry the GPU (see `components/model/catalog.ts`). Default: `g2-standard-8`. */
    readonly machineType?: string;
    /**
     * GPUs per node; fixed by the machine type except for T4 on N1 (1, 2 or 4). Default: from the
     * machine type.
     */
    readonly gpusPerNode?: number;
    /** Total nodes across the pool's zones when idle; 0 scales to zero. Default: `0`. */
    readonly minNodes?: number;
    /**
     * Total nodes across the pool's zones at most (`totalMaxNodeCount`, not per zone). Default:
     * `2`.
     */
    readonly maxNodes?: number;
    /**
     * Spot VMs: cheaper than on demand at a price Google sets per region and machine (see "Cost").
     * Default: `true` / `false`.
     */
    readonly spot?: boolean;
    /**
     * Zones for the pool; required where components/model/catalog.ts `GPU_ZONES` has none for the
     * GPU in the region: `nvidia-l4` outside the catalog's regions; `nvidia-tesla-t4` outside
     * us-central1, us-east1, us-west1, europe-west4; `nvidia-tesla-a100` in every region;
     * `nvidia-a100-80gb` in every region; `nvidia-h100-80gb` in every region. Default: the region's
     * zones offering the GPU (those of the cluster's zones first).
     */
    readonly zones?: string[];
    /** Boot disk per node, GB. Default: `200`. */
    readonly diskSizeGb?: number;
    /** The GKE-managed driver install; never unset (unset means no driver). Default: `LATEST`. */
    readonly driverVersion?: GpuDriverVersion;
    /**
     * A capacity ladder: node pools GKE tries in the order spot, on-demand, flex-start when a GPU
     * step needs a node, through a custom compute class `gpu-<name>` that steps select (see the
     * gpuScheduling output). The pool itself is the rung of its own capacity (`spot`), so list the
     * others. Standard clusters with the services on; unset: the pool alone. Default: unset.
     */
    readonly ladder?: PlatformLadder;
}

/** `database`: Cloud SQL for PostgreSQL, the metadata service's database. */
export interface PlatformDatabase {
    /**
     * Create Cloud SQL. Off: no metadata database (local metadata in the profile, as cost-first
     * setups do); the Kubernetes half is then only the namespace and the task identity
     * (`services.ui`, `argoWorkflows`, `argoEvents`, `airflow` must be `false`); refused in
     * production. Default: `true` (personal: `false`).
     */
    readonly enabled?: boolean;
    /**
     * Always explicit: unset, Postgres 16+ defaults to ENTERPRISE_PLUS (~$180/month minimum).
     * Default: `ENTERPRISE`.
     */
    readonly edition?: DatabaseEdition;
    /**
     * Must exist in the edition and carry the services' connections; a change restarts the
     * instance. Default: `db-f1-micro` / `db-custom-2-7680` (personal: `db-g1-small`).
     */
    readonly tier?: string;
    /** The Postgres major version. Default: `POSTGRES_16`. */
    readonly version?: PostgresVersion;
    /**
     * REGIONAL availability (a standby in another zone); required in production. Default: `false` /
     * `true`.
     */
    readonly highAvailability?: boolean;
    /** Initial disk size, GB; grows automatically. Default: `20`. */
    readonly diskSizeGb?: number;
    /** Daily backups kept. Default: `7` / `14`. */
    readonly backupRetentionCount?: number;
    /**
     * Days of write-ahead log kept for point-in-time recovery (the PITR window); at most 7 on
     * ENTERPRISE, 35 on ENTERPRISE_PLUS. Default: `1` / `7`.
     */
    readonly logRetentionDays?: number;
    /**
     * API flag + Pulumi `protect` + backups kept after delete; required in production. Default:
     * `false` / `true`.
     */
    readonly deletionProtection?: boolean;
    /**
     * The `max_connections` flag. Default: the tier's memory / 12 MB, rounded down to 10
     * (db-g1-small 140, db-custom-2-7680 640), and Cloud SQL's own default 25 below 1 GiB
     * (db-f1-micro: 614 MB would go entirely to backends); never derived from replicas, since
     * changing it restarts Postgres (stacks deployed before this rule get one restart when it rolls
     * out: dev 100 → 140, prod 170 → 640). Validation refuses clients whose pools exceed it: the
     * services' replicas + `services.rolloutSurge` surge pods per Deployment × their pools
     * (`services.metadataDbPoolMax`; the UI backend opens 6 pools of `uiDbPoolMax`), Airflow's
     * PgBouncer pools when on, + 7 reserved (3 superuser, 2 migration Job, 2 operator). Default:
     * from the tier.
     */
    readonly maxConnections?: number;
}

/** `storage`: The datastore bucket and the task image registry. */
export interface PlatformStorage {
    /**
     * The datastore bucket's name (globally unique; the default is, by project). Cloud Storage's
     * naming rules apply, to the default too: 3-63 lowercase letters, digits, `-` and `_`; no dots
     * (they need a verified domain), no "goog" prefix, no "google" or misspelling of it. Default:
     * `<project>-metaflow-<environment>`.
     */
    readonly bucketName?: string;
    /** Object versioning; noncurrent versions expire after 30 days. Default: `false` / `true`. */
    readonly versioning?: boolean;
    /** Soft-delete retention: 0 (off) or 7-90 days. Default: `0` / `7`. */
    readonly softDeleteDays?: number;
    /**
     * Objects under `tmp/` are deleted after this many days (bucket lifecycle rule). Default: `7`.
     */
    readonly tmpObjectTtlDays?: number;
    /**
     * Let `pulumi destroy` delete a non-empty bucket; refused in production. Default: `true` /
     * `false`.
     */
    readonly forceDestroy?: boolean;
    /**
     * Docker tags in the Artifact Registry repository cannot be overwritten. Default: `false` /
     * `true`.
     */
    readonly immutableTags?: boolean;
    /**
     * Untagged images are deleted after this many days (registry cleanup policy). Default: `14`.
     */
    readonly untaggedImageTtlDays?: number;
}

/**
 * `services`: The Kubernetes half: namespace, task identity, metadata service, UI and
 * orchestrators.
 */
export interface PlatformServices {
    /**
     * Deploy the Kubernetes half (namespace, task identity, metadata service, UI, Argo). With
     * `database.enabled` false only the namespace and the task identity. Default: `true`.
     */
    readonly enabled?: boolean;
    /**
     * The Kubernetes namespace; distinct per environment: Workload Identity pools are per project,
     * so two environments in one project must not share it. 3-32 lowercase letters, digits or
     * dashes; never `default`, `kube-*`, `gke-*` or a GKE add-on's namespace (`gmp-system`, ...).
     * Default: `metaflow-<environment>`.
     */
    readonly namespace?: string;
    /** Metadata service pods. Default: `1` / `2`. */
    readonly metadataReplicas?: number;
    /**
     * Deploy the Metaflow UI: a UI backend that serves the UI bundled in its image. Default: `true`
     * (personal: `false`).
     */
    readonly ui?: boolean;
    /**
     * UI backend pods (each serves the UI and its API, and holds its own database pools, see
     * `components/model/sizing.ts`). Default: `1` / `2`.
     */
    readonly uiReplicas?: number;
    /**
     * `MF_METADATA_DB_POOL_MAX`: most connections each metadata-service replica's pool opens
     * (production: aiopg's default 10); counted against `max_connections`. Default: `3` / `10`.
     */
    readonly metadataDbPoolMax?: number;
    /**
     * Most connections each of the UI backend's 6 pools opens per replica (metaflow-service v2.5.0
     * `ui_server.py`; production: aiopg's default 10); counted against `max_connections`. Default:
     * `1` / `10`.
     */
    readonly uiDbPoolMax?: number;
    /**
     * Extra pods a rollout of the metadata service and UI backend starts before stopping old ones
     * (their Deployments' `maxSurge`). `1`: they stay up through a rollout, and the surge pods'
     * pools count against `max_connections`; `0`: each restarts in place (`maxUnavailable` 1; with
     * one replica, seconds without the UI and the metadata service per rollout), which frees those
     * connections: how dev's `db-f1-micro` also carries Airflow. Default: `1`.
     */
    readonly rolloutSurge?: number;
    /**
     * Deploy Argo Workflows, the orchestrator `argo-workflows create` deploys flows to. Default:
     * `true` (personal: `false`).
     */
    readonly argoWorkflows?: boolean;
    /** Deploy Argo Events (event-triggered flows); needs `argoWorkflows`. Default: `false`. */
    readonly argoEvents?: boolean;
    /**
     * Deploy Airflow as the orchestrator: an alternative to Argo, not both; needs
     * `database.enabled`. It reaches the database through the chart's PgBouncer (transaction
     * pooling, TLS to Cloud SQL): its 69 client connections (with 1 scheduler) go to PgBouncer,
     * which holds (1 + 1 during rollouts) × 4 = 8 on the database; with 2, 12. On dev's
     * `db-f1-micro` (25) that fits beside the services with `services.rolloutSurge` 0: metadata
     * service x1 (no rollout surge): 3 + UI backend x1 (no rollout surge; 6 pools each): 6 +
     * Airflow through PgBouncer (x1 (+1 during rollouts) × pool_size 4, serving 69 client
     * connections): 8 + 7 reserved = 24 of 25 (on dev's e2-standard-2 pool also `cpuPool.minNodes`
     * 2). Turns on GKE's Cloud Storage FUSE add-on (in place). Default: `false`.
     */
    readonly airflow?: boolean;
}

/** `access`: Who runs and schedules flows in this environment. */
export interface PlatformAccess {
    /**
     * IAM principals who run and schedule flows in this environment, as IAM writes them:
     * `user:<email>`, `group:<email>`, `serviceAccount:<name>@<project>.iam.gserviceaccount.com`
     * (nothing after the address); each gets exactly the grants under [Access](#access), nothing
     * project-wide beyond fetching cluster credentials and using the project as their credentials'
     * quota project. Duplicates, `allUsers` and `allAuthenticatedUsers` are refused. Default: `[]`.
     */
    readonly members?: string[];
    /**
     * The `gke-security-groups@<domain>` Google Group: turns on GKE's Google Groups for RBAC;
     * required when `members` lists a `group:`. Changing it updates the cluster in place (no
     * replacement). Default: unset.
     */
    readonly securityGroup?: string;
}

/** `queues.teams[]`: undefined */
export interface PlatformTeam {
    /**
     * The team's LocalQueue in the Metaflow namespace, which its steps name with the label
     * `kueue.x-k8s.io/queue-name`; unique, not `metaflow`.
     */
    readonly name: string;
    /**
     * GPUs the team is guaranteed (its ClusterQueue's nominal quota), taken out of the
     * environment's. Default: `0`.
     */
    readonly gpus?: number;
    /** vCPUs the team is guaranteed, taken out of the environment's. Default: `0`. */
    readonly cpus?: number;
    /**
     * Run beyond its guarantee on quota the other queues leave idle (and give it back when they
     * need it). Default: `true`.
     */
    readonly borrowing?: boolean;
}

/** `queues`: Fair queues for steps (Kueue). */
export interface PlatformQueues {
    /**
     * Queue steps with Kueue (chart 0.19.2): a step waits in a queue until the environment's GPU
     * and CPU quota (what its pools hold at maxNodes) has room, first come first served; the
     * profile labels every step for the queue `metaflow`. Standard clusters with the services on.
     * Default: `false`.
     */
    readonly enabled?: boolean;
    /**
     * Per-team queues that share the environment's quota as one cohort; each team's guarantee is
     * carved out of the environment's queue. Default: `[]`.
     */
    readonly teams?: PlatformTeam[];
}

/** `observability`: Dashboards and alerts (Cloud Monitoring). */
export interface PlatformObservability {
    /**
     * Watch the environment: GKE's Managed Service for Prometheus with the kube state and GPU
     * (DCGM) metrics packages, scraping of the Argo controller, a Cloud Monitoring dashboard and
     * alert policies (see "Watching the platform"). Updates the cluster in place; the metrics
     * packages and alert conditions are billed by use. Default: `false`.
     */
    readonly enabled?: boolean;
    /**
     * Alert recipients, each listed once and each a Cloud Monitoring email channel; none: the
     * alerts go to `billing.budget.emails`' channels, and with neither they only show in the
     * console. Default: `[]`.
     */
    readonly emails?: string[];
    /** Alert when a GPU node's GPUs did no work for this many minutes. Default: `30`. */
    readonly idleGpuMinutes?: number;
    /**
     * Alert when a step pod waits this many minutes for a node the scheduler cannot find (steps
     * still queued by Kueue do not count). Default: `30`.
     */
    readonly unschedulableMinutes?: number;
}

/**
 * `billing.budget`: A monthly Cloud Billing budget for this environment's project and `environment`
 * label, see "Cost"; unset: none.
 */
export interface PlatformBudget {
    /** The Cloud Billing account ID, `XXXXXX-XXXXXX-XXXXXX` (`gcloud billing accounts list`). */
    readonly billingAccount: string;
    /** Whole units of the billing account's currency per month. */
    readonly amount: number;
    /**
     * Alert when actual spend passes these fractions of the amount (1.0 = 100%); each listed once.
     * Default: `[0.5, 0.9, 1]`.
     */
    readonly thresholds?: number[];
    /**
     * Up to 5 email recipients, each listed once and each a Cloud Monitoring email notification
     * channel; billing admins are always alerted. Default: `[]`.
     */
    readonly emails?: string[];
    /** Pub/Sub topic for programmatic alerts, `projects/<p>/topics/<t>`. Default: unset. */
    readonly pubsubTopic?: string;
}

/** `billing`: Billing: the environment's budget. */
export interface PlatformBilling {
    /**
     * A monthly Cloud Billing budget for this environment's project and `environment` label, see
     * "Cost"; unset: none. Default: unset.
     */
    readonly budget?: PlatformBudget;
}

/** `charts`: Where the Helm charts come from. */
export interface PlatformCharts {
    /**
     * Where the Helm charts (Argo Workflows, Argo Events, Airflow) come from, for deployers without
     * access to the public chart repositories: a mirror Helm repository (`https://...`), an OCI
     * registry (`oci://host/path`) or a directory of charts, absolute or relative to the project
     * (`<chart>-<version>/`, `<chart>-<version>.tgz` or `<chart>/` holding the pinned version;
     * `components/kubernetes/specs/chartSource.ts`). Checked before anything is created. Default:
     * unset.
     */
    readonly source?: string;
}

/**
 * `endpoint`: An IAP-protected HTTPS endpoint for the UI, the metadata service and Argo; unset: no
 * endpoint.
 */
export interface PlatformEndpoint {
    /** DNS name of the HTTPS endpoint; you create its A record (see the `endpoint` output). */
    readonly hostname: string;
    /** Client ID of the OAuth client IAP uses, created in the console (see *HTTPS endpoint*). */
    readonly oauthClientId: string;
    /**
     * Its secret; must be a Pulumi secret (`pulumi config set --secret --path
     * endpoint.oauthClientSecret <value>`); a plain value is refused.
     */
    readonly oauthClientSecret: pulumi.Input<string>;
}

/** Arguments of a MetaflowPlatform: one environment. */
export interface MetaflowPlatformArgs {
    /**
     * A named set of defaults: `personal`, the one-person defaults of "Cost" (Autopilot, no
     * database, no services); refused with `production: true`. Default: unset.
     */
    readonly preset?: string;
    /**
     * The project ID; set by you (`pulumi config set gcp:project <id>`); the shipped stack files
     * leave it unset.
     */
    readonly project: string;
    /** The region of every regional resource. Default: `us-central1`. */
    readonly region?: string;
    /** 2-12 lowercase letters/digits; in resource names and the `environment` label. */
    readonly environment: string;
    /** Selects the production profile and its safety checks. Default: `false`. */
    readonly production?: boolean;
    /**
     * Cluster node zones; a zonal cluster uses the first. Refused if the region has no such zone
     * (`components/model/catalog.ts` `REGION_ZONES`; a region missing there has no default and its
     * zones are checked for the region prefix only). Default: the region's first 3 zones.
     */
    readonly zones?: string[];
    /**
     * Extra labels on every resource that takes labels (keys 1-63 lowercase letters, digits, `_`,
     * `-`, starting with a letter; values 0-63 of the same; 64 labels on a resource with the
     * platform's 4). `app`, `environment` and `managed-by` are the platform's (`environment` is the
     * environment's name), `gpu-pool` too on GPU pools: refused unless equal to the platform's
     * value. Labels are plain text on every labelled resource: a value that looks like a credential
     * is refused, and never shown. Default: `{}`.
     */
    readonly labels?: Record<string, string>;
    /** The environment's VPC: its ranges, NAT and SSH access. Default: each key's own. */
    readonly network?: PlatformNetwork;
    /** The GKE cluster. Default: each key's own. */
    readonly cluster?: PlatformCluster;
    /**
     * GPU node pools, one per entry; `[]` for no GPUs. In Autopilot they say which GPUs steps may
     * ask for. Default: `l4`.
     */
    readonly gpuPools?: PlatformGpuPool[];
    /** Cloud SQL for PostgreSQL, the metadata service's database. Default: each key's own. */
    readonly database?: PlatformDatabase;
    /** The datastore bucket and the task image registry. Default: each key's own. */
    readonly storage?: PlatformStorage;
    /**
     * The Kubernetes half: namespace, task identity, metadata service, UI and orchestrators.
     * Default: each key's own.
     */
    readonly services?: PlatformServices;
    /** Who runs and schedules flows in this environment. Default: each key's own. */
    readonly access?: PlatformAccess;
    /** Fair queues for steps (Kueue). Default: each key's own. */
    readonly queues?: PlatformQueues;
    /** Dashboards and alerts (Cloud Monitoring). Default: each key's own. */
    readonly observability?: PlatformObservability;
    /** Billing: the environment's budget. Default: each key's own. */
    readonly billing?: PlatformBilling;
    /** Where the Helm charts come from. Default: each key's own. */
    readonly charts?: PlatformCharts;
    /**
     * An IAP-protected HTTPS endpoint for the UI, the metadata service and Argo; unset: no
     * endpoint. Default: unset.
     */
    readonly endpoint?: PlatformEndpoint;
}
