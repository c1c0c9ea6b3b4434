/**
 * Wires the components of one environment together, as children of a MetaflowPlatform, from
 * its validated config. Each step creates one half; MetaflowPlatform calls them in order.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AirflowCloud } from "../gcp/airflowCloud";
import { ENDPOINT_APIS, ProjectApis, REQUIRED_APIS } from "../gcp/apis";
import { BUDGET_API, EnvironmentBudget } from "../gcp/budget";
import { MetaflowCluster } from "../gcp/cluster";
import type { GpuPoolConfig, PlatformConfig } from "../config/config";
import { MetaflowDatabase } from "../gcp/database";
import { MetaflowEndpoint } from "../kubernetes/endpoint";
import { GpuNodePool } from "../gcp/gpuNodePool";
import { GpuComputeClass } from "../kubernetes/computeClass";
import { KueueQueues } from "../kubernetes/queues";
import { MetricsScraping } from "../kubernetes/scraping";
import { EnvironmentMonitoring } from "../gcp/monitoring";
import { watchedFromConfig } from "../config/observability";
import { queueCapacityFromConfig } from "../config/queues";
import { kueueReplicas } from "../model/queues";
import { computeClassName, hasLadder, ladderRungs } from "../model/capacityLadder";
import { MetaflowIdentity } from "../gcp/identity";
import { MemberGrants } from "../gcp/memberGrants";
import { MemberRbac } from "../kubernetes/memberRbac";
import { KUBERNETES_IDENTITIES, TASK_IDENTITY_USERS, platformLabels } from "../model/naming";
import { MetaflowNetwork } from "../gcp/network";
import { NegCleanup } from "../gcp/negCleanup";
import { MetaflowServices } from "../kubernetes/services";
import { MetaflowStorage } from "../gcp/storage";
import { LEGACY_TYPE_TOKENS, type LegacyComponent } from "../model/typeTokens";

/** Every component of one environment, for callers that wire more on top (outputs, tests). */
export interface PlatformParts {
    readonly apis: ProjectApis;
    readonly network: MetaflowNetwork;
    readonly cluster: MetaflowCluster;
    readonly gpuPools: GpuNodePool[];
    /** Undefined when `database.enabled` is false. */
    readonly database?: MetaflowDatabase;
    readonly storage: MetaflowStorage;
    readonly identity: MetaflowIdentity;
    /** The Kubernetes half; undefined when `services.enabled` is false. */
    readonly services?: MetaflowServices;
    /** What `access.members` may do on GCP; undefined when no member is listed. */
    readonly memberGrants?: MemberGrants;
    /** The members' Role in the Metaflow namespace; undefined without members or services. */
    readonly memberRbac?: MemberRbac;
    /** The billing budget; undefined unless `billing.budget` is set. */
    readonly budget?: EnvironmentBudget;
    /** The IAP-protected HTTPS endpoint; undefined unless `endpoint` is configured. */
    readonly endpoint?: MetaflowEndpoint;
    /** Airflow's database, user and Google identity; undefined unless `services.airflow` is on. */
    readonly airflowCloud?: AirflowCloud;
    /** The compute class of each GPU pool with a capacity ladder (none without one, or without services). */
    readonly computeClasses?: GpuComputeClass[];
    /** Kueue and the queues; undefined unless `queues.enabled`. */
    readonly queues?: KueueQueues;
    /** The dashboard and alert policies; undefined unless `observability.enabled`. */
    readonly monitoring?: EnvironmentMonitoring;
    /** What Managed Prometheus scrapes of ours; undefined unless `observability.enabled` with the services on. */
    readonly scraping?: MetricsScraping;
}

/**
 * Options for a component the platform creates: a child of the platform. Before 0.2.0 the same
 * component sat at the stack root under its old type token; the alias says so, and Pulumi
 * passes it on to the component's children (the SDK's `allAliases`, @pulumi/pulumi 3.248.0
 * `resource.js`, or the engine when it takes alias specs), so a deployed stack keeps every resource.
 */
export function platformChild(parent: pulumi.Resource, component: LegacyComponent, opts: pulumi.ComponentResourceOptions = {}): pulumi.ComponentResourceOptions {
    return { ...opts, parent, aliases: [{ type: LEGACY_TYPE_TOKENS[component], parent: pulumi.rootStackResource }] };
}

/** The Google Cloud half: APIs, network, cluster, GPU pools, database, storage, task identity. */
function createCloud(cfg: PlatformConfig, parent: pulumi.Resource) {
    const labels = platformLabels(cfg);
    const apis = new ProjectApis(
        "apis",
        { project: cfg.project, apis: [...Object.keys(REQUIRED_APIS), ...(cfg.billing.budget ? [BUDGET_API] : []), ...(cfg.endpoint ? Object.keys(ENDPOINT_APIS) : [])] },
        platformChild(parent, "ProjectApis"),
    );
    // Every component waits for the APIs, so a fresh project works in one `pulumi up`.
    const afterApis = (component: LegacyComponent) => platformChild(parent, component, { dependsOn: [apis] });
    const n = cfg.network;
    const network = new MetaflowNetwork(
        "network",
        {
            project: cfg.project,
            region: cfg.region,
            environment: cfg.environment,
            subnetCidr: n.subnetCidr,
            podsCidr: n.podsCidr,
            servicesCidr: n.servicesCidr,
            privateServiceAccessCidr: n.privateServiceAccessCidr,
            allowIapSsh: n.allowIapSsh,
            natMinPortsPerVm: n.natMinPortsPerVm,
        },
        afterApis("MetaflowNetwork"),
    );
    const cluster = new MetaflowCluster(
        "cluster",
        {
            project: cfg.project,
            region: cfg.region,
            zones: cfg.zones,
            environment: cfg.environment,
            labels,
            networkId: network.networkId,
            subnetworkId: network.subnetworkId,
            mode: cfg.cluster.mode,
            regional: cfg.cluster.regional,
            releaseChannel: cfg.cluster.releaseChannel,
            controlPlaneAccess: cfg.cluster.controlPlaneAccess,
            authorizedNetworks: cfg.cluster.authorizedNetworks,
            deletionProtection: cfg.cluster.deletionProtection,
            cpuPool: cfg.cluster.cpuPool,
            securityGroup: cfg.access.securityGroup,
            // Airflow reads its DAG folder from the bucket through the Cloud Storage FUSE driver.
            gcsFuseCsiDriver: cfg.services.enabled && cfg.services.airflow,
            observability: cfg.observability.enabled,
        },
        afterApis("MetaflowCluster"),
    );
    const gpuPools = cluster.autopilot ? [] : cfg.gpuPools.flatMap((pool) => createGpuRungs(cfg, pool, cluster, afterApis));
    return { apis, network, cluster, gpuPools, ...createData(cfg, { network, cluster, afterApis }) };
}

/**
 * A GPU pool's node pools: the pool itself and, with a capacity ladder, one pool per added rung
 * (`ladderRungs`). Every rung's nodes carry the compute class's label; added rungs are also
 * tainted with it, so only steps that select the class reach them, while the pool itself stays
 * open to GPU steps that do not (as before the ladder).
 */
function createGpuRungs(cfg: PlatformConfig, pool: GpuPoolConfig, cluster: MetaflowCluster, afterApis: (c: LegacyComponent) => pulumi.ComponentResourceOptions): GpuNodePool[] {
    const laddered = hasLadder(pool);
    return ladderRungs(pool).map(
        (rung) =>
            new GpuNodePool(
                `gpu-${rung.poolName}`,
                {
                    project: cfg.project,
                    clusterName: cluster.name,
                    clusterLocation: cluster.location,
                    serviceAccount: cluster.nodeServiceAccountEmail,
                    labels: platformLabels(cfg),
                    name: rung.poolName,
                    gpuType: pool.gpuType,
                    machineType: pool.machineType,
                    gpusPerNode: pool.gpusPerNode,
                    zones: pool.zones,
                    minNodes: rung.minNodes,
                    maxNodes: rung.maxNodes,
                    spot: rung.capacity === "spot",
                    diskSizeGb: pool.diskSizeGb,
                    driverVersion: pool.driverVersion,
                    protect: cfg.cluster.deletionProtection,
                    flexStartMaxRunSeconds: rung.maxRunSeconds,
                    computeClass: laddered ? computeClassName(pool.name) : undefined,
                    computeClassTaint: laddered && !rung.base,
                },
                afterApis("GpuNodePool"),
            ),
    );
}

/** Database, storage, the task identity and Airflow's Google Cloud half. */
function createData(
    cfg: PlatformConfig,
    on: { network: MetaflowNetwork; cluster: MetaflowCluster; afterApis: (c: LegacyComponent) => pulumi.ComponentResourceOptions },
) {
    const labels = platformLabels(cfg);
    const { network, cluster, afterApis } = on;
    const database = !cfg.database.enabled
        ? undefined
        : new MetaflowDatabase(
              "database",
              {
                  project: cfg.project,
                  region: cfg.region,
                  labels,
                  networkId: network.networkId,
                  privateServiceAccess: network.privateServiceAccess,
                  edition: cfg.database.edition,
                  tier: cfg.database.tier,
                  version: cfg.database.version,
                  highAvailability: cfg.database.highAvailability,
                  diskSizeGb: cfg.database.diskSizeGb,
                  backupRetentionCount: cfg.database.backupRetentionCount,
                  logRetentionDays: cfg.database.logRetentionDays,
                  deletionProtection: cfg.database.deletionProtection,
                  maxConnections: cfg.database.maxConnections,
              },
              afterApis("MetaflowDatabase"),
          );
    const storage = new MetaflowStorage(
        "storage",
        {
            project: cfg.project,
            region: cfg.region,
            environment: cfg.environment,
            labels,
            bucketName: cfg.storage.bucketName,
            versioning: cfg.storage.versioning,
            softDeleteDays: cfg.storage.softDeleteDays,
            tmpObjectTtlDays: cfg.storage.tmpObjectTtlDays,
            forceDestroy: cfg.storage.forceDestroy,
            immutableTags: cfg.storage.immutableTags,
            untaggedImageTtlDays: cfg.storage.untaggedImageTtlDays,
            protect: cfg.production,
        },
        afterApis("MetaflowStorage"),
    );
    const identity = new MetaflowIdentity(
        "identity",
        {
            project: cfg.project,
            environment: cfg.environment,
            bucketName: storage.bucketName,
            registryLocation: storage.registry.location,
            registryName: storage.registry.name,
            nodeServiceAccountEmail: cluster.nodeServiceAccountEmail,
            namespace: cfg.services.namespace,
            kubernetesServiceAccounts: TASK_IDENTITY_USERS.map((key) => KUBERNETES_IDENTITIES[key]),
            workloadPoolReady: cluster.workloadPoolReady,
        },
        afterApis("MetaflowIdentity"),
    );
    const airflowCloud =
        cfg.services.enabled && cfg.services.airflow && database
            ? new AirflowCloud(
                  "airflow",
                  {
                      project: cfg.project,
                      environment: cfg.environment,
                      instanceName: database.instance.name,
                      bucketName: storage.bucketName,
                      namespace: cfg.services.namespace,
                      workloadPoolReady: cluster.workloadPoolReady,
                  },
                  afterApis("AirflowCloud"),
              )
            : undefined;
    return { database, storage, identity, airflowCloud };
}

type CloudParts = ReturnType<typeof createCloud>;

/**
 * The Kubernetes provider, built from the cluster's own outputs: no kubeconfig file, no staged
 * applies. Without a clusterIdentifier, pulumi-kubernetes replaces the provider, and with it
 * every object, whenever the kubeconfig's server changes (DiffConfig,
 * provider/pkg/provider/provider.go): switching cluster.controlPlaneAccess would recreate the
 * namespace and all it holds. It sat at the stack root before 0.2.0, hence the alias.
 */
function kubernetesProvider(parent: pulumi.Resource, cluster: MetaflowCluster, negCleanup: NegCleanup): k8s.Provider {
    return new k8s.Provider(
        "gke",
        { kubeconfig: cluster.kubeconfig, clusterIdentifier: cluster.identity, enableServerSideApply: true, deleteUnreachable: false },
        // Every Kubernetes object depends on the provider, so on destroy all of them are gone
        // before negCleanup waits for GKE to remove the NEGs it made for them (negCleanup.ts).
        { parent, aliases: [{ parent: pulumi.rootStackResource }], dependsOn: [cluster, negCleanup] },
    );
}

/** The Kubernetes half: the services and, when configured, the HTTPS endpoint. */
function createKubernetes(cfg: PlatformConfig, parent: pulumi.Resource, cloud: CloudParts, oauthClientSecret: pulumi.Input<string> | undefined) {
    if (!cfg.services.enabled) {
        return {};
    }
    const { apis, network, cluster, gpuPools, database, storage, identity, airflowCloud } = cloud;
    // Deleted after every Kubernetes object and before the cluster: see negCleanup.ts.
    const negCleanup = new NegCleanup("gke-negs", { project: cfg.project, network: network.network.name }, { parent, dependsOn: [cluster] });
    const kubernetes = kubernetesProvider(parent, cluster, negCleanup);
    const services = new MetaflowServices(
        "services",
        {
            environment: cfg.environment,
            namespace: cfg.services.namespace,
            metadataReplicas: cfg.services.metadataReplicas,
            ui: cfg.services.ui,
            uiReplicas: cfg.services.uiReplicas,
            metadataDbPoolMax: cfg.services.metadataDbPoolMax,
            uiDbPoolMax: cfg.services.uiDbPoolMax,
            rolloutSurge: cfg.services.rolloutSurge,
            argoWorkflows: cfg.services.argoWorkflows,
            argoEvents: cfg.services.argoEvents,
            chartSource: cfg.charts.source,
            taskServiceAccountEmail: identity.taskServiceAccountEmail,
            database: database && { host: database.host, port: database.port, name: database.databaseName, user: database.username, password: database.password },
            datastoreRoot: storage.datastoreRoot,
            publicBaseUrl: cfg.endpoint ? `https://${cfg.endpoint.hostname}` : undefined,
            airflow:
                airflowCloud && database
                    ? {
                          googleServiceAccountEmail: airflowCloud.serviceAccountEmail,
                          bucketName: storage.bucketName,
                          database: { host: database.host, port: database.port, name: airflowCloud.database.name, user: airflowCloud.user.name, password: airflowCloud.password },
                      }
                    : undefined,
        },
        // Pods need nodes to land on and their Workload Identity bindings in place.
        platformChild(parent, "MetaflowServices", { providers: [kubernetes], dependsOn: [identity, ...gpuPools, cluster, ...(airflowCloud ? [airflowCloud] : [])] }),
    );
    const endpoint = cfg.endpoint
        ? new MetaflowEndpoint(
              "endpoint",
              {
                  project: cfg.project,
                  environment: cfg.environment,
                  labels: platformLabels(cfg),
                  namespace: services.namespace,
                  hostname: cfg.endpoint.hostname,
                  oauthClientId: cfg.endpoint.oauthClientId,
                  oauthClientSecret: pulumi.secret(oauthClientSecret ?? cfg.endpoint.oauthClientSecret),
                  members: cfg.access.members,
                  services: { ui: cfg.services.ui, argoWorkflows: services.argoServerService !== undefined, argoEvents: services.argoEventsWebhookUrl !== undefined },
              },
              platformChild(parent, "MetaflowEndpoint", { providers: [kubernetes], dependsOn: [apis, services] }),
          )
        : undefined;
    const scraping = cfg.observability.enabled
        ? new MetricsScraping(
              "scraping",
              { namespace: services.namespace, argoWorkflows: cfg.services.argoWorkflows },
              // The Argo controller's pods are the chart's; the PodMonitoring CRD comes with managed collection.
              { parent, providers: [kubernetes], dependsOn: [services, cluster] },
          )
        : undefined;
    return {
        kubernetes,
        services,
        endpoint,
        computeClasses: createComputeClasses(cfg, parent, kubernetes, gpuPools),
        queues: createQueues(cfg, parent, kubernetes, services),
        scraping,
    };
}

/** The dashboard and alert policies (config `observability`), alerting the budget's channels unless given their own. */
function createMonitoring(cfg: PlatformConfig, parent: pulumi.Resource, cloud: CloudParts, budget: EnvironmentBudget | undefined): EnvironmentMonitoring | undefined {
    if (!cfg.observability.enabled) {
        return undefined;
    }
    const { apis, cluster, database } = cloud;
    const w = watchedFromConfig(cfg);
    return new EnvironmentMonitoring(
        "monitoring",
        {
            project: cfg.project,
            environment: w.environment,
            clusterName: w.clusterName,
            namespace: w.namespace,
            nodePools: [...w.nodePools],
            argoWorkflows: w.argoWorkflows,
            database: database && w.database && { databaseId: pulumi.interpolate`${cfg.project}:${database.instance.name}`, maxConnections: w.database.maxConnections },
            monthlyBudget: w.monthlyBudget,
            idleGpuMinutes: w.alerts.idleGpuMinutes,
            unschedulableMinutes: w.alerts.unschedulableMinutes,
            emails: cfg.observability.emails,
            channels: budget?.channels.map((c) => c.name),
        },
        // Monitoring's API is among the required ones; the cluster's metrics packages feed it.
        { parent, dependsOn: [apis, cluster] },
    );
}

/** Kueue and the environment's queues (config `queues`), quota from the pools (config/queues.ts). */
function createQueues(cfg: PlatformConfig, parent: pulumi.Resource, kubernetes: k8s.Provider, services: MetaflowServices): KueueQueues | undefined {
    if (!cfg.queues.enabled) {
        return undefined;
    }
    const capacity = queueCapacityFromConfig(cfg);
    return new KueueQueues(
        "queues",
        {
            environment: cfg.environment,
            namespace: services.namespace,
            gpus: capacity.gpus,
            cpuMillis: capacity.cpuMillis,
            teams: cfg.queues.teams,
            replicas: kueueReplicas(cfg.production),
            chartSource: cfg.charts.source,
        },
        // The LocalQueues live in the services' namespace.
        { parent, providers: [kubernetes], dependsOn: [services] },
    );
}

/** One compute class per laddered GPU pool, over its rungs' node pools (created first). */
function createComputeClasses(cfg: PlatformConfig, parent: pulumi.Resource, kubernetes: k8s.Provider, gpuPools: GpuNodePool[]): GpuComputeClass[] {
    if (cfg.cluster.mode === "autopilot") {
        return [];
    }
    return cfg.gpuPools.filter(hasLadder).map((pool) => {
        const rungs = ladderRungs(pool);
        const nodePools = gpuPools.filter((p) => rungs.some((r) => r.nodePoolName === p.nodePoolName));
        return new GpuComputeClass(
            computeClassName(pool.name),
            { className: computeClassName(pool.name), nodePools: rungs.map((r) => r.nodePoolName) },
            { parent, providers: [kubernetes], dependsOn: nodePools },
        );
    });
}

/** Members' access on Google Cloud and in the namespace, and the billing budget. */
function createAccess(cfg: PlatformConfig, parent: pulumi.Resource, cloud: CloudParts, kube: ReturnType<typeof createKubernetes>) {
    const members = cfg.access.members;
    const { apis, storage } = cloud;
    const afterApis = (component: LegacyComponent) => platformChild(parent, component, { dependsOn: [apis] });
    const memberGrants =
        members.length === 0 ? undefined : new MemberGrants("members", { project: cfg.project, members, bucketName: storage.bucketName, registryLocation: storage.registry.location, registryName: storage.registry.name }, afterApis("MemberGrants"));
    const memberRbac =
        members.length === 0 || !kube.services || !kube.kubernetes
            ? undefined
            : new MemberRbac("members", { namespace: kube.services.namespace, members }, platformChild(parent, "MemberRbac", { providers: [kube.kubernetes], dependsOn: [kube.services] }));
    const budgetSettings = cfg.billing.budget;
    const budget = budgetSettings
        ? new EnvironmentBudget("budget", { project: cfg.project, environment: cfg.environment, ...budgetSettings }, afterApis("EnvironmentBudget"))
        : undefined;
    return { memberGrants, memberRbac, budget };
}

/**
 * Creates every component of one environment as children of `parent`. `oauthClientSecret` is
 * the endpoint's client secret as given (an Input, perhaps a secret Output); the config holds
 * only what validation saw.
 */
export function createPlatformParts(cfg: PlatformConfig, parent: pulumi.Resource, oauthClientSecret?: pulumi.Input<string>): PlatformParts {
    const cloud = createCloud(cfg, parent);
    const kube = createKubernetes(cfg, parent, cloud, oauthClientSecret);
    const access = createAccess(cfg, parent, cloud, kube);
    const monitoring = createMonitoring(cfg, parent, cloud, access.budget);
    return { ...cloud, services: kube.services, endpoint: kube.endpoint, computeClasses: kube.computeClasses, queues: kube.queues, scraping: kube.scraping, ...access, monitoring };
}
