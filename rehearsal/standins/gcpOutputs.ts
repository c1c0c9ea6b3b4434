/**
 * What Google Cloud computes for each resource type the program creates: the id the Google
 * provider records (terraform-provider-google's `id` formats, e.g.
 * `projects/{{project}}/locations/{{location}}/clusters/{{name}}`) and the outputs our program
 * reads (self links, emails, endpoints, the cluster CA). Inputs pass through as outputs, as the
 * bridged provider does.
 */
import * as crypto from "crypto";

/** Where the stand-in's "GKE control plane" is: the local API server. */
export interface LocalCluster {
    /** `127.0.0.1:<port>`. */
    readonly ipEndpoint: string;
    /** `localhost:<port>`: the DNS endpoint's name (its certificate is trusted via SSL_CERT_FILE). */
    readonly dnsEndpoint: string;
    /** Base64 PEM of the local CA. */
    readonly caBase64: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;
export type Computed = { id: string; outs: Props };

const COMPUTE = "https://www.googleapis.com/compute/v1";

function hash(...parts: string[]): string {
    return crypto.createHash("sha256").update(parts.join("/")).digest("hex");
}

/** A stable fake number (project numbers, unique ids) derived from a name. */
function numberFor(name: string, digits = 12): string {
    return String(BigInt(`0x${hash(name).slice(0, 15)}`)).padStart(digits, "1").slice(0, digits);
}

type Rule = (p: Props, project: string, local: LocalCluster) => Computed;

const RULES: Record<string, Rule> = {
    "gcp:projects/service:Service": (p, project) => ({ id: `${project}/${p.service}`, outs: {} }),
    "gcp:compute/network:Network": (p, project) => ({
        id: `projects/${project}/global/networks/${p.name}`,
        outs: { selfLink: `${COMPUTE}/projects/${project}/global/networks/${p.name}`, gatewayIpv4: "", numericId: numberFor(p.name, 19) },
    }),
    "gcp:compute/subnetwork:Subnetwork": (p, project) => ({
        id: `projects/${project}/regions/${p.region}/subnetworks/${p.name}`,
        outs: { selfLink: `${COMPUTE}/projects/${project}/regions/${p.region}/subnetworks/${p.name}`, gatewayAddress: "10.0.0.1" },
    }),
    "gcp:compute/router:Router": (p, project) => ({ id: `projects/${project}/regions/${p.region}/routers/${p.name}`, outs: {} }),
    "gcp:compute/routerNat:RouterNat": (p, project) => ({ id: `${project}/${p.region}/${p.router}/${p.name}`, outs: {} }),
    "gcp:compute/firewall:Firewall": (p, project) => ({ id: `projects/${project}/global/firewalls/${p.name}`, outs: {} }),
    "gcp:compute/globalAddress:GlobalAddress": (p, project) => ({
        id: `projects/${project}/global/addresses/${p.name}`,
        outs: { address: p.address ?? "10.13.0.0", selfLink: `${COMPUTE}/projects/${project}/global/addresses/${p.name}` },
    }),
    "gcp:servicenetworking/connection:Connection": (p) => ({
        id: `${encodeURIComponent(String(p.network))}:${p.service}`,
        outs: { peering: "servicenetworking-googleapis-com" },
    }),
    "gcp:serviceaccount/account:Account": (p, project) => {
        const email = `${p.accountId}@${project}.iam.gserviceaccount.com`;
        return { id: `projects/${project}/serviceAccounts/${email}`, outs: { email, member: `serviceAccount:${email}`, name: `projects/${project}/serviceAccounts/${email}`, uniqueId: numberFor(email, 21) } };
    },
    "gcp:container/cluster:Cluster": (p, project, local) => ({
        id: `projects/${project}/locations/${p.location}/clusters/${p.name}`,
        outs: {
            endpoint: local.ipEndpoint,
            masterAuth: { ...(p.masterAuth ?? {}), clusterCaCertificate: local.caBase64 },
            controlPlaneEndpointsConfig: {
                ...(p.controlPlaneEndpointsConfig ?? {}),
                dnsEndpointConfig: { ...(p.controlPlaneEndpointsConfig?.dnsEndpointConfig ?? {}), endpoint: local.dnsEndpoint },
            },
            selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${p.location}/clusters/${p.name}`,
            masterVersion: "1.37.2-gke.0",
        },
    }),
    "gcp:container/nodePool:NodePool": (p, project) => ({ id: `projects/${project}/locations/${p.location}/clusters/${p.cluster}/nodePools/${p.name}`, outs: {} }),
    "gcp:sql/databaseInstance:DatabaseInstance": (p, project) => ({
        id: p.name,
        outs: {
            connectionName: `${project}:${p.region}:${p.name}`,
            privateIpAddress: "10.13.0.3",
            ipAddresses: [{ ipAddress: "10.13.0.3", type: "PRIVATE" }],
            selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${project}/instances/${p.name}`,
            serviceAccountEmailAddress: `p${numberFor(project)}-abc@gcp-sa-cloud-sql.iam.gserviceaccount.com`,
        },
    }),
    "gcp:sql/database:Database": (p, project) => ({ id: `projects/${project}/instances/${p.instance}/databases/${p.name}`, outs: {} }),
    "gcp:sql/user:User": (p, project) => ({ id: `${p.name}//${p.instance}`, outs: { project } }),
    "gcp:storage/bucket:Bucket": (p) => ({ id: p.name, outs: { url: `gs://${p.name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${p.name}` } }),
    "gcp:artifactregistry/repository:Repository": (p, project) => ({
        id: `projects/${project}/locations/${p.location}/repositories/${p.repositoryId}`,
        outs: { name: p.repositoryId, registryUri: `${p.location}-docker.pkg.dev/${project}/${p.repositoryId}` },
    }),
    "gcp:monitoring/notificationChannel:NotificationChannel": (p, project) => ({
        id: `projects/${project}/notificationChannels/${numberFor(p.displayName ?? "channel")}`,
        outs: { name: `projects/${project}/notificationChannels/${numberFor(p.displayName ?? "channel")}` },
    }),
    // terraform-provider-google monitoring_dashboard: id `projects/{{project}}/dashboards/{{dashboard_id}}`.
    "gcp:monitoring/dashboard:Dashboard": (p, project) => ({ id: `projects/${project}/dashboards/${hash(p.dashboardJson ?? "d").slice(0, 36)}`, outs: {} }),
    // monitoring_alert_policy: id and `name` are `projects/{{project}}/alertPolicies/{{id}}`.
    "gcp:monitoring/alertPolicy:AlertPolicy": (p, project) => ({
        id: `projects/${project}/alertPolicies/${numberFor(p.displayName ?? "policy", 19)}`,
        outs: { name: `projects/${project}/alertPolicies/${numberFor(p.displayName ?? "policy", 19)}`, creationRecords: [{ mutateTime: "2026-01-01T00:00:00Z", mutatedBy: "rehearsal" }] },
    }),
    "gcp:billing/budget:Budget": (p) => ({ id: `billingAccounts/${p.billingAccount}/budgets/${hash(p.displayName ?? "b").slice(0, 16)}`, outs: { name: `billingAccounts/${p.billingAccount}/budgets/${hash(p.displayName ?? "b").slice(0, 16)}` } }),
    "gcp:certificatemanager/certificate:Certificate": (p, project) => ({ id: `projects/${project}/locations/global/certificates/${p.name}`, outs: {} }),
    "gcp:certificatemanager/certificateMap:CertificateMap": (p, project) => ({ id: `projects/${project}/locations/global/certificateMaps/${p.name}`, outs: {} }),
    "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry": (p, project) => ({ id: `projects/${project}/locations/global/certificateMaps/${p.map}/certificateMapEntries/${p.name}`, outs: {} }),
};

/** IAM member resources: `<resource> <role> <member>` ids, etag computed. */
function iamMember(p: Props, token: string): Computed {
    const target = p.bucket ?? p.serviceAccountId ?? p.repository ?? p.project ?? "";
    return { id: `${target}/${p.role}/${p.member}`, outs: { etag: `BwY${hash(token, target, p.role, p.member).slice(0, 8)}` } };
}

/** The id and outputs GCP returns for a new resource of `token` with inputs `p`. */
export function computeOutputs(token: string, p: Props, project: string, local: LocalCluster): Computed {
    const rule = RULES[token];
    if (rule) {
        return rule(p, project, local);
    }
    if (/iammember$/i.test(token)) {
        return iamMember(p, token);
    }
    throw new Error(`the rehearsal's Google Cloud stand-in does not know ${token}: add what GCP computes for it to rehearsal/standins/gcpOutputs.ts`);
}

/** The project a resource lives in: its own `project` input, else the provider's (gcp:project). */
export function projectOf(p: Props, fallback: string): string {
    return typeof p.project === "string" && p.project ? p.project : fallback;
}

/** `gcp:organizations/getProject:getProject`. */
export function getProject(project: string): Props {
    return { projectId: project, number: numberFor(project), name: project, id: `projects/${project}`, labels: {} };
}
