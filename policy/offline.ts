/**
 * Runs the pack's policies on resources without the Pulumi CLI: what `pulumi preview
 * --policy-pack` does, for stacks rendered offline (tests, CI with no cloud credentials).
 * Config handling follows the CLI: per-policy objects, schema defaults, `enforcementLevel`
 * overrides, `all` as the pack-wide level.
 */
import type { EnforcementLevel, PolicyResource, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Policy } from "./policies";

/** A resource as the engine would show it to a policy. */
export interface OfflineResource {
    readonly type: string;
    readonly name: string;
    readonly urn: string;
    readonly props: Record<string, any>;
    readonly protect?: boolean;
    readonly ignoreChanges?: string[];
    readonly parent?: string;
    readonly dependencies?: string[];
}

/** One violation, with the policy's effective enforcement level. */
export interface Violation {
    readonly policy: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly message: string;
    /** The resource, for resource policies; undefined for stack policies. */
    readonly resource?: { type: string; name: string; urn: string };
}

/** `--policy-pack-config` file contents: policy name (or `all`) -> settings. */
export type PackConfig = Record<string, ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>) | EnforcementLevel>;

class NotApplicable extends Error {}

function settingsOf(config: PackConfig, name: string): Record<string, unknown> & { enforcementLevel?: EnforcementLevel } {
    const entry = config[name];
    return typeof entry === "string" ? { enforcementLevel: entry } : (entry ?? {});
}

/** Effective config of one policy: schema defaults, then the file's values; required keys checked. */
export function policyConfig(policy: Policy, config: PackConfig): Record<string, unknown> {
    const { enforcementLevel: _ignored, ...given } = settingsOf(config, policy.name);
    const defaults: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema.default !== undefined) {
            defaults[key] = schema.default;
        }
    }
    const merged = { ...defaults, ...given };
    for (const key of policy.configSchema?.required ?? []) {
        if (merged[key] === undefined) {
            throw new Error(`policy ${policy.name} needs config "${key}"; add it under "${policy.name}" in the policy config file`);
        }
    }
    return merged;
}

/** Effective enforcement level of one policy. */
export function enforcementOf(policy: Policy, config: PackConfig, packDefault: EnforcementLevel = "mandatory"): EnforcementLevel {
    return settingsOf(config, policy.name).enforcementLevel ?? settingsOf(config, "all").enforcementLevel ?? policy.enforcementLevel ?? packDefault;
}

function typeChecks(type: string) {
    const matches = (resourceClass: unknown) => (resourceClass as { __pulumiType?: string })?.__pulumiType === type;
    return {
        isType: matches,
        asType: (resourceClass: unknown) => (matches(resourceClass) ? ({} as any) : undefined),
    };
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
    return "validateStack" in policy;
}

/** Runs every policy over the resources and returns the violations. */
export async function runPolicies(policies: Policy[], resources: OfflineResource[], config: PackConfig): Promise<Violation[]> {
    const violations: Violation[] = [];
    for (const policy of policies) {
        const level = enforcementOf(policy, config);
        if (level === "disabled") {
            continue;
        }
        const settings = policyConfig(policy, config);
        const common = {
            getConfig: <T extends object>() => settings as T,
            stackTags: new Map<string, string>(),
            notApplicable: (reason?: string): never => {
                throw new NotApplicable(reason);
            },
        };
        if (isStackPolicy(policy)) {
            const stackResources: PolicyResource[] = resources.map((r) => ({
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: r.props,
                opts: { protect: r.protect ?? false, ignoreChanges: r.ignoreChanges ?? [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: r.parent },
                dependencies: [],
                propertyDependencies: {},
                ...typeChecks(r.type),
            })) as unknown as PolicyResource[];
            try {
                await policy.validateStack({ ...common, resources: stackResources } as any, (message) => {
                    violations.push({ policy: policy.name, enforcementLevel: level, message });
                });
            } catch (err) {
                if (!(err instanceof NotApplicable)) {
                    throw err;
                }
            }
            continue;
        }
        const validations: ResourceValidation[] = ([] as ResourceValidation[]).concat((policy as ResourceValidationPolicy).validateResource ?? []);
        for (const r of resources) {
            const args = {
                ...common,
                ...typeChecks(r.type),
                type: r.type,
                name: r.name,
                urn: r.urn,
                props: r.props,
                opts: { protect: r.protect ?? false, ignoreChanges: r.ignoreChanges ?? [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [], parent: r.parent },
            } as unknown as ResourceValidationArgs;
            for (const validate of validations) {
                try {
                    await validate(args, (message: string) => {
                        violations.push({ policy: policy.name, enforcementLevel: level, message, resource: { type: r.type, name: r.name, urn: r.urn } });
                    });
                } catch (err) {
                    if (!(err instanceof NotApplicable)) {
                        throw err;
                    }
                }
            }
        }
    }
    return violations;
}
