/** Pulumi type tokens the policies look at, in one place. */
export const T = {
    network: "gcp:compute/network:Network",
    subnetwork: "gcp:compute/subnetwork:Subnetwork",
    firewall: "gcp:compute/firewall:Firewall",
    router: "gcp:compute/router:Router",
    globalAddress: "gcp:compute/globalAddress:GlobalAddress",
    networkPeering: "gcp:compute/networkPeering:NetworkPeering",
    sharedVpcHost: "gcp:compute/sharedVPCHostProject:SharedVPCHostProject",
    sharedVpcService: "gcp:compute/sharedVPCServiceProject:SharedVPCServiceProject",
    cluster: "gcp:container/cluster:Cluster",
    nodePool: "gcp:container/nodePool:NodePool",
    sqlInstance: "gcp:sql/databaseInstance:DatabaseInstance",
    bucket: "gcp:storage/bucket:Bucket",
    registry: "gcp:artifactregistry/repository:Repository",
    serviceAccountKey: "gcp:serviceaccount/key:Key",
    deployment: "kubernetes:apps/v1:Deployment",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    gatewayBeta: "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    gcpBackendPolicy: "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
} as const;

/** Project-level IAM resources (role and member(s), or a whole policy document). */
export const PROJECT_IAM_TYPES = ["gcp:projects/iAMMember:IAMMember", "gcp:projects/iAMBinding:IAMBinding", "gcp:projects/iAMPolicy:IAMPolicy"] as const;

/**
 * Any IAM resource of @pulumi/gcp: every `*IamMember`/`*IamBinding`/`*IamPolicy` (spelled
 * `IAMMember` in some modules), whatever the service. Public principals are refused on all.
 */
export function isIamResource(type: string): boolean {
    return /:(\w*)(IAM|Iam)(Member|Binding|Policy)$/.test(type);
}

/** IAM grant resources: role and member(s) live in `role` and `member`/`members`. */
export const IAM_GRANT_TYPES = [
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:storage/bucketIAMMember:BucketIAMMember",
    "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
    "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
    "gcp:serviceaccount/iAMMember:IAMMember",
    "gcp:serviceaccount/iAMBinding:IAMBinding",
] as const;

/** Google's own source ranges a firewall rule may admit besides the environment's. */
export const GOOGLE_SOURCE_RANGES = {
    iap: "35.235.240.0/20",
    healthChecks: ["130.211.0.0/22", "35.191.0.0/16"],
} as const;
