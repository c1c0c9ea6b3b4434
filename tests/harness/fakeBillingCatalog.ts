/**
 * A local fake of the Cloud Billing Catalog API's `services.skus.list`, on 127.0.0.1, for
 * scripts/lib/billingCatalog.ts. Request and response as Google defines them: GET
 * `/v1/services/{serviceId}/skus` with `key`, `pageSize` (at most 5,000), `currencyCode` and
 * `pageToken`; a `ListSkusResponse` `{skus, nextPageToken}` whose `Sku`, `Category`,
 * `PricingInfo`, `PricingExpression`, `TierRate` and `Money` (int64 `units` as a string) follow
 * the API's discovery document (googleapis/google-api-go-client `cloudbilling/v1/cloudbilling-api.json`)
 * and the example response of Google's "Get Google Cloud pricing information" page
 * (https://cloud.google.com/billing/v1/how-tos/catalog-api); errors are Google's JSON error body.
 * Prices served by tests are made up (round numbers), never real list prices.
 */
import * as http from "http";
import type { AddressInfo } from "net";

/** One SKU to serve: what a test decides; the rest of the JSON is filled in as the API shapes it. */
export interface FakeSku {
    readonly skuId: string;
    readonly description: string;
    readonly regions: readonly string[];
    readonly usd: number;
    readonly usageUnit: string;
    readonly usageType?: string;
    readonly resourceGroup?: string;
}

/** The API's JSON for a fake SKU of `serviceId`. */
export function skuJson(serviceId: string, s: FakeSku): Record<string, unknown> {
    const units = Math.floor(s.usd);
    return {
        name: `services/${serviceId}/skus/${s.skuId}`,
        skuId: s.skuId,
        description: s.description,
        category: { serviceDisplayName: "fake", resourceFamily: "Compute", resourceGroup: s.resourceGroup ?? "CPU", usageType: s.usageType ?? "OnDemand" },
        serviceRegions: s.regions,
        pricingInfo: [
            {
                summary: "",
                pricingExpression: {
                    usageUnit: s.usageUnit,
                    usageUnitDescription: s.usageUnit,
                    baseUnit: "s",
                    baseUnitDescription: "second",
                    baseUnitConversionFactor: 3600,
                    displayQuantity: 1,
                    tieredRates: [{ startUsageAmount: 0, unitPrice: { currencyCode: "USD", units: String(units), nanos: Math.round((s.usd - units) * 1e9) } }],
                },
                aggregationInfo: { aggregationLevel: "ACCOUNT", aggregationInterval: "DAILY", aggregationCount: 1 },
                currencyConversionRate: 1,
                effectiveTime: "2026-12-01T08:00:00.000Z",
            },
        ],
        serviceProviderName: "Google",
    };
}

/** A running fake: its URL, the requests it saw, and how to stop it. */
export interface FakeCatalog {
    readonly endpoint: string;
    readonly requests: Array<{ path: string; query: URLSearchParams; authorization?: string }>;
    close(): Promise<void>;
}

/**
 * Serves `skus` per service ID, `pageSize` at a time (default and most 5,000, as the API; fewer
 * with `maxPageSize`), following `pageToken`; `fail` answers every request with that HTTP status
 * and Google's error body.
 */
export async function startFakeCatalog(skus: Record<string, FakeSku[]>, options: { fail?: { status: number; message: string }; maxPageSize?: number } = {}): Promise<FakeCatalog> {
    const requests: FakeCatalog["requests"] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        requests.push({ path: url.pathname, query: url.searchParams, authorization: req.headers.authorization });
        const reply = (status: number, body: unknown) => {
            res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
            res.end(JSON.stringify(body));
        };
        if (options.fail) {
            reply(options.fail.status, { error: { code: options.fail.status, message: options.fail.message, status: "PERMISSION_DENIED" } });
            return;
        }
        const match = /^\/v1\/services\/([^/]+)\/skus$/.exec(url.pathname);
        if (req.method !== "GET" || !match || !skus[match[1]]) {
            reply(404, { error: { code: 404, message: `Requested entity was not found.`, status: "NOT_FOUND" } });
            return;
        }
        const all = skus[match[1]];
        const size = Math.min(Number(url.searchParams.get("pageSize") ?? 5000) || 5000, options.maxPageSize ?? 5000);
        const start = Number(url.searchParams.get("pageToken") || 0);
        const page = all.slice(start, start + size).map((s) => skuJson(match[1], s));
        reply(200, { skus: page, nextPageToken: start + size < all.length ? String(start + size) : "" });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        endpoint: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((resolve) => server.close(() => resolve())),
    };
}
