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

// Pure decisions.
export * from "./pure/airflowValues";
export * from "./pure/catalog";
export * from "./pure/chartValueKeys";
export * from "./pure/cidr";
export * from "./pure/cost";
export * from "./pure/endpointRoutes";
export * from "./pure/kubeconfig";
export * from "./pure/memberAccess";
// Two functions share this name; the library's is the stable, hashed one members' grants use.
export { memberSlug } from "./pure/memberAccess";
export * from "./pure/metaflowConfig";
export * from "./pure/naming";
export * from "./pure/prices";
export * from "./pure/quotas";
export * from "./pure/replacement";
export * from "./pure/scheduling";
export * from "./pure/sizing";
export * from "./pure/taskImage";
export * from "./pure/typeTokens";
export * from "./pure/versions";
export * from "./pure/wellKnown";
export * from "./pure/workloadRequests";
