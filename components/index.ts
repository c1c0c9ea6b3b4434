/**
 * The library, for other Pulumi programs (package.json `main`): the components, their Args and
 * the enums those take, MetaflowPlatform, the config parser, and the few helpers a program needs
 * to connect what it builds. The estimate is a tool's concern (`npm run preview`, the policy
 * pack). Everything else is internal and may change without notice. Importing it creates
 * nothing: it only defines classes and functions. The stack program is ../index.ts (Pulumi.yaml
 * `main`).
 *
 * The component package for other languages (PulumiPlugin.yaml) hosts every ComponentResource
 * exported here (@pulumi/pulumi `cmd/run-plugin/run.js`, `getPulumiComponents`).
 */

// One environment in one component.
export { MetaflowPlatform } from "./platform/metaflowPlatform";
export type {
    MetaflowPlatformArgs,
    PlatformAccess,
    PlatformBilling,
    PlatformBudget,
    PlatformCharts,
    PlatformCluster,
    PlatformCpuPool,
    PlatformDatabase,
    PlatformEndpoint,
    PlatformFlexStart,
    PlatformGpuPool,
    PlatformLadder,
    PlatformNetwork,
    PlatformObservability,
    PlatformOnDemand,
    PlatformQueues,
    PlatformServices,
    PlatformSpot,
    PlatformStorage,
    PlatformTeam,
} from "./platform/metaflowPlatformArgs";
export { PlatformArgsError } from "./platform/platformArgsCheck";
export type { PlatformParts } from "./platform/platform";

// Google Cloud components.
export { ProjectApis, type ProjectApisArgs } from "./gcp/apis";
export { MetaflowNetwork, type MetaflowNetworkArgs } from "./gcp/network";
export { ClusterMode, ControlPlaneAccess, MetaflowCluster, ReleaseChannel, type AuthorizedNetwork, type CpuPoolArgs, type MetaflowClusterArgs } from "./gcp/cluster";
export { GpuAccelerator, GpuDriverVersion, GpuNodePool, type GpuNodePoolArgs } from "./gcp/gpuNodePool";
export { DatabaseEdition, MetaflowDatabase, PostgresVersion, type MetaflowDatabaseArgs } from "./gcp/database";
export { MetaflowStorage, type MetaflowStorageArgs } from "./gcp/storage";
export { MetaflowIdentity, type MetaflowIdentityArgs } from "./gcp/identity";
export { MemberGrants, type MemberGrantsArgs } from "./gcp/memberGrants";
export { EnvironmentBudget, type EnvironmentBudgetArgs } from "./gcp/budget";
export { AirflowCloud, type AirflowCloudArgs } from "./gcp/airflowCloud";
export { EnvironmentMonitoring, type EnvironmentMonitoringArgs, type MonitoredDatabase, type MonitoredNodePool } from "./gcp/monitoring";

// Kubernetes components.
export type { DatabaseConnection } from "./kubernetes/databaseConnection";
export { MetaflowServices, type MetaflowServiceAccounts, type MetaflowServicesAirflowArgs, type MetaflowServicesArgs } from "./kubernetes/services";
export { ArgoWorkflows, type ArgoWorkflowsArgs } from "./kubernetes/argoWorkflows";
export { ArgoEvents, type ArgoEventsArgs } from "./kubernetes/argoEvents";
export { GpuComputeClass, type GpuComputeClassArgs } from "./kubernetes/computeClass";
export { KueueQueues, type KueueQueuesArgs, type KueueTeamArgs } from "./kubernetes/queues";
export { MetricsScraping, type MetricsScrapingArgs } from "./kubernetes/scraping";
export { Airflow, type AirflowArgs } from "./kubernetes/airflow";
export { MemberRbac, type MemberRbacArgs } from "./kubernetes/memberRbac";
export { MetaflowEndpoint, type EndpointSummary, type MetaflowEndpointArgs } from "./kubernetes/endpoint";
export type { BackendHealthCheck, EndpointBackend, EndpointServices } from "./kubernetes/specs/endpointRoutes";

// The stack config: read it in a Pulumi program, or check plain values anywhere.
export { ConfigError, parsePlatformConfig, type ConfigSource, type GpuPoolConfig, type ParseOptions, type PlatformConfig } from "./config/config";
export { loadPlatformConfig } from "./config/load";

// Helpers a program composing the components needs: the Metaflow client profile, GPU/machine pairs.
export { buildMetaflowProfile, type MetaflowProfile, type MetaflowProfileInput } from "./model/metaflowConfig";
export { GPU_TYPES, pairGpuMachine, type GpuPairing, type GpuType } from "./model/catalog";
