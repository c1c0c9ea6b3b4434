/** Pulumi type tokens the policies look at, in one place. */
export const T = {
    network: "gcp:compute/network:Network",
    subnetwork: "gcp:compute/subnetwork:Subnetwork",
    firewall: "gcp:compute/firewall:Firewall",
    router: "gcp:compute/router:Router",
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
} as const;

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
