import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { runPolicies, type OfflineResource, type PackConfig, type Violation } from "../policy/offline";
import { policies } from "../policy/policies";
import { checkRendered, formatReport, policyConfigFor } from "../scripts/policyCheck";
import { committedStack } from "./harness/cache";
import { one } from "./harness/query";
import { REPO_ROOT, readStackConfig, renderStack, type RenderedStack } from "./harness/render";

let dev: RenderedStack;
let prod: RenderedStack;

/** Custom resources of a rendered stack, as a policy sees them. */
function resourcesOf(stack: RenderedStack): OfflineResource[] {
    return stack.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: structuredClone(r.inputs) }));
}

/** A copy of one rendered resource, with its props changed by `edit`. */
function mutated(stack: RenderedStack, type: string, name: string | undefined, edit: (props: Record<string, any>) => void): OfflineResource {
    const r = one(stack, type, name);
    const props = structuredClone(r.inputs);
    edit(props);
    return { type: r.type, name: `${r.name}-bad`, urn: `${r.urn}-bad`, props };
}

function bare(type: string, name: string, props: Record<string, any>): OfflineResource {
    return { type, name, urn: `urn:pulumi:test::metaflow-gcp::${type}::${name}`, props };
}

async function violations(policyName: string, resources: OfflineResource[], config: PackConfig): Promise<Violation[]> {
    const policy = policies.find((p) => p.name === policyName);
    assert.ok(policy, `no policy ${policyName}`);
    return runPolicies([policy], resources, config);
}

/** Asserts the policy passes on both committed stacks and applies to something in them. */
async function passesOnStacks(policyName: string, appliesTo: string[]): Promise<void> {
    for (const stack of [dev, prod]) {
        assert.deepEqual(await violations(policyName, resourcesOf(stack), policyConfigFor(stack.stack)), [], `${policyName} on ${stack.stack}`);
        assert.ok(appliesTo.some((t) => stack.resources.some((r) => r.type === t)), `${policyName} has nothing to check in ${stack.stack}`);
    }
}

/** Asserts exactly the expected messages (by fragment) are reported for the bad resources. */
async function catches(policyName: string, bad: OfflineResource[], config: PackConfig, ...fragments: string[]): Promise<void> {
    const found = await violations(policyName, bad, config);
    assert.ok(found.length > 0, `${policyName} let the bad resource through`);
    for (const fragment of fragments) {
        assert.ok(found.some((v) => v.message.includes(fragment)), `${policyName}: no message with "${fragment}"; got ${found.map((v) => v.message).join(" | ")}`);
    }
    for (const v of found.filter((x) => x.resource)) {
        assert.ok(v.message.includes(`"${v.resource!.name}"`), `message names the resource: ${v.message}`);
    }
}

describe("policy pack", () => {
    before(async () => {
        dev = await committedStack("dev");
        prod = await committedStack("prod");
    });

    it("dev and prod pass the whole pack clean with their own policy config", async () => {
        for (const stack of [dev, prod]) {
            const found = await checkRendered(stack);
            assert.deepEqual(found, [], formatReport(stack.stack, found).text);
        }
    });

    it("policy names are unique and described; the entry file builds the pack from policies.ts", () => {
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        for (const p of policies) {
            assert.ok(p.description && p.description.length > 20, p.name);
        }
        const entry = fs.readFileSync(path.join(REPO_ROOT, "policy", "index.ts"), "utf8");
        assert.match(entry, /import \{ policies \} from "\.\/policies"/);
        assert.match(entry, /new PolicyPack\("metaflow-gcp", \{ enforcementLevel: "mandatory", policies \}\)/);
    });

    it("each stack's policy config names only real policies and agrees with the stack file", () => {
        for (const stack of ["dev", "prod"]) {
            const config = policyConfigFor(stack);
            for (const key of Object.keys(config)) {
                assert.ok(key === "all" || policies.some((p) => p.name === key), `policy/config/${stack}.json: unknown policy ${key}`);
            }
            const stackFile = readStackConfig(stack);
            const env = stackFile["metaflow-gcp:environment"];
            assert.deepEqual(config["environment-label"], { environment: env });
            const network = JSON.parse(stackFile["metaflow-gcp:network"]);
            assert.deepEqual((config["firewall-own-ranges"] as any).allowedSourceRanges, [network.subnetCidr, network.podsCidr, network.servicesCidr, network.privateServiceAccessCidr]);
            assert.equal((config["iam-scoped-to-environment"] as any).namespace, `metaflow-${env}`);
            const access = stackFile["metaflow-gcp:access"] ? JSON.parse(stackFile["metaflow-gcp:access"]) : {};
            assert.deepEqual((config["iam-scoped-to-environment"] as any).members ?? [], access.members ?? [], "iam-scoped-to-environment.members = access.members");
            assert.equal((config["prod-database-ha-pitr-protected"] as any).production, stackFile["metaflow-gcp:production"] === "true");
        }
    });

    it("a missing required config key is a clear error", async () => {
        await assert.rejects(violations("gpu-quota", [], {}), /policy gpu-quota needs config "maxTotalGpus"/);
    });

    it("enforcement levels follow the config file: disabled skips, advisory does not fail the check", async () => {
        const bad = [bare("gcp:serviceaccount/key:Key", "ci-key", { serviceAccountId: "x" })];
        assert.deepEqual(await violations("no-service-account-keys", bad, { "no-service-account-keys": { enforcementLevel: "disabled" } }), []);
        const advisory = await violations("no-service-account-keys", bad, { all: "advisory" });
        assert.equal(advisory[0].enforcementLevel, "advisory");
        assert.equal(formatReport("x", advisory).failed, false);
        assert.equal(formatReport("x", await violations("no-service-account-keys", bad, {})).failed, true);
    });

    describe("isolation", () => {
        it("environment-label", async () => {
            await passesOnStacks("environment-label", ["gcp:storage/bucket:Bucket"]);
            const bad = mutated(dev, "gcp:storage/bucket:Bucket", undefined, (p) => (p.labels = { environment: "prod" }));
            await catches("environment-label", [bad], policyConfigFor("dev"), "must carry label environment=dev, found environment=prod");
        });

        it("no-network-sharing", async () => {
            for (const stack of [dev, prod]) {
                assert.deepEqual(await violations("no-network-sharing", resourcesOf(stack), {}), []);
            }
            const peering = bare("gcp:compute/networkPeering:NetworkPeering", "dev-to-prod", { network: "metaflow-dev", peerNetwork: "metaflow-prod" });
            await catches("no-network-sharing", [peering], {}, "would connect this environment's network to another");
        });

        it("firewall-own-ranges", async () => {
            await passesOnStacks("firewall-own-ranges", ["gcp:compute/firewall:Firewall"]);
            const bad = mutated(dev, "gcp:compute/firewall:Firewall", "network-allow-internal", (p) => (p.sourceRanges = ["10.20.0.0/20"]));
            await catches("firewall-own-ranges", [bad], policyConfigFor("dev"), "admits 10.20.0.0/20, outside this environment's ranges");
        });

        it("iam-scoped-to-environment", async () => {
            await passesOnStacks("iam-scoped-to-environment", ["gcp:storage/bucketIAMMember:BucketIAMMember"]);
            const prodTask = one(prod, "gcp:serviceaccount/account:Account", "identity-task").state.email;
            const badBucketGrant = mutated(dev, "gcp:storage/bucketIAMMember:BucketIAMMember", undefined, (p) => (p.member = `serviceAccount:${prodTask}`));
            const badWi = mutated(dev, "gcp:serviceaccount/iAMMember:IAMMember", "identity-wi-metaflow-task", (p) => (p.member = p.member.replace("metaflow-dev/", "metaflow-prod/")));
            await catches("iam-scoped-to-environment", [badBucketGrant, badWi], policyConfigFor("dev"), "not one of this environment's service accounts (mf-dev-*)", 'namespace "metaflow-prod"');
        });

        it("iam-scoped-to-environment: listed access.members hold exactly their member role, nobody else", async () => {
            const alice = "user:alice@example.com";
            const withMember = await renderStack("dev", { config: { "metaflow-gcp:access": { members: [alice] } } });
            const grants = resourcesOf(withMember).filter((r) => r.props.member === alice && !r.type.startsWith("gcp:projects/"));
            assert.equal(grants.length, 2, "bucket and registry grants");
            const config = { ...policyConfigFor("dev"), "iam-scoped-to-environment": { ...(policyConfigFor("dev")["iam-scoped-to-environment"] as object), members: [alice] } };
            assert.deepEqual(await checkRendered(withMember, config), []);
            await catches("iam-scoped-to-environment", grants, policyConfigFor("dev"), `to ${alice}, which is not one of this environment's service accounts`);
            const adminInstead = mutated(withMember, "gcp:storage/bucketIAMMember:BucketIAMMember", grants[0].name, (p) => (p.role = "roles/storage.admin"));
            await catches("iam-scoped-to-environment", [adminInstead], config, `grants roles/storage.admin to ${alice}`);
        });
    });

    describe("security baseline", () => {
        const CLUSTER = "gcp:container/cluster:Cluster";
        const POOL = "gcp:container/nodePool:NodePool";

        it("gke-private-nodes: the common template's public nodes are caught", async () => {
            await passesOnStacks("gke-private-nodes", [CLUSTER]);
            await catches("gke-private-nodes", [mutated(dev, CLUSTER, undefined, (p) => delete p.privateClusterConfig)], {}, "enablePrivateNodes = true");
        });

        it("gke-workload-identity", async () => {
            await passesOnStacks("gke-workload-identity", [CLUSTER, POOL]);
            const cluster = mutated(dev, CLUSTER, undefined, (p) => delete p.workloadIdentityConfig);
            const pool = mutated(dev, POOL, "cluster-cpu", (p) => (p.nodeConfig.workloadMetadataConfig = { mode: "GCE_METADATA" }));
            await catches("gke-workload-identity", [cluster, pool], {}, "workloadIdentityConfig.workloadPool", 'workloadMetadataConfig.mode = "GKE_METADATA"');
        });

        it("gke-secure-boot", async () => {
            await passesOnStacks("gke-secure-boot", [POOL]);
            await catches("gke-secure-boot", [mutated(dev, POOL, "gpu-l4-pool", (p) => delete p.nodeConfig.shieldedInstanceConfig)], {}, "enableSecureBoot = true");
        });

        it("gke-no-legacy-auth", async () => {
            await passesOnStacks("gke-no-legacy-auth", [CLUSTER]);
            const bad = mutated(dev, CLUSTER, undefined, (p) => {
                p.enableLegacyAbac = true;
                p.masterAuth = { clientCertificateConfig: { issueClientCertificate: true } };
            });
            await catches("gke-no-legacy-auth", [bad], {}, "legacy ABAC", "client certificate");
        });

        it("gke-control-plane-not-public", async () => {
            await passesOnStacks("gke-control-plane-not-public", [CLUSTER]);
            const open = mutated(dev, CLUSTER, undefined, (p) => (p.masterAuthorizedNetworksConfig = { cidrBlocks: [{ cidrBlock: "0.0.0.0/0", displayName: "all" }] }));
            const none = mutated(dev, CLUSTER, undefined, (p) => delete p.masterAuthorizedNetworksConfig);
            await catches("gke-control-plane-not-public", [open, none], {}, "open to the whole internet", "has no masterAuthorizedNetworksConfig");
        });

        it("cloudsql-private-ssl-backups: a public-IP database without TLS or backups is caught", async () => {
            await passesOnStacks("cloudsql-private-ssl-backups", ["gcp:sql/databaseInstance:DatabaseInstance"]);
            const bad = mutated(dev, "gcp:sql/databaseInstance:DatabaseInstance", undefined, (p) => {
                p.settings.ipConfiguration = { ipv4Enabled: true };
                p.settings.backupConfiguration = { enabled: false };
            });
            await catches("cloudsql-private-ssl-backups", [bad], {}, "has a public IP", "accepts unencrypted connections", "takes no automated backups");
        });

        it("bucket-uniform-private: a bucket without public access prevention is caught", async () => {
            await passesOnStacks("bucket-uniform-private", ["gcp:storage/bucket:Bucket"]);
            const bad = mutated(dev, "gcp:storage/bucket:Bucket", undefined, (p) => {
                delete p.publicAccessPrevention;
                p.uniformBucketLevelAccess = false;
            });
            await catches("bucket-uniform-private", [bad], {}, 'publicAccessPrevention = "enforced"; found inherited', "uniformBucketLevelAccess");
        });

        it("no-service-account-keys: the template's JSON key is caught", async () => {
            for (const stack of [dev, prod]) {
                assert.deepEqual(await violations("no-service-account-keys", resourcesOf(stack), {}), []);
            }
            await catches("no-service-account-keys", [bare("gcp:serviceaccount/key:Key", "metaflow-key", { serviceAccountId: "mf-dev-task" })], {}, "long-lived service-account key");
        });

        it("no-primitive-roles", async () => {
            await passesOnStacks("no-primitive-roles", ["gcp:projects/iAMMember:IAMMember"]);
            const bad = mutated(dev, "gcp:projects/iAMMember:IAMMember", undefined, (p) => (p.role = "roles/editor"));
            await catches("no-primitive-roles", [bad], {}, "primitive role roles/editor");
        });

        it("no-ingress-from-internet: a hard-coded 0.0.0.0/0 SSH rule is caught", async () => {
            await passesOnStacks("no-ingress-from-internet", ["gcp:compute/firewall:Firewall"]);
            const ssh = bare("gcp:compute/firewall:Firewall", "allow-ssh", { direction: "INGRESS", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["22"] }] });
            await catches("no-ingress-from-internet", [ssh], {}, "admits tcp:22 from the whole internet");
        });

        it("gpu-pool-taint-and-driver: an untainted GPU pool with no driver is caught", async () => {
            await passesOnStacks("gpu-pool-taint-and-driver", [POOL]);
            const bad = mutated(dev, POOL, "gpu-l4-pool", (p) => {
                delete p.nodeConfig.taints;
                p.nodeConfig.guestAccelerators = [{ type: "nvidia-l4", count: 1 }];
            });
            await catches("gpu-pool-taint-and-driver", [bad], {}, "no nvidia.com/gpu NoSchedule taint", "installs no NVIDIA driver");
        });
    });

    describe("production safety", () => {
        it("prod-database-ha-pitr-protected: dev's database would fail as production", async () => {
            await passesOnStacks("prod-database-ha-pitr-protected", ["gcp:sql/databaseInstance:DatabaseInstance"]);
            const devDb = resourcesOf(dev).filter((r) => r.type === "gcp:sql/databaseInstance:DatabaseInstance");
            await catches("prod-database-ha-pitr-protected", devDb, policyConfigFor("prod"), "must be REGIONAL", "deletionProtection");
        });

        it("prod-cluster-deletion-protection", async () => {
            await passesOnStacks("prod-cluster-deletion-protection", ["gcp:container/cluster:Cluster"]);
            const devCluster = resourcesOf(dev).filter((r) => r.type === "gcp:container/cluster:Cluster");
            await catches("prod-cluster-deletion-protection", devCluster, policyConfigFor("prod"), "deletionProtection = true in production");
        });

        it("prod-bucket-recoverable", async () => {
            await passesOnStacks("prod-bucket-recoverable", ["gcp:storage/bucket:Bucket"]);
            const devBucket = resourcesOf(dev).filter((r) => r.type === "gcp:storage/bucket:Bucket");
            await catches("prod-bucket-recoverable", devBucket, policyConfigFor("prod"), "neither versions nor soft-deleted", "forceDestroy");
        });
    });

    describe("quotas and cost", () => {
        const POOL = "gcp:container/nodePool:NodePool";

        it("gpu-quota sums pools across zones: per-zone limits multiply, totals do not", async () => {
            await passesOnStacks("gpu-quota", [POOL]);
            const perZone = mutated(dev, POOL, "gpu-l4-pool", (p) => {
                p.autoscaling = { minNodeCount: 0, maxNodeCount: 2 };
                p.nodeLocations = ["us-central1-a", "us-central1-b", "us-central1-c"];
            });
            const big = mutated(dev, POOL, "gpu-l4-pool", (p) => {
                p.nodeConfig.machineType = "g2-standard-48";
                p.nodeConfig.guestAccelerators[0].count = 4;
                p.autoscaling = { totalMinNodeCount: 0, totalMaxNodeCount: 2 };
            });
            const cpu = resourcesOf(dev).filter((r) => r.name === "cluster-cpu");
            // 2 per zone x 3 zones x 1 GPU = 6, plus 2 total x 4 GPUs = 8: 14 GPUs.
            await catches("gpu-quota", [perZone, big, ...cpu], { "gpu-quota": { maxTotalGpus: 8 } }, "can reach 14 GPUs, over this environment's limit of 8", "2 per zone x 3 zones");
            assert.deepEqual(await violations("gpu-quota", [perZone, big, ...cpu], { "gpu-quota": { maxTotalGpus: 14 } }), []);
        });

        it("allowed-gpus-and-machines", async () => {
            await passesOnStacks("allowed-gpus-and-machines", [POOL]);
            const a100 = mutated(dev, POOL, "gpu-l4-pool", (p) => {
                p.nodeConfig.machineType = "a2-highgpu-8g";
                p.nodeConfig.guestAccelerators[0] = { ...p.nodeConfig.guestAccelerators[0], type: "nvidia-tesla-a100", count: 8 };
            });
            await catches("allowed-gpus-and-machines", [a100], policyConfigFor("dev"), "uses nvidia-tesla-a100; allowed GPU types here: nvidia-l4", "a2-highgpu-8g");
        });

        it("max-nodes-per-pool counts per-zone limits across zones", async () => {
            await passesOnStacks("max-nodes-per-pool", [POOL]);
            const bad = mutated(dev, POOL, "cluster-cpu", (p) => {
                p.autoscaling = { minNodeCount: 1, maxNodeCount: 4 };
                p.nodeLocations = ["us-central1-a", "us-central1-b", "us-central1-c"];
            });
            await catches("max-nodes-per-pool", [bad], policyConfigFor("dev"), "can reach 12 nodes (4 per zone x 3 zones), over the limit of 5");
        });

        it("gpu-spot-required in dev: an on-demand GPU pool is caught; prod allows it", async () => {
            await passesOnStacks("gpu-spot-required", [POOL]);
            const onDemand = mutated(dev, POOL, "gpu-l4-pool", (p) => (p.nodeConfig.spot = false));
            await catches("gpu-spot-required", [onDemand], policyConfigFor("dev"), "requires spot GPU pools");
            assert.deepEqual(await violations("gpu-spot-required", [onDemand], policyConfigFor("prod")), []);
        });

        it("allowed-regions", async () => {
            await passesOnStacks("allowed-regions", ["gcp:storage/bucket:Bucket"]);
            const eu = mutated(dev, "gcp:storage/bucket:Bucket", undefined, (p) => (p.location = "europe-west4"));
            const pool = mutated(dev, POOL, "gpu-l4-pool", (p) => (p.nodeLocations = ["europe-west4-a"]));
            await catches("allowed-regions", [eu, pool], policyConfigFor("dev"), "is in europe-west4; allowed regions: us-central1", "has nodes in europe-west4-a");
        });
    });

    describe("services on the cluster", () => {
        const DEPLOYMENT = "kubernetes:apps/v1:Deployment";

        it("k8s-no-plaintext-secrets", async () => {
            await passesOnStacks("k8s-no-plaintext-secrets", [DEPLOYMENT]);
            const bad = mutated(dev, DEPLOYMENT, "services-metaflow-metadata", (p) => {
                const env = p.spec.template.spec.containers[0].env;
                env.find((e: any) => e.name === "MF_METADATA_DB_PSWD").value = "metaflow";
            });
            await catches("k8s-no-plaintext-secrets", [bad], {}, "sets MF_METADATA_DB_PSWD as a plain value");
        });

        it("k8s-pinned-versions: latest images and floating charts are caught", async () => {
            await passesOnStacks("k8s-pinned-versions", [DEPLOYMENT, "kubernetes:helm.sh/v3:Release"]);
            const latest = mutated(dev, DEPLOYMENT, "services-metaflow-ui-backend", (p) => (p.spec.template.spec.containers[0].image = "netflixoss/metaflow_metadata_service:latest"));
            const chart = mutated(dev, "kubernetes:helm.sh/v3:Release", undefined, (p) => delete p.version);
            await catches("k8s-pinned-versions", [latest, chart], {}, "metaflow_metadata_service:latest", 'installs chart argo-workflows at "latest"');
        });
    });
});
