import { strict as assert } from "assert";
import * as YAML from "yaml";
import { ofType, one, output } from "../offline/query";
import { type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture } from "./harness/fixtures";

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";

describe("MetaflowCluster", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("is hardened: private nodes, Workload Identity, shielded nodes, Dataplane V2, channel, no ABAC, no client cert", () => {
        for (const stack of [dev, prod]) {
            const c = one(stack, CLUSTER).inputs;
            assert.equal(c.privateClusterConfig.enablePrivateNodes, true);
            assert.equal(c.workloadIdentityConfig.workloadPool, `${stack.config["gcp:project"]}.svc.id.goog`);
            assert.equal(c.enableShieldedNodes, true);
            assert.equal(c.datapathProvider, "ADVANCED_DATAPATH");
            assert.equal(c.enableLegacyAbac, false);
            assert.equal(c.masterAuth.clientCertificateConfig.issueClientCertificate, false);
            assert.equal(c.removeDefaultNodePool, true);
            assert.equal(c.networkingMode, "VPC_NATIVE");
            assert.deepEqual(c.ipAllocationPolicy, { clusterSecondaryRangeName: "pods", servicesSecondaryRangeName: "services" });
        }
        assert.equal(one(dev, CLUSTER).inputs.releaseChannel.channel, "REGULAR");
        assert.equal(one(prod, CLUSTER).inputs.releaseChannel.channel, "STABLE");
    });

    it("is zonal in dev and regional with deletion protection in prod", () => {
        assert.equal(one(dev, CLUSTER).inputs.location, "us-central1-a");
        assert.equal(one(dev, CLUSTER).inputs.deletionProtection, false);
        assert.equal(one(prod, CLUSTER).inputs.location, "us-central1");
        assert.equal(one(prod, CLUSTER).inputs.deletionProtection, true);
    });

    it("keeps the control plane behind the IAM-gated DNS endpoint with no public CIDR allowed", () => {
        const c = one(prod, CLUSTER).inputs;
        assert.equal(c.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic, true);
        assert.deepEqual(c.masterAuthorizedNetworksConfig.cidrBlocks, []);
        assert.equal(c.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled, false);
        const kubeconfig = YAML.parse(output(prod, "kubeconfig"));
        assert.match(kubeconfig.clusters[0].cluster.server, /^https:\/\/gke-[0-9a-f]+-[0-9a-f]+\.us-central1\.gke\.goog$/);
        assert.equal(prod.outputs.kubeconfig.secret, true);
    });

    it("uses the IP endpoint, its CA and only the listed networks in authorizedNetworks mode", async () => {
        const stack = await fixtureStack("dev", {
            config: {
                "metaflow-gcp:cluster": { controlPlaneAccess: "authorizedNetworks", authorizedNetworks: [{ cidr: "198.51.100.0/24", name: "office" }] },
            },
        });
        const c = one(stack, CLUSTER);
        assert.equal(c.inputs.controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic, false);
        assert.deepEqual(c.inputs.masterAuthorizedNetworksConfig.cidrBlocks, [{ cidrBlock: "198.51.100.0/24", displayName: "office" }]);
        const kubeconfig = YAML.parse(output(stack, "kubeconfig"));
        assert.equal(kubeconfig.clusters[0].cluster.server, `https://${c.state.endpoint}`);
        assert.equal(kubeconfig.clusters[0].cluster["certificate-authority-data"], c.state.masterAuth.clusterCaCertificate);
    });

    it("runs nodes as a dedicated service account with only the node role, never the Compute default", () => {
        const sa = one(dev, "gcp:serviceaccount/account:Account", "cluster-nodes");
        const binding = one(dev, "gcp:projects/iAMMember:IAMMember", "cluster-nodes-container.defaultNodeServiceAccount");
        assert.equal(binding.inputs.role, "roles/container.defaultNodeServiceAccount");
        assert.equal(binding.inputs.member, `serviceAccount:${sa.state.email}`);
        assert.equal(one(dev, CLUSTER).inputs.nodeConfig.serviceAccount, sa.state.email);
        for (const pool of ofType(dev, NODE_POOL)) {
            assert.equal(pool.inputs.nodeConfig.serviceAccount, sa.state.email, pool.name);
            assert.ok(!pool.inputs.nodeConfig.serviceAccount.includes("-compute@developer"), pool.name);
        }
    });

    it("has an autoscaling, hardened CPU pool in the cluster's zones with surge upgrades", () => {
        const cpu = one(prod, NODE_POOL, "cluster-cpu").inputs;
        assert.deepEqual(cpu.nodeLocations, ["us-central1-a", "us-central1-b", "us-central1-c"]);
        assert.equal(cpu.autoscaling.totalMinNodeCount, 2);
        assert.equal(cpu.autoscaling.totalMaxNodeCount, 6);
        assert.equal(cpu.nodeConfig.workloadMetadataConfig.mode, "GKE_METADATA");
        assert.deepEqual(cpu.nodeConfig.shieldedInstanceConfig, { enableSecureBoot: true, enableIntegrityMonitoring: true });
        assert.equal(cpu.upgradeSettings.maxUnavailable, 0);
        assert.deepEqual(one(dev, NODE_POOL, "cluster-cpu").inputs.nodeLocations, ["us-central1-a"]);
    });

    // terraform-provider-google google/services/container/resource_container_node_pool.go (v7.45):
    // "initial_node_count" is ForceNew and "In regional or multi-zonal clusters, this is the
    // number of nodes per zone". Without it the pool starts with 0 nodes (#8270).
    it("starts the CPU pool at its minimum, counted per zone, and never replaces it when the minimum changes later", () => {
        const prodCpu = one(prod, NODE_POOL, "cluster-cpu");
        assert.equal(prodCpu.inputs.initialNodeCount, 1, "2 nodes over 3 zones: 1 per zone");
        assert.deepEqual(prodCpu.ignoreChanges, ["initialNodeCount"]);
        const devCpu = one(dev, NODE_POOL, "cluster-cpu");
        assert.equal(devCpu.inputs.initialNodeCount, 1, "1 node in the zonal cluster's one zone");
        assert.ok(devCpu.inputs.initialNodeCount * devCpu.inputs.nodeLocations.length >= devCpu.inputs.autoscaling.totalMinNodeCount);
        for (const pool of ofType(prod, NODE_POOL)) {
            const zones = pool.inputs.nodeLocations.length;
            assert.ok(pool.inputs.initialNodeCount * zones >= pool.inputs.autoscaling.totalMinNodeCount, pool.name);
            assert.ok((pool.inputs.initialNodeCount - 1) * zones < pool.inputs.autoscaling.totalMinNodeCount || pool.inputs.initialNodeCount === 0, `${pool.name} starts no more than needed`);
        }
    });

    it("gives the short-lived default pool a small standard disk, so creation spends no SSD quota", () => {
        for (const stack of [dev, prod]) {
            const node = one(stack, CLUSTER).inputs.nodeConfig;
            assert.equal(node.diskType, "pd-standard");
            assert.ok(node.diskSizeGb <= 30);
        }
    });

    it("protects the production cluster and every production node pool in Pulumi as well as by the API flag", () => {
        assert.equal(one(prod, CLUSTER).protect, true);
        assert.equal(one(prod, CLUSTER).inputs.deletionProtection, true);
        for (const pool of ofType(prod, NODE_POOL)) {
            assert.equal(pool.protect, true, pool.name);
        }
        assert.equal(one(dev, CLUSTER).protect, false);
        assert.ok(ofType(dev, NODE_POOL).every((pool) => !pool.protect));
    });

    // pulumi/pulumi-kubernetes provider/pkg/provider/provider.go (v4.32+, DiffConfig, lines
    // 486-501): with `clusterIdentifier` set and unchanged, the provider's Replaces are cleared,
    // whatever else changed (the kubeconfig's server included); without it, a new active
    // cluster in the kubeconfig (line 552 on) replaces the provider and every object it manages.
    it("switching controlPlaneAccess changes the kubeconfig but not the Kubernetes provider's cluster identity", async () => {
        const provider = (s: RenderedStack) => one(s, "pulumi:providers:kubernetes").inputs;
        const ipAccess = await fixtureStack("dev", {
            config: {
                "metaflow-gcp:cluster": { controlPlaneAccess: "authorizedNetworks", authorizedNetworks: [{ cidr: "198.51.100.0/24", name: "office" }] },
            },
        });
        assert.notEqual(provider(ipAccess).kubeconfig, provider(dev).kubeconfig, "the server URL does change");
        assert.equal(provider(ipAccess).clusterIdentifier, provider(dev).clusterIdentifier);
        assert.equal(provider(dev).clusterIdentifier, "projects/metaflow-offline/locations/us-central1-a/clusters/metaflow-dev#standard");
    });

    it("a change that replaces the cluster changes the identity, so its Kubernetes objects are recreated with it", async () => {
        const provider = (s: RenderedStack) => one(s, "pulumi:providers:kubernetes").inputs;
        const regional = await renderFixture("dev", { config: { "metaflow-gcp:cluster": { regional: true } } });
        const autopilot = await fixtureStack("dev", { config: { "metaflow-gcp:cluster": { mode: "autopilot" } } });
        assert.notEqual(provider(regional).clusterIdentifier, provider(dev).clusterIdentifier);
        assert.notEqual(provider(autopilot).clusterIdentifier, provider(regional).clusterIdentifier);
    });

    it("in Autopilot mode creates no node pools, keeps private nodes and the node service account", async () => {
        const stack = await fixtureStack("dev", { config: { "metaflow-gcp:cluster": { mode: "autopilot" } } });
        const c = one(stack, CLUSTER).inputs;
        assert.equal(c.enableAutopilot, true);
        assert.equal(c.location, "us-central1", "Autopilot is regional");
        assert.equal(c.privateClusterConfig.enablePrivateNodes, true);
        assert.equal(c.clusterAutoscaling.autoProvisioningDefaults.serviceAccount, one(stack, "gcp:serviceaccount/account:Account", "cluster-nodes").state.email);
        assert.equal(ofType(stack, NODE_POOL).length, 0);
        const scheduling = output(stack, "gpuScheduling");
        assert.equal(scheduling.mode, "autopilot");
        assert.deepEqual(scheduling.nodeSelectorByGpuType["nvidia-l4"], { "cloud.google.com/gke-accelerator": "nvidia-l4", "cloud.google.com/gke-spot": "true" });
        assert.equal(output(stack, "gpuPools")[0].created, false);
    });
});
