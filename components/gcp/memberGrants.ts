import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { MEMBER_BUCKET_ROLE, MEMBER_PROJECT_ROLES, MEMBER_REGISTRY_ROLE, memberSlug } from "../model/memberAccess";
import { childOptions, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";

export interface MemberGrantsArgs {
    /** Project of the bucket, the registry and the project-level grants. */
    readonly project: string;
    /** IAM principals (`user:`, `group:`, `serviceAccount:`), validated by the config schema. */
    readonly members: string[];
    /** The environment's datastore bucket: object read/write on it only. */
    readonly bucketName: pulumi.Input<string>;
    /** Location of the environment's Docker repository (MetaflowStorage.registry.location). */
    readonly registryLocation: pulumi.Input<string>;
    /** Name of that repository (MetaflowStorage.registry.name): pull and push on it only. */
    readonly registryName: pulumi.Input<string>;
}

/**
 * The Google Cloud half of what `access.members` may do: object read/write on this
 * environment's bucket and pull/push on its registry (resource-level IAM, additive members, so
 * grants made outside Pulumi are left alone), and at project level only the roles in
 * MEMBER_PROJECT_ROLES (fetching cluster credentials). Kubernetes RBAC is MemberRbac's.
 */
export class MemberGrants extends pulumi.ComponentResource {
    constructor(name: string, args: MemberGrantsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MemberGrants"), name, {}, withLegacyType("MemberGrants", opts));
        const parent = childOptions(this, opts);

        for (const member of args.members) {
            const slug = memberSlug(member);
            new gcp.storage.BucketIAMMember(`${name}-bucket-${slug}`, { bucket: args.bucketName, role: MEMBER_BUCKET_ROLE, member }, parent);
            new gcp.artifactregistry.RepositoryIamMember(
                `${name}-registry-${slug}`,
                { project: args.project, location: args.registryLocation, repository: args.registryName, role: MEMBER_REGISTRY_ROLE, member },
                parent,
            );
            for (const role of MEMBER_PROJECT_ROLES) {
                new gcp.projects.IAMMember(`${name}-${role.split("/")[1]}-${slug}`, { project: args.project, role, member }, parent);
            }
        }
        this.registerOutputs({ members: args.members });
    }
}
