/**
 * Live list prices (item: a European dev stack must not fail cost-budget only because the
 * embedded table lacks its region): scripts/lib/billingCatalog.ts against a local fake of the
 * Cloud Billing Catalog API (tests/harness/fakeBillingCatalog.ts, the API's own response format),
 * the mapping of SKUs onto prices (components/estimate/catalogPrices.ts), and the cost policies
 * with and without the prices `npm run policy-config` resolves.
 */
import { strict as assert } from "assert";
import { CATALOG_SERVICES, regionPricesFromCatalog } from "../components/estimate/catalogPrices";
import { estimateCost } from "../components/estimate/cost";
import { regionPrices } from "../components/estimate/prices";
import { costBudget, costCoverage, footprintFromResources } from "../policy/cost";
import { runPolicies, type OfflineResource } from "../offline/policyRunner";
import { policyConfigFor } from "../scripts/policyCheck";
import { listSkus, resolvePrices, type CatalogAccess } from "../scripts/lib/billingCatalog";
import { withPrices } from "../scripts/policyConfig";
import { startFakeCatalog, type FakeCatalog, type FakeSku } from "./harness/fakeBillingCatalog";
import { FIXTURE_STACKS, renderFixture } from "./harness/fixtures";
import type { RenderedStack } from "../offline/render";

const EU = "europe-west4";
// Made-up prices (round numbers) in the catalog's own descriptions and units.
const CLOUD_SQL: FakeSku[] = [
    { skuId: "FAKE-SQL-CPU", description: "Cloud SQL for PostgreSQL: Zonal - vCPU in Netherlands", regions: [EU], usd: 0.05, usageUnit: "h" },
    { skuId: "FAKE-SQL-RAM", description: "Cloud SQL for PostgreSQL: Zonal - RAM in Netherlands", regions: [EU], usd: 0.008, usageUnit: "GiBy.h", resourceGroup: "RAM" },
    { skuId: "FAKE-SQL-SSD", description: "Cloud SQL for PostgreSQL: Zonal - Standard storage in Netherlands", regions: [EU], usd: 0.2, usageUnit: "GiBy.mo", resourceGroup: "SSD" },
    { skuId: "FAKE-SQL-MICRO", description: "Cloud SQL for PostgreSQL: Zonal - Micro instance in Netherlands", regions: [EU], usd: 0.012, usageUnit: "h" },
    { skuId: "FAKE-SQL-SMALL", description: "Cloud SQL for PostgreSQL: Zonal - Small instance in Netherlands", regions: [EU], usd: 0.04, usageUnit: "h" },
    { skuId: "FAKE-SQL-REG", description: "Cloud SQL for PostgreSQL: Regional - vCPU in Netherlands", regions: [EU], usd: 0.1, usageUnit: "h" },
    { skuId: "FAKE-SQL-US", description: "Cloud SQL for PostgreSQL: Zonal - vCPU in Americas", regions: ["us-central1"], usd: 0.04, usageUnit: "h" },
];
const COMPUTE: FakeSku[] = [
    { skuId: "FAKE-E2-CPU", description: "E2 Instance Core running in Netherlands", regions: [EU], usd: 0.03, usageUnit: "h" },
    { skuId: "FAKE-E2-RAM", description: "E2 Instance Ram running in Netherlands", regions: [EU], usd: 0.004, usageUnit: "GiBy.h", resourceGroup: "RAM" },
    { skuId: "FAKE-E2-SPOT-CPU", description: "Spot Preemptible E2 Instance Core running in Netherlands", regions: [EU], usd: 0.02, usageUnit: "h", usageType: "Preemptible" },
    { skuId: "FAKE-E2-SPOT-RAM", description: "Spot Preemptible E2 Instance Ram running in Netherlands", regions: [EU], usd: 0.002, usageUnit: "GiBy.h", usageType: "Preemptible" },
    { skuId: "FAKE-E2-1Y", description: "Commitment v1: E2 Cpu in Netherlands for 1 Year", regions: [EU], usd: 0.01, usageUnit: "h", usageType: "Commit1Yr" },
    { skuId: "FAKE-PD-BAL", description: "Balanced PD Capacity in Netherlands", regions: [EU], usd: 0.2, usageUnit: "GiBy.mo", resourceGroup: "SSD" },
];

async function withFake<T>(skus: Record<string, FakeSku[]>, run: (fake: FakeCatalog, access: CatalogAccess) => Promise<T>, options = {}): Promise<T> {
    const fake = await startFakeCatalog(skus, options);
    try {
        return await run(fake, { endpoint: fake.endpoint, apiKey: "test-key", timeoutMs: 10_000 });
    } finally {
        await fake.close();
    }
}

function resourcesOf(stack: RenderedStack): OfflineResource[] {
    return stack.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: structuredClone(r.inputs) }));
}

describe("list prices from the Cloud Billing Catalog API", () => {
    it("lists a service's SKUs page by page, with the API key, page size and currency the API takes", async () => {
        await withFake(
            { [CATALOG_SERVICES.compute]: COMPUTE },
            async (fake, access) => {
                const skus = await listSkus(access, CATALOG_SERVICES.compute);
                assert.deepEqual(skus.map((s) => s.skuId), COMPUTE.map((s) => s.skuId));
                assert.equal(fake.requests.length, 3, "two SKUs a page, three pages");
                assert.deepEqual(fake.requests.map((r) => r.query.get("pageToken") ?? ""), ["", "2", "4"]);
                for (const r of fake.requests) {
                    assert.equal(r.path, `/v1/services/${CATALOG_SERVICES.compute}/skus`);
                    assert.equal(r.query.get("key"), "test-key");
                    assert.equal(r.query.get("pageSize"), "5000");
                    assert.equal(r.query.get("currencyCode"), "USD");
                }
                assert.equal(skus[0].pricingInfo?.[0].pricingExpression?.tieredRates?.[0].unitPrice?.units, "0", "Money.units is an int64 string");
            },
            { maxPageSize: 2 },
        );
    });

    it("with Application Default Credentials, sends their token instead of a key", async () => {
        await withFake({ [CATALOG_SERVICES.cloudSql]: CLOUD_SQL }, async (fake) => {
            await listSkus({ endpoint: fake.endpoint, headers: async () => ({ authorization: "Bearer adc-token" }) }, CATALOG_SERVICES.cloudSql);
            assert.equal(fake.requests[0].authorization, "Bearer adc-token");
            assert.equal(fake.requests[0].query.get("key"), null);
        });
    });

    it("prices Cloud SQL in europe-west4 from its SKUs, keeps the embedded figures where the catalog has none, and names what it lacked", async () => {
        const skus = { [CATALOG_SERVICES.compute]: COMPUTE, [CATALOG_SERVICES.cloudSql]: CLOUD_SQL, [CATALOG_SERVICES.gke]: [], [CATALOG_SERVICES.storage]: [] };
        const resolved = await withFake(skus, (_fake, access) => resolvePrices(EU, access, { today: "2026-12-06" }));
        assert.equal(resolved.from, "catalog");
        const table = resolved.prices!;
        assert.equal(table.dataset.asOf, "2026-12-06");
        assert.deepEqual([table.cloudSql!.vcpu.usd, table.cloudSql!.memoryGib.usd, table.cloudSql!.ssdGib.usd, table.cloudSql!.sharedCore["db-f1-micro"].usd], [0.05, 0.008, 0.2, 0.012]);
        assert.match(table.cloudSql!.vcpu.source, /services\/9662-B51E-5089\/skus\/FAKE-SQL-CPU "Cloud SQL for PostgreSQL: Zonal - vCPU in Netherlands" \(effective 2026-12-01/);
        assert.deepEqual([table.families.e2!.vcpu.usd, table.spot!.families.e2!.vcpu.usd, table.disks["pd-balanced"].usd], [0.03, 0.02, 0.2], "on demand, spot (Preemptible SKUs) and disks; commitments ignored");
        assert.ok(Math.abs(table.sharedCore["e2-medium"].usd - (0.03 + 4 * 0.004)) < 1e-12, "shared-core E2 from the family's rates");
        const embedded = regionPrices(EU)!;
        assert.equal(table.disks["pd-ssd"], embedded.disks["pd-ssd"], "not in the response: the embedded figure stands in");
        assert.equal(table.gcsStandard, embedded.gcsStandard);
        assert.ok(resolved.notes.some((n) => /^Autopilot Pod mCPU Requests \(europe-west4\): no SKU in the catalog/.test(n)), resolved.notes.join("\n"));
        assert.ok(resolved.notes.some((n) => /^SSD backed PD Capacity \(europe-west4\): no SKU in the catalog/.test(n)));
    });

    it("a SKU in another unit or currency, or two SKUs with different prices, is reported, not used", () => {
        const odd = regionPricesFromCatalog(EU, { cloudSql: [
            { skuId: "A", description: "Cloud SQL for PostgreSQL: Zonal - vCPU in Netherlands", serviceRegions: [EU], pricingInfo: [{ pricingExpression: { usageUnit: "mo", tieredRates: [{ unitPrice: { currencyCode: "USD", units: "30" } }] } }] },
            { skuId: "B", description: "Cloud SQL for PostgreSQL: Zonal - RAM in Netherlands", serviceRegions: [EU], pricingInfo: [{ pricingExpression: { usageUnit: "GiBy.h", tieredRates: [{ unitPrice: { currencyCode: "USD", nanos: 8_000_000 } }] } }] },
            { skuId: "C", description: "Cloud SQL for PostgreSQL: Zonal - RAM in Netherlands", serviceRegions: [EU], pricingInfo: [{ pricingExpression: { usageUnit: "GiBy.h", tieredRates: [{ unitPrice: { currencyCode: "USD", nanos: 9_000_000 } }] } }] },
        ] }, undefined, "2026-12-06");
        assert.ok(odd.missing.some((m) => /Zonal - vCPU \(europe-west4\): SKU A is priced per mo USD, not USD per h/.test(m)), odd.missing.join("\n"));
        assert.ok(odd.missing.some((m) => /Zonal - RAM \(europe-west4\): 2 SKUs with different or zero prices \(B, C\)/.test(m)));
        assert.equal(odd.prices.cloudSql, undefined);
    });

    it("a refused request falls back to the embedded table with the API's message; asked for the catalog only, it fails", async () => {
        const fail = { fail: { status: 403, message: "Cloud Billing API has not been used in project 123 before or it is disabled." } };
        const resolved = await withFake({}, (_fake, access) => resolvePrices(EU, access), fail);
        assert.equal(resolved.from, "embedded");
        assert.equal(resolved.prices, regionPrices(EU));
        assert.match(resolved.notes[0], /services\/6F81-5844-456A\/skus: HTTP 403: Cloud Billing API has not been used in project 123/);
        await assert.rejects(withFake({}, (_fake, access) => resolvePrices(EU, access, { strict: true }), fail), /HTTP 403: Cloud Billing API has not been used/);
        const offline = await resolvePrices(EU, undefined);
        assert.equal(offline.from, "embedded");
        assert.match(offline.notes[0], /no Cloud Billing credentials/);
    });
});

describe("a European dev stack (Cloud SQL in europe-west4)", () => {
    let eu: RenderedStack;
    before(async () => {
        eu = await renderFixture("dev", { config: { "gcp:region": EU, "metaflow-gcp:zones": [`${EU}-a`, `${EU}-b`, `${EU}-c`] } });
    });

    it("does not fail cost-budget only because the embedded table lacks its region's Cloud SQL prices; cost-coverage names them (advisory)", async () => {
        const config = policyConfigFor("dev", FIXTURE_STACKS);
        assert.deepEqual(await runPolicies([costBudget], resourcesOf(eu), config), [], "cost-budget judges what is priced");
        const coverage = await runPolicies([costCoverage], resourcesOf(eu), config);
        assert.equal(coverage.length, 1);
        assert.equal(coverage[0].enforcementLevel, "advisory");
        assert.match(coverage[0].message, /^Not priced in europe-west4, .*database: Cloud SQL ENTERPRISE list prices .* for europe-west4 are not recorded/);
    });

    it("with the prices npm run policy-config resolves from the catalog, the database is priced and judged", async () => {
        const skus = { [CATALOG_SERVICES.compute]: COMPUTE, [CATALOG_SERVICES.cloudSql]: CLOUD_SQL, [CATALOG_SERVICES.gke]: [], [CATALOG_SERVICES.storage]: [] };
        const resolved = await withFake(skus, (_fake, access) => resolvePrices(EU, access, { today: "2026-12-06" }));
        const config = withPrices(policyConfigFor("dev", FIXTURE_STACKS), resolved);
        assert.deepEqual(await runPolicies([costCoverage], resourcesOf(eu), config), [], "everything priced");
        const estimate = estimateCost(footprintFromResources(resourcesOf(eu) as any)!, resolved.prices);
        const db = estimate.idle.find((i) => i.item === "Cloud SQL instance")!;
        assert.equal(db.monthlyUsd, Math.round(0.012 * 730 * 100) / 100, "db-f1-micro at the catalog's Micro instance SKU");
        const tight = withPrices({ ...config, "cost-budget": { maxIdleMonthlyUsd: 10, maxGpuHourUsd: 5 } }, resolved);
        const refused = await runPolicies([costBudget], resourcesOf(eu), tight);
        assert.equal(refused.length, 1);
        assert.match(refused[0].message, new RegExp(`Idle cost is about \\$${estimate.idleMonthlyUsd.toFixed(2)}/month at list prices, over this environment's limit of \\$10`));
        assert.match(refused[0].message, /Cloud SQL instance \$8\.76/);
    });
});
