/**
 * List prices from the Cloud Billing Catalog API's SKUs (`services.skus.list`), for one region:
 * the pure half of the live price lookup (the request is scripts/lib/billingCatalog.ts). It maps
 * the SKUs the estimate needs onto a `RegionPrices`, keeping the embedded figure (prices.ts) for
 * whatever the catalog response does not give, and names every figure it could not find.
 *
 * The response format is the API's own: discovery document cloudbilling v1, schemas `Sku`,
 * `Category`, `PricingInfo`, `PricingExpression`, `TierRate`, `Money` (googleapis/google-api-go-client
 * `cloudbilling/v1/cloudbilling-api.json`); `Money.units` is an int64 sent as a string.
 * SKU descriptions are matched by their prefix and the region by `serviceRegions` (or
 * `geoTaxonomy.regions`): the catalog's names, e.g. "E2 Instance Core running in Americas",
 * "Spot Preemptible E2 Instance Core running in Netherlands", "Cloud SQL for PostgreSQL: Zonal -
 * vCPU in Netherlands", "Balanced PD Capacity in Netherlands", "Autopilot Pod mCPU Requests
 * (europe-west4)" (the mapping Cyclenerd/google-cloud-pricing-cost-calculator `build/mapping.csv`
 * uses for Compute Engine, and Cloud SQL and Autopilot descriptions as the catalog lists them).
 * A meter that matches no SKU, or SKUs with different prices, or an unexpected unit, is reported
 * rather than guessed.
 */
import { builtInGpus, machineShape } from "../model/catalog";
import type { FamilyRates, Price, RegionPrices, SpotPrices } from "./prices";

/** The Catalog API's service IDs of what the platform is billed for. */
export const CATALOG_SERVICES = {
    compute: "6F81-5844-456A",
    cloudSql: "9662-B51E-5089",
    gke: "CCD8-9BF1-090E",
    storage: "95FF-2EF5-5EA1",
} as const;
export type CatalogService = keyof typeof CATALOG_SERVICES;

/** A SKU as `services.skus.list` returns it: the fields read here. */
export interface CatalogSku {
    readonly name?: string;
    readonly skuId: string;
    readonly description: string;
    readonly category?: { readonly usageType?: string; readonly resourceGroup?: string };
    readonly serviceRegions?: readonly string[];
    readonly geoTaxonomy?: { readonly regions?: readonly string[] };
    readonly pricingInfo?: ReadonlyArray<{
        readonly effectiveTime?: string;
        readonly pricingExpression?: {
            readonly usageUnit?: string;
            readonly tieredRates?: ReadonlyArray<{ readonly startUsageAmount?: number; readonly unitPrice?: { readonly currencyCode?: string; readonly units?: string; readonly nanos?: number } }>;
        };
    }>;
}

/** One price the estimate needs, and how to find it among a service's SKUs. */
interface Meter {
    readonly service: CatalogService;
    /** The SKU description, up to the location. */
    readonly prefix: string;
    readonly usageType: "OnDemand" | "Preemptible";
    /** The SKU's `usageUnit` the price is per. */
    readonly unit: string;
    /** Our unit per the SKU's (1000 for Autopilot's mCPU). */
    readonly scale?: number;
    readonly per: string;
}

const core = (prefix: string, usageType: Meter["usageType"]): Meter => ({ service: "compute", prefix, usageType, unit: "h", per: "vCPU-hour" });
const ram = (prefix: string, usageType: Meter["usageType"]): Meter => ({ service: "compute", prefix, usageType, unit: "GiBy.h", per: "GiB-hour" });
const gpu = (prefix: string, usageType: Meter["usageType"]): Meter => ({ service: "compute", prefix, usageType, unit: "h", per: "GPU-hour" });
const monthly = (service: CatalogService, prefix: string): Meter => ({ service, prefix, usageType: "OnDemand", unit: "GiBy.mo", per: "GiB-month" });

/** Every meter, by the name the rest of this file uses. */
const METERS = {
    "e2.vcpu": core("E2 Instance Core running in ", "OnDemand"),
    "e2.ram": ram("E2 Instance Ram running in ", "OnDemand"),
    "n2.vcpu": core("N2 Instance Core running in ", "OnDemand"),
    "n2.ram": ram("N2 Instance Ram running in ", "OnDemand"),
    "n1.vcpu": core("N1 Predefined Instance Core running in ", "OnDemand"),
    "n1.ram": ram("N1 Predefined Instance Ram running in ", "OnDemand"),
    "g2.vcpu": core("G2 Instance Core running in ", "OnDemand"),
    "g2.ram": ram("G2 Instance Ram running in ", "OnDemand"),
    "a2.vcpu": core("A2 Instance Core running in ", "OnDemand"),
    "a2.ram": ram("A2 Instance Ram running in ", "OnDemand"),
    "nvidia-l4": gpu("Nvidia L4 GPU running in ", "OnDemand"),
    "nvidia-tesla-a100": gpu("Nvidia Tesla A100 GPU running in ", "OnDemand"),
    "nvidia-tesla-t4": gpu("Nvidia Tesla T4 GPU running in ", "OnDemand"),
    "spot.e2.vcpu": core("Spot Preemptible E2 Instance Core running in ", "Preemptible"),
    "spot.e2.ram": ram("Spot Preemptible E2 Instance Ram running in ", "Preemptible"),
    "spot.n2.vcpu": core("Spot Preemptible N2 Instance Core running in ", "Preemptible"),
    "spot.n2.ram": ram("Spot Preemptible N2 Instance Ram running in ", "Preemptible"),
    "spot.n1.vcpu": core("Spot Preemptible N1 Predefined Instance Core running in ", "Preemptible"),
    "spot.n1.ram": ram("Spot Preemptible N1 Predefined Instance Ram running in ", "Preemptible"),
    "spot.g2.vcpu": core("Spot Preemptible G2 Instance Core running in ", "Preemptible"),
    "spot.g2.ram": ram("Spot Preemptible G2 Instance Ram running in ", "Preemptible"),
    "spot.a2.vcpu": core("Spot Preemptible A2 Instance Core running in ", "Preemptible"),
    "spot.a2.ram": ram("Spot Preemptible A2 Instance Ram running in ", "Preemptible"),
    "spot.nvidia-l4": gpu("Nvidia L4 GPU attached to Spot Preemptible VMs running in ", "Preemptible"),
    "spot.nvidia-tesla-a100": gpu("Nvidia Tesla A100 GPU attached to Spot Preemptible VMs running in ", "Preemptible"),
    "spot.nvidia-tesla-t4": gpu("Nvidia Tesla T4 GPU attached to Spot Preemptible VMs running in ", "Preemptible"),
    "pd-standard": monthly("compute", "Storage PD Capacity in "),
    "pd-balanced": monthly("compute", "Balanced PD Capacity in "),
    "pd-ssd": monthly("compute", "SSD backed PD Capacity in "),
    "gcs.standard": monthly("storage", "Standard Storage "),
    "sql.vcpu": { service: "cloudSql", prefix: "Cloud SQL for PostgreSQL: Zonal - vCPU in ", usageType: "OnDemand", unit: "h", per: "vCPU-hour" },
    "sql.ram": { service: "cloudSql", prefix: "Cloud SQL for PostgreSQL: Zonal - RAM in ", usageType: "OnDemand", unit: "GiBy.h", per: "GiB-hour" },
    "sql.ssd": monthly("cloudSql", "Cloud SQL for PostgreSQL: Zonal - Standard storage in "),
    "sql.db-f1-micro": { service: "cloudSql", prefix: "Cloud SQL for PostgreSQL: Zonal - Micro instance in ", usageType: "OnDemand", unit: "h", per: "hour" },
    "sql.db-g1-small": { service: "cloudSql", prefix: "Cloud SQL for PostgreSQL: Zonal - Small instance in ", usageType: "OnDemand", unit: "h", per: "hour" },
    "autopilot.vcpu": { service: "gke", prefix: "Autopilot Pod mCPU Requests (", usageType: "OnDemand", unit: "h", scale: 1000, per: "vCPU-hour" },
    "autopilot.ram": { service: "gke", prefix: "Autopilot Pod Memory Requests (", usageType: "OnDemand", unit: "GiBy.h", per: "GiB-hour" },
    "autopilot.ephemeral": { service: "gke", prefix: "Autopilot Pod Ephemeral Storage Requests (", usageType: "OnDemand", unit: "GiBy.h", per: "GiB-hour" },
} as const satisfies Record<string, Meter>;
type MeterName = keyof typeof METERS;

/** `Money` in the currency's units (`units` is an int64 string). */
function amount(money: { units?: string; nanos?: number } | undefined): number {
    return Number(money?.units ?? 0) + (money?.nanos ?? 0) / 1e9;
}

/** A SKU's current price per its usage unit: the latest pricing, its first tier that costs something. */
function unitPrice(sku: CatalogSku): { usd: number; unit?: string; effective?: string; currency?: string } {
    const latest = sku.pricingInfo?.[sku.pricingInfo.length - 1];
    const tiers = latest?.pricingExpression?.tieredRates ?? [];
    const tier = tiers.find((t) => amount(t.unitPrice) > 0) ?? tiers[0];
    return { usd: amount(tier?.unitPrice), unit: latest?.pricingExpression?.usageUnit, effective: latest?.effectiveTime, currency: tier?.unitPrice?.currencyCode };
}

function inRegion(sku: CatalogSku, region: string): boolean {
    return (sku.serviceRegions ?? []).includes(region) || (sku.geoTaxonomy?.regions ?? []).includes(region);
}

/** What the catalog says for one meter in one region. */
type Reading = { price: Price } | { missing: string };

function read(name: MeterName, skus: readonly CatalogSku[] | undefined, region: string): Reading {
    const meter: Meter = METERS[name];
    const label = `${meter.prefix.trim().replace(/ (in|\()$/, "")} (${region})`;
    if (!skus) {
        return { missing: `${label}: the ${meter.service} service's SKUs were not fetched` };
    }
    const found = skus.filter((s) => s.description.startsWith(meter.prefix) && (s.category?.usageType ?? meter.usageType) === meter.usageType && inRegion(s, region));
    if (found.length === 0) {
        return { missing: `${label}: no SKU in the catalog` };
    }
    const prices = found.map((s) => ({ sku: s, ...unitPrice(s) }));
    if (prices.some((p) => p.unit !== meter.unit || (p.currency ?? "USD") !== "USD")) {
        return { missing: `${label}: SKU ${found[0].skuId} is priced per ${prices[0].unit} ${prices[0].currency ?? ""}, not USD per ${meter.unit}` };
    }
    if (new Set(prices.map((p) => p.usd)).size > 1 || prices[0].usd <= 0) {
        return { missing: `${label}: ${found.length} SKUs with different or zero prices (${found.map((s) => s.skuId).join(", ")})` };
    }
    const [first] = prices;
    const service = CATALOG_SERVICES[meter.service];
    return {
        price: {
            usd: first.usd * (meter.scale ?? 1),
            per: meter.per,
            source: `Cloud Billing Catalog API services/${service}/skus/${first.sku.skuId} "${first.sku.description}"${first.effective ? ` (effective ${first.effective})` : ""}`,
        },
    };
}

/** The catalog's SKUs per service, as fetched. */
export type CatalogSkus = Partial<Record<CatalogService, readonly CatalogSku[]>>;

/** The region's prices from the catalog, and what it lacked. */
export interface CatalogPrices {
    readonly prices: RegionPrices;
    /** Meters the catalog response did not price, each with the reason; the embedded figure (if any) stands in. */
    readonly missing: readonly string[];
}

/** A machine priced from its family's vCPU and GiB rates plus its built-in GPUs (G2, A2, shared-core E2). */
function machinePrice(machine: string, vcpuRate: Price | undefined, ramRate: Price | undefined, gpuRate: Price | undefined, shares?: { vcpus: number; gib: number }): Price | undefined {
    const shape = shares ?? (machineShape(machine) && { vcpus: machineShape(machine)!.vcpus, gib: machineShape(machine)!.memoryMb / 1024 });
    const gpus = builtInGpus(machine)?.count ?? 0;
    if (!shape || !vcpuRate || !ramRate || (gpus > 0 && !gpuRate)) {
        return undefined;
    }
    const usd = shape.vcpus * vcpuRate.usd + shape.gib * ramRate.usd + gpus * (gpuRate?.usd ?? 0);
    return { usd, per: "hour", source: `${shape.vcpus} x ${vcpuRate.source} + ${shape.gib} GiB x ${ramRate.source}${gpus ? ` + ${gpus} x ${gpuRate!.source}` : ""}` };
}

/** E2 shared-core shapes as billed: a quarter, half and one vCPU with 1, 2 and 4 GiB (they equal the catalog export's e2-micro/small/medium, prices.ts). */
const SHARED_CORE = { "e2-micro": { vcpus: 0.25, gib: 1 }, "e2-small": { vcpus: 0.5, gib: 2 }, "e2-medium": { vcpus: 1, gib: 4 } };
const G2_A2 = ["g2-standard-4", "g2-standard-8", "g2-standard-12", "g2-standard-16", "g2-standard-24", "g2-standard-32", "g2-standard-48", "g2-standard-96", "a2-highgpu-1g", "a2-highgpu-2g", "a2-highgpu-4g", "a2-highgpu-8g", "a2-megagpu-16g"];

/**
 * The region's price list from the catalog's SKUs, falling back, figure by figure, to `embedded`
 * (prices.ts) where the catalog response has none. `fetchedOn` (YYYY-MM-DD) dates the result.
 */
export function regionPricesFromCatalog(region: string, skus: CatalogSkus, embedded: RegionPrices | undefined, fetchedOn: string): CatalogPrices {
    const missing: string[] = [];
    const got: Partial<Record<MeterName, Price>> = {};
    for (const name of Object.keys(METERS) as MeterName[]) {
        const reading = read(name, skus[METERS[name].service], region);
        if ("price" in reading) {
            got[name] = reading.price;
        } else {
            missing.push(reading.missing);
        }
    }
    const family = (prefix: "" | "spot."): Record<string, FamilyRates> => {
        const rates: Record<string, FamilyRates> = {};
        for (const f of ["e2", "n2", "n1"] as const) {
            const vcpu = got[`${prefix}${f}.vcpu` as MeterName];
            const memoryGib = got[`${prefix}${f}.ram` as MeterName];
            if (vcpu && memoryGib) {
                rates[f] = { vcpu, memoryGib };
            }
        }
        return rates;
    };
    const onDemandFamilies = family("");
    const spotFamilies = family("spot.");
    const machinesFrom = (prefix: "" | "spot.") => {
        const out: Record<string, Price> = {};
        for (const machine of G2_A2) {
            const f = machine.slice(0, 2) as "g2" | "a2";
            const gpuName = f === "g2" ? "nvidia-l4" : "nvidia-tesla-a100";
            const price = machinePrice(machine, got[`${prefix}${f}.vcpu` as MeterName], got[`${prefix}${f}.ram` as MeterName], got[`${prefix}${gpuName}` as MeterName]);
            if (price) {
                out[machine] = price;
            }
        }
        for (const [machine, shares] of Object.entries(SHARED_CORE)) {
            const price = machinePrice(machine, got[`${prefix}e2.vcpu` as MeterName], got[`${prefix}e2.ram` as MeterName], undefined, shares);
            if (price) {
                out[machine] = price;
            }
        }
        return out;
    };
    const onDemandMachines = machinesFrom("");
    const spotMachines = machinesFrom("spot.");
    // A family priced from the catalog replaces the embedded per-machine figures of its shapes.
    const keepMachines = (machines: Readonly<Record<string, Price>> | undefined, families: Record<string, FamilyRates>) =>
        Object.fromEntries(Object.entries(machines ?? {}).filter(([m]) => !families[m.split("-")[0]]));
    const sourceNote = `Cloud Billing Catalog API (services.skus.list), fetched ${fetchedOn}${embedded ? `; what it lacked: ${embedded.dataset.source} (${embedded.dataset.asOf})` : ""}`;
    const cloudSql =
        got["sql.vcpu"] && got["sql.ram"] && got["sql.ssd"]
            ? {
                  vcpu: got["sql.vcpu"],
                  memoryGib: got["sql.ram"],
                  ssdGib: got["sql.ssd"],
                  sharedCore: { ...(got["sql.db-f1-micro"] ? { "db-f1-micro": { ...got["sql.db-f1-micro"], per: "hour" } } : {}), ...(got["sql.db-g1-small"] ? { "db-g1-small": got["sql.db-g1-small"] } : {}) },
              }
            : embedded?.cloudSql;
    const disk = (name: "pd-standard" | "pd-balanced" | "pd-ssd") => got[name] ?? embedded?.disks[name];
    const disks = { "pd-standard": disk("pd-standard"), "pd-balanced": disk("pd-balanced"), "pd-ssd": disk("pd-ssd") };
    const autopilot = got["autopilot.vcpu"] && got["autopilot.ram"] && got["autopilot.ephemeral"] ? { vcpu: got["autopilot.vcpu"], memoryGib: got["autopilot.ram"], ephemeralGib: got["autopilot.ephemeral"] } : embedded?.autopilot;
    const spot: SpotPrices = {
        dataset: { source: sourceNote, asOf: fetchedOn },
        families: { ...(embedded?.spot?.families ?? {}), ...spotFamilies },
        machines: { ...keepMachines(embedded?.spot?.machines, spotFamilies), ...spotMachines },
        attachedGpus: { ...(embedded?.spot?.attachedGpus ?? {}), ...(got["spot.nvidia-tesla-t4"] ? { "nvidia-tesla-t4": got["spot.nvidia-tesla-t4"] } : {}) },
    };
    const prices = {
        dataset: { source: sourceNote, asOf: fetchedOn },
        ...(autopilot ? { autopilot } : {}),
        families: { ...(embedded?.families ?? {}), ...onDemandFamilies },
        machines: keepMachines(embedded?.machines, onDemandFamilies),
        sharedCore: { ...(embedded?.sharedCore ?? {}), ...Object.fromEntries(Object.entries(onDemandMachines).filter(([m]) => m.startsWith("e2-"))) },
        gpuMachines: { ...(embedded?.gpuMachines ?? {}), ...Object.fromEntries(Object.entries(onDemandMachines).filter(([m]) => !m.startsWith("e2-"))) },
        attachedGpus: { ...(embedded?.attachedGpus ?? {}), ...(got["nvidia-tesla-t4"] ? { "nvidia-tesla-t4": got["nvidia-tesla-t4"] } : {}) },
        disks,
        ...(cloudSql ? { cloudSql } : {}),
        gcsStandard: got["gcs.standard"] ?? embedded?.gcsStandard,
        spot,
    };
    return { prices: prices as RegionPrices, missing };
}
