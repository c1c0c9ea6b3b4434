import { strict as assert } from "assert";
import { checkSqlTier, machineFamily, pairGpuMachine } from "../components/model/catalog";
import { cidrContains, cidrsOverlap, coversWholeInternet, findOverlaps, isPrivateCidr, parseIpv4Cidr } from "../components/model/cidr";
import { buildKubeconfig } from "../components/model/kubeconfig";
import { connectionCapacity, initialNodesPerZone, maxConnectionsForTier, requiredConnections, serviceConnectionUses } from "../components/model/sizing";
import * as YAML from "yaml";

describe("GPU/machine pairing (cluster-toolkit gpu-definition)", () => {
    it("L4 machines carry a fixed number of GPUs", () => {
        const expected: Record<string, number> = { "g2-standard-4": 1, "g2-standard-12": 1, "g2-standard-24": 2, "g2-standard-48": 4, "g2-standard-96": 8 };
        for (const [machine, count] of Object.entries(expected)) {
            assert.deepEqual(pairGpuMachine("nvidia-l4", machine), { ok: true, gpusPerNode: count }, machine);
        }
    });

    it("A100 and H100 machines carry their fixed counts", () => {
        assert.deepEqual(pairGpuMachine("nvidia-tesla-a100", "a2-megagpu-16g"), { ok: true, gpusPerNode: 16 });
        assert.deepEqual(pairGpuMachine("nvidia-a100-80gb", "a2-ultragpu-2g"), { ok: true, gpusPerNode: 2 });
        assert.deepEqual(pairGpuMachine("nvidia-h100-80gb", "a3-highgpu-8g"), { ok: true, gpusPerNode: 8 });
    });

    it("a machine of another family is refused with the allowed list", () => {
        const result = pairGpuMachine("nvidia-h100-80gb", "a2-highgpu-8g");
        assert.equal(result.ok, false);
        assert.match(!result.ok ? result.reason : "", /allowed: a3-highgpu-8g/);
    });

    it("T4 pairs with N1 in 1, 2 or 4 with vCPU limits", () => {
        assert.deepEqual(pairGpuMachine("nvidia-tesla-t4", "n1-standard-8"), { ok: true, gpusPerNode: 1 });
        assert.deepEqual(pairGpuMachine("nvidia-tesla-t4", "n1-standard-32", 2), { ok: true, gpusPerNode: 2 });
        assert.equal(pairGpuMachine("nvidia-tesla-t4", "n1-standard-32", 1).ok, false);
        assert.equal(pairGpuMachine("nvidia-tesla-t4", "n1-standard-8", 3).ok, false);
        assert.equal(pairGpuMachine("nvidia-tesla-t4", "g2-standard-8").ok, false);
    });

    it("machine family is the first segment", () => {
        assert.equal(machineFamily("g2-standard-8"), "g2");
        assert.equal(machineFamily("a3-highgpu-8g"), "a3");
    });
});

describe("Cloud SQL tiers per edition", () => {
    it("ENTERPRISE takes shared-core and valid custom tiers", () => {
        assert.deepEqual(checkSqlTier("ENTERPRISE", "db-g1-small"), { ok: true, memoryMb: 1700, sharedCore: true });
        assert.deepEqual(checkSqlTier("ENTERPRISE", "db-custom-1-3840"), { ok: true, memoryMb: 3840, sharedCore: false });
        assert.deepEqual(checkSqlTier("ENTERPRISE", "db-custom-2-7680"), { ok: true, memoryMb: 7680, sharedCore: false });
    });

    it("ENTERPRISE refuses odd vCPUs, bad memory and perf-optimized tiers", () => {
        assert.equal(checkSqlTier("ENTERPRISE", "db-custom-3-7680").ok, false);
        assert.equal(checkSqlTier("ENTERPRISE", "db-custom-2-1000").ok, false);
        assert.equal(checkSqlTier("ENTERPRISE", "db-custom-2-7700").ok, false, "not a multiple of 256 MB");
        assert.equal(checkSqlTier("ENTERPRISE", "db-custom-1-8192").ok, false, "over 6.5 GB per vCPU");
        assert.equal(checkSqlTier("ENTERPRISE", "db-perf-optimized-N-2").ok, false);
    });

    it("ENTERPRISE_PLUS takes only perf-optimized tiers", () => {
        assert.deepEqual(checkSqlTier("ENTERPRISE_PLUS", "db-perf-optimized-N-4"), { ok: true, memoryMb: 32768, sharedCore: false });
        assert.equal(checkSqlTier("ENTERPRISE_PLUS", "db-f1-micro").ok, false);
        assert.equal(checkSqlTier("ENTERPRISE_PLUS", "db-perf-optimized-N-6").ok, false);
    });
});

describe("CIDR maths", () => {
    it("detects overlap both ways and containment", () => {
        assert.equal(cidrsOverlap("10.0.0.0/16", "10.0.128.0/20"), true);
        assert.equal(cidrsOverlap("10.0.128.0/20", "10.0.0.0/16"), true);
        assert.equal(cidrsOverlap("10.0.0.0/20", "10.0.16.0/20"), false);
        assert.equal(cidrContains("10.0.0.0/8", "10.20.0.0/16"), true);
        assert.equal(cidrContains("10.20.0.0/16", "10.0.0.0/8"), false);
    });

    it("knows when blocks together cover the whole internet, however it is split", () => {
        assert.equal(coversWholeInternet(["0.0.0.0/0"]), true);
        assert.equal(coversWholeInternet(["128.0.0.0/1", "0.0.0.0/1"]), true);
        assert.equal(coversWholeInternet(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2"]), true);
        assert.equal(coversWholeInternet(["0.0.0.0/1", "128.0.0.0/2"]), false, "a quarter is missing");
        assert.equal(coversWholeInternet(["0.0.0.0/1", "128.0.0.1/1"]), true, "host bits are normalized, as GCP does");
        assert.equal(coversWholeInternet(["0.0.0.0/1", "not a cidr", "255.255.255.255/32"]), false);
        assert.equal(coversWholeInternet([]), false);
    });

    it("lists every overlapping pair by name", () => {
        assert.deepEqual(findOverlaps({ a: "10.0.0.0/16", b: "10.0.1.0/24", c: "10.1.0.0/16" }), [["a", "b"]]);
    });

    it("rejects host bits and non-CIDR text, knows private space", () => {
        assert.throws(() => parseIpv4Cidr("10.0.1.0/16"), /network address is 10\.0\.0\.0\/16/);
        assert.throws(() => parseIpv4Cidr("10.0.0.0"), /not an IPv4 CIDR/);
        assert.equal(isPrivateCidr("172.16.0.0/12"), true);
        assert.equal(isPrivateCidr("100.64.0.0/10"), false);
    });
});

describe("database connection sizing", () => {
    const services = { enabled: true, metadataReplicas: 2, ui: true, uiReplicas: 2, metadataDbPoolMax: 10, uiDbPoolMax: 10 };

    it("counts every replica plus one surge pod per Deployment, six pools per UI backend, and the reserved connections", () => {
        // metaflow-service v2.5.0 ui_server.py opens six pools per UI backend (UI_BACKEND_POOLS);
        // reserved: 3 superuser_reserved_connections + 2 migration Job + 2 operator = 7.
        assert.equal(requiredConnections(serviceConnectionUses(services)), (2 + 1) * 10 + (2 + 1) * 6 * 10 + 7);
        assert.equal(requiredConnections(serviceConnectionUses({ ...services, ui: false })), (2 + 1) * 10 + 7);
        assert.equal(requiredConnections(serviceConnectionUses({ ...services, enabled: false })), 7);
    });

    it("is an easy-to-extend sum: another client's pools add to the total", () => {
        const uses = [...serviceConnectionUses(services), { who: "another client", connections: 40 }];
        assert.equal(requiredConnections(uses), requiredConnections(serviceConnectionUses(services)) + 40);
    });

    it("derives max_connections from the tier's memory alone", () => {
        assert.equal(maxConnectionsForTier(1700), 140); // db-g1-small
        assert.equal(maxConnectionsForTier(7680), 640); // db-custom-2-7680
        assert.ok(maxConnectionsForTier(7680) <= connectionCapacity(7680));
    });

    it("keeps Cloud SQL's own default (25) on db-f1-micro instead of spending its 614 MB on backends", () => {
        // floor(614 / 12) = 51 would be every megabyte of the instance at 12 MB per connection.
        assert.equal(connectionCapacity(614), 51);
        assert.equal(maxConnectionsForTier(614), 25);
    });

    it("shared-core tiers carry one replica of each service only with small pools, as dev sets them", () => {
        const one = { ...services, metadataReplicas: 1, uiReplicas: 1 };
        // aiopg's default pools: (1+1) x 10 + (1+1) x 6 x 10 + 7 = 147, more than db-g1-small's 140.
        assert.equal(requiredConnections(serviceConnectionUses(one)), 147);
        assert.ok(maxConnectionsForTier(1700) < requiredConnections(serviceConnectionUses(one)));
        // dev's pools: (1+1) x 3 + (1+1) x 6 x 1 + 7 = 6 + 12 + 7 = 25, exactly db-f1-micro's 25.
        const dev = { ...one, metadataDbPoolMax: 3, uiDbPoolMax: 1 };
        assert.equal(requiredConnections(serviceConnectionUses(dev)), 25);
        assert.equal(maxConnectionsForTier(614), 25);
        assert.ok(requiredConnections(serviceConnectionUses({ ...dev, metadataDbPoolMax: 4 })) > maxConnectionsForTier(614));
    });
});

describe("initial node count", () => {
    it("is per zone: the total minimum spread over the pool's zones, rounded up", () => {
        assert.equal(initialNodesPerZone(2, 3), 1);
        assert.equal(initialNodesPerZone(4, 3), 2);
        assert.equal(initialNodesPerZone(3, 3), 1);
        assert.equal(initialNodesPerZone(0, 3), 0);
        assert.equal(initialNodesPerZone(1, 1), 1);
    });
});

describe("kubeconfig", () => {
    it("authenticates with gke-gcloud-auth-plugin and never embeds credentials", () => {
        const doc = YAML.parse(buildKubeconfig({ name: "c", server: "https://gke-x.us-central1.gke.goog" }));
        assert.equal(doc["current-context"], "c");
        assert.equal(doc.users[0].user.exec.command, "gke-gcloud-auth-plugin");
        assert.equal(doc.users[0].user.token, undefined);
        assert.equal(doc.clusters[0].cluster["certificate-authority-data"], undefined);
        const withCa = YAML.parse(buildKubeconfig({ name: "c", server: "https://203.0.113.1", caData: "Q0E=" }));
        assert.equal(withCa.clusters[0].cluster["certificate-authority-data"], "Q0E=");
    });
});

describe("CIDR normalization (used by the firewall policy)", () => {
    it("writes a block with its network address and rejects non-CIDR text", async () => {
        const { normalizeCidr } = await import("../components/model/cidr");
        const { cidrWithin } = await import("../policy/helpers");
        assert.equal(normalizeCidr("10.10.1.0/20"), "10.10.0.0/20");
        assert.equal(normalizeCidr("nope"), undefined);
        assert.equal(cidrWithin("10.10.1.0/24", "10.10.0.0/20"), true);
        assert.equal(cidrWithin("10.10.1.0/20", "10.10.0.0/16"), true, "host bits are normalized as GCP does");
        assert.equal(cidrWithin("0.0.0.0/0", "10.10.0.0/16"), false);
        assert.equal(cidrWithin("garbage", "10.10.0.0/16"), false);
    });
});
