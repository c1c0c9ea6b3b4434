import * as pulumi from "@pulumi/pulumi";

type Dependency = pulumi.Input<pulumi.Resource>;

/** A `dependsOn` option as a list (the program always passes resources or arrays of them). */
function dependencyList(dependsOn: pulumi.ResourceOptions["dependsOn"]): Dependency[] {
    if (dependsOn === undefined) {
        return [];
    }
    return Array.isArray(dependsOn) ? (dependsOn as Dependency[]) : [dependsOn as Dependency];
}

/**
 * Options for a component's children: parented to the component, and waiting for whatever
 * the component was told to wait for. Pulumi does not pass a component's `dependsOn` on to its
 * children, so without this the APIs a fresh project needs would be enabled too late.
 */
export function childOptions(component: pulumi.ComponentResource, opts?: pulumi.ComponentResourceOptions): pulumi.CustomResourceOptions {
    const inherited = dependencyList(opts?.dependsOn);
    return inherited.length === 0 ? { parent: component } : { parent: component, dependsOn: inherited };
}

/** `base` with more explicit dependencies added. */
export function withDependencies(base: pulumi.CustomResourceOptions, ...extra: pulumi.Resource[]): pulumi.CustomResourceOptions {
    return { ...base, dependsOn: [...dependencyList(base.dependsOn), ...extra] };
}
