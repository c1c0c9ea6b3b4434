/**
 * Config keys whose change makes Google Cloud replace (delete and recreate) a cluster, database,
 * bucket or network, and the refusal of such changes in production before anything runs.
 *
 * How the refusal works: every run exports a fingerprint of these keys as the stack output
 * `replacementGuard`; the next run reads the previous one back through a StackReference to its
 * own stack (index.ts) and compares. Pulumi's `protect` would also stop a replacement, but only
 * once the plan reaches that resource, and its message names a resource, not the config key.
 *
 * Sources (terraform-provider-google v7.45, which @pulumi/gcp 9.x wraps; ForceNew fields):
 * container/resource_container_cluster.go `name` (l. 293), `location` (l. 326),
 * `enable_autopilot` (l. 1114), `network` (l. 1678), `subnetwork` (l. 1876);
 * sql/resource_sql_database_instance.go `region` (l. 257); storage/resource_storage_bucket.go
 * `name` (l. 132), `location` (l. 193); compute/resource_compute_network.go `name` (l. 140);
 * compute/resource_compute_subnetwork.go `region` (l. 617), `ip_cidr_range` ForceNew only when
 * it shrinks (IsShrinkageIpCidr, l. 63, 385); compute/resource_compute_global_address.go
 * `address` (l. 153), `prefix_length` (l. 209).
 */
import { cidrContains } from "../model/cidr";
import type { PlatformConfig } from "./config";

/** Name of the stack output that carries the fingerprint. */
export const REPLACEMENT_GUARD_OUTPUT = "replacementGuard";

/** A config key whose change replaces something that holds production state. */
export interface ReplacingKey {
    /** The key as people set it (`metaflow-gcp:storage.bucketName`). */
    readonly key: string;
    /** What a change replaces, for messages and the README. */
    readonly replaces: string;
    /** The value that matters, or undefined when the key does not matter in this config. */
    readonly value: (cfg: PlatformConfig) => string | undefined;
    /** Whether going from `before` to `after` replaces; default: any change. */
    readonly replacedBy?: (before: string, after: string) => boolean;
}

export const REPLACING_KEYS: readonly ReplacingKey[] = [
    { key: "gcp:project", replaces: "everything: every resource lives in the project", value: (c) => c.project },
    { key: "gcp:region", replaces: "the subnet, the Cloud SQL instance, the bucket, the registry and a regional cluster", value: (c) => c.region },
    {
        key: "metaflow-gcp:environment",
        replaces: "the network, the cluster, the registry, the service accounts and the bucket when it has the default name (all named after it)",
        value: (c) => c.environment,
    },
    { key: "metaflow-gcp:cluster.mode", replaces: "the cluster (Standard and Autopilot are different clusters)", value: (c) => c.cluster.mode },
    { key: "metaflow-gcp:cluster.regional", replaces: "the cluster (its location becomes the region or a zone)", value: (c) => (c.cluster.mode === "autopilot" ? undefined : String(c.cluster.regional)) },
    {
        key: "metaflow-gcp:zones",
        replaces: "a zonal cluster when the first zone changes (the cluster lives there)",
        value: (c) => (c.cluster.mode === "standard" && !c.cluster.regional ? c.zones[0] : undefined),
    },
    {
        key: "metaflow-gcp:network.subnetCidr",
        replaces: "the subnet, and with it the cluster, unless the new range contains the old one (only expansion is done in place)",
        value: (c) => c.network.subnetCidr,
        replacedBy: (before, after) => !cidrContains(after, before),
    },
    {
        key: "metaflow-gcp:network.privateServiceAccessCidr",
        replaces: "the Private Service Access range that holds Cloud SQL's private IP",
        value: (c) => c.network.privateServiceAccessCidr,
    },
    { key: "metaflow-gcp:storage.bucketName", replaces: "the bucket (a new, empty one; the old one is deleted with its data)", value: (c) => c.storage.bucketName },
];

/** A config key whose change replaces something, as the README marks it. */
export interface ReplacingKeyNote {
    /** The key as people set it; `[]` stands for every element of a list (`metaflow-gcp:gpuPools[].spot`). */
    readonly key: string;
    /** What a change replaces. */
    readonly replaces: string;
}

/**
 * Keys whose change replaces node pools or Kubernetes objects rather than data. The guard above
 * does not refuse them before the run; in production Pulumi's `protect` on every node pool
 * stops a pool replacement during the update. Marked "⚠ replaces" in the README (`npm run docs`).
 *
 * Sources: terraform-provider-google v7.45.0 container/resource_container_node_pool.go `name`
 * ForceNew (l. 510); container/node_config.go `guest_accelerator` and its `count` and `type`
 * ForceNew (l. 316-335), `spot` ForceNew (l. 616); `machine_type` (l. 536) and `disk_size_gb`
 * (l. 291) are not, so those change in place. pulumi-kubernetes v4.32.0
 * provider/pkg/provider/diff.go `metadataForceNewProperties` (l. 207): a changed
 * `.metadata.namespace` replaces the object.
 */
export const OTHER_REPLACING_KEYS: readonly ReplacingKeyNote[] = [
    { key: "metaflow-gcp:cluster.cpuPool.spot", replaces: "the CPU node pool" },
    { key: "metaflow-gcp:gpuPools[].name", replaces: "the GPU node pool (`gpu-<name>`)" },
    { key: "metaflow-gcp:gpuPools[].gpuType", replaces: "the GPU node pool (guest accelerators are ForceNew)" },
    { key: "metaflow-gcp:gpuPools[].gpusPerNode", replaces: "the GPU node pool (guest accelerators are ForceNew)" },
    { key: "metaflow-gcp:gpuPools[].spot", replaces: "the GPU node pool" },
    { key: "metaflow-gcp:services.namespace", replaces: "every Kubernetes object of the environment (all live in the namespace)" },
];

/** The replacement-relevant values of a config, as stored in the `replacementGuard` output. */
export function replacementFingerprint(cfg: PlatformConfig): Record<string, string> {
    const fingerprint: Record<string, string> = {};
    for (const k of REPLACING_KEYS) {
        const value = k.value(cfg);
        if (value !== undefined) {
            fingerprint[k.key] = value;
        }
    }
    return fingerprint;
}

/**
 * The changes between the previous run's fingerprint and this one that would replace
 * something, except the keys listed in `allowed`. One message per key, naming it.
 */
export function replacingChanges(previous: Record<string, string> | undefined, current: Record<string, string>, allowed: readonly string[] = []): string[] {
    if (!previous) {
        return [];
    }
    const changes: string[] = [];
    for (const k of REPLACING_KEYS) {
        const before = previous[k.key];
        const after = current[k.key];
        if (before === undefined || after === undefined || before === after || allowed.includes(k.key)) {
            continue;
        }
        if ((k.replacedBy ?? (() => true))(before, after)) {
            changes.push(`${k.key}: was ${JSON.stringify(before)}, now ${JSON.stringify(after)}; this replaces ${k.replaces}`);
        }
    }
    return changes;
}

/** Raised before any resource is registered when a production config change would replace state. */
export class ReplacementRefusedError extends Error {
    constructor(public readonly changes: string[]) {
        super(
            `Refused: this change of the production stack's config would replace resources that hold its state; nothing was changed:\n` +
                changes.map((c) => `  - ${c}`).join("\n") +
                "\nIf that is not what you meant, set the key back. To replace on purpose: back up first (README, Operations), list the key in " +
                "metaflow-gcp:allowReplacement, `pulumi state unprotect` the resources it replaces, run `pulumi up`, then remove the key from allowReplacement again.",
        );
        this.name = "ReplacementRefusedError";
    }
}
