import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { UNKNOWN, runPolicies, type OfflineResource, type PackConfig, type Violation } from "../offline/policyRunner";
import { policies } from "../policy/policies";
import { checkRendered, checkStack, checkStacks, engineResources, formatReport } from "../scripts/policyCheck";
import { policyConfigFor as generatedPolicyConfig, readLimits, stackFacts } from "../scripts/policyConfig";
import * as os from "os";
import { listStacks } from "../offline/stackFiles";
import { userStack } from "./harness/cache";
import { withEndpoint } from "./harness/endpointExample";
import { FIXTURE_STACKS, fixtureStack, fixtureStacks, renderFixture } from "./harness/fixtures";
import { one } from "../offline/query";
import { REPO_ROOT, renderStack, type RenderedStack } from "../offline/render";

/** The fixture stacks (dev and prod as shipped), rendered as after `pulumi up`. */
let stacks: RenderedStack[];
let dev: RenderedStack;
let prod: RenderedStack;
const PACK = policies.map((p) => p.name);

/** A rendered stack's resources, as the engine shows them to the pack (policies never mutate them). */
function resourcesOf(stack: RenderedStack): OfflineResource[] {
    return engineResources(stack);
}

/** The generated policy config of a fixture stack, computed once (stack files do not change during a run). */
const configs = new Map<string, PackConfig>();
function policyConfigFor(stack: string): PackConfig {
    if (!configs.has(stack)) {
        configs.set(stack, generatedPolicyConfig(stack, FIXTURE_STACKS));
    }
    return structuredClone(configs.get(stack)!);
}

/** A copy of one rendered resource, with its props changed by `edit` (outputs follow). */
/** The node service account's project grant (components/gcp/cluster.ts). */
const NODE_ROLE_GRANT = "cluster-nodes-container.defaultNodeServiceAccount";

function mutated(stack: RenderedStack, type: string, name: string | undefined, edit: (props: Record<string, any>) => void): OfflineResource {
    const r = one(stack, type, name);
    const props = structuredClone(r.wireInputs);
    edit(props);
    return { type: r.type, name: `${r.name}-bad`, urn: `${r.urn}-bad`, props };
}

function bare(type: string, name: string, props: Record<string, any>): OfflineResource {
    return { type, name, urn: `urn:pulumi:test::metaflow-gcp::${type}::${name}`, props };
}

async function violations(policyName: string, resources: OfflineResource[], config: PackConfig): Promise<Violation[]> {
    const policy = policies.find((p) => p.name === policyName);
    assert.ok(policy, `no policy ${policyName}`);
    return runPolicies([policy], resources, config, { packPolicyNames: PACK });
}

/** Asserts the policy passes on every fixture stack and applies to something in each. */
async function passesOnStacks(policyName: string, appliesTo: string[]): Promise<void> {
    for (const stack of stacks) {
        assert.deepEqual(await violations(policyName, resourcesOf(stack), policyConfigFor(stack.stack)), [], `${policyName} on ${stack.stack}`);
        assert.ok(appliesTo.some((t) => stack.resources.some((r) => r.type === t)), `${policyName} has nothing to check in ${stack.stack}`);
    }
}

/** Asserts exactly the expected messages (by fragment) are reported for the bad resources. */
async function catches(policyName: string, bad: OfflineResource[], config: PackConfig, ...fragments: string[]): Promise<void> {
    const found = await violations(policyName, bad, config);
    assert.ok(found.length > 0, `${policyName} let the bad resource through`);
    for (const v of found) {
        assert.equal(v.enforcementLevel, "mandatory", `${policyName} decides (not "can't run"): ${v.message}`);
    }
    for (const fragment of fragments) {
        assert.ok(found.some((v) => v.message.includes(fragment)), `${policyName}: no message with "${fragment}"; got ${found.map((v) => v.message).join(" | ")}`);
    }
    for (const v of found.filter((x) => x.resource && !x.message.startsWith("Service ") && !x.message.startsWith("Ingress ") && !x.message.startsWith("Gateway "))) {
        assert.ok(v.message.includes(`"${v.resource!.name}"`), `message names the resource: ${v.message}`);
    }
}

describe("policy pack", () => {
    before(async () => {
        stacks = await Promise.all(fixtureStacks().map((s) => fixtureStack(s)));
        dev = stacks.find((s) => s.stack === "dev")!;
        prod = stacks.find((s) => s.stack === "prod")!;
    });

    it("every stack file of the repository passes the whole pack clean with its generated policy config", async () => {
        for (const stack of await Promise.all(listStacks().map((s) => userStack(s)))) {
            // Advisory findings (cost-coverage: prices the embedded table lacks for a region) never fail a stack.
            const found = (await checkRendered(stack)).filter((v) => v.enforcementLevel !== "advisory" || v.couldNotRunInPreview);
            assert.deepEqual(found, [], formatReport(stack.stack, found).text);
        }
    });

    it("the fixture stacks pass the whole pack clean with theirs", async () => {
        for (const stack of stacks) {
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

    describe("the generated --policy-pack-config (facts from stack files, limits from policy/limits)", () => {
        it("carries each stack's own facts and every other stack's as forbidden (every stack file of the repository)", () => {
            for (const stack of listStacks()) {
                const facts = stackFacts(stack);
                const config = generatedPolicyConfig(stack) as Record<string, any>;
                assert.deepEqual(config["environment-label"], { environment: facts.environment });
                assert.deepEqual(config["firewall-own-ranges"].allowedSourceRanges, Object.values(facts.ranges));
                assert.equal(config["iam-scoped-to-environment"].namespace, facts.namespace);
                assert.deepEqual(config["iam-scoped-to-environment"].members, facts.members, "iam-scoped-to-environment.members = access.members");
                assert.equal(config["k8s-rbac-scoped"].namespace, facts.namespace);
                assert.equal(config["prod-database-ha-pitr-protected"].production, facts.production);
                const others = config["no-cross-environment-references"].otherEnvironments;
                assert.deepEqual(others.map((o: any) => o.stack), listStacks().filter((s) => s !== stack));
                for (const other of others) {
                    const theirs = stackFacts(other.stack);
                    assert.deepEqual(other.ranges, Object.values(theirs.ranges));
                    assert.equal(other.network, theirs.network);
                    assert.equal(other.namespace, theirs.namespace);
                    assert.equal(other.bucket, theirs.bucket);
                }
            }
        });

        it("limits files hold only limits: a fact in one is refused", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "limits-"));
            fs.mkdirSync(path.join(dir, "policy", "limits"), { recursive: true });
            fs.writeFileSync(path.join(dir, "policy", "limits", "zz-fact-test.json"), JSON.stringify({ "environment-label": { environment: "dev" }, "gpu-quota": { maxTotalGpus: 2 } }));
            try {
                assert.throws(() => readLimits("zz-fact-test", dir), /"environment-label"\.environment is a fact of Pulumi\.zz-fact-test\.yaml/);
            } finally {
                fs.rmSync(dir, { recursive: true });
            }
            for (const stack of listStacks()) {
                assert.doesNotThrow(() => readLimits(stack));
            }
        });

        it("the shipped limits are what the README promises: dev 4 GPUs on spot, prod 8", () => {
            assert.equal((policyConfigFor("dev")["gpu-quota"] as any).maxTotalGpus, 4);
            assert.equal((policyConfigFor("dev")["gpu-spot-required"] as any).requireSpot, true);
            assert.equal((policyConfigFor("prod")["gpu-quota"] as any).maxTotalGpus, 8);
        });
    });

    describe("config handling matches the Pulumi CLI (pulumi/pulumi pkg/resource/analyzer/config.go)", () => {
        const bad = [bare("gcp:serviceaccount/key:Key", "ci-key", { serviceAccountId: "x" })];

        it("a missing required key is reported per policy, as the CLI words it", async () => {
            await assert.rejects(violations("environment-label", [], {}), /environment-label: environment is required/);
        });

        it("a disabled policy's config is still validated", async () => {
            await assert.rejects(violations("environment-label", [], { "environment-label": { enforcementLevel: "disabled" } }), /environment-label: environment is required/);
        });

        it("types are checked with JSON Schema, every error at once", async () => {
            await assert.rejects(violations("gpu-quota", [], { "gpu-quota": { maxTotalGpus: "4" } }), /gpu-quota: maxTotalGpus: Invalid type\. Expected: integer, given: string/);
            await assert.rejects(violations("gpu-quota", [], { "gpu-quota": { maxTotalGpus: -1 } }), /gpu-quota: maxTotalGpus: Must be greater than or equal to 0/);
        });

        it("schema defaults apply when the file says nothing", async () => {
            const pools = resourcesOf(dev).filter((r) => r.type === "gcp:container/nodePool:NodePool");
            assert.deepEqual(await violations("gpu-quota", pools, {}), []); // default budget 4 >= dev's 2 GPUs
        });

        it("a key naming no policy is an error, with or without an enforcement level", async () => {
            await assert.rejects(violations("no-service-account-keys", bad, { "no-such-policy": { limit: 1 } }), /invalid enforcement level ""/);
            await assert.rejects(violations("no-service-account-keys", bad, { "no-such-policy": "advisory" }), /"no-such-policy" names no policy of the pack/);
        });

        it("an invalid enforcement level or value shape is refused", async () => {
            await assert.rejects(violations("no-service-account-keys", bad, { "no-service-account-keys": "warn" }), /"warn" is not a valid enforcement level/);
            await assert.rejects(violations("no-service-account-keys", bad, { "no-service-account-keys": 3 }), /must be a string or object/);
        });

        it("enforcement levels: disabled skips, advisory does not fail the check, `all` applies to every policy", async () => {
            assert.deepEqual(await violations("no-service-account-keys", bad, { "no-service-account-keys": { enforcementLevel: "disabled" } }), []);
            const advisory = await violations("no-service-account-keys", bad, { all: "advisory" });
            assert.equal(advisory[0].enforcementLevel, "advisory");
            assert.equal(formatReport("x", advisory).failed, false);
            assert.equal(formatReport("x", await violations("no-service-account-keys", bad, {})).failed, true);
        });
    });

    describe("engine semantics (@pulumi/policy 1.21 server.js)", () => {
        it("a resource policy that reads an unknown value reports the server's advisory \"can't run during preview\" for that resource", async () => {
            const pool = mutated(dev, "gcp:container/nodePool:NodePool", "gpu-l4-pool", (p) => (p.nodeConfig.machineType = UNKNOWN));
            const found = await violations("allowed-gpus-and-machines", [pool], policyConfigFor("dev"));
            assert.equal(found.length, 1);
            assert.equal(found[0].couldNotRunInPreview, true);
            assert.equal(found[0].enforcementLevel, "advisory");
            assert.match(found[0].message, /^can't run policy 'allowed-gpus-and-machines' from policy pack 'metaflow-gcp@v0\.1\.0' during preview: string value at \.nodeConfig\.machineType can't be known during preview$/);
            assert.equal(formatReport("dev", found).failed, false);
        });

        it("a stack policy that reads an unknown value gets one advisory for the whole stack", async () => {
            const pool = mutated(dev, "gcp:container/nodePool:NodePool", "gpu-l4-pool", (p) => (p.autoscaling = UNKNOWN));
            const found = await violations("gpu-quota", [pool], {});
            assert.equal(found.length, 1);
            assert.equal(found[0].resource, undefined);
            assert.match(found[0].message, /can't run policy 'gpu-quota' .* during preview: \w+ value at \.autoscaling can't be known/);
        });

        it("stack policies see outputs (planned state), resource policies inputs", async () => {
            const pool = mutated(dev, "gcp:container/nodePool:NodePool", "gpu-l4-pool", () => undefined);
            const bigOutputs = structuredClone(pool.props);
            bigOutputs.autoscaling.totalMaxNodeCount = 50;
            const found = await violations("gpu-quota", [{ ...pool, outputs: bigOutputs }], {});
            assert.match(found[0].message, /can reach 50 GPUs/);
            assert.deepEqual(await violations("max-nodes-per-pool", [{ ...pool, outputs: bigOutputs }], {}), [], "max-nodes-per-pool reads inputs");
        });
    });

    describe("a first preview (nothing exists yet, computed values unknown)", () => {
        it("every policy decides on the first preview of every stack file of the repository, and none fails it", async () => {
            for (const stack of listStacks()) {
                const preview = await renderStack(stack, { preview: true });
                const unknown = JSON.stringify(preview.resources.map((r) => r.wireInputs)).split(UNKNOWN).length - 1;
                assert.ok(unknown > 10, `the preview render has unknown inputs (${unknown})`);
                const found = (await checkRendered(preview)).filter((v) => v.enforcementLevel !== "advisory" || v.couldNotRunInPreview);
                assert.deepEqual(found, [], formatReport(stack, found, "first preview").text);
            }
        });

        it("with Airflow and the endpoint on, every IAM member is known in a first preview and every policy decides", async () => {
            const options = withEndpoint("prod", { "metaflow-gcp:services": { argoWorkflows: false, airflow: true } });
            const preview = await renderFixture("prod", { ...options, preview: true });
            const grants = engineResources(preview).filter((r) => /IamMember|IAMMember/.test(r.type));
            assert.ok(grants.some((r) => String(r.props.member).startsWith("serviceAccount:mf-prod-airflow@")), "the Airflow bucket grant");
            assert.ok(grants.some((r) => String(r.props.member).startsWith("serviceAccount:mf-prod-iap@")), "the endpoint client's IAP grant");
            for (const grant of grants) {
                assert.ok(!JSON.stringify(grant.props.member).includes(UNKNOWN), `${grant.type} ${grant.name}: member built from known account IDs`);
            }
            // The generated policy config takes access.members from the stack file, which this
            // override does not touch, so member grants are judged elsewhere (tests/endpoint.test.ts);
            // what matters here is that no policy is left unable to decide.
            const found = await checkRendered(preview);
            const undecided = found.filter((f) => f.couldNotRunInPreview);
            assert.deepEqual(undecided, [], formatReport("prod", undecided, "first preview").text);
        });

        it("a pool's guestAccelerators left out are unknown in a first preview (provider-computed); gpu-quota and cost-budget count from the machine type", async () => {
            // The SDKv2 plan of an Optional+Computed block left out (offline/plannedState.ts).
            const preview = await renderStack("dev", { preview: true });
            const cpuPool = engineResources(preview).find((r) => r.type === "gcp:container/nodePool:NodePool" && !JSON.stringify(r.props.nodeConfig).includes("guestAccelerators"))!;
            assert.ok(cpuPool, "the CPU pool sets no guestAccelerators");
            assert.equal(cpuPool.outputs!.nodeConfig.guestAccelerators, UNKNOWN, "planned state: unknown");
            assert.equal(cpuPool.outputs!.nodeConfig.machineType, cpuPool.props.nodeConfig.machineType, "the machine type is known");
            for (const policy of ["gpu-quota", "cost-budget"]) {
                const found = await violations(policy, engineResources(preview), policyConfigFor("dev"));
                assert.deepEqual(found, [], `${policy} decides: ${found.map((f) => f.message).join(" | ")}`);
            }

            const g2 = structuredClone(cpuPool);
            g2.outputs!.nodeConfig.machineType = "g2-standard-24"; // 2 x L4 built in
            g2.outputs!.autoscaling.totalMaxNodeCount = 3;
            const over = await violations("gpu-quota", [g2], policyConfigFor("dev"));
            assert.equal(over.length, 1);
            assert.equal(over[0].couldNotRunInPreview, false);
            assert.match(over[0].message, /can reach 6 GPUs, over this environment's limit of 4 \(.*3 nodes x 2 nvidia-l4\)/);

            const blind = structuredClone(cpuPool);
            blind.outputs!.nodeConfig.machineType = UNKNOWN;
            const undecided = await violations("gpu-quota", [blind], policyConfigFor("dev"));
            assert.equal(undecided.length, 1);
            assert.equal(undecided[0].enforcementLevel, "mandatory");
            assert.match(undecided[0].message, /its GPUs cannot be counted before the update runs/);
        });

        it("gpu-quota, iam-scoped-to-environment and k8s-no-plaintext-secrets still decide on a bad first preview", async () => {
            const preview = await renderFixture("dev", { preview: true, config: { "metaflow-gcp:gpuPools": [{ name: "l4", machineType: "g2-standard-24", maxNodes: 3, spot: true }] } });
            const all = structuredClone(engineResources(preview));
            const quota = await violations("gpu-quota", structuredClone(all), policyConfigFor("dev"));
            assert.equal(quota.length, 1);
            assert.equal(quota[0].couldNotRunInPreview, false);
            assert.match(quota[0].message, /can reach 6 GPUs, over this environment's limit of 4/);

            const grant = all.find((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")!;
            assert.ok(!JSON.stringify(grant.props.member).includes(UNKNOWN), "members are built from known account IDs");
            grant.props.member = grant.props.member.replace("mf-dev-", "mf-prod-");
            await catches("iam-scoped-to-environment", [grant], policyConfigFor("dev"), "not one of this environment's service accounts");

            const deployment = all.find((r) => r.name === "services-metaflow-metadata")!;
            const env = deployment.props.spec.template.spec.containers[0].env;
            env.find((e: any) => e.name === "MF_METADATA_DB_PSWD").value = UNKNOWN;
            delete env.find((e: any) => e.name === "MF_METADATA_DB_PSWD").valueFrom;
            await catches("k8s-no-plaintext-secrets", [deployment], {}, "sets MF_METADATA_DB_PSWD as a plain value");
        });
    });

    describe("isolation", () => {
        it("environment-label", async () => {
            await passesOnStacks("environment-label", ["gcp:storage/bucket:Bucket"]);
            const bad = mutated(dev, "gcp:storage/bucket:Bucket", undefined, (p) => (p.labels = { environment: "prod" }));
            await catches("environment-label", [bad], policyConfigFor("dev"), "must carry label environment=dev, found environment=prod");
        });

        it("no-network-sharing", async () => {
            for (const stack of stacks) {
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
            const withMember = await renderFixture("dev", { config: { "metaflow-gcp:access": { members: [alice] } } });
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
            for (const stack of stacks) {
                assert.deepEqual(await violations("no-service-account-keys", resourcesOf(stack), {}), []);
            }
            await catches("no-service-account-keys", [bare("gcp:serviceaccount/key:Key", "metaflow-key", { serviceAccountId: "mf-dev-task" })], {}, "long-lived service-account key");
        });

        it("no-primitive-roles", async () => {
            await passesOnStacks("no-primitive-roles", ["gcp:projects/iAMMember:IAMMember"]);
            const bad = mutated(dev, "gcp:projects/iAMMember:IAMMember", NODE_ROLE_GRANT, (p) => (p.role = "roles/editor"));
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
    describe("node, IAM, exposure, RBAC and cross-environment rules", () => {
        const POOL = "gcp:container/nodePool:NodePool";
        const CLUSTER = "gcp:container/cluster:Cluster";

        it("gke-node-auto-repair-upgrade: a pool with auto-repair or auto-upgrade off is caught", async () => {
            await passesOnStacks("gke-node-auto-repair-upgrade", [POOL]);
            const off = mutated(dev, POOL, "cluster-cpu", (p) => (p.management = { autoRepair: false, autoUpgrade: false }));
            await catches("gke-node-auto-repair-upgrade", [off], {}, "turns autoRepair off", "turns autoUpgrade off");
            const omitted = mutated(dev, POOL, "cluster-cpu", (p) => delete p.management);
            assert.deepEqual(await violations("gke-node-auto-repair-upgrade", [omitted], {}), [], "omitted means on (the provider's default)");
        });

        it("gke-no-default-service-account: the Compute Engine default account, explicit or by omission, is caught", async () => {
            await passesOnStacks("gke-no-default-service-account", [POOL, CLUSTER]);
            const omitted = mutated(dev, POOL, "gpu-l4-pool", (p) => delete p.nodeConfig.serviceAccount);
            const explicit = mutated(dev, POOL, "cluster-cpu", (p) => (p.nodeConfig.serviceAccount = "123456789012-compute@developer.gserviceaccount.com"));
            const cluster = mutated(dev, CLUSTER, undefined, (p) => (p.nodeConfig.serviceAccount = "default"));
            const autopilot = bare(CLUSTER, "ap", { enableAutopilot: true, clusterAutoscaling: { autoProvisioningDefaults: { oauthScopes: [] } } });
            await catches("gke-no-default-service-account", [omitted, explicit, cluster, autopilot], {}, "sets no nodeConfig.serviceAccount", "(123456789012-compute@developer.gserviceaccount.com)", "(default)", "clusterAutoscaling.autoProvisioningDefaults.serviceAccount");
            const created = mutated(dev, POOL, "cluster-cpu", (p) => (p.nodeConfig.serviceAccount = UNKNOWN));
            assert.deepEqual(await violations("gke-no-default-service-account", [created], {}), [], "an account created in this update is not the default one");
        });

        it("gke-regional-pool-zones: per-zone limits on a regional pool without nodeLocations are caught, with the region's zone count", async () => {
            await passesOnStacks("gke-regional-pool-zones", [POOL]);
            const bad = mutated(prod, POOL, "cluster-cpu", (p) => {
                delete p.nodeLocations;
                p.location = "us-central1";
                p.autoscaling = { minNodeCount: 1, maxNodeCount: 3 };
            });
            // components/model/catalog.ts: us-central1 has 4 zones (a, b, c, f).
            await catches("gke-regional-pool-zones", [bad], {}, "in each of the region's 4 zones, up to 12 nodes");
            const zonal = mutated(dev, POOL, "cluster-cpu", (p) => {
                delete p.nodeLocations;
                p.autoscaling = { minNodeCount: 1, maxNodeCount: 3 };
            });
            assert.deepEqual(await violations("gke-regional-pool-zones", [zonal], {}), [], "a zonal pool's per-zone limit is its total");
        });

        it("no-public-principals: allUsers / allAuthenticatedUsers in any IAM resource are caught", async () => {
            await passesOnStacks("no-public-principals", ["gcp:storage/bucketIAMMember:BucketIAMMember"]);
            const bucket = mutated(dev, "gcp:storage/bucketIAMMember:BucketIAMMember", undefined, (p) => (p.member = "allUsers"));
            const run = bare("gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding", "ui", { role: "roles/run.invoker", members: ["user:a@example.com", "allAuthenticatedUsers"] });
            const project = bare("gcp:projects/iAMPolicy:IAMPolicy", "p", { project: "x", policyData: JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["allUsers"] }] }) });
            await catches("no-public-principals", [bucket, run, project], {}, "roles/storage.objectAdmin to allUsers", "to allAuthenticatedUsers: anyone with a Google account", "access to allUsers");
        });

        it("project-grants-allowed: project roles beyond the allowed list, for identities and access.members, are caught", async () => {
            await passesOnStacks("project-grants-allowed", ["gcp:projects/iAMMember:IAMMember"]);
            const config = { ...policyConfigFor("dev"), "project-grants-allowed": { ...(policyConfigFor("dev")["project-grants-allowed"] as object), members: ["user:ana@example.com"] } };
            const nodes = mutated(dev, "gcp:projects/iAMMember:IAMMember", NODE_ROLE_GRANT, (p) => (p.role = "roles/storage.admin"));
            const member = bare("gcp:projects/iAMMember:IAMMember", "ana-dev", { project: "x", role: "roles/container.admin", member: "user:ana@example.com" });
            const viewer = bare("gcp:projects/iAMMember:IAMMember", "ana-viewer", { project: "x", role: "roles/container.clusterViewer", member: "user:ana@example.com" });
            const stranger = bare("gcp:projects/iAMMember:IAMMember", "other", { project: "x", role: "roles/container.admin", member: "user:bob@example.com" });
            await catches("project-grants-allowed", [nodes, member], config, "grants roles/storage.admin on the whole project to serviceAccount:mf-dev-nodes@", "an identity of this environment", "roles/container.admin on the whole project to user:ana@example.com, one of access.members");
            assert.deepEqual(await violations("project-grants-allowed", [viewer, stranger], config), []);
        });

        it("project-grants-allowed: the task identity reads secrets only under the condition that keeps it to mf-<env>-*; unconditioned, broader or widened grants are caught", async () => {
            const secrets = (edit: (condition: Record<string, any> | undefined, p: Record<string, any>) => void) =>
                mutated(dev, "gcp:projects/iAMMember:IAMMember", "identity-secrets", (p) => edit(p.condition, p));
            const everySecret = secrets((_c, p) => delete p.condition);
            const wholeProject = secrets((c) => (c!.expression = 'resource.name.startsWith("projects/123456789012/secrets/")'));
            const prodSecrets = secrets((c) => (c!.expression = 'resource.name.startsWith("projects/123456789012/secrets/mf-prod-")'));
            const widened = secrets((c) => (c!.expression = `${c!.expression} || true`));
            await catches("project-grants-allowed", [everySecret, wholeProject, prodSecrets, widened], policyConfigFor("dev"), "roles/secretmanager.secretAccessor to serviceAccount:mf-dev-task@", "on every secret of the project");
            assert.equal((await violations("project-grants-allowed", [everySecret, wholeProject, prodSecrets, widened], policyConfigFor("dev"))).length, 4);
            assert.deepEqual(await violations("project-grants-allowed", [secrets(() => undefined)], policyConfigFor("dev")), [], "the rendered grant passes");
        });

        it("no-broad-roles-to-people: owner, editor or any administrator role on the project for a person or group is caught, even when not yet known", async () => {
            await passesOnStacks("no-broad-roles-to-people", ["gcp:projects/iAMMember:IAMMember"]);
            const grant = (name: string, props: Record<string, any>, type = "gcp:projects/iAMMember:IAMMember") => bare(type, name, { project: "x", ...props });
            // Not an access.member: project-grants-allowed lets this one through.
            const storageAdmin = grant("bob-storage", { role: "roles/storage.admin", member: "user:bob@example.com" });
            const group = grant("team-iam", { role: "roles/resourcemanager.projectIamAdmin", members: ["serviceAccount:ci@x.iam.gserviceaccount.com", "group:ml@example.com"] }, "gcp:projects/iAMBinding:IAMBinding");
            const editor = grant("domain-editor", { policyData: JSON.stringify({ bindings: [{ role: "roles/editor", members: ["domain:example.com"] }] }) }, "gcp:projects/iAMPolicy:IAMPolicy");
            const owner = grant("org-owner", { orgId: "1", role: "roles/owner", member: "user:bob@example.com" }, "gcp:organizations/iAMMember:IAMMember");
            const unknownMember = grant("who", { role: "roles/container.admin", member: UNKNOWN });
            const unknownRole = grant("what", { role: UNKNOWN, member: "user:bob@example.com" });
            await catches(
                "no-broad-roles-to-people",
                [storageAdmin, group, editor, owner, unknownMember, unknownRole],
                {},
                "grants roles/storage.admin to user:bob@example.com on the whole project",
                "grants roles/resourcemanager.projectIamAdmin to group:ml@example.com",
                "grants roles/editor to domain:example.com",
                "grants roles/owner to user:bob@example.com on the whole organization",
                "grants roles/container.admin to a member not known before the update runs",
                "grants a role not known before the update runs to user:bob@example.com",
            );
            assert.equal((await violations("no-broad-roles-to-people", [storageAdmin, group, editor, owner, unknownMember, unknownRole], {})).length, 6);
            const fine = [
                grant("viewer", { role: "roles/container.clusterViewer", member: "user:bob@example.com" }),
                grant("sa-admin", { role: "roles/storage.admin", member: "serviceAccount:deployer@x.iam.gserviceaccount.com" }),
                bare("gcp:storage/bucketIAMMember:BucketIAMMember", "bucket-admin", { bucket: "b", role: "roles/storage.admin", member: "user:bob@example.com" }),
                grant("sa-unknown-role", { role: UNKNOWN, member: "serviceAccount:mf-dev-task@x.iam.gserviceaccount.com" }),
            ];
            assert.deepEqual(await violations("no-broad-roles-to-people", fine, {}), [], "read roles, service accounts, and grants on one resource pass");
        });

        it("internet-wide CIDR lists: 0.0.0.0/1 + 128.0.0.0/1 in authorized networks and firewall sources are caught", async () => {
            const split = [{ cidrBlock: "0.0.0.0/1", displayName: "a" }, { cidrBlock: "128.0.0.0/1", displayName: "b" }];
            const cluster = mutated(dev, CLUSTER, undefined, (p) => (p.masterAuthorizedNetworksConfig = { cidrBlocks: split }));
            await catches("gke-control-plane-not-public", [cluster], {}, "together cover every IPv4 address");
            const firewall = bare("gcp:compute/firewall:Firewall", "halves", { direction: "INGRESS", sourceRanges: ["128.0.0.0/1", "0.0.0.0/1"], allows: [{ protocol: "tcp", ports: ["443"] }] });
            await catches("no-ingress-from-internet", [firewall], {}, "admits tcp:443 from the whole internet");
            const office = mutated(dev, CLUSTER, undefined, (p) => (p.masterAuthorizedNetworksConfig = { cidrBlocks: [{ cidrBlock: "0.0.0.0/1", displayName: "half" }] }));
            assert.deepEqual(await violations("gke-control-plane-not-public", [office], {}), [], "half the internet is not all of it (and config validation keeps such lists out anyway)");
        });

        it("external-exposure-behind-iap (i14's module, NodePort added): LoadBalancer/NodePort Services, Ingresses and Gateways without IAP are caught; an IAP-protected Gateway passes", async () => {
            await passesOnStacks("external-exposure-behind-iap", ["kubernetes:core/v1:Service"]);
            const ns = "metaflow-dev";
            const lb = mutated(dev, "kubernetes:core/v1:Service", "services-metaflow-ui-backend-svc", (p) => (p.spec.type = "LoadBalancer"));
            const nodePort = mutated(dev, "kubernetes:core/v1:Service", "services-metaflow-metadata-svc", (p) => (p.spec.type = "NodePort"));
            const ingress = bare("kubernetes:networking.k8s.io/v1:Ingress", "ui", { metadata: { name: "ui", namespace: ns }, spec: { defaultBackend: { service: { name: "metaflow-ui", port: { number: 3000 } } } } });
            const gateway = bare("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gw", { metadata: { name: "metaflow", namespace: ns }, spec: { gatewayClassName: "gke-l7-global-external-managed" } });
            const route = bare("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "route", {
                metadata: { name: "metaflow", namespace: ns },
                spec: { parentRefs: [{ name: "metaflow" }], rules: [{ backendRefs: [{ name: "metaflow-ui", port: 3000 }] }, { backendRefs: [{ name: "metaflow-metadata", port: 8080 }] }] },
            });
            const iap = (service: string, enabled: boolean) =>
                bare("kubernetes:networking.gke.io/v1:GCPBackendPolicy", `iap-${service}`, { metadata: { name: service, namespace: ns }, spec: { default: { iap: { enabled, clientID: "x" } }, targetRef: { group: "", kind: "Service", name: service } } });
            await catches(
                "external-exposure-behind-iap",
                [lb, nodePort, ingress, gateway, route, iap("metaflow-ui", true)],
                {},
                "is a LoadBalancer Service reachable from the internet without IAP",
                "is a NodePort Service: it opens a port on every node",
                'Ingress "ui" is an external Ingress',
                "to Service metaflow-dev/metaflow-metadata, which has no GCPBackendPolicy with iap.enabled",
            );
            await catches("external-exposure-behind-iap", [gateway, route, iap("metaflow-ui", true), iap("metaflow-metadata", false)], {}, "to Service metaflow-dev/metaflow-metadata");
            assert.deepEqual(await violations("external-exposure-behind-iap", [gateway, route, iap("metaflow-ui", true), iap("metaflow-metadata", true)], {}), []);
        });

        it("k8s-rbac-scoped: cluster-wide admin/edit bindings and RBAC outside the environment's namespace are caught", async () => {
            await passesOnStacks("k8s-rbac-scoped", ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"]);
            const crb = (role: string) =>
                bare("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", `crb-${role}`, {
                    metadata: { name: `x-${role}` },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
                    subjects: [{ kind: "ServiceAccount", name: "metaflow-task", namespace: "metaflow-dev" }],
                });
            const elsewhere = mutated(dev, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", undefined, (p) => (p.metadata.namespace = "kube-system"));
            const foreignSubject = mutated(dev, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", undefined, (p) => (p.subjects[0].namespace = "metaflow-prod"));
            await catches("k8s-rbac-scoped", [crb("cluster-admin"), crb("admin"), crb("edit"), elsewhere, foreignSubject], policyConfigFor("dev"), "binds ClusterRole cluster-admin cluster-wide", "binds ClusterRole admin", "binds ClusterRole edit", "is in namespace kube-system", "ServiceAccount metaflow-prod/");
            assert.deepEqual(await violations("k8s-rbac-scoped", [crb("view")], policyConfigFor("dev")), [], "view is harmless");
        });

        it("no-cross-environment-references: another stack's network, subnet, bucket, namespace or ranges are caught", async () => {
            await passesOnStacks("no-cross-environment-references", ["gcp:compute/subnetwork:Subnetwork"]);
            const p = stackFacts("prod", FIXTURE_STACKS);
            const subnet = mutated(dev, "gcp:compute/subnetwork:Subnetwork", undefined, (x) => (x.network = `projects/${p.project}/global/networks/${p.network}`));
            const cluster = mutated(dev, CLUSTER, undefined, (x) => (x.subnetwork = p.subnetwork));
            const grant = mutated(dev, "gcp:storage/bucketIAMMember:BucketIAMMember", undefined, (x) => (x.bucket = p.bucket));
            const secret = mutated(dev, "kubernetes:core/v1:Secret", undefined, (x) => (x.metadata.namespace = p.namespace));
            const firewall = mutated(dev, "gcp:compute/firewall:Firewall", "network-allow-internal", (x) => (x.sourceRanges = [p.ranges["network.podsCidr"]]));
            await catches(
                "no-cross-environment-references",
                [subnet, cluster, grant, secret, firewall],
                policyConfigFor("dev"),
                `stack prod's network ${p.network} at network`,
                `stack prod's subnet ${p.subnetwork} at subnetwork`,
                `stack prod's bucket ${p.bucket} at bucket`,
                `stack prod's namespace ${p.namespace} at metadata.namespace`,
                `stack prod's address range ${p.ranges["network.podsCidr"]}`,
            );
        });
    });
    describe("environments are data: a new environment is one stack file", () => {
        /** A directory laid out like the repository, holding copies of the fixture stacks and their limits. */
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
            fs.cpSync(FIXTURE_STACKS, dir, { recursive: true });
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
        const writeStack = (stack: string, text: string) => fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
        const devFile = () => fs.readFileSync(path.join(dir, "Pulumi.dev.yaml"), "utf8");

        it("a copy of Pulumi.dev.yaml saved as Pulumi.staging.yaml fails, naming each clash", async () => {
            writeStack("staging", devFile());
            const result = await checkStack("staging", { dir, renders: ["preview"] });
            assert.equal(result.failed, true);
            for (const clash of [
                'metaflow-gcp:environment "dev" is also Pulumi.dev.yaml\'s',
                "metaflow-gcp:network.subnetCidr 10.10.0.0/20 overlaps Pulumi.dev.yaml's network.subnetCidr 10.10.0.0/20",
                "metaflow-gcp:network.podsCidr 10.11.0.0/16 overlaps",
                "metaflow-gcp:network.servicesCidr 10.12.0.0/20 overlaps",
                "metaflow-gcp:network.privateServiceAccessCidr 10.13.0.0/20 overlaps",
                "Kubernetes namespace metaflow-dev (metaflow-gcp:services.namespace) is also Pulumi.dev.yaml's",
                `bucket ${stackFacts("dev", dir).bucket} (metaflow-gcp:storage.bucketName) is also Pulumi.dev.yaml's`,
            ]) {
                assert.ok(result.text.includes(clash), `no "${clash}" in:\n${result.text.slice(0, 2000)}`);
            }
            // The pack itself sees it too, through the forbidden lists of the generated config.
            assert.match(result.text, /no-cross-environment-references: .*\n.*refers to stack dev's network metaflow-dev/);
            // ...and dev now fails as well: its generated config forbids staging's (= its own) names.
            assert.match(JSON.stringify(generatedPolicyConfig("dev", dir)["no-cross-environment-references"]), /"stack":"staging"/);
        });

        it("a distinct staging passes with no other file edited (no limits file: the pack's defaults)", async () => {
            const staging = devFile()
                .replace("metaflow-gcp:environment: dev", "metaflow-gcp:environment: staging")
                .replace(/10\.1(\d)\.0\.0/g, "10.3$1.0.0");
            writeStack("staging", staging);
            assert.equal(readLimits("staging", dir)["gpu-quota"], undefined);
            const result = await checkStack("staging", { dir });
            assert.equal(result.failed, false, result.text);
            assert.match(result.text, /first preview, computed values unknown\): \d+ policies, 0 violation/);
        });

        it("every stack name Pulumi allows is found, and the no-argument check reports every failing stack", async () => {
            // pulumi/pulumi sdk/go/common/tokens/stack_name.go (stackNameRegex): letters, digits, -, _ and .
            writeStack("QA_team.v2", "config:\n  metaflow-gcp:environment: qa\n  metaflow-gcp:network: null\n");
            writeStack("broken-b", "config:\n  metaflow_gcp:environment: bb\n");
            assert.deepEqual(listStacks(dir), ["QA_team.v2", "broken-b", "dev", "prod"]);
            const result = await checkStacks(["QA_team.v2", "broken-b"], dir);
            assert.deepEqual(result.failures, ["QA_team.v2", "broken-b"]);
            assert.match(result.text, /metaflow-gcp:network = null: Invalid input: expected object, received null/);
            assert.match(result.text, /unknown config namespace "metaflow_gcp"; did you mean metaflow-gcp:environment\?/);
            assert.match(result.text, /2 of 2 stack\(s\) failed: QA_team\.v2, broken-b/);
        });
    });
});
