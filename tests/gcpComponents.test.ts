/**
 * Every Google Cloud component stands alone: another program builds it with only its required
 * Args (no stack config), and gets the documented defaults. Dependencies that used to be passed
 * as resources now travel inside Outputs (`pulumi.Input<string>`); these tests show they still
 * order the resources.
 */
import { strict as assert } from "assert";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { AirflowCloud, AIRFLOW_KSA } from "../components/gcp/airflowCloud";
import { ProjectApis, REQUIRED_APIS } from "../components/gcp/apis";
import { EnvironmentBudget } from "../components/gcp/budget";
import { ClusterMode, MetaflowCluster } from "../components/gcp/cluster";
import { MetaflowDatabase } from "../components/gcp/database";
import { GpuNodePool } from "../components/gcp/gpuNodePool";
import { MetaflowIdentity } from "../components/gcp/identity";
import { MemberGrants } from "../components/gcp/memberGrants";
import { MetaflowNetwork } from "../components/gcp/network";
import { PSA_PEERING_NAME, PeeringRemoval } from "../components/gcp/peeringRemoval";
import { MetaflowStorage } from "../components/gcp/storage";
import { GPU_TAINT, POD_RANGE_NAME, SERVICE_RANGE_NAME } from "../components/model/wellKnown";
import { ALONE_PROJECT as PROJECT, buildAlone, buildAloneFailure } from "./harness/alone";
import type { RenderedResource } from "../offline/render";

const NETWORK_ARGS = {
    project: PROJECT,
    region: "us-central1",
    environment: "ml",
    subnetCidr: "10.10.0.0/20",
    podsCidr: "10.20.0.0/14",
    servicesCidr: "10.30.0.0/20",
    privateServiceAccessCidr: "10.13.0.0/20",
};
const NETWORK_ID = "projects/acme-ml/global/networks/metaflow-ml";
const SUBNET_ID = "projects/acme-ml/regions/us-central1/subnetworks/metaflow-ml-us-central1";

function all(resources: RenderedResource[], type: string): RenderedResource[] {
    return resources.filter((r) => r.type === type);
}

function one(resources: RenderedResource[], type: string, name?: string): RenderedResource {
    const found = all(resources, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `one ${type}${name ? ` ${name}` : ""}, found ${found.map((r) => r.name).join(", ")}`);
    return found[0];
}

/** A stand-in resource whose ID another component receives as an Output. */
function upstream(name: string): gcp.compute.Network {
    return new gcp.compute.Network(name, { project: PROJECT, name, autoCreateSubnetworks: false });
}

describe("Google Cloud components built alone, with only their required Args", () => {
    it("ProjectApis enables every required API and never disables one on destroy", async () => {
        const rs = await buildAlone(() => new ProjectApis("apis", { project: PROJECT }));
        const services = all(rs, "gcp:projects/service:Service");
        assert.deepEqual(services.map((s) => s.inputs.service).sort(), Object.keys(REQUIRED_APIS).sort());
        assert.ok(services.every((s) => s.inputs.disableOnDestroy === false && s.inputs.project === PROJECT));
    });

    it("MetaflowNetwork: named secondary ranges, NAT at 256 ports, no IAP SSH, PSA range from its CIDR", async () => {
        const rs = await buildAlone(() => new MetaflowNetwork("net", NETWORK_ARGS));
        const subnet = one(rs, "gcp:compute/subnetwork:Subnetwork");
        assert.deepEqual(
            subnet.inputs.secondaryIpRanges.map((r: { rangeName: string }) => r.rangeName),
            [POD_RANGE_NAME, SERVICE_RANGE_NAME],
        );
        assert.equal(one(rs, "gcp:compute/routerNat:RouterNat").inputs.minPortsPerVm, 256);
        assert.deepEqual(all(rs, "gcp:compute/firewall:Firewall").map((f) => f.name), ["net-allow-internal"]);
        const range = one(rs, "gcp:compute/globalAddress:GlobalAddress");
        assert.deepEqual([range.inputs.address, range.inputs.prefixLength], ["10.13.0.0", 20]);
    });

    it("MetaflowNetwork refuses a malformed Private Service Access range before creating anything", async () => {
        const failure = await buildAloneFailure(() => new MetaflowNetwork("net", { ...NETWORK_ARGS, privateServiceAccessCidr: "10.13.0.0/40" }));
        assert.match(failure.error.message, /10\.13\.0\.0\/40/);
        assert.deepEqual(failure.resources.filter((r) => r.custom).map((r) => r.type), []);
    });

    it("MetaflowDatabase waits for the network's Private Service Access through the Output it is given", async () => {
        const rs = await buildAlone(() => {
            const net = new MetaflowNetwork("net", NETWORK_ARGS);
            new MetaflowDatabase("db", { project: PROJECT, region: "us-central1", networkId: net.networkId, privateServiceAccess: net.privateServiceAccess });
        });
        const instance = one(rs, "gcp:sql/databaseInstance:DatabaseInstance");
        const connection = one(rs, "gcp:servicenetworking/connection:Connection");
        const removal = one(rs, "pulumi-nodejs:dynamic/metaflow:PeeringRemoval", "net-psa-peering-removal");
        assert.ok(instance.dependencies.includes(connection.urn), "created after the PSA connection");
        assert.ok(instance.dependencies.includes(removal.urn), "deleted before the peering is removed");
    });

    it("MetaflowDatabase defaults: explicit ENTERPRISE edition, HA, private IP only, protected, max_connections from the tier", async () => {
        const rs = await buildAlone(() => new MetaflowDatabase("db", { project: PROJECT, region: "us-central1", networkId: NETWORK_ID, privateServiceAccess: "ready" }));
        const instance = one(rs, "gcp:sql/databaseInstance:DatabaseInstance");
        const s = instance.inputs.settings;
        assert.deepEqual([s.edition, s.tier, s.availabilityType, s.ipConfiguration.ipv4Enabled], ["ENTERPRISE", "db-custom-2-7680", "REGIONAL", false]);
        assert.ok(instance.protect && instance.inputs.deletionProtection === true);
        // 7680 MB / 12 MB per connection = 640 (model/sizing.ts, connectionCapacity).
        assert.deepEqual(s.databaseFlags.find((f: { name: string }) => f.name === "max_connections"), { name: "max_connections", value: "640" });
    });

    it("MetaflowDatabase refuses an unknown tier without maxConnections, naming the tier, before creating anything", async () => {
        const failure = await buildAloneFailure(
            () => new MetaflowDatabase("db", { project: PROJECT, region: "us-central1", networkId: NETWORK_ID, privateServiceAccess: "ready", tier: "db-n1-standard-2" }),
        );
        assert.match(failure.error.message, /db-n1-standard-2.*set maxConnections/);
        assert.deepEqual(failure.resources.filter((r) => r.custom).map((r) => r.type), []);
    });

    it("PeeringRemoval targets the servicenetworking peering by default", async () => {
        const rs = await buildAlone(() => new PeeringRemoval("rm", { project: PROJECT, network: "metaflow-ml" }));
        const removal = one(rs, "pulumi-nodejs:dynamic/metaflow:PeeringRemoval");
        assert.deepEqual([removal.inputs.project, removal.inputs.network, removal.inputs.peering], [PROJECT, "metaflow-ml", PSA_PEERING_NAME]);
    });

    it("MetaflowCluster defaults to a regional, protected Standard cluster with a CPU pool in every zone", async () => {
        const zones = ["us-central1-a", "us-central1-b", "us-central1-c"];
        const rs = await buildAlone(
            () => new MetaflowCluster("k", { project: PROJECT, region: "us-central1", zones, environment: "ml", networkId: NETWORK_ID, subnetworkId: SUBNET_ID }),
        );
        const cluster = one(rs, "gcp:container/cluster:Cluster");
        assert.deepEqual([cluster.inputs.location, cluster.inputs.releaseChannel.channel], ["us-central1", "REGULAR"]);
        assert.ok(cluster.protect && cluster.inputs.deletionProtection === true);
        assert.equal(cluster.inputs.workloadIdentityConfig.workloadPool, `${PROJECT}.svc.id.goog`);
        // The IAM-gated DNS endpoint admits `pulumi up` from anywhere; the IP endpoint only the VPC.
        assert.equal(cluster.inputs.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic, true);
        assert.deepEqual(cluster.inputs.masterAuthorizedNetworksConfig.cidrBlocks ?? [], []);
        const pool = one(rs, "gcp:container/nodePool:NodePool");
        assert.deepEqual(pool.inputs.nodeLocations, zones);
        assert.equal(pool.inputs.nodeConfig.machineType, "e2-standard-4");
    });

    it("MetaflowCluster in Autopilot mode has no node pool of ours", async () => {
        const rs = await buildAlone(
            () =>
                new MetaflowCluster("k", {
                    project: PROJECT,
                    region: "us-central1",
                    zones: ["us-central1-a"],
                    environment: "ml",
                    networkId: NETWORK_ID,
                    subnetworkId: SUBNET_ID,
                    mode: ClusterMode.Autopilot,
                }),
        );
        assert.equal(one(rs, "gcp:container/cluster:Cluster").inputs.enableAutopilot, true);
        assert.equal(all(rs, "gcp:container/nodePool:NodePool").length, 0);
    });

    it("GpuNodePool defaults: scales from zero, tainted for GPU pods only, managed LATEST driver", async () => {
        let pool: GpuNodePool | undefined;
        const rs = await buildAlone(() => {
            pool = new GpuNodePool("gpu-l4", {
                project: PROJECT,
                clusterName: "metaflow-ml",
                clusterLocation: "us-central1",
                serviceAccount: `nodes@${PROJECT}.iam.gserviceaccount.com`,
                name: "l4",
                gpuType: "nvidia-l4",
                machineType: "g2-standard-8",
                gpusPerNode: 1,
                zones: ["us-central1-a", "us-central1-b"],
            });
        });
        const np = one(rs, "gcp:container/nodePool:NodePool");
        assert.deepEqual([np.inputs.initialNodeCount, np.inputs.autoscaling.totalMinNodeCount, np.inputs.autoscaling.totalMaxNodeCount], [0, 0, 2]);
        assert.deepEqual(np.inputs.nodeConfig.taints, [{ ...GPU_TAINT }]);
        assert.equal(np.inputs.nodeConfig.guestAccelerators[0].gpuDriverInstallationConfig.gpuDriverVersion, "LATEST");
        assert.equal(pool?.maxGpus, 2);
    });

    it("MetaflowStorage defaults: a protected-data bucket named after the project, immutable image tags", async () => {
        const rs = await buildAlone(() => new MetaflowStorage("st", { project: PROJECT, region: "us-central1", environment: "ml" }));
        const bucket = one(rs, "gcp:storage/bucket:Bucket");
        assert.equal(bucket.inputs.name, `${PROJECT}-metaflow-ml`);
        assert.equal(bucket.inputs.publicAccessPrevention, "enforced");
        assert.deepEqual([bucket.inputs.versioning.enabled, bucket.inputs.softDeletePolicy.retentionDurationSeconds, bucket.inputs.forceDestroy], [true, 7 * 86_400, false]);
        assert.equal(one(rs, "gcp:artifactregistry/repository:Repository").inputs.dockerConfig.immutableTags, true);
    });

    it("MetaflowIdentity binds the namespace's service accounts and waits for the pool through the Output it is given", async () => {
        const rs = await buildAlone(() => {
            const pool = upstream("pool-owner");
            new MetaflowIdentity("id", {
                project: PROJECT,
                environment: "ml",
                bucketName: "acme-ml-metaflow-ml",
                registryLocation: "us-central1",
                registryName: "metaflow-ml",
                nodeServiceAccountEmail: `nodes@${PROJECT}.iam.gserviceaccount.com`,
                namespace: "metaflow-ml",
                kubernetesServiceAccounts: ["task"],
                workloadPoolReady: pool.id.apply(() => `${PROJECT}.svc.id.goog`),
            });
        });
        const owner = one(rs, "gcp:compute/network:Network");
        const wi = one(rs, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.equal(wi.inputs.member, `serviceAccount:${PROJECT}.svc.id.goog[metaflow-ml/task]`);
        assert.ok(wi.dependencies.includes(owner.urn), "the Workload Identity grant waits for the pool's owner");
        assert.ok(one(rs, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "id-registry-node-reader").dependencies.includes(owner.urn));
    });

    it("EnvironmentBudget alerts at 50%, 90% and 100% of the amount by default", async () => {
        const rs = await buildAlone(() => new EnvironmentBudget("b", { project: PROJECT, environment: "ml", billingAccount: "012345-6789AB-CDEF01", amount: 500 }));
        const budget = one(rs, "gcp:billing/budget:Budget");
        assert.deepEqual(budget.inputs.thresholdRules.map((t: { thresholdPercent: number }) => t.thresholdPercent), [0.5, 0.9, 1.0]);
        assert.equal(budget.inputs.amount.specifiedAmount.units, "500");
        assert.equal(all(rs, "gcp:monitoring/notificationChannel:NotificationChannel").length, 0);
    });

    it("MemberGrants gives each member access on this bucket and registry only", async () => {
        const rs = await buildAlone(
            () =>
                new MemberGrants("m", {
                    project: PROJECT,
                    members: ["user:ada@example.com"],
                    bucketName: "acme-ml-metaflow-ml",
                    registryLocation: "us-central1",
                    registryName: "metaflow-ml",
                }),
        );
        assert.equal(one(rs, "gcp:storage/bucketIAMMember:BucketIAMMember").inputs.bucket, "acme-ml-metaflow-ml");
        const registry = one(rs, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember");
        assert.deepEqual([registry.inputs.location, registry.inputs.repository, registry.inputs.member], ["us-central1", "metaflow-ml", "user:ada@example.com"]);
    });

    it("AirflowCloud: bucket access limited to airflow/, Workload Identity grant waits for the pool", async () => {
        const rs = await buildAlone(() => {
            const pool = upstream("pool-owner");
            new AirflowCloud("af", {
                project: PROJECT,
                environment: "ml",
                instanceName: "metaflow-ml-pg",
                bucketName: "acme-ml-metaflow-ml",
                namespace: "metaflow-ml",
                workloadPoolReady: pool.id.apply(() => `${PROJECT}.svc.id.goog`),
            });
        });
        const grant = one(rs, "gcp:storage/bucketIAMMember:BucketIAMMember");
        assert.match(grant.inputs.condition.expression, /startsWith\("projects\/_\/buckets\/acme-ml-metaflow-ml\/objects\/airflow\/"\)/);
        const wi = one(rs, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.equal(wi.inputs.member, `serviceAccount:${PROJECT}.svc.id.goog[metaflow-ml/${AIRFLOW_KSA}]`);
        assert.ok(wi.dependencies.includes(one(rs, "gcp:compute/network:Network").urn));
    });

    it("an Output with no resource behind it adds no dependency", async () => {
        const rs = await buildAlone(() => new MetaflowDatabase("db", { project: PROJECT, region: "us-central1", networkId: NETWORK_ID, privateServiceAccess: pulumi.output("ready") }));
        assert.deepEqual(one(rs, "gcp:sql/databaseInstance:DatabaseInstance").dependencies, []);
    });
});
