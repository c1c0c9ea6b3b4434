/**
 * Config keys whose change makes Google Cloud replace (delete and recreate) a cluster, database,
 * bucket or network, and the refusal of such changes in production before anything is replaced.
 *
 * How the refusal works: the stack program registers a small dynamic resource, the
 * ReplacementGuard (components/platform/replacementGuard.ts), first, and every other resource
 * waits for it. Its inputs are `guardInputs(cfg)`; Pulumi's engine hands its check the inputs
 * the previous update stored, and in production the check fails, naming the keys, when
 * `replacingChanges` finds one, in `pulumi preview` and `pulumi up` alike. This needs nothing but
 * the engine, so it works on every state backend. Pulumi's `protect` would also stop a
 * replacement, but only once the plan reaches that resource, and its message names a resource,
 * not the config key.
 *
 * `replacingChanges` and `refusalMessage` run inside Pulumi's dynamic-provider host, serialized
 * with the guard: they use only their arguments and REPLACING_KEYS (no imports).
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
import { prefixBits } from "../model/cidr";
import type { PlatformConfig } from "./config";

/** Name of the stack output that shows the fingerprint the guard recorded. */
export const REPLACEMENT_GUARD_OUTPUT = "replacementGuard";

/** A config key whose change replaces something that holds production state. */
export interface ReplacingKey {
    /** The key as people set it (`metaflow-gcp:storage.bucketName`). */
    readonly key: string;
    /** What a change replaces, for messages and the README. */
    readonly replaces: string;
    /** The value that matters, or undefined when the key does not matter in this config. */
    readonly value: (cfg: PlatformConfig) => string | undefined;
    /**
     * The value is an IPv4 range that changes in place when the new range contains the old one
     * (it grows); any other change replaces. Default: any change replaces.
     */
    readonly growsInPlace?: boolean;
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
        growsInPlace: true,
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

/** The replacement-relevant values of a config, as shown in the `replacementGuard` output. */
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

/** The ReplacementGuard's inputs: what it refuses on, and what the next update compares with. */
export interface GuardInputs {
    /** Refuse (production) or let through (other environments, where the preview shows the replacements). */
    readonly production: boolean;
    /** Key -> value of every replacing key that matters in this config. */
    readonly fingerprint: Record<string, string>;
    /** Key -> the range's network prefix as bits, for keys that grow in place (`growsInPlace`). */
    readonly prefixBits: Record<string, string>;
    /** Keys whose replacing change this update may make (`metaflow-gcp:allowReplacement`). */
    readonly allowReplacement: readonly string[];
}

/** The guard's inputs for a config. */
export function guardInputs(cfg: PlatformConfig): GuardInputs {
    const fingerprint = replacementFingerprint(cfg);
    const bits: Record<string, string> = {};
    for (const k of REPLACING_KEYS) {
        if (k.growsInPlace && fingerprint[k.key] !== undefined) {
            bits[k.key] = prefixBits(fingerprint[k.key]);
        }
    }
    return { production: cfg.production, fingerprint, prefixBits: bits, allowReplacement: [...cfg.allowReplacement] };
}

/**
 * The changes between the previous update's guard inputs and these that would replace
 * something, except the keys `current` allows. One message per key, naming it. Nothing before
 * (a stack's first update, or its first with the guard) refuses nothing. A range grows in place
 * when the old range's prefix bits start with the new range's (the new one contains it).
 */
export function replacingChanges(previous: Partial<GuardInputs> | undefined, current: GuardInputs): string[] {
    const changes: string[] = [];
    for (const k of REPLACING_KEYS) {
        const before = previous?.fingerprint?.[k.key];
        const after = current.fingerprint[k.key];
        if (before === undefined || after === undefined || before === after || current.allowReplacement.includes(k.key)) {
            continue;
        }
        const oldBits = previous?.prefixBits?.[k.key];
        const newBits = current.prefixBits[k.key];
        if (k.growsInPlace && oldBits !== undefined && newBits !== undefined && oldBits.startsWith(newBits)) {
            continue;
        }
        changes.push(`${k.key}: was ${JSON.stringify(before)}, now ${JSON.stringify(after)}; this replaces ${k.replaces}`);
    }
    return changes;
}

/** The refusal a production update gets, with what to do. */
export function refusalMessage(changes: readonly string[]): string {
    return (
        "Refused: this change of the production stack's config would replace resources that hold its state; nothing was changed:\n" +
        changes.map((c) => `  - ${c}`).join("\n") +
        "\nIf that is not what you meant, set the key back. To replace on purpose: back up first (README, Operations), list the key in " +
        "metaflow-gcp:allowReplacement, `pulumi state unprotect` the resources it replaces, run `pulumi up`, then remove the key from allowReplacement again."
    );
}
