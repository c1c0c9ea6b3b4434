import { strict as assert } from "assert";
import { ConfigError, PROFILE_DEFAULTS, parsePlatformConfig, platformConfigFrom } from "../components/config/config";
import { OFFLINE_PROJECT } from "../offline/render";
import { renderFixture, renderFixtureFailure } from "./harness/fixtures";

const base = { project: "acme-ml-dev", region: "us-central1", environment: "dev" };

/** The problems ConfigError lists for `raw`; fails the test if parsing succeeds. */
function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parsePlatformConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("config was accepted but should have been rejected");
}

function assertProblem(raw: Record<string, unknown>, ...fragments: string[]) {
    const problems = problemsOf(raw);
    const hit = problems.find((p) => fragments.every((f) => p.includes(f)));
    assert.ok(hit, `no problem mentions ${fragments.map((f) => JSON.stringify(f)).join(" + ")}; got:\n${problems.join("\n")}`);
}

describe("stack configuration", () => {
    describe("defaults", () => {
        it("development profile: zonal cluster, spot GPUs, small database without HA, disposable bucket", () => {
            const cfg = parsePlatformConfig(base);
            assert.equal(cfg.production, false);
            assert.equal(cfg.cluster.regional, false);
            assert.equal(cfg.cluster.mode, "standard");
            assert.equal(cfg.gpuPools[0].gpuType, "nvidia-l4");
            assert.equal(cfg.gpuPools[0].spot, true);
            assert.equal(cfg.gpuPools[0].minNodes, 0);
            assert.equal(cfg.database.tier, PROFILE_DEFAULTS.development.database.tier);
            assert.equal(cfg.database.highAvailability, false);
            assert.equal(cfg.storage.forceDestroy, true);
            assert.deepEqual(cfg.zones, ["us-central1-a", "us-central1-b", "us-central1-c"]);
        });

        it("production profile: regional, on-demand GPUs, HA database, protected bucket", () => {
            const cfg = parsePlatformConfig({ ...base, environment: "prod", production: true });
            assert.equal(cfg.cluster.regional, true);
            assert.equal(cfg.cluster.deletionProtection, true);
            assert.equal(cfg.gpuPools[0].spot, false);
            assert.equal(cfg.database.highAvailability, true);
            assert.equal(cfg.database.deletionProtection, true);
            assert.equal(cfg.storage.versioning, true);
            assert.equal(cfg.storage.forceDestroy, false);
            assert.equal(cfg.services.metadataReplicas, 2);
        });

        it("resolves GPUs per node from the machine type and zones from where the GPU exists", () => {
            const cfg = parsePlatformConfig({ ...base, gpuPools: [{ name: "big", machineType: "g2-standard-48" }] });
            assert.equal(cfg.gpuPools[0].gpusPerNode, 4);
            assert.deepEqual(cfg.gpuPools[0].zones, ["us-central1-a", "us-central1-b", "us-central1-c"]);
        });

        it("takes max_connections from the tier, whatever the replica counts, and names the bucket after project and environment", () => {
            const cfg = parsePlatformConfig(base);
            assert.equal(cfg.database.maxConnections, 25); // db-f1-micro: Cloud SQL's own default
            assert.equal(parsePlatformConfig({ ...base, database: { tier: "db-g1-small" } }).database.maxConnections, 140);
            const larger = { ...base, database: { tier: "db-custom-2-7680" }, cluster: { cpuPool: { machineType: "e2-standard-4" } } };
            const few = parsePlatformConfig({ ...larger, services: { metadataReplicas: 1, uiReplicas: 1 } });
            const many = parsePlatformConfig({ ...larger, services: { metadataReplicas: 4, uiReplicas: 3 } });
            assert.equal(few.database.maxConnections, 640);
            assert.equal(many.database.maxConnections, 640);
            assert.equal(cfg.storage.bucketName, "acme-ml-dev-metaflow-dev");
        });
    });

    describe("rejects bad input naming key, value and what is allowed", () => {
        it("an unknown GPU type", () => {
            assertProblem({ ...base, gpuPools: [{ name: "gpu", gpuType: "nvidia-rtx-4090" }] }, "metaflow-gcp:gpuPools[0].gpuType", '"nvidia-rtx-4090"', "nvidia-l4");
        });

        it("a machine type that cannot carry the GPU", () => {
            assertProblem(
                { ...base, gpuPools: [{ name: "gpu", gpuType: "nvidia-l4", machineType: "n1-standard-8" }] },
                "metaflow-gcp:gpuPools[0].machineType",
                '"n1-standard-8"',
                "g2-standard-4",
            );
        });

        it("a GPU count the machine type does not come with", () => {
            assertProblem({ ...base, gpuPools: [{ name: "gpu", machineType: "g2-standard-24", gpusPerNode: 1 }] }, "gpuPools[0].machineType", "exactly 2");
        });

        it("T4 with too many vCPUs for the GPU count", () => {
            assertProblem(
                { ...base, gpuPools: [{ name: "t4", gpuType: "nvidia-tesla-t4", machineType: "n1-standard-32", gpusPerNode: 1, zones: ["us-central1-a"] }] },
                "at most 24 vCPUs",
            );
        });

        it("max nodes below min nodes, for GPU and CPU pools", () => {
            assertProblem({ ...base, gpuPools: [{ name: "gpu", minNodes: 3, maxNodes: 1 }] }, "gpuPools[0].maxNodes", "= 1", "minNodes (3)");
            assertProblem({ ...base, cluster: { cpuPool: { minNodes: 4, maxNodes: 2 } } }, "cluster.cpuPool.maxNodes", "minNodes (4)");
        });

        it("a CPU pool that cannot carry the services on its minimum nodes or run Metaflow's default step, with the machine types that fit", () => {
            // e2-standard-2 offers pods 1930m, 1530m after GKE's DaemonSets (400m): dev's services
            // (500m) and GKE's add-ons (700m) fit one node, and a step gets a fresh node (maxNodes 3).
            assert.doesNotThrow(() => parsePlatformConfig({ ...base, cluster: { cpuPool: { machineType: "e2-standard-2" } } }));
            // With maxNodes 1 the step shares the node: 1930 - 400 - 700 - 500 = 330m left.
            assertProblem(
                { ...base, cluster: { cpuPool: { machineType: "e2-standard-2", maxNodes: 1 } } },
                'cluster.cpuPool.machineType = "e2-standard-2"',
                "cannot run Metaflow's default step (1 CPU, 4096 MB): beside the services",
                "a node has 0.33 CPU",
                "machine types that fit: e2-standard-4, n2-standard-4, e2-highmem-4",
                "raise maxNodes to 2",
            );
            // Ten replicas each (5000m of requests with the Argo server) + add-ons 700m = 5700m need
            // two e2-standard-4 nodes (3920 - 400 = 3520m each); an e2-standard-8 (7910 - 400) holds them.
            assert.doesNotThrow(() => parsePlatformConfig({ ...base, cluster: { cpuPool: { machineType: "e2-standard-4" } } }));
            assertProblem(
                { ...base, services: { metadataReplicas: 10, uiReplicas: 10 }, database: { tier: "db-custom-4-15360" }, cluster: { cpuPool: { machineType: "e2-standard-4" } } },
                "cluster.cpuPool.minNodes = 1",
                "the always-on pods need 2 e2-standard-4 node(s) but minNodes keeps 1",
                "the services request 5000m CPU",
                "machine types that fit: e2-standard-8",
            );
        });

        it("a CPU machine type the catalog does not know, and a GPU pool named like the CPU pool", () => {
            assertProblem({ ...base, cluster: { cpuPool: { machineType: "e2-standard-3" } } }, 'cluster.cpuPool.machineType = "e2-standard-3"', "use one of the series e2-standard");
            assertProblem({ ...base, gpuPools: [{ name: "cpu" }] }, 'gpuPools[0].name = "cpu"', "largestStep");
        });

        it("Autopilot checks the profile's default step against Autopilot's limits instead of a pool", () => {
            assert.doesNotThrow(() => parsePlatformConfig({ ...base, cluster: { mode: "autopilot", cpuPool: { machineType: "e2-standard-2" } } }));
        });

        it("overlapping CIDR ranges", () => {
            assertProblem({ ...base, network: { podsCidr: "10.10.0.0/16" } }, "network.subnetCidr (10.10.0.0/20) overlaps metaflow-gcp:network.podsCidr (10.10.0.0/16)");
        });

        it("a CIDR with host bits set or outside private space", () => {
            assertProblem({ ...base, network: { subnetCidr: "10.10.1.0/20" } }, "network.subnetCidr", "network address is 10.10.0.0/20");
            assertProblem({ ...base, network: { subnetCidr: "8.8.0.0/20" } }, "network.subnetCidr", "RFC 1918");
        });

        it("a Cloud SQL tier that does not exist in the chosen edition", () => {
            assertProblem({ ...base, database: { edition: "ENTERPRISE_PLUS", tier: "db-custom-2-7680" } }, "database.tier", "ENTERPRISE_PLUS takes only db-perf-optimized-N");
            assertProblem({ ...base, database: { edition: "ENTERPRISE", tier: "db-perf-optimized-N-4" } }, "database.tier", "ENTERPRISE takes db-f1-micro");
            assertProblem({ ...base, database: { tier: "db-custom-3-7680" } }, "database.tier", "1 or an even number");
        });

        it("a tier too small for the services' connections, naming each client's share", () => {
            // dev's pools: metadata (1+1) x 3 = 6, UI backend (2+1) x 6 pools x 1 = 18, reserved 7: 31 > 25.
            assertProblem({ ...base, services: { uiReplicas: 2 } }, "database.tier", "max_connections=25", "need 31 at peak", "UI backend x2");
        });

        it("replicas whose pools do not fit an explicit max_connections, and a value beyond the tier's memory", () => {
            assertProblem({ ...base, database: { tier: "db-g1-small", maxConnections: 25 }, services: { uiReplicas: 2 } }, "database.maxConnections", "need 31");
            assertProblem({ ...base, database: { tier: "db-g1-small", maxConnections: 500 } }, "database.maxConnections", "carries about 141");
            // aiopg's default 10 per UI pool: (1+1) x 3 + (3+1) x 6 x 10 + 7 = 253 > 140.
            assertProblem({ ...base, database: { tier: "db-g1-small" }, services: { uiReplicas: 3, uiDbPoolMax: 10 } }, "database.tier", "max_connections=140", "need 253");
        });

        it("a zone the region does not have (GKE would silently place the pool elsewhere)", () => {
            assertProblem({ ...base, zones: ["us-central1-a", "us-central1-z"] }, "zones[1]", "us-central1 has no zone us-central1-z", "us-central1-f");
            assertProblem({ ...base, gpuPools: [{ name: "l4", zones: ["us-central1-z"] }] }, "gpuPools[0].zones[0]", "has no zone us-central1-z");
        });

        it("a region without zone data: says so, and that listed zones are then checked for the region prefix only", () => {
            assertProblem({ ...base, region: "me-west1", gpuPools: [] }, "metaflow-gcp:zones", "no zone list for region me-west1", "region prefix");
            const cfg = parsePlatformConfig({ ...base, region: "me-west1", zones: ["me-west1-a"], gpuPools: [] });
            assert.deepEqual(cfg.zones, ["me-west1-a"]);
        });

        it("production without high availability", () => {
            assertProblem({ ...base, production: true, database: { highAvailability: false } }, "metaflow-gcp:database.highAvailability", "= false", "REGIONAL");
        });

        it("production with a shared-core tier, force-destroyable bucket or unprotected cluster", () => {
            assertProblem({ ...base, production: true, database: { tier: "db-g1-small" } }, "database.tier", "no SLA");
            assertProblem({ ...base, production: true, storage: { forceDestroy: true } }, "storage.forceDestroy");
            assertProblem({ ...base, production: true, cluster: { deletionProtection: false } }, "cluster.deletionProtection");
        });

        it("a control plane opened to the whole internet", () => {
            assertProblem(
                { ...base, cluster: { controlPlaneAccess: "authorizedNetworks", authorizedNetworks: [{ cidr: "0.0.0.0/0", name: "all" }] } },
                "cluster.authorizedNetworks[0].cidr",
                "whole internet",
            );
        });

        it("a GPU pool in a zone without that GPU", () => {
            assertProblem({ ...base, gpuPools: [{ name: "gpu", zones: ["us-central1-f"] }] }, "gpuPools[0].zones[0]", "not offered in us-central1-f");
        });

        it("orchestrator flags that cannot work together", () => {
            assertProblem({ ...base, services: { airflow: true } }, "services.airflow", "alternative orchestrators");
            assertProblem({ ...base, services: { argoWorkflows: false, argoEvents: true } }, "services.argoEvents");
        });

        it("misspelled nested keys", () => {
            assertProblem({ ...base, database: { teir: "db-g1-small" } }, "metaflow-gcp:database", "teir");
        });

        it("reports every problem at once", () => {
            const problems = problemsOf({ ...base, production: true, database: { highAvailability: false }, storage: { forceDestroy: true } });
            assert.ok(problems.length >= 2, problems.join("\n"));
        });
    });

    describe("fails before any resource is created", () => {
        it("an invalid stack file value stops the program with the key in the message", async () => {
            const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:gpuPools": [{ name: "l4", machineType: "e2-standard-4" }] } });
            assert.match(failure.error.message, /metaflow-gcp:gpuPools\[0\]\.machineType = "e2-standard-4": e2-standard-4 cannot carry nvidia-l4/);
            assert.equal(failure.resources.length, 0);
        });

        it("an unknown top-level key is an error, not a silent default", async () => {
            const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:gpuPool": "[]" } });
            assert.match(failure.error.message, /metaflow-gcp:gpuPool: unknown key/);
            assert.equal(failure.resources.length, 0);
        });
    });
    describe("config hygiene: namespaces, secrets, broken files", () => {
        const flat = { "gcp:project": "acme-ml-dev", "gcp:region": "us-central1", "metaflow-gcp:environment": "dev" };
        /** The problems of a flat stack config (as the CLI hands it over). */
        function flatProblems(extra: Record<string, string>, secretKeys: string[] = []): string[] {
            try {
                platformConfigFrom({ ...flat, ...extra }, "dev", new Set(secretKeys));
            } catch (err) {
                assert.ok(err instanceof ConfigError, String(err));
                return err.problems;
            }
            assert.fail("accepted");
        }

        it("authorized networks that together cover the internet are refused, not only 0.0.0.0/0", () => {
            const nets = [{ cidr: "0.0.0.0/1", name: "a" }, { cidr: "128.0.0.0/1", name: "b" }];
            assertProblem({ ...base, cluster: { controlPlaneAccess: "authorizedNetworks", authorizedNetworks: nets } }, "metaflow-gcp:cluster.authorizedNetworks", "together cover every IPv4 address");
        });

        it("a misspelled namespace or none is an error that suggests the right key", () => {
            assert.match(flatProblems({ "metaflow_gcp:production": "true" }).join("\n"), /metaflow_gcp:production: unknown config namespace "metaflow_gcp"; did you mean metaflow-gcp:production\?/);
            assert.match(flatProblems({ production: "true" }).join("\n"), /production: key has no namespace; write metaflow-gcp:production/);
        });

        it("a nested unknown key lists the valid ones, and never echoes what it holds", () => {
            const problems = flatProblems({ "metaflow-gcp:database": JSON.stringify({ tier: "db-g1-small", password: "hunter2-plain" }) }).join("\n");
            assert.match(problems, /metaflow-gcp:database: unknown key "password"; valid keys: enabled, edition, tier, version, highAvailability/);
            assert.ok(!problems.includes("hunter2-plain"), problems);
            assert.match(flatProblems({ "metaflow-gcp:cluster": JSON.stringify({ cpuPool: { machinetype: "e2-standard-4" } }) }).join("\n"), /metaflow-gcp:cluster\.cpuPool: unknown key "machinetype"; valid keys: machineType, minNodes/);
        });

        it("credentials in plain text are refused without echoing them; as Pulumi secrets they pass", () => {
            for (const key of ["gcp:credentials", "metaflow-gcp:apiToken", "kubernetes:password", "metaflow-gcp:slackWebhookSecret", "gcp:accessKey"]) {
                const problems = flatProblems({ [key]: "s3cr3t-value-xyz" }).join("\n");
                assert.match(problems, new RegExp(`${key}: holds a credential in plain text \\(value not shown\\)`));
                assert.ok(!problems.includes("s3cr3t-value-xyz"), problems);
            }
            // Marked secret by the CLI (PULUMI_CONFIG_SECRET_KEYS): no plain-text complaint about it.
            assert.ok(!flatProblems({ "gcp:credentials": "x", "metaflow-gcp:bogus": "1" }, ["gcp:credentials"]).join("\n").includes("gcp:credentials"));
        });

        it("a structure set to null is a config error naming the key, not a crash", async () => {
            assert.match(flatProblems({ "metaflow-gcp:network": "null" }).join("\n"), /metaflow-gcp:network = null: Invalid input: expected object, received null/);
            const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:network": null, "metaflow-gcp:cluster": null } });
            assert.ok(failure.error instanceof ConfigError, failure.error.stack);
            assert.match(failure.error.message, /metaflow-gcp:network = null/);
            assert.match(failure.error.message, /metaflow-gcp:cluster = null/);
        });

        it("gcp:project set in a stack file (the README's deploy step) changes nothing in the tests", async () => {
            const stack = await renderFixture("dev", { config: { "gcp:project": "acme-team-prod-42" } });
            assert.equal(stack.config["gcp:project"], OFFLINE_PROJECT);
            assert.ok(!JSON.stringify(stack.resources.map((r) => r.inputs)).includes("acme-team-prod-42"));
        });
    });
});
