/**
 * The library: every component, its Args, the stack config's parser and the pure decision
 * modules, for other Pulumi programs (package.json `main`). Importing it creates nothing: it
 * only defines classes and functions. The stack program is ../index.ts (Pulumi.yaml `main`).
 *
 * The component package for other languages (PulumiPlugin.yaml) hosts every ComponentResource
 * exported here (@pulumi/pulumi `cmd/run-plugin/run.js`, `getPulumiComponents`).
 */

// One environment in one component.
export * from "./platform/metaflowPlatform";
export * from "./platform/metaflowPlatformArgs";
export * from "./platform/platformArgsCheck";
export * from "./platform/platform";
export * from "./platform/fromConfig";
export * from "./platform/stackOutputs";

// Google Cloud components.
export * from "./gcp/airflowCloud";
export * from "./gcp/apis";
export * from "./gcp/budget";
export * from "./gcp/cluster";
export * from "./gcp/database";
export * from "./gcp/gpuNodePool";
export * from "./gcp/identity";
export * from "./gcp/memberGrants";
export * from "./gcp/network";
export * from "./gcp/peeringRemoval";
export * from "./gcp/storage";

// Kubernetes components.
export * from "./kubernetes/airflow";
export * from "./kubernetes/argoEvents";
export * from "./kubernetes/argoWorkflows";
export * from "./kubernetes/endpoint";
export * from "./kubernetes/memberRbac";
export * from "./kubernetes/services";

// The stack config: schema, defaults, rules, parser.
export * from "./config/config";
export * from "./config/load";

// Facts and decisions every layer shares.
export * from "./model/catalog";
export * from "./model/cidr";
export * from "./model/endpointPaths";
export * from "./model/kubeconfig";
export * from "./model/memberAccess";
// Two functions share this name; the library's is the stable, hashed one members' grants use.
export { memberSlug } from "./model/memberAccess";
export * from "./model/metaflowConfig";
export * from "./model/naming";
export * from "./model/scheduling";
export * from "./model/sizing";
export * from "./model/taskImage";
export * from "./model/typeTokens";
export * from "./model/wellKnown";
export * from "./model/workloadRequests";

// Kubernetes specs and chart values.
export * from "./kubernetes/specs/airflowValues";
export * from "./kubernetes/specs/endpointRoutes";
export * from "./kubernetes/specs/versions";

// The estimate.
export * from "./estimate/cost";
export * from "./estimate/prices";
export * from "./estimate/quotas";
export * from "./config/estimate";
export * from "./config/replacement";
