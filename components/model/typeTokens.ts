/**
 * Pulumi type tokens of our components, and the tokens they had before (for aliases). Pure.
 *
 * A component package's provider constructs a component only when its type token is
 * `<package>:index:<ClassName>`: `ComponentProvider.validateResourceType` checks the package name
 * and the `index` module, and `construct` looks the class up by the token's last part
 * (@pulumi/pulumi 3.248.0 `provider/experimental/provider.js`). The package name is package.json's
 * `name` (`cmd/run-plugin/run.js` passes it to the host as the provider name).
 */

/** package.json `name`, and the Pulumi package name of the component package. */
export const PACKAGE_NAME = "metaflow-gcp-platform";

/** The type token of a component class, as the component provider expects it. */
export function componentType(className: string): string {
    return `${PACKAGE_NAME}:index:${className}`;
}

/**
 * Type tokens the components were registered with before 0.2.0, when `createPlatform` created
 * each at the stack root. Stacks deployed then hold these in their URNs; aliases built from them
 * keep `pulumi up` updating those resources instead of replacing them.
 */
export const LEGACY_TYPE_TOKENS = {
    ProjectApis: "metaflow:gcp:ProjectApis",
    MetaflowNetwork: "metaflow:gcp:MetaflowNetwork",
    MetaflowCluster: "metaflow:gcp:MetaflowCluster",
    GpuNodePool: "metaflow:gcp:GpuNodePool",
    MetaflowDatabase: "metaflow:gcp:MetaflowDatabase",
    MetaflowStorage: "metaflow:gcp:MetaflowStorage",
    MetaflowIdentity: "metaflow:gcp:MetaflowIdentity",
    AirflowCloud: "metaflow:gcp:AirflowCloud",
    MemberGrants: "metaflow:gcp:MemberGrants",
    EnvironmentBudget: "metaflow:gcp:EnvironmentBudget",
    MetaflowEndpoint: "metaflow:gcp:MetaflowEndpoint",
    MetaflowServices: "metaflow:k8s:MetaflowServices",
    ArgoWorkflows: "metaflow:k8s:ArgoWorkflows",
    ArgoEvents: "metaflow:k8s:ArgoEvents",
    Airflow: "metaflow:k8s:Airflow",
    MemberRbac: "metaflow:k8s:MemberRbac",
} as const;

/** A component that existed before 0.2.0. */
export type LegacyComponent = keyof typeof LEGACY_TYPE_TOKENS;
