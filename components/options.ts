import * as pulumi from "@pulumi/pulumi";
import { LEGACY_TYPE_TOKENS, type LegacyComponent } from "./model/typeTokens";

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
export function withDependencies(base: pulumi.CustomResourceOptions, ...extra: Dependency[]): pulumi.CustomResourceOptions {
    return { ...base, dependsOn: [...dependencyList(base.dependsOn), ...extra] };
}

/**
 * `defaults` with every field of `args` that is set (not undefined) laid over it: the one place
 * a component applies the defaults its Args document.
 */
export function withDefaults<D extends object, A extends object>(defaults: D, args: A): A & D {
    const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
    for (const [key, value] of Object.entries(args)) {
        if (value !== undefined) {
            merged[key] = value;
        }
    }
    return merged as A & D;
}

/**
 * A dependency on the resources an Output was built from, without using its value: how a
 * component waits for what another component passed as `pulumi.Input<string>` (the Output
 * carries its resources). The runtime takes an Output of a list in `dependsOn` and adds the
 * Output's own resources (`gatherExplicitDependencies`, @pulumi/pulumi 3.248
 * runtime/dependsOn.js); the value is mapped to an empty list so it never has to be a Resource.
 * A plain string carries no resource, so no dependency.
 */
export function dependencyOn(value: pulumi.Input<string>): Dependency {
    return pulumi.output(value).apply((): pulumi.Resource[] => []) as unknown as Dependency;
}

/**
 * A component's options with its type token from before 0.2.0 as an alias (same name, same
 * parent), so a stack deployed then keeps the component and, through alias inheritance, every
 * child (a nested component's children: `nestedLegacyAlias`). Aliases the caller passes are kept.
 */
export function withLegacyType(component: LegacyComponent, opts?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions {
    return { ...opts, aliases: [...(opts?.aliases ?? []), { type: LEGACY_TYPE_TOKENS[component] }] };
}

/**
 * The alias of a component nested in another (ArgoWorkflows in MetaflowServices): before 0.2.0
 * the outer component sat at the stack root under its old type token, with the nested one under
 * it under its own old token. Said outright because a child inherits only its parent's OWN
 * aliases when the SDK computes alias URNs (`allAliases` reads `parent.__aliases`, which
 * holds just the parent's `opts.aliases`; @pulumi/pulumi 3.248.0 `resource.js`): the outer
 * component's root alias reaches the nested component, not the nested one's children. An
 * engine taking alias specs derives the same URN from the parent's match and drops the
 * duplicate (pulumi/pulumi `pkg/resource/deploy/step_generator.go` `generateAliases`).
 */
export function nestedLegacyAlias(outer: LegacyComponent, outerName: string, nested: LegacyComponent): pulumi.Alias {
    return { type: LEGACY_TYPE_TOKENS[nested], parent: pulumi.createUrn(outerName, LEGACY_TYPE_TOKENS[outer]) };
}
