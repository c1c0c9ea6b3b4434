/**
 * One Metaflow environment on Google Cloud as a single component: `new MetaflowPlatform("ml",
 * { project, environment })` in any Pulumi program (from Python through the component
 * package), or the stack program (index.ts) with the stack's config mapped onto its arguments.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/config";
import { componentType } from "../model/typeTokens";
import type { MetaflowPlatformArgs } from "./metaflowPlatformArgs";
import { chartSourceProblems } from "./chartCheck";
import { PlatformArgsError, platformConfigFromArgs } from "./platformArgsCheck";
import { createPlatformParts, type PlatformParts } from "./platform";
import { metaflowProfile } from "./stackOutputs";

/**
 * What each platform was built from and of. Kept beside the class, not as properties: the
 * component package's schema analyzer reads every property as an output, and an output may
 * reference only resources of @pulumi packages (@pulumi/pulumi 3.248.0
 * `provider/experimental/analyzer.js`, `getResourceType`); getters it leaves alone.
 */
const BUILT = new WeakMap<MetaflowPlatform, { readonly config: PlatformConfig; readonly parts: PlatformParts }>();

/** Configs checkPlatformArgs passed (charts included): the constructor takes them as they are. */
const CHECKED = new WeakSet<PlatformConfig>();

/**
 * The platform's config from its arguments, or PlatformArgsError naming every problem (charts
 * included); registers nothing. The constructor runs it first; a program that must register
 * something before the platform (the stack program's replacement guard) runs it before that and
 * hands the config it returns to the constructor, which then checks nothing twice.
 */
export function checkPlatformArgs(name: string, args: MetaflowPlatformArgs | PlatformConfig): PlatformConfig {
    if (CHECKED.has(args as PlatformConfig)) {
        return args as PlatformConfig;
    }
    const config = platformConfigFromArgs(name, args);
    const chartProblems = chartSourceProblems(config);
    if (chartProblems.length > 0) {
        throw new PlatformArgsError(name, chartProblems);
    }
    CHECKED.add(config);
    return config;
}

/**
 * A production-grade Metaflow platform on Google Cloud, one environment: private GKE cluster
 * with GPU pools that scale to zero, Cloud SQL for PostgreSQL on private IP, datastore bucket,
 * Artifact Registry, Workload Identity, the Metaflow services and Argo (or Airflow) on the
 * cluster, and optionally an IAP-protected HTTPS endpoint and a billing budget. Arguments are
 * validated, every problem at once, before anything is created. One per stack: the children keep
 * the names they had before 0.2.0 (`network`, `cluster`, ...), so stacks deployed then keep
 * their resources; a second platform in the same stack would repeat their URNs.
 */
export class MetaflowPlatform extends pulumi.ComponentResource {
    /** The VPC's name. */
    public readonly networkName: pulumi.Output<string>;
    /** The GKE cluster's name. */
    public readonly clusterName: pulumi.Output<string>;
    /** The cluster's zone or region. */
    public readonly clusterLocation: pulumi.Output<string>;
    /** The endpoint kubectl and Pulumi reach the control plane at (DNS name or IP). */
    public readonly clusterEndpoint: pulumi.Output<string>;
    /** Kubeconfig using gke-gcloud-auth-plugin (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** The datastore bucket's name. */
    public readonly bucketName: pulumi.Output<string>;
    /** gs:// URL of the bucket. */
    public readonly bucketUrl: pulumi.Output<string>;
    /** Metaflow's datastore root (METAFLOW_DATASTORE_SYSROOT_GS). */
    public readonly datastoreRoot: pulumi.Output<string>;
    /** Artifact Registry Docker repository for task images. */
    public readonly registryUrl: pulumi.Output<string>;
    /** Google service account Metaflow's steps run as (through Workload Identity). */
    public readonly taskServiceAccount: pulumi.Output<string>;
    /** The Kubernetes namespace of the services and steps; unset when `services.enabled` is false. */
    public readonly kubernetesNamespace?: pulumi.Output<string>;
    /** The Metaflow client profile (`~/.metaflowconfig/config_<env>.json`, no secrets); unset without services. */
    public readonly metaflowConfig?: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: MetaflowPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        // Before super: invalid arguments register nothing at all.
        const config = checkPlatformArgs(name, args);
        super(componentType("MetaflowPlatform"), name, {}, opts);
        const parts = createPlatformParts(config, this, args.endpoint?.oauthClientSecret);
        BUILT.set(this, { config, parts });
        this.networkName = parts.network.network.name;
        this.clusterName = parts.cluster.name;
        this.clusterLocation = parts.cluster.location;
        this.clusterEndpoint = parts.cluster.endpoint;
        this.kubeconfig = parts.cluster.kubeconfig;
        this.bucketName = pulumi.output(parts.storage.bucketName);
        this.bucketUrl = pulumi.output(parts.storage.bucketUrl);
        this.datastoreRoot = pulumi.output(parts.storage.datastoreRoot);
        this.registryUrl = pulumi.output(parts.storage.registryUrl);
        this.taskServiceAccount = pulumi.output(parts.identity.taskServiceAccountEmail);
        this.kubernetesNamespace = parts.services && pulumi.output(parts.services.namespace);
        this.metaflowConfig = metaflowProfile(config, parts)?.apply(
            (profile) => Object.fromEntries(Object.entries(profile).filter((entry): entry is [string, string] => entry[1] !== undefined)),
        );
        this.registerOutputs({
            networkName: this.networkName,
            clusterName: this.clusterName,
            clusterLocation: this.clusterLocation,
            clusterEndpoint: this.clusterEndpoint,
            kubeconfig: this.kubeconfig,
            bucketName: this.bucketName,
            bucketUrl: this.bucketUrl,
            datastoreRoot: this.datastoreRoot,
            registryUrl: this.registryUrl,
            taskServiceAccount: this.taskServiceAccount,
            kubernetesNamespace: this.kubernetesNamespace,
            metaflowConfig: this.metaflowConfig,
        });
    }

    /** The validated configuration, every default applied. */
    public get config(): PlatformConfig {
        return built(this).config;
    }

    /** The components it created, for programs that wire more on top. */
    public get parts(): PlatformParts {
        return built(this).parts;
    }
}

function built(platform: MetaflowPlatform): { readonly config: PlatformConfig; readonly parts: PlatformParts } {
    const value = BUILT.get(platform);
    if (!value) {
        throw new Error("MetaflowPlatform: read before its constructor finished");
    }
    return value;
}
