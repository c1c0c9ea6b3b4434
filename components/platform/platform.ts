/**
 * Wires the components of one environment together and returns the stack outputs. index.ts
 * calls it with the validated stack config; the test harness renders it under mocks.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AirflowCloud } from "../gcp/airflowCloud";
import { AIRFLOW_BUCKET_PREFIXES, AIRFLOW_WEBSERVER } from "../pure/airflowValues";
import { ENDPOINT_APIS, ProjectApis, REQUIRED_APIS } from "../gcp/apis";
import { BUDGET_API, EnvironmentBudget } from "../gcp/budget";
import { MetaflowCluster } from "../gcp/cluster";
import type { PlatformConfig } from "../config/config";
import { MetaflowDatabase } from "../gcp/database";
import { MetaflowEndpoint } from "../kubernetes/endpoint";
import { GpuNodePool, maxGpus } from "../gcp/gpuNodePool";
import { MetaflowIdentity } from "../gcp/identity";
import { kubeContextName, type KubeContext } from "../pure/kubeconfig";
import { MemberGrants } from "../gcp/memberGrants";
import { MemberRbac } from "../kubernetes/memberRbac";
import { buildMetaflowProfile, type MetaflowProfile } from "../pure/metaflowConfig";
import { KUBERNETES_IDENTITIES, TASK_IDENTITY_USERS, platformLabels } from "../pure/naming";
import { MetaflowNetwork } from "../gcp/network";
import { gpuScheduling } from "../pure/scheduling";
import { largestSteps } from "../pure/sizing";
import { MetaflowServices } from "../kubernetes/services";
import { MetaflowStorage } from "../gcp/storage";
import { taskImageRef } from "../pure/taskImage";
import { ARGO_EVENTS_NAMES } from "../pure/wellKnown";

/** Everything the program creates, for callers that wire more on top (services, tests). */
export interface Platform {
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
}

/** Creates the Google Cloud half of one environment. */
export function createPlatform(cfg: PlatformConfig): Platform {
    const labels = platformLabels(cfg);
    const budgetSettings = cfg.billing.budget;
    const apis = new ProjectApis("apis", {
        project: cfg.project,
        apis: [...Object.keys(REQUIRED_APIS), ...(budgetSettings ? [BUDGET_API] : []), ...(cfg.endpoint ? Object.keys(ENDPOINT_APIS) : [])],
    });
    // Every component waits for the APIs, so a fresh project works in one `pulumi up`.
    const afterApis: pulumi.ComponentResourceOptions = { dependsOn: [apis] };

    const network = new MetaflowNetwork(
        "network",
        {
            project: cfg.project,
            region: cfg.region,
            environment: cfg.environment,
            subnetCidr: cfg.network.subnetCidr,
            podsCidr: cfg.network.podsCidr,
            servicesCidr: cfg.network.servicesCidr,
            privateServiceAccessCidr: cfg.network.privateServiceAccessCidr,
            allowIapSsh: cfg.network.allowIapSsh,
            natMinPortsPerVm: cfg.network.natMinPortsPerVm,
        },
        afterApis,
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
        },
        afterApis,
    );

    const gpuPools = cluster.autopilot
        ? []
        : cfg.gpuPools.map(
              (pool) =>
                  new GpuNodePool(
                      `gpu-${pool.name}`,
                      {
                          project: cfg.project,
                          clusterName: cluster.name,
                          clusterLocation: cluster.location,
                          serviceAccount: cluster.nodeServiceAccountEmail,
                          labels,
                          name: pool.name,
                          gpuType: pool.gpuType,
                          machineType: pool.machineType,
                          gpusPerNode: pool.gpusPerNode,
                          zones: pool.zones,
                          minNodes: pool.minNodes,
                          maxNodes: pool.maxNodes,
                          spot: pool.spot,
                          diskSizeGb: pool.diskSizeGb,
                          driverVersion: pool.driverVersion,
                          protect: cfg.cluster.deletionProtection,
                      },
                      afterApis,
                  ),
          );

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
              afterApis,
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
        afterApis,
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
        afterApis,
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
                  afterApis,
              )
            : undefined;

    let services: MetaflowServices | undefined;
    let kubernetes: k8s.Provider | undefined;
    let endpoint: MetaflowEndpoint | undefined;
    if (cfg.services.enabled) {
        // Built from the cluster's own outputs: no kubeconfig file, no staged applies. Without a
        // clusterIdentifier, pulumi-kubernetes replaces the provider, and with it every object,
        // whenever the kubeconfig's server changes (DiffConfig, provider/pkg/provider/provider.go):
        // switching cluster.controlPlaneAccess would recreate the namespace and all it holds.
        kubernetes = new k8s.Provider(
            "gke",
            { kubeconfig: cluster.kubeconfig, clusterIdentifier: cluster.identity, enableServerSideApply: true, deleteUnreachable: false },
            { dependsOn: [cluster] },
        );
        services = new MetaflowServices(
            "services",
            {
                environment: cfg.environment,
                namespace: cfg.services.namespace,
                metadataReplicas: cfg.services.metadataReplicas,
                ui: cfg.services.ui,
                uiReplicas: cfg.services.uiReplicas,
                metadataDbPoolMax: cfg.services.metadataDbPoolMax,
                uiDbPoolMax: cfg.services.uiDbPoolMax,
                argoWorkflows: cfg.services.argoWorkflows,
                argoEvents: cfg.services.argoEvents,
                taskServiceAccountEmail: identity.taskServiceAccountEmail,
                database: database && {
                    host: database.host,
                    port: database.port,
                    name: database.databaseName,
                    user: database.username,
                    password: database.password,
                },
                datastoreRoot: storage.datastoreRoot,
                publicBaseUrl: cfg.endpoint ? `https://${cfg.endpoint.hostname}` : undefined,
                airflow:
                    airflowCloud && database
                        ? {
                              googleServiceAccountEmail: airflowCloud.serviceAccountEmail,
                              bucketName: storage.bucketName,
                              database: {
                                  host: database.host,
                                  port: database.port,
                                  name: airflowCloud.database.name,
                                  user: airflowCloud.user.name,
                                  password: airflowCloud.password,
                              },
                          }
                        : undefined,
            },
            // Pods need nodes to land on and their Workload Identity bindings in place.
            { providers: [kubernetes], dependsOn: [identity, ...gpuPools, cluster, ...(airflowCloud ? [airflowCloud] : [])] },
        );
        if (cfg.endpoint) {
            endpoint = new MetaflowEndpoint(
                "endpoint",
                {
                    project: cfg.project,
                    environment: cfg.environment,
                    labels,
                    namespace: services.namespace,
                    hostname: cfg.endpoint.hostname,
                    oauthClientId: cfg.endpoint.oauthClientId,
                    oauthClientSecret: pulumi.secret(cfg.endpoint.oauthClientSecret),
                    members: cfg.access.members,
                    services: { ui: cfg.services.ui, argoWorkflows: services.argoServerService !== undefined, argoEvents: services.argoEventsWebhookUrl !== undefined },
                },
                { providers: [kubernetes], dependsOn: [apis, services] },
            );
        }
    }

    const members = cfg.access.members;
    const memberGrants =
        members.length === 0
            ? undefined
            : new MemberGrants(
                  "members",
                  { project: cfg.project, members, bucketName: storage.bucketName, registryLocation: storage.registry.location, registryName: storage.registry.name },
                  afterApis,
              );
    const memberRbac =
        members.length === 0 || !services || !kubernetes
            ? undefined
            : new MemberRbac("members", { namespace: services.namespace, members }, { providers: [kubernetes], dependsOn: [services] });

    const budget = budgetSettings
        ? new EnvironmentBudget("budget", { project: cfg.project, environment: cfg.environment, ...budgetSettings }, afterApis)
        : undefined;

    return { apis, network, cluster, gpuPools, database, storage, identity, services, memberGrants, memberRbac, budget, endpoint, airflowCloud };
}

/** The Metaflow client profile for this environment (no secrets in it). */
export function metaflowProfile(cfg: PlatformConfig, p: Platform): pulumi.Output<MetaflowProfile> | undefined {
    const services = p.services;
    if (!services) {
        return undefined;
    }
    const clientAccountOutput = p.endpoint ? p.endpoint.clientServiceAccountEmail : pulumi.output("");
    return pulumi.all([p.storage.datastoreRoot, p.storage.registryUrl, clientAccountOutput]).apply(([datastoreRoot, registryUrl, clientAccount]) =>
        buildMetaflowProfile({
            datastoreRoot,
            namespace: services.namespace,
            taskServiceAccount: KUBERNETES_IDENTITIES.task,
            metadataInternalUrl: services.metadataInternalUrl,
            taskImage: taskImageRef(registryUrl),
            clusterMode: cfg.cluster.mode,
            spotSteps: cfg.cluster.spotSteps,
            metadata: p.database ? "service" : "local",
            ui: cfg.services.ui && p.database !== undefined,
            argoWorkflows: services.argoServerService !== undefined,
            endpoint: p.endpoint && cfg.endpoint && { hostname: p.endpoint.hostname, oauthClientId: cfg.endpoint.oauthClientId, clientServiceAccount: clientAccount },
            argoEvents: services.argoEventsWebhookUrl !== undefined ? {
                eventBus: ARGO_EVENTS_NAMES.eventBus,
                eventSource: ARGO_EVENTS_NAMES.eventSource,
                event: ARGO_EVENTS_NAMES.event,
                serviceAccount: KUBERNETES_IDENTITIES.argoEvents,
                internalWebhookUrl: services.argoEventsWebhookUrl,
            } : undefined,
        }),
    );
}

/** The stack outputs of the Google Cloud half; secrets stay secrets. */
export function platformOutputs(cfg: PlatformConfig, p: Platform) {
    return {
        environment: cfg.environment,
        production: cfg.production,
        project: cfg.project,
        region: cfg.region,
        networkName: p.network.network.name,
        clusterName: p.cluster.name,
        clusterLocation: p.cluster.location,
        clusterEndpoint: p.cluster.endpoint,
        kubeContext: p.cluster.endpoint.apply(
            (endpoint): KubeContext => ({ name: kubeContextName(cfg.environment), server: `https://${endpoint}`, controlPlaneAccess: cfg.cluster.controlPlaneAccess }),
        ),
        clusterMode: cfg.cluster.mode,
        kubeconfig: p.cluster.kubeconfig,
        bucketName: p.storage.bucketName,
        bucketUrl: p.storage.bucketUrl,
        datastoreRoot: p.storage.datastoreRoot,
        registryUrl: p.storage.registryUrl,
        taskServiceAccount: p.identity.taskServiceAccountEmail,
        database: p.database
            ? pulumi.secret({
                  host: p.database.host,
                  port: p.database.port,
                  name: p.database.databaseName,
                  user: p.database.username,
                  password: p.database.password,
                  connectionName: p.database.connectionName,
              })
            : undefined,
        gpuPools: cfg.gpuPools.map((pool) => ({
            name: pool.name,
            gpuType: pool.gpuType,
            machineType: pool.machineType,
            gpusPerNode: pool.gpusPerNode,
            zones: pool.zones,
            minNodes: pool.minNodes,
            maxNodes: pool.maxNodes,
            spot: pool.spot,
            maxGpus: maxGpus(pool),
            created: !p.cluster.autopilot,
        })),
        gpuScheduling: gpuScheduling(cfg.cluster.mode, cfg.gpuPools),
        /**
         * The largest step each pool runs, in Metaflow's units (`@kubernetes(cpu=, memory=, disk=,
         * gpu=)`; memory and disk in MB): `cpu` for the CPU pool, GPU pools by name.
         */
        largestStep: largestSteps(cfg),
        kubernetesNamespace: p.services?.namespace,
        endpoint: p.endpoint?.summary(),
        // Only when Airflow is on: `npm run tunnel` and `npm run airflow-deploy` read it.
        ...(p.services?.airflowWebserverService
            ? {
                  airflow: {
                      dagsUrl: pulumi.interpolate`gs://${p.storage.bucketName}/${AIRFLOW_BUCKET_PREFIXES.dags}`,
                      logsUrl: pulumi.interpolate`gs://${p.storage.bucketName}/${AIRFLOW_BUCKET_PREFIXES.logs}`,
                      webserverService: AIRFLOW_WEBSERVER.service,
                      webserverPort: AIRFLOW_WEBSERVER.port,
                  },
              }
            : {}),
        metaflowConfig: metaflowProfile(cfg, p),
    };
}
