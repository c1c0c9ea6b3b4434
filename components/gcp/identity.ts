import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { secretAccessCondition, secretManagerPrefix, serviceAccountEmail, serviceAccountId, workloadIdentityMember } from "../model/naming";
import { childOptions, dependencyOn, withDependencies, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";

export interface MetaflowIdentityArgs {
    /** Project of the service account (and of the Workload Identity pool). */
    readonly project: string;
    /** Environment name; part of the service account ID. */
    readonly environment: string;
    /** The environment's datastore bucket; tasks get object access on it only. */
    readonly bucketName: pulumi.Input<string>;
    /** Location of the environment's Docker repository (MetaflowStorage.registry.location). */
    readonly registryLocation: pulumi.Input<string>;
    /** Name of that repository (MetaflowStorage.registry.name); read access only. */
    readonly registryName: pulumi.Input<string>;
    /**
     * Node service account email; nodes pull task images from the registry. The account must
     * exist before `workloadPoolReady` (the cluster runs its nodes as it).
     */
    readonly nodeServiceAccountEmail: string;
    /** Kubernetes namespace of the workloads that act as the task identity. */
    readonly namespace: string;
    /** Kubernetes service accounts (in `namespace`) allowed to act as the task identity. */
    readonly kubernetesServiceAccounts: string[];
    /**
     * MetaflowCluster.workloadPoolReady: the Workload Identity pool as an Output of the cluster
     * that creates it. The Workload Identity and node grants wait for it (IAM rejects a member
     * of a pool that does not exist yet); the members themselves are built from `project`, so
     * they are known in a first preview.
     */
    readonly workloadPoolReady: pulumi.Input<string>;
}

/** The Secret Manager role `@secrets` needs: `secretmanager.versions.access` only. */
export const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

/**
 * The Google service account Metaflow tasks run as, reachable only through Workload Identity
 * from the named Kubernetes service accounts, with object access on this environment's bucket,
 * read access on its registry, and read access on this environment's secrets (`mf-<env>-*`, an
 * IAM condition on the one project-level grant). No keys are ever created.
 */
export class MetaflowIdentity extends pulumi.ComponentResource {
    public readonly taskServiceAccount: gcp.serviceaccount.Account;
    public readonly taskServiceAccountEmail: pulumi.Output<string>;
    /** Workload Identity members bound to the task service account. */
    public readonly workloadIdentityMembers: string[];
    /** `projects/<number>/secrets/mf-<env>-`: METAFLOW_GCP_SECRET_MANAGER_PREFIX, the secrets `@secrets` reads. */
    public readonly secretManagerPrefix: pulumi.Output<string>;

    constructor(name: string, args: MetaflowIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("MetaflowIdentity"), name, {}, withLegacyType("MetaflowIdentity", opts));
        const parent = childOptions(this, opts);

        this.taskServiceAccount = new gcp.serviceaccount.Account(
            `${name}-task`,
            {
                project: args.project,
                accountId: serviceAccountId(args.environment, "task"),
                displayName: `Metaflow ${args.environment} tasks`,
                description: "Identity of Metaflow steps, Argo workflows and the Metaflow services (Workload Identity only, no keys).",
            },
            parent,
        );
        this.taskServiceAccountEmail = this.taskServiceAccount.email;
        // Built from the account ID, so it is known in a first preview (policies check it there);
        // the grants depend on the account explicitly instead.
        const taskMember = `serviceAccount:${serviceAccountEmail(args.project, serviceAccountId(args.environment, "task"))}`;
        const afterTaskAccount = withDependencies(parent, this.taskServiceAccount);

        this.workloadIdentityMembers = args.kubernetesServiceAccounts.map((ksa) =>
            workloadIdentityMember(args.project, args.namespace, ksa),
        );
        this.workloadIdentityMembers.forEach(
            (member, i) =>
                new gcp.serviceaccount.IAMMember(
                    `${name}-wi-${args.kubernetesServiceAccounts[i]}`,
                    { serviceAccountId: this.taskServiceAccount.name, role: "roles/iam.workloadIdentityUser", member },
                    withDependencies(parent, dependencyOn(args.workloadPoolReady)),
                ),
        );

        new gcp.storage.BucketIAMMember(
            `${name}-bucket-objects`,
            { bucket: args.bucketName, role: "roles/storage.objectAdmin", member: taskMember },
            afterTaskAccount,
        );
        new gcp.artifactregistry.RepositoryIamMember(
            `${name}-registry-task-reader`,
            {
                project: args.project,
                location: args.registryLocation,
                repository: args.registryName,
                role: "roles/artifactregistry.reader",
                member: taskMember,
            },
            afterTaskAccount,
        );
        // Image pulls are made by the kubelet with the node's identity.
        new gcp.artifactregistry.RepositoryIamMember(
            `${name}-registry-node-reader`,
            {
                project: args.project,
                location: args.registryLocation,
                repository: args.registryName,
                role: "roles/artifactregistry.reader",
                member: `serviceAccount:${args.nodeServiceAccountEmail}`,
            },
            withDependencies(parent, dependencyOn(args.workloadPoolReady)),
        );

        this.secretManagerPrefix = this.grantSecretAccess(name, args, taskMember, afterTaskAccount);

        this.registerOutputs({ taskServiceAccountEmail: this.taskServiceAccountEmail, secretManagerPrefix: this.secretManagerPrefix });
    }

    /**
     * `@secrets` in steps: Secret Manager grants on a secret or the project only, and secrets are
     * made by users after `pulumi up`, so the grant is on the project with a condition on the
     * secret's name (IAM evaluates it with the project number in `resource.name`, hence the invoke).
     */
    private grantSecretAccess(name: string, args: MetaflowIdentityArgs, taskMember: string, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
        const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.project }, { parent: this }).apply((p) => p.number);
        new gcp.projects.IAMMember(
            `${name}-secrets`,
            { project: args.project, role: SECRET_ACCESSOR_ROLE, member: taskMember, condition: projectNumber.apply((n) => secretAccessCondition(n, args.environment)) },
            opts,
        );
        return projectNumber.apply((n) => secretManagerPrefix(n, args.environment));
    }
}
