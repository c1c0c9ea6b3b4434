/**
 * How the Pulumi engine matches the resources a program registers with the resources in the
 * stack's previous state: by URN first, then by each alias, in registration order. A resource
 * found through an alias is updated in place (its URN rewritten); an old URN nobody reaches is
 * deleted, a new URN nobody had is created.
 *
 * A port of pulumi/pulumi `pkg/resource/deploy/step_generator.go` (commit 1b5949891b, v3.260
 * line; unchanged in substance since the engine took alias specs in 3.52): `getOldResource`,
 * `generateAliases`, `collapseAliasToUrn`, `inheritedChildAlias`; with
 * `sdk/go/common/resource/alias.go` `CreateURN` and `sdk/go/common/resource/urn/urn.go` `New`.
 * The SDK sends alias specs, not URNs, whenever the engine supports them (@pulumi/pulumi 3.248.0
 * `runtime/resource.js` `mapAliasesForRequest`; the mock monitor says it does), so the engine,
 * not the SDK, computes these URNs, including the ones children inherit from a parent's alias.
 */
import type { AliasSpec, RenderedResource } from "./render";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** The parts of `urn:pulumi:<stack>::<project>::<qualified type>::<name>`. */
function parseUrn(urn: string): { stack: string; project: string; qualifiedType: string; name: string } {
    const [stack, project, qualifiedType, ...name] = urn.slice("urn:pulumi:".length).split("::");
    return { stack, project, qualifiedType, name: name.join("::") };
}

/** The last type of a URN's type chain (urn.go `Type`). */
function typeOf(urn: string): string {
    const chain = parseUrn(urn).qualifiedType.split("$");
    return chain[chain.length - 1];
}

/** alias.go `CreateURN`: the parent's type chain, `$`, the type; or a root-level URN. */
function createUrn(name: string, type: string, parent: string, project: string, stack: string): string {
    const prefix = parent === "" ? `urn:pulumi:${stack}::${project}::` : `${parent.slice(0, parent.lastIndexOf("::"))}$`;
    return `${prefix}${type}::${name}`;
}

/** urn.go `New`: a URN from a parent type chain (the root stack's is dropped) and a type. */
function newUrn(stack: string, project: string, parentType: string, baseType: string, name: string): string {
    const type = parentType !== "" && parentType !== ROOT_STACK_TYPE ? `${parentType}$${baseType}` : baseType;
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The outcome of matching one render against a previous state. */
export interface StateMatch {
    /** Old URN -> the new URN that took it over (by the same URN or an alias). */
    readonly claimed: Map<string, string>;
    /** New URNs that matched nothing: `pulumi up` would create them. */
    readonly created: string[];
    /** What the engine reports as errors (two resources claiming one old URN). */
    readonly errors: string[];
}

/** Matches `resources` (in registration order) with the previous state's URNs, as the engine does. */
export function matchPreviousState(resources: readonly RenderedResource[], olds: ReadonlySet<string>): StateMatch {
    const aliasOf = new Map<string, string>(); // sg.aliases: new URN -> the old URN it matched through an alias
    const aliased = new Map<string, string>(); // sg.aliased: old URN -> the new URN that claimed it
    const seen = new Set<string>(); // sg.urns
    const claimed = new Map<string, string>();
    const created: string[] = [];
    const errors: string[] = [];

    const collapse = (name: string, type: string, resParent: string, alias: AliasSpec, project: string, stack: string): string => {
        if (alias.urn) {
            return alias.urn;
        }
        let parent = alias.parentUrn;
        if (parent === "") {
            parent = resParent;
        } else if (aliasOf.has(parent)) {
            // "If the parent used an alias then use its old URN here, as that will be this resource's old URN as well."
            parent = aliasOf.get(parent)!;
        }
        if (alias.noParent || (parent !== "" && parseUrn(parent).qualifiedType === ROOT_STACK_TYPE)) {
            parent = "";
        }
        return createUrn(alias.name || name, alias.type || type, parent, alias.project || project, alias.stack || stack);
    };
    const inherited = (childType: string, childName: string, parentName: string, parentAlias: string, project: string, stack: string): string => {
        const aliasName = childName.startsWith(parentName) ? parseUrn(parentAlias).name + childName.slice(parentName.length) : childName;
        return newUrn(stack, project, parseUrn(parentAlias).qualifiedType, childType, aliasName);
    };

    for (const r of resources) {
        const { stack, project } = parseUrn(r.urn);
        const candidates = new Set<string>();
        for (const alias of r.aliases) {
            candidates.add(collapse(r.name, r.type, r.parentUrn, alias, project, stack));
        }
        const parentAlias = r.parentUrn ? aliasOf.get(r.parentUrn) : undefined;
        if (parentAlias) {
            const parentName = parseUrn(r.parentUrn).name;
            candidates.add(inherited(r.type, r.name, parentName, parentAlias, project, stack));
            for (const alias of r.aliases) {
                const childAlias = collapse(r.name, r.type, r.parentUrn, alias, project, stack);
                candidates.add(inherited(typeOf(childAlias), parseUrn(childAlias).name, parentName, parentAlias, project, stack));
            }
        }
        if (aliased.has(r.urn)) {
            errors.push(`${r.urn} is already claimed as an alias by ${aliased.get(r.urn)}`);
        }
        const match = [r.urn, ...candidates].find((u) => olds.has(u));
        if (match === undefined) {
            created.push(r.urn);
        } else {
            if (match !== r.urn) {
                if (seen.has(match)) {
                    errors.push(`${r.urn} claims ${match} through an alias, but a resource with that URN was registered too`);
                }
                if (aliased.has(match)) {
                    errors.push(`${r.urn} claims ${match}, already claimed by ${aliased.get(match)}`);
                }
                aliased.set(match, r.urn);
                aliasOf.set(r.urn, match);
            }
            if (claimed.has(match) && match === r.urn) {
                errors.push(`${r.urn} registered twice`);
            }
            claimed.set(match, r.urn);
        }
        seen.add(r.urn);
    }
    return { claimed, created, errors };
}
