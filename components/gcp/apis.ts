import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { withDefaults, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";

/** Google APIs the platform calls, and why. */
export const REQUIRED_APIS: Record<string, string> = {
    "compute.googleapis.com": "VPC, subnets, Cloud NAT, firewall rules",
    "container.googleapis.com": "GKE cluster and node pools",
    "containerfilesystem.googleapis.com": "image streaming for large GPU images",
    "sqladmin.googleapis.com": "Cloud SQL for PostgreSQL",
    "servicenetworking.googleapis.com": "private IP for Cloud SQL (Private Service Access)",
    "artifactregistry.googleapis.com": "Docker repository for task images",
    "storage.googleapis.com": "Metaflow datastore bucket",
    "secretmanager.googleapis.com": "secrets that steps read with Metaflow's @secrets",
    "iam.googleapis.com": "service accounts",
    "iamcredentials.googleapis.com": "Workload Identity token exchange",
    "cloudresourcemanager.googleapis.com": "project IAM bindings",
    "logging.googleapis.com": "node and workload logs",
    "monitoring.googleapis.com": "node and workload metrics",
};

/** APIs the optional HTTPS endpoint adds (MetaflowEndpoint). */
export const ENDPOINT_APIS: Record<string, string> = {
    "certificatemanager.googleapis.com": "Google-managed certificate for the endpoint's hostname",
    "iap.googleapis.com": "Identity-Aware Proxy in front of the endpoint's backends",
};

export interface ProjectApisArgs {
    /** Project to enable the APIs in. */
    readonly project: pulumi.Input<string>;
    /** APIs to enable. Default: REQUIRED_APIS. */
    readonly apis?: string[];
}

/** The defaults ProjectApisArgs documents, applied once at the top of the constructor. */
export const PROJECT_APIS_DEFAULTS = { apis: Object.keys(REQUIRED_APIS) };

/**
 * Enables the Google APIs the platform needs, so one `pulumi up` works on a fresh project.
 * Destroying an environment never disables an API: another environment in the same project
 * may still use it.
 */
export class ProjectApis extends pulumi.ComponentResource {
    /** The enabled services; pass this component in `dependsOn` to wait for all of them. */
    public readonly services: gcp.projects.Service[];

    constructor(name: string, args: ProjectApisArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("ProjectApis"), name, {}, withLegacyType("ProjectApis", opts));
        const { apis } = withDefaults(PROJECT_APIS_DEFAULTS, args);
        this.services = apis.map(
            (api) =>
                new gcp.projects.Service(
                    `${name}-${api.split(".")[0]}`,
                    {
                        project: args.project,
                        service: api,
                        disableOnDestroy: false,
                        disableDependentServices: false,
                    },
                    { parent: this },
                ),
        );
        this.registerOutputs({ services: this.services.map((s) => s.service) });
    }
}
