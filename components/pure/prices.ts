/**
 * Google Cloud list prices the cost estimate uses: one table, each number with the page it was
 * read from and when. These are LIST PRICES in USD, before taxes, committed-use or sustained-use
 * discounts, negotiated rates and free-tier usage other than what is named here; your invoice
 * can differ. Google changes prices; re-check the pages below before relying on a figure, and
 * update `PRICES_CHECKED` when you do.
 *
 * Checked on PRICES_CHECKED against the pages themselves (as indexed copies): the GKE fee and
 * free-tier credit, Cloud NAT (gateway, data, IP), Artifact Registry, Cloud Storage Standard by
 * region, Cloud SQL ENTERPRISE per vCPU and per GiB, the Autopilot vCPU rate, and the spot
 * discount range. The remaining us-central1 figures (E2/N2/N1 rates, G2/A2 machines, T4, disks,
 * shared-core Cloud SQL tiers and SSD storage, Autopilot memory and ephemeral storage) are the
 * published list prices as last read from the pages named next to them, and agree with the
 * figures in the project's reference notes (e2-standard-4 $0.134/h, g2-standard-4 $0.71/h,
 * db-f1-micro $7.7 and db-g1-small $25.6 a month, db-custom-1-3840 $49): re-read those pages
 * before quoting a figure to anyone.
 *
 * Regions: only regions with a complete entry in `REGION_PRICES` are priced. A region of our
 * catalog (`REGION_ZONES` in catalog.ts) without an entry is reported as "not priced" by the
 * estimate and refused by the `cost-budget` policy, never guessed from another region.
 */

/** When the figures below were last compared with Google's pricing pages. */
export const PRICES_CHECKED = "2026-11-27";

/** Hours in Google's billing month (the figure Google's pricing pages use for monthly prices). */
export const HOURS_PER_MONTH = 730;

/** One price and where it comes from. */
export interface Price {
    readonly usd: number;
    /** What the price is per, e.g. "hour", "GiB-month". */
    readonly per: string;
    /** The pricing page (and table / SKU) the figure is read from. */
    readonly source: string;
}

const GKE_PRICING = "https://cloud.google.com/kubernetes-engine/pricing";
const VM_PRICING = "https://cloud.google.com/compute/vm-instance-pricing";
const GPU_PRICING = "https://cloud.google.com/compute/gpus-pricing";
const DISK_PRICING = "https://cloud.google.com/compute/disks-image-pricing";
const SQL_PRICING = "https://cloud.google.com/sql/pricing";
const NAT_PRICING = "https://cloud.google.com/nat/pricing";
const GCS_PRICING = "https://cloud.google.com/storage/pricing";
const AR_PRICING = "https://cloud.google.com/artifact-registry/pricing";

/** Prices that are the same in every region. */
export const GLOBAL_PRICES = {
    /** GKE cluster management fee, every mode and topology. */
    gkeClusterFee: { usd: 0.1, per: "cluster-hour", source: `${GKE_PRICING} ("cluster management fee")` },
    /**
     * GKE free tier: a monthly credit per billing account, applied only to zonal Standard and
     * Autopilot cluster fees (never regional Standard clusters, never compute). One such cluster
     * per billing account is free; a second environment on the same billing account pays its fee.
     */
    gkeFreeTierCredit: { usd: 74.4, per: "billing-account-month", source: `${GKE_PRICING} ("Free tier")` },
    /** Cloud NAT gateway, per VM that gets a NAT assignment (up to 32 VMs; capped above). */
    natGatewayPerVm: { usd: 0.0014, per: "VM-hour", source: `${NAT_PRICING} (Public NAT, up to 32 VM instances)` },
    natGatewayCap: { usd: 0.044, per: "hour", source: `${NAT_PRICING} (Public NAT, more than 32 VM instances)` },
    /** Data processed by the gateway, both directions. Not part of the idle estimate. */
    natDataProcessing: { usd: 0.045, per: "GiB", source: `${NAT_PRICING} (price per GiB processed)` },
    /** Each static or ephemeral external IP address a NAT gateway uses. */
    natIp: { usd: 0.005, per: "IP-hour", source: `${NAT_PRICING} (external IP address used by a NAT gateway)` },
    /** Artifact Registry storage above the free 0.5 GB per billing account. */
    registryStorage: { usd: 0.1, per: "GB-month", source: `${AR_PRICING} (storage, over 0.5 GB)` },
    registryFreeGb: { usd: 0.5, per: "GB (free)", source: `${AR_PRICING} (storage, up to 0.5 GB free)` },
} as const satisfies Record<string, Price>;

/**
 * Spot prices change up to once a day, so no fixed spot figure is kept. Google states that spot
 * prices always give 60-91% off the on-demand price of vCPUs, memory and GPUs (GKE pricing page,
 * footnote of the Autopilot tables; Spot VMs pricing page, https://cloud.google.com/spot-vms/pricing).
 * The estimate therefore prices spot at 40% of on-demand: the most spot can cost, which is the
 * right side to err on for a budget. (The E2 rates on the Spot VMs page when checked, $0.00872
 * per vCPU-hour and $0.001169 per GiB-hour, are exactly 40% of the us-central1 E2 rates below.)
 */
export const SPOT_MAX_FRACTION_OF_ON_DEMAND = 0.4;

/** Per-vCPU and per-GiB-of-memory hourly prices of a machine family (predefined shapes). */
export interface FamilyRates {
    readonly vcpu: Price;
    readonly memoryGib: Price;
}

/** Everything priced per region. */
export interface RegionPrices {
    /** Autopilot general-purpose Pods (on-demand); billed on Pod requests. */
    readonly autopilot: { readonly vcpu: Price; readonly memoryGib: Price; readonly ephemeralGib: Price };
    /** Machine families priced by vCPU and memory (E2, N2, N1 predefined shapes). */
    readonly families: Readonly<Record<"e2" | "n2" | "n1", FamilyRates>>;
    /** Shared-core E2 shapes, priced per machine. */
    readonly sharedCore: Readonly<Record<string, Price>>;
    /** Accelerator-optimized machines, priced per machine including their GPUs (G2, A2). */
    readonly gpuMachines: Readonly<Record<string, Price>>;
    /** GPUs attached to N1 machines, per GPU. */
    readonly attachedGpus: Readonly<Record<string, Price>>;
    /** Persistent disk per GiB-month, by disk type. */
    readonly disks: Readonly<Record<"pd-standard" | "pd-balanced" | "pd-ssd", Price>>;
    /** Cloud SQL ENTERPRISE edition (zonal; HA doubles each figure). */
    readonly cloudSql: {
        readonly vcpu: Price;
        readonly memoryGib: Price;
        readonly sharedCore: Readonly<Record<string, Price>>;
        readonly ssdGib: Price;
    };
    /** Cloud Storage Standard class in a regional bucket. */
    readonly gcsStandard: Price;
}

const vm = (usd: number, what: string): Price => ({ usd, per: "hour", source: `${VM_PRICING} (us-central1, ${what})` });
const g2 = (usd: number, machine: string): Price => ({ usd, per: "hour", source: `${VM_PRICING} (us-central1, G2 machine types, ${machine}, 1-8 NVIDIA L4 included)` });
const a2 = (usd: number, machine: string): Price => ({ usd, per: "hour", source: `${VM_PRICING} (us-central1, A2 machine types, ${machine}, NVIDIA A100 included)` });

/** Regions with a complete, checked price list. */
export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
    "us-central1": {
        autopilot: {
            vcpu: { usd: 0.0445, per: "vCPU-hour", source: `${GKE_PRICING} (Autopilot, general-purpose Pods, us-central1)` },
            memoryGib: { usd: 0.0049225, per: "GiB-hour", source: `${GKE_PRICING} (Autopilot, general-purpose Pods, us-central1)` },
            ephemeralGib: { usd: 0.0000548, per: "GiB-hour", source: `${GKE_PRICING} (Autopilot, general-purpose Pods, us-central1)` },
        },
        families: {
            e2: { vcpu: vm(0.021811, "E2 predefined vCPU"), memoryGib: vm(0.002923, "E2 predefined memory per GiB") },
            n2: { vcpu: vm(0.031611, "N2 predefined vCPU"), memoryGib: vm(0.004237, "N2 predefined memory per GiB") },
            n1: { vcpu: vm(0.031611, "N1 predefined vCPU"), memoryGib: vm(0.004237, "N1 predefined memory per GiB") },
        },
        sharedCore: {
            "e2-micro": vm(0.008376, "e2-micro"),
            "e2-small": vm(0.016751, "e2-small"),
            "e2-medium": vm(0.033503, "e2-medium"),
        },
        gpuMachines: {
            "g2-standard-4": g2(0.70683228, "g2-standard-4"),
            "g2-standard-8": g2(0.85362431, "g2-standard-8"),
            "g2-standard-12": g2(1.00041635, "g2-standard-12"),
            "g2-standard-16": g2(1.14720838, "g2-standard-16"),
            "g2-standard-24": g2(2.0008327, "g2-standard-24"),
            "g2-standard-32": g2(1.73437653, "g2-standard-32"),
            "g2-standard-48": g2(4.00166539, "g2-standard-48"),
            "g2-standard-96": g2(8.00333078, "g2-standard-96"),
            "a2-highgpu-1g": a2(3.673385, "a2-highgpu-1g"),
            "a2-highgpu-2g": a2(7.34677, "a2-highgpu-2g"),
            "a2-highgpu-4g": a2(14.69354, "a2-highgpu-4g"),
            "a2-highgpu-8g": a2(29.38708, "a2-highgpu-8g"),
            "a2-megagpu-16g": a2(55.739504, "a2-megagpu-16g"),
        },
        attachedGpus: {
            "nvidia-tesla-t4": { usd: 0.35, per: "GPU-hour", source: `${GPU_PRICING} (us-central1, NVIDIA T4)` },
        },
        disks: {
            "pd-standard": { usd: 0.04, per: "GiB-month", source: `${DISK_PRICING} (us-central1, Standard provisioned space)` },
            "pd-balanced": { usd: 0.1, per: "GiB-month", source: `${DISK_PRICING} (us-central1, Balanced provisioned space)` },
            "pd-ssd": { usd: 0.17, per: "GiB-month", source: `${DISK_PRICING} (us-central1, SSD provisioned space)` },
        },
        cloudSql: {
            vcpu: { usd: 0.0413, per: "vCPU-hour", source: `${SQL_PRICING} (PostgreSQL, Enterprise edition, us-central1, vCPU)` },
            memoryGib: { usd: 0.007, per: "GiB-hour", source: `${SQL_PRICING} (PostgreSQL, Enterprise edition, us-central1, memory)` },
            sharedCore: {
                "db-f1-micro": { usd: 0.0105, per: "hour", source: `${SQL_PRICING} (shared-core, db-f1-micro, us-central1)` },
                "db-g1-small": { usd: 0.035, per: "hour", source: `${SQL_PRICING} (shared-core, db-g1-small, us-central1)` },
            },
            ssdGib: { usd: 0.17, per: "GiB-month", source: `${SQL_PRICING} (storage, SSD, us-central1)` },
        },
        gcsStandard: { usd: 0.02, per: "GB-month", source: `${GCS_PRICING} (Standard storage, Iowa us-central1)` },
    },
};

/** The price list of a region, or undefined when we keep none for it. */
export function regionPrices(region: string): RegionPrices | undefined {
    return REGION_PRICES[region];
}
