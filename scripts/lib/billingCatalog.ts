/**
 * Live list prices for a region from the Cloud Billing Catalog API (`services.skus.list`,
 * https://cloudbilling.googleapis.com/v1/services/<service>/skus; Google's docs, "Get Google Cloud
 * pricing information": an API key, or OAuth; pages of up to 5,000 SKUs with `nextPageToken`).
 * Used by `npm run policy-config` only: the policy pack runs inside `pulumi preview`, which hands
 * it nothing but config, so prices are resolved here and written into the config it reads.
 *
 * Credentials, first found wins: `CLOUD_BILLING_API_KEY` (an API key, sent as `key=`), else
 * Application Default Credentials (google-auth-library, scope cloud-billing.readonly; the user's
 * quota project must have the Cloud Billing API enabled). Without either, the embedded table.
 */
import { GoogleAuth } from "google-auth-library";
import { regionPrices } from "../../components/estimate/prices";
import { CATALOG_SERVICES, regionPricesFromCatalog, type CatalogService, type CatalogSku, type CatalogSkus } from "../../components/estimate/catalogPrices";
import type { RegionPrices } from "../../components/estimate/prices";

/** Where and how to ask the Catalog API. */
export interface CatalogAccess {
    /** API root; `CLOUD_BILLING_ENDPOINT` overrides it (tests point it at a local fake). */
    readonly endpoint: string;
    readonly apiKey?: string;
    /** Request headers with an OAuth token (ADC), when no API key is used. */
    readonly headers?: () => Promise<Record<string, string>>;
    /** Per request, in milliseconds. */
    readonly timeoutMs?: number;
}

const SCOPE = "https://www.googleapis.com/auth/cloud-billing.readonly";
const DEFAULT_ENDPOINT = "https://cloudbilling.googleapis.com";

/** The credentials this machine has for the Catalog API, or undefined when it has none. */
export async function catalogAccess(env: NodeJS.ProcessEnv = process.env): Promise<CatalogAccess | undefined> {
    const endpoint = env.CLOUD_BILLING_ENDPOINT || DEFAULT_ENDPOINT;
    if (env.CLOUD_BILLING_API_KEY) {
        return { endpoint, apiKey: env.CLOUD_BILLING_API_KEY };
    }
    try {
        const client = await new GoogleAuth({ scopes: [SCOPE] }).getClient();
        return {
            endpoint,
            headers: async () => {
                const headers = await client.getRequestHeaders(endpoint);
                return Object.fromEntries(headers instanceof Headers ? headers.entries() : Object.entries(headers as Record<string, string>));
            },
        };
    } catch {
        return undefined; // no Application Default Credentials
    }
}

/** Every SKU of one service, page by page. Throws with the API's own message on an error. */
export async function listSkus(access: CatalogAccess, serviceId: string): Promise<CatalogSku[]> {
    const skus: CatalogSku[] = [];
    let pageToken = "";
    do {
        const url = new URL(`/v1/services/${serviceId}/skus`, access.endpoint);
        url.searchParams.set("pageSize", "5000");
        url.searchParams.set("currencyCode", "USD");
        if (pageToken) {
            url.searchParams.set("pageToken", pageToken);
        }
        if (access.apiKey) {
            url.searchParams.set("key", access.apiKey);
        }
        const response = await fetch(url, { headers: (await access.headers?.()) ?? {}, signal: AbortSignal.timeout(access.timeoutMs ?? 60_000) });
        const text = await response.text();
        if (!response.ok) {
            let message = text.slice(0, 300);
            try {
                message = JSON.parse(text).error?.message ?? message;
            } catch {
                // not JSON: keep the text
            }
            throw new Error(`Cloud Billing Catalog API, services/${serviceId}/skus: HTTP ${response.status}: ${message}`);
        }
        const page = JSON.parse(text) as { skus?: CatalogSku[]; nextPageToken?: string };
        skus.push(...(page.skus ?? []));
        pageToken = page.nextPageToken ?? "";
    } while (pageToken);
    return skus;
}

/** Prices for the policy config: the catalog's, or the embedded table's with the reason. */
export interface ResolvedPrices {
    readonly region: string;
    readonly from: "catalog" | "embedded";
    /** The table the estimate uses; undefined: the embedded table has no row for the region. */
    readonly prices?: RegionPrices;
    /** Why the catalog was not used, or what it lacked (the embedded figure stood in). */
    readonly notes: readonly string[];
}

/**
 * The region's list prices: from the catalog when `access` is given (every service the estimate
 * needs, figure by figure over the embedded table), else the embedded table. A failed request
 * falls back to the embedded table with the API's message in `notes`, unless `strict`.
 */
export async function resolvePrices(region: string, access: CatalogAccess | undefined, options: { strict?: boolean; today?: string; withoutAccess?: string } = {}): Promise<ResolvedPrices> {
    const embedded = regionPrices(region);
    if (!access) {
        return { region, from: "embedded", prices: embedded, notes: [options.withoutAccess ?? "no Cloud Billing credentials (CLOUD_BILLING_API_KEY or Application Default Credentials): embedded list prices"] };
    }
    try {
        const skus: CatalogSkus = {};
        for (const [name, id] of Object.entries(CATALOG_SERVICES) as Array<[CatalogService, string]>) {
            skus[name] = await listSkus(access, id);
        }
        const today = options.today ?? new Date().toISOString().slice(0, 10);
        const catalog = regionPricesFromCatalog(region, skus, embedded, today);
        return { region, from: "catalog", prices: catalog.prices, notes: catalog.missing.map((m) => `${m}${embedded ? " (embedded figure used where prices.ts has one)" : ""}`) };
    } catch (err) {
        if (options.strict) {
            throw err;
        }
        return { region, from: "embedded", prices: embedded, notes: [`${(err as Error).message}: embedded list prices used`] };
    }
}
