import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, withDefaults, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";
import { defaultBucketName } from "../model/naming";
import { STANDALONE_DEFAULTS as PRODUCTION } from "../model/profiles";

/** Prefix under which Metaflow keeps its datastore (METAFLOW_DATASTORE_SYSROOT_GS). */
export const DATASTORE_PREFIX = "metaflow";
/** Prefix for scratch objects, expired by a lifecycle rule. */
export const TMP_PREFIX = "tmp/";
const DAY_SECONDS = 86_400;

export interface MetaflowStorageArgs {
    /** Project of the bucket and the registry. */
    readonly project: string;
    /** Region of the bucket and the registry. */
    readonly region: string;
    /** Environment name; part of the registry's name. */
    readonly environment: string;
    /** Labels on the bucket and the registry. Default: none. */
    readonly labels?: Record<string, string>;
    /** Bucket name (global). Default: `<project>-metaflow-<environment>`. */
    readonly bucketName?: string;
    /** Object versioning; old versions are deleted after 30 days. Default: true. */
    readonly versioning?: boolean;
    /** Soft-delete retention in days; 0 turns it off, 7-90 otherwise. Default: 7. */
    readonly softDeleteDays?: number;
    /** Objects under tmp/ are deleted after this many days. Default: 7. */
    readonly tmpObjectTtlDays?: number;
    /** Let `pulumi destroy` delete a non-empty bucket. Default: false. */
    readonly forceDestroy?: boolean;
    /** Docker tags in the registry cannot be overwritten. Default: true. */
    readonly immutableTags?: boolean;
    /** Untagged images are deleted after this many days. Default: 14. */
    readonly untaggedImageTtlDays?: number;
    /** Guard the bucket with Pulumi's `protect` (production data). Default: false. */
    readonly protect?: boolean;
}

/**
 * The defaults MetaflowStorageArgs documents (the production profile's safeguards), applied
 * once at the top of the constructor; the bucket name follows the project (`defaultBucketName`).
 */
export const METAFLOW_STORAGE_DEFAULTS = {
    labels: {} as Record<string, string>,
    versioning: PRODUCTION.storage.versioning as boolean,
    softDeleteDays: PRODUCTION.storage.softDeleteDays as number,
    tmpObjectTtlDays: 7,
    forceDestroy: PRODUCTION.storage.forceDestroy as boolean,
    immutableTags: PRODUCTION.storage.immutableTags as boolean,
    untaggedImageTtlDays: 14,
    protect: false,
};

/**
 * The Metaflow datastore bucket and the Docker repository for task images of one environment.
 * The bucket has uniform access and enforced public access prevention; with deletion
 * safeguards on (production) it keeps versions and soft-deleted objects and is protected.
 */
export class MetaflowStorage extends pulumi.ComponentResource {
    public readonly bucket: gcp.storage.Bucket;
    public readonly registry: gcp.artifactregistry.Repository;
    public readonly bucketName: pulumi.Output<string>;
    /** `gs://<bucket>` */
    public readonly bucketUrl: pulumi.Output<string>;
    /** `gs://<bucket>/metaflow`, Metaflow's datastore root. */
    public readonly datastoreRoot: pulumi.Output<string>;
    /** `<region>-docker.pkg.dev/<project>/<repository>` */
    public readonly registryUrl: pulumi.Output<string>;

    constructor(name: string, args: MetaflowStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetaflowStorage"), name, {}, withLegacyType("MetaflowStorage", opts));
        const s = withDefaults({ ...METAFLOW_STORAGE_DEFAULTS, bucketName: defaultBucketName(args.project, args.environment) }, args);
        const lifecycleRules: gcp.types.input.storage.BucketLifecycleRule[] = [
            { action: { type: "Delete" }, condition: { age: s.tmpObjectTtlDays, matchesPrefixes: [TMP_PREFIX] } },
            { action: { type: "AbortIncompleteMultipartUpload" }, condition: { age: 1 } },
        ];
        if (s.versioning) {
            // Old versions are the undo buffer, not an archive: keep them 30 days.
            lifecycleRules.push({ action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } });
        }

        this.bucket = new gcp.storage.Bucket(
            `${name}-bucket`,
            {
                project: args.project,
                name: s.bucketName,
                location: args.region,
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: s.versioning },
                softDeletePolicy: { retentionDurationSeconds: s.softDeleteDays * DAY_SECONDS },
                forceDestroy: s.forceDestroy,
                lifecycleRules,
                labels: s.labels,
            },
            { ...childOptions(this, opts), protect: s.protect },
        );

        this.registry = new gcp.artifactregistry.Repository(
            `${name}-registry`,
            {
                project: args.project,
                location: args.region,
                repositoryId: `metaflow-${args.environment}`,
                format: "DOCKER",
                description: `Metaflow ${args.environment} task images (managed by Pulumi)`,
                labels: s.labels,
                dockerConfig: { immutableTags: s.immutableTags },
                cleanupPolicyDryRun: false,
                cleanupPolicies: [
                    {
                        id: "delete-untagged",
                        action: "DELETE",
                        condition: { tagState: "UNTAGGED", olderThan: `${s.untaggedImageTtlDays * DAY_SECONDS}s` },
                    },
                    { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: 20 } },
                ],
            },
            childOptions(this, opts),
        );

        this.bucketName = this.bucket.name;
        this.bucketUrl = pulumi.interpolate`gs://${this.bucket.name}`;
        this.datastoreRoot = pulumi.interpolate`gs://${this.bucket.name}/${DATASTORE_PREFIX}`;
        this.registryUrl = pulumi.interpolate`${this.registry.location}-docker.pkg.dev/${this.registry.project}/${this.registry.repositoryId}`;
        this.registerOutputs({ bucketUrl: this.bucketUrl, registryUrl: this.registryUrl });
    }
}
