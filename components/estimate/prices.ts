/**
 * Google Cloud list prices the cost estimate uses: one table, each number with its source and the
 * date of that data. These are LIST PRICES in USD, before taxes, committed-use or sustained-use
 * discounts, negotiated rates and free-tier usage other than what is named here; your invoice
 * can differ. Google changes prices; re-check the sources below before relying on a figure.
 *
 * us-central1 (`PRICES_CHECKED`): read from Google's pricing pages (as indexed copies): the GKE
 * fee and free-tier credit, Cloud NAT, Artifact Registry, Cloud Storage Standard, Cloud SQL
 * ENTERPRISE per vCPU and per GiB and the Autopilot vCPU rate. On
 * 2026-11-28 the machine, disk, bucket and NAT figures were re-checked against the dataset below
 * (the Cloud Billing Catalog's SKUs as of 2026-07-30): every N2 and n1-standard machine it lists
 * in us-central1 equals our rates exactly; E2 machines (shared-core too) come out at most 0.011%
 * below it, because the pages print six decimals (E2 vCPU $0.021811, the SKU $0.02181159); G2
 * and A2 machines are within $0.0000005/h; the three disk types, the bucket, the NAT per-VM rate
 * and the in-use IP are equal (spot-checked in tests/cost.test.ts). Not in that dataset, so still
 * as last published on the pages named next to them and not re-read this session: the T4 GPU,
 * the shared-core Cloud SQL tiers and Cloud SQL SSD storage, the Autopilot memory and
 * ephemeral-storage rates; they agree with the project's reference notes (db-f1-micro $7.7 and
 * db-g1-small $25.6 a month).
 *
 * The seven other catalog regions (`REGION_ZONES` in catalog.ts) are priced from
 * `CYCLENERD_PRICING`: the public dataset Cyclenerd/google-cloud-pricing-cost-calculator
 * `pricing.yml`, which its build script (`build/pricing.pl`) computes from the Cloud Billing
 * Catalog API's SKUs. It holds Compute Engine machines, disks, Cloud NAT and IP addresses and
 * Cloud Storage per region; it holds no Cloud SQL, no GKE Autopilot and no attached-GPU (T4)
 * prices, and N1 only in n1-standard shapes. The attached T4 and the n1-highmem/n1-highcpu shapes
 * of those regions come from a second public dataset, `SKYPILOT_GCP_CATALOG` (SkyPilot's GCP
 * catalog, also built from the Cloud Billing Catalog API); its n1-standard figures equal
 * CYCLENERD_PRICING's to its five decimals, and its us-central1 T4 and N1 figures equal the
 * pricing-page rates above (tests re-check both against a committed excerpt). No source reachable
 * here gives Cloud SQL or GKE Autopilot list prices for these regions, so they are left out rather
 * than guessed from another region: `regionCoverage` (cost.ts) names, per region, every figure
 * that is missing, and the estimate reports a stack that needs one as "not priced" (and
 * `cost-budget` refuses it).
 *
 * Spot prices (`SpotPrices`, every region's `spot`): all eight regions, us-central1 included,
 * from CYCLENERD_PRICING's `hour_spot` figures (`CYCLENERD_SPOT`), dated with the file.
 *
 * Layout, for whoever adds figures: GLOBAL_PRICES (the same everywhere), then per region
 * REGION_PRICES built from one row per source (the us-central1 literal, `fromCyclenerd` rows,
 * `spotFromCyclenerd`); every number is data with its source, no rule derives one price from
 * another beyond a machine's vCPUs and memory at its family's rates.
 */

/** When the us-central1 figures were last compared with Google's pricing pages. */
export const PRICES_CHECKED = "2026-11-27";

/**
 * The dataset the other catalog regions are priced from: repository, path, commit, and the date
 * its build read the Cloud Billing Catalog (`about.generated: Thu Jul 30 06:13:17 2026` in the
 * file). The newest version of `pricing.yml` whose content could be read here; later commits
 * exist (2026-08-20) but their file was not available.
 */
export const CYCLENERD_PRICING = {
    repository: "Cyclenerd/google-cloud-pricing-cost-calculator",
    path: "pricing.yml",
    commit: "fd66b26ff84fee5cdd94f341ea89206e76c06b99",
    generated: "2026-07-30",
} as const;
const CYCLENERD_URL = `https://github.com/${CYCLENERD_PRICING.repository}/blob/${CYCLENERD_PRICING.commit}/${CYCLENERD_PRICING.path}`;

/**
 * SkyPilot's GCP catalog: per zone, each machine type's and each GPU count's on-demand price,
 * written by SkyPilot's `fetch_gcp` data fetcher from the Cloud Billing Catalog API (the
 * repository's `.github/workflows/update-gcp-catalog.yml` reruns it every 7 hours). Prices are
 * rounded to five decimals; a machine's price excludes GPUs; a GPU row is priced per count
 * (`T4,1` is one T4). The file carries no date and the repository is too large to clone here, so
 * `commit` is the version read through the code index and the data date is unknown; its figures
 * agree with CYCLENERD_PRICING (2026-07-30) wherever both list one. Used only where
 * CYCLENERD_PRICING has no figure.
 */
export const SKYPILOT_GCP_CATALOG = {
    repository: "skypilot-org/skypilot-catalog",
    path: "catalogs/v7/gcp/vms.csv",
    commit: "6f65ab58724c0a5b17dbb81ee124e7d7dee0d4a5",
} as const;
const SKYPILOT_URL = `https://github.com/${SKYPILOT_GCP_CATALOG.repository}/blob/${SKYPILOT_GCP_CATALOG.commit}/${SKYPILOT_GCP_CATALOG.path}`;

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

/**
 * Prices that are the same in every region. (Cloud NAT's per-VM rate and the in-use IP are also
 * identical in all eight catalog regions of CYCLENERD_PRICING; Artifact Registry and the GKE fee
 * are single published prices.)
 */
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

/** Per-vCPU and per-GiB-of-memory hourly prices of a machine family (predefined shapes). */
export interface FamilyRates {
    readonly vcpu: Price;
    readonly memoryGib: Price;
}

/** Everything priced per region. An absent optional part is a figure no source here gives for the region. */
export interface RegionPrices {
    /** Where the row's figures come from, and the date of that data (YYYY-MM-DD). */
    readonly dataset: { readonly source: string; readonly asOf: string };
    /** Autopilot general-purpose Pods (on-demand); billed on Pod requests. */
    readonly autopilot?: { readonly vcpu: Price; readonly memoryGib: Price; readonly ephemeralGib: Price };
    /** Machine families priced by vCPU and memory (predefined shapes). */
    readonly families: Readonly<Partial<Record<"e2" | "n2" | "n1", FamilyRates>>>;
    /** Predefined shapes priced per machine, where the source gives no per-vCPU/GiB split. */
    readonly machines: Readonly<Record<string, Price>>;
    /** Shared-core E2 shapes, priced per machine. */
    readonly sharedCore: Readonly<Record<string, Price>>;
    /** Accelerator-optimized machines, priced per machine including their GPUs (G2, A2). */
    readonly gpuMachines: Readonly<Record<string, Price>>;
    /** GPUs attached to N1 machines, per GPU. */
    readonly attachedGpus: Readonly<Record<string, Price>>;
    /** Persistent disk per GiB-month, by disk type. */
    readonly disks: Readonly<Record<"pd-standard" | "pd-balanced" | "pd-ssd", Price>>;
    /** Cloud SQL ENTERPRISE edition (zonal; HA doubles each figure). */
    readonly cloudSql?: {
        readonly vcpu: Price;
        readonly memoryGib: Price;
        readonly sharedCore: Readonly<Record<string, Price>>;
        readonly ssdGib: Price;
    };
    /** Cloud Storage Standard class in a regional bucket. */
    readonly gcsStandard: Price;
    /** Spot VM prices of the region at one date (`SpotPrices`); absent: none recorded. */
    readonly spot?: SpotPrices;
}

/**
 * Spot VM prices: Compute Engine's "Spot Preemptible" SKUs of one region at one date. Google
 * changes them (up to once a day, its Spot VMs page says) and does not keep them under any share
 * of on-demand: in the 2026-07-30 catalog an e2-standard-2 spot VM costs 60% of on demand in
 * us-central1 ($0.040212/h against $0.06701142), 48% in europe-west4 and 12% in us-west4. So the
 * estimate takes each region's own figures, dated, and leaves unpriced what no source gives.
 */
export interface SpotPrices {
    /** Where the figures come from and the date of that data. */
    readonly dataset: { readonly source: string; readonly asOf: string };
    /** Families priced by vCPU and memory (predefined shapes). */
    readonly families: Readonly<Partial<Record<"e2" | "n2", FamilyRates>>>;
    /** Shapes priced per machine: n1-standard, shared-core E2, G2 and A2 with their GPUs. */
    readonly machines: Readonly<Record<string, Price>>;
    /** GPUs attached to N1 machines, per GPU (none recorded: no source here gives them). */
    readonly attachedGpus: Readonly<Record<string, Price>>;
}

const vm = (usd: number, what: string): Price => ({ usd, per: "hour", source: `${VM_PRICING} (us-central1, ${what})` });
const g2 = (usd: number, machine: string): Price => ({ usd, per: "hour", source: `${VM_PRICING} (us-central1, G2 machine types, ${machine}, 1-8 NVIDIA L4 included)` });
const a2 = (usd: number, machine: string): Price => ({ usd, per: "hour", source: `${VM_PRICING} (us-central1, A2 machine types, ${machine}, NVIDIA A100 included)` });

/** A region's figures as `pricing.yml` (CYCLENERD_PRICING) lists them: hourly unless named. */
interface CyclenerdRow {
    /** E2 vCPU and GiB rates (see `fromCyclenerd`). */
    readonly e2: readonly [vcpu: number, memoryGib: number];
    /** N2 vCPU and GiB rates (see `fromCyclenerd`). */
    readonly n2: readonly [vcpu: number, memoryGib: number];
    /** n1-standard-1, -2, -4, -8, -16, -32, -64, -96. */
    readonly n1Standard: readonly number[];
    /** e2-micro, e2-small, e2-medium. */
    readonly sharedCore: readonly [number, number, number];
    /** g2-standard-4, -8, -12, -16, -24, -32, -48, -96 (NVIDIA L4 included). */
    readonly g2: readonly number[];
    /** a2-highgpu-1g, -2g, -4g, -8g, a2-megagpu-16g (NVIDIA A100 40GB included). */
    readonly a2: readonly number[];
    /** Per GiB-month: `storage.hdd` (pd-standard), `storage.balanced`, `storage.ssd`. */
    readonly disks: readonly [standard: number, balanced: number, ssd: number];
    /** Per GB-month: `storage.bucket.standard`. */
    readonly gcsStandard: number;
    /** From SKYPILOT_GCP_CATALOG: n1-highcpu-2, -4, -8, -16, -32, -64, -96 (`Price` column). */
    readonly n1Highcpu: readonly number[];
    /** From SKYPILOT_GCP_CATALOG: n1-highmem-2, -4, -8, -16, -32, -64, -96 (`Price` column). */
    readonly n1Highmem: readonly number[];
    /** From SKYPILOT_GCP_CATALOG: one NVIDIA T4 (row `T4,1`), per GPU-hour. */
    readonly t4: number;
}

const N1_STANDARD = [1, 2, 4, 8, 16, 32, 64, 96].map((n) => `n1-standard-${n}`);
const N1_HIGHCPU = [2, 4, 8, 16, 32, 64, 96].map((n) => `n1-highcpu-${n}`);
const N1_HIGHMEM = [2, 4, 8, 16, 32, 64, 96].map((n) => `n1-highmem-${n}`);
const G2_MACHINES = [4, 8, 12, 16, 24, 32, 48, 96].map((n) => `g2-standard-${n}`);
const A2_MACHINES = ["a2-highgpu-1g", "a2-highgpu-2g", "a2-highgpu-4g", "a2-highgpu-8g", "a2-megagpu-16g"];

/**
 * A region row from CYCLENERD_PRICING. Every number is a value of that file (its key named in the
 * price's source), except the E2 and N2 per-vCPU and per-GiB rates: the file lists machines, each
 * computed by its build script as vCPUs x the family's vCPU SKU + GiB x its RAM SKU, so the two
 * SKU rates are solved back from two shapes of different memory ratio (e2-standard-2 and
 * e2-highcpu-2; n2-standard-8 and n2-highmem-8). When the rows were written, every other E2 and
 * N2 shape the file lists in these regions matched the solved rates (largest difference 2e-15).
 * (The file was read from a repository snapshot, whose content stays out of our commits, so no
 * excerpt of it is kept for a test.) N1 is listed only in n1-standard shapes, which
 * do not separate the two rates, so N1 is priced per machine: n1-standard from this file, the
 * n1-highcpu and n1-highmem shapes and the attached T4 as SKYPILOT_GCP_CATALOG lists them.
 */
function fromCyclenerd(region: string, row: CyclenerdRow): RegionPrices {
    const src = (key: string) => `${CYCLENERD_URL} (${key}, ${region})`;
    const hourly = (usd: number, key: string): Price => ({ usd, per: "hour", source: src(`compute.instance.${key}.cost.${region}.hour`) });
    const rates = (family: "e2" | "n2", [vcpu, memoryGib]: readonly [number, number], from: string): FamilyRates => ({
        vcpu: { usd: vcpu, per: "vCPU-hour", source: src(`${family.toUpperCase()} vCPU SKU rate solved from compute.instance.${from}.cost.${region}.hour`) },
        memoryGib: { usd: memoryGib, per: "GiB-hour", source: src(`${family.toUpperCase()} RAM SKU rate solved from compute.instance.${from}.cost.${region}.hour`) },
    });
    const skypilot = (usd: number, what: string): Price => ({ usd, per: "hour", source: `${SKYPILOT_URL} (${what}, ${region}, Price)` });
    const perMachine = (names: readonly string[], values: readonly number[], price: (usd: number, name: string) => Price = hourly) => {
        if (names.length !== values.length) {
            throw new Error(`prices.ts: ${region} lists ${values.length} prices for ${names.length} machine types`);
        }
        return Object.fromEntries(names.map((name, i) => [name, price(values[i], name)]));
    };
    const disk = (usd: number, key: string): Price => ({ usd, per: "GiB-month", source: src(`compute.storage.${key}.cost.${region}.month`) });
    return {
        dataset: { source: `${CYCLENERD_URL} (generated ${CYCLENERD_PRICING.generated} from the Cloud Billing Catalog API)`, asOf: CYCLENERD_PRICING.generated },
        families: { e2: rates("e2", row.e2, "e2-standard-2 and e2-highcpu-2"), n2: rates("n2", row.n2, "n2-standard-8 and n2-highmem-8") },
        machines: {
            ...perMachine(N1_STANDARD, row.n1Standard),
            ...perMachine(N1_HIGHCPU, row.n1Highcpu, skypilot),
            ...perMachine(N1_HIGHMEM, row.n1Highmem, skypilot),
        },
        sharedCore: perMachine(["e2-micro", "e2-small", "e2-medium"], row.sharedCore),
        gpuMachines: { ...perMachine(G2_MACHINES, row.g2), ...perMachine(A2_MACHINES, row.a2) },
        attachedGpus: { "nvidia-tesla-t4": { ...skypilot(row.t4, "T4,1"), per: "GPU-hour" } },
        disks: { "pd-standard": disk(row.disks[0], "hdd"), "pd-balanced": disk(row.disks[1], "balanced"), "pd-ssd": disk(row.disks[2], "ssd") },
        gcsStandard: { usd: row.gcsStandard, per: "GB-month", source: src(`storage.bucket.standard.cost.${region}.month`) },
        spot: spotFromCyclenerd(region),
    };
}

/** A region's spot figures as `pricing.yml` (CYCLENERD_PRICING) lists them (`hour_spot`), hourly. */
interface CyclenerdSpotRow {
    /** E2 spot vCPU and GiB rates, solved like the on-demand ones (see `spotFromCyclenerd`). */
    readonly e2: readonly [vcpu: number, memoryGib: number];
    /** N2 spot vCPU and GiB rates (see `spotFromCyclenerd`). */
    readonly n2: readonly [vcpu: number, memoryGib: number];
    /** n1-standard-1, -2, -4, -8, -16, -32, -64, -96. */
    readonly n1Standard: readonly number[];
    /** e2-micro, e2-small, e2-medium. */
    readonly sharedCore: readonly [number, number, number];
    /** g2-standard-4, -8, -12, -16, -24, -32, -48, -96 (NVIDIA L4 included). */
    readonly g2: readonly number[];
    /** a2-highgpu-1g, -2g, -4g, -8g, a2-megagpu-16g (NVIDIA A100 40GB included). */
    readonly a2: readonly number[];
}

/**
 * Spot prices of every catalog region, from CYCLENERD_PRICING (data of 2026-07-30): its build
 * prices each machine's `hour_spot` from the catalog's "Spot Preemptible" SKUs of its family
 * (`build/pricing.pl`, mappings `gce.compute.cpu.<family>.spot` / `gce.compute.ram.<family>.spot`).
 * When these rows were written, every E2 and N2 shape the file lists matched the solved rates
 * (largest difference 4e-16), and the shared-core E2 shapes equal 1/4, 1/2 and 1 vCPU with 1, 2
 * and 4 GiB at the E2 rates. The file has no spot price for n1-highmem/n1-highcpu (it lists
 * n1-standard only) nor for attached GPUs (T4), so those stay unpriced on spot.
 */
const CYCLENERD_SPOT: Readonly<Record<string, CyclenerdSpotRow>> = {
    "us-central1": {
        e2: [0.01309, 0.001754],
        n2: [0.01499, 0.00201],
        n1Standard: [0.0167525, 0.033505, 0.06701, 0.13402, 0.26804, 0.53608, 1.07216, 1.60824],
        sharedCore: [0.0050265, 0.010053, 0.020106],
        g2: [0.397336, 0.479872, 0.562408, 0.644944, 1.124816, 0.975088, 2.249632, 4.499264],
        a2: [1.92802, 3.85604, 7.71208, 15.42416, 29.25568],
    },
    "us-east1": {
        e2: [0.01309, 0.001754],
        n2: [0.01499, 0.00201],
        n1Standard: [0.0167525, 0.033505, 0.06701, 0.13402, 0.26804, 0.53608, 1.07216, 1.60824],
        sharedCore: [0.0050265, 0.010053, 0.020106],
        g2: [0.397336, 0.479872, 0.562408, 0.644944, 1.124816, 0.975088, 2.249632, 4.499264],
        a2: [1.92802, 3.85604, 7.71208, 15.42416, 29.25568],
    },
    "us-east4": {
        e2: [0.01347, 0.001805],
        n2: [0.00815, 0.001092],
        n1Standard: [0.01368875, 0.0273775, 0.054755, 0.10951, 0.21902, 0.43804, 0.87608, 1.31412],
        sharedCore: [0.0051725, 0.010345, 0.02069],
        g2: [0.310596, 0.375092, 0.439588, 0.504084, 0.879176, 0.762068, 1.758352, 3.516704],
        a2: [2.360575, 4.72115, 9.4423, 18.8846, 35.71864],
    },
    "us-west1": {
        e2: [0.01309, 0.001754],
        n2: [0.01499, 0.00201],
        n1Standard: [0.0167525, 0.033505, 0.06701, 0.13402, 0.26804, 0.53608, 1.07216, 1.60824],
        sharedCore: [0.0050265, 0.010053, 0.020106],
        g2: [0.397336, 0.479872, 0.562408, 0.644944, 1.124816, 0.975088, 2.249632, 4.499264],
        a2: [1.92802, 3.85604, 7.71208, 15.42416, 29.25568],
    },
    "us-west4": {
        e2: [0.00296, 0.000396],
        n2: [0.01826, 0.002448],
        n1Standard: [0.01519125, 0.0303825, 0.060765, 0.12153, 0.24306, 0.48612, 0.97224, 1.45836],
        sharedCore: [0.001136, 0.002272, 0.004544],
        g2: [0.46244, 0.55848, 0.65452, 0.75056, 1.30904, 1.13472, 2.61808, 5.23616],
        a2: [1.816835, 3.63367, 7.26734, 14.53468, 27.49112],
    },
    "europe-west1": {
        e2: [0.01162, 0.001558],
        n2: [0.00763, 0.001023],
        n1Standard: [0.02179, 0.04358, 0.08716, 0.17432, 0.34864, 0.69728, 1.39456, 2.09184],
        sharedCore: [0.004463, 0.008926, 0.017852],
        g2: [0.357456, 0.431712, 0.505968, 0.580224, 1.011936, 0.877248, 2.023872, 4.047744],
        a2: [0.9227, 1.8454, 3.6908, 7.3816, 13.94144],
    },
    "europe-west4": {
        e2: [0.01148, 0.001538],
        n2: [0.01265, 0.001696],
        n1Standard: [0.0303825, 0.060765, 0.12153, 0.24306, 0.48612, 0.97224, 1.94448, 2.91672],
        sharedCore: [0.004408, 0.008816, 0.017632],
        g2: [0.38986, 0.47082, 0.55178, 0.63274, 1.10356, 0.95658, 2.20712, 4.41424],
        a2: [1.692835, 3.38567, 6.77134, 13.54268, 25.57624],
    },
    "asia-southeast1": {
        e2: [0.01405, 0.001883],
        n2: [0.01519, 0.002035],
        n1Standard: [0.01173625, 0.0234725, 0.046945, 0.09389, 0.18778, 0.37556, 0.75112, 1.12668],
        sharedCore: [0.0053955, 0.010791, 0.021582],
        g2: [0.523272, 0.631944, 0.740616, 0.849288, 1.481232, 1.283976, 2.962464, 5.924928],
        a2: [2.40826, 4.81652, 9.63304, 19.26608, 36.28576],
    },
};

/** The spot prices of `region` from CYCLENERD_SPOT, each naming its key in the file. */
function spotFromCyclenerd(region: string): SpotPrices {
    const row = CYCLENERD_SPOT[region];
    const src = (key: string) => `${CYCLENERD_URL} (${key}, ${region})`;
    const hourly = (usd: number, machine: string): Price => ({ usd, per: "hour", source: src(`compute.instance.${machine}.cost.${region}.hour_spot`) });
    const rates = (family: "e2" | "n2", [vcpu, memoryGib]: readonly [number, number], from: string): FamilyRates => ({
        vcpu: { usd: vcpu, per: "vCPU-hour", source: src(`${family.toUpperCase()} spot vCPU SKU rate solved from compute.instance.${from}.cost.${region}.hour_spot`) },
        memoryGib: { usd: memoryGib, per: "GiB-hour", source: src(`${family.toUpperCase()} spot RAM SKU rate solved from compute.instance.${from}.cost.${region}.hour_spot`) },
    });
    const perMachine = (names: readonly string[], values: readonly number[]) => {
        if (names.length !== values.length) {
            throw new Error(`prices.ts: ${region} lists ${values.length} spot prices for ${names.length} machine types`);
        }
        return Object.fromEntries(names.map((name, i) => [name, hourly(values[i], name)]));
    };
    return {
        dataset: { source: `${CYCLENERD_URL} (hour_spot, generated ${CYCLENERD_PRICING.generated} from the Cloud Billing Catalog API)`, asOf: CYCLENERD_PRICING.generated },
        families: { e2: rates("e2", row.e2, "e2-standard-2 and e2-highcpu-2"), n2: rates("n2", row.n2, "n2-standard-8 and n2-highmem-8") },
        machines: {
            ...perMachine(N1_STANDARD, row.n1Standard),
            ...perMachine(["e2-micro", "e2-small", "e2-medium"], row.sharedCore),
            ...perMachine(G2_MACHINES, row.g2),
            ...perMachine(A2_MACHINES, row.a2),
        },
        attachedGpus: {},
    };
}

/** Price lists per region; what a row lacks is named by `regionCoverage` (cost.ts). */
export const REGION_PRICES: Readonly<Record<string, RegionPrices>> = {
    "us-central1": {
        dataset: { source: "Google Cloud pricing pages at https://cloud.google.com/ (each price names its page)", asOf: PRICES_CHECKED },
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
        machines: {},
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
        spot: spotFromCyclenerd("us-central1"),
    },    "us-east1": fromCyclenerd("us-east1", {
        e2: [0.02181159, 0.00292353],
        n2: [0.031611, 0.004237],
        n1Standard: [0.04749975, 0.0949995, 0.189999, 0.379998, 0.759996, 1.519992, 3.039984, 4.559976],
        sharedCore: [0.0083764275, 0.016752855, 0.03350571],
        g2: [0.706832255, 0.853624271, 1.000416287, 1.147208303, 2.000832574, 1.734376367, 4.001665148, 8.003330296],
        a2: [3.673385, 7.34677, 14.69354, 29.38708, 55.739504],
        disks: [0.04, 0.1, 0.17],
        gcsStandard: 0.02,
        n1Highcpu: [0.07085, 0.1417, 0.2834, 0.56679, 1.13358, 2.26715, 3.40073],
        n1Highmem: [0.1183, 0.23661, 0.47321, 0.94642, 1.89285, 3.7857, 5.67854],
        t4: 0.35,
    }),
    "us-east4": fromCyclenerd("us-east4", {
        e2: [0.02456745, 0.00329199],
        n2: [0.035605, 0.004771],
        n1Standard: [0.05349625, 0.1069925, 0.213985, 0.42797, 0.85594, 1.71188, 3.42376, 5.13564],
        sharedCore: [0.0094338525, 0.018867705, 0.03773541],
        g2: [0.704517808, 0.850829156, 0.997140504, 1.143451852, 1.994281008, 1.728697244, 3.988562016, 7.977124032],
        a2: [3.934354926, 7.868709852, 15.737419704, 31.474839408, 59.531598816],
        disks: [0.044, 0.11, 0.187],
        gcsStandard: 0.023,
        n1Highcpu: [0.0798, 0.15959, 0.31919, 0.63838, 1.27676, 2.55353, 3.8303],
        n1Highmem: [0.13323, 0.26647, 0.53293, 1.06586, 2.13173, 4.26346, 6.39518],
        t4: 0.37,
    }),
    "us-west1": fromCyclenerd("us-west1", {
        e2: [0.02181159, 0.00292353],
        n2: [0.031611, 0.004237],
        n1Standard: [0.04749975, 0.0949995, 0.189999, 0.379998, 0.759996, 1.519992, 3.039984, 4.559976],
        sharedCore: [0.0083764275, 0.016752855, 0.03350571],
        g2: [0.706832255, 0.853624271, 1.000416287, 1.147208303, 2.000832574, 1.734376367, 4.001665148, 8.003330296],
        a2: [3.673385, 7.34677, 14.69354, 29.38708, 55.739504],
        disks: [0.04, 0.1, 0.17],
        gcsStandard: 0.02,
        n1Highcpu: [0.07085, 0.1417, 0.2834, 0.56679, 1.13358, 2.26715, 3.40073],
        n1Highmem: [0.1183, 0.23661, 0.47321, 0.94642, 1.89285, 3.7857, 5.67854],
        t4: 0.35,
    }),
    "us-west4": fromCyclenerd("us-west4", {
        e2: [0.02456745, 0.00329199],
        n2: [0.035603, 0.004771],
        n1Standard: [0.05349625, 0.1069925, 0.213985, 0.42797, 0.85594, 1.71188, 3.42376, 5.13564],
        sharedCore: [0.0094338525, 0.018867705, 0.03773541],
        g2: [0.79610514, 0.96143698, 1.12676882, 1.29210066, 2.25353764, 1.95342802, 4.50707528, 9.01415056],
        a2: [3.934354926, 7.868709852, 15.737419704, 31.474839408, 59.531598816],
        disks: [0.044, 0.11, 0.187],
        gcsStandard: 0.023,
        n1Highcpu: [0.0798, 0.15959, 0.31919, 0.63838, 1.27676, 2.55353, 3.8303],
        n1Highmem: [0.13323, 0.26647, 0.53293, 1.06586, 2.13173, 4.26346, 6.39518],
        t4: 0.37,
    }),
    "europe-west1": fromCyclenerd("europe-west1", {
        e2: [0.02399337, 0.00321609],
        n2: [0.034773, 0.004661],
        n1Standard: [0.05225175, 0.1045035, 0.209007, 0.418014, 0.836028, 1.672056, 3.344112, 5.016168],
        sharedCore: [0.0092144325, 0.018428865, 0.03685773],
        g2: [0.778293004, 0.939925708, 1.101558412, 1.263191116, 2.203116824, 1.909721932, 4.406233648, 8.812467296],
        a2: [3.747369, 7.494738, 14.989476, 29.978952, 56.619696],
        disks: [0.04, 0.1, 0.17],
        gcsStandard: 0.02,
        n1Highcpu: [0.07793, 0.15587, 0.31174, 0.62349, 1.24697, 2.49394, 3.74092],
        n1Highmem: [0.13014, 0.26028, 0.52056, 1.04111, 2.08222, 4.16445, 6.24667],
        t4: 0.35,
    }),
    "europe-west4": fromCyclenerd("europe-west4", {
        e2: [0.02401338, 0.00321816],
        n2: [0.034802, 0.004664],
        n1Standard: [0.052292, 0.104584, 0.209168, 0.418336, 0.836672, 1.673344, 3.346688, 5.020032],
        sharedCore: [0.009221505, 0.01844301, 0.03688602],
        g2: [0.742916046, 0.897201806, 1.051487566, 1.205773326, 2.102975132, 1.822916366, 4.205950264, 8.411900528],
        a2: [3.747972, 7.495944, 14.991888, 29.983776, 56.62656],
        disks: [0.044, 0.11, 0.187],
        gcsStandard: 0.02,
        n1Highcpu: [0.078, 0.156, 0.312, 0.624, 1.24799, 2.49597, 3.74396],
        n1Highmem: [0.13024, 0.26047, 0.52094, 1.04189, 2.08378, 4.16755, 6.25133],
        t4: 0.35,
    }),
    "asia-southeast1": fromCyclenerd("asia-southeast1", {
        e2: [0.02690931, 0.00360594],
        n2: [0.038999, 0.005226],
        n1Standard: [0.0585965, 0.117193, 0.234386, 0.468772, 0.937544, 1.875088, 3.750176, 5.625264],
        sharedCore: [0.0103332675, 0.020666535, 0.04133307],
        g2: [0.872018928, 1.053116256, 1.234213584, 1.415310912, 2.468427168, 2.139700224, 4.936854336, 9.873708672],
        a2: [4.013757926, 8.027515852, 16.055031704, 32.110063408, 60.476222816],
        disks: [0.044, 0.11, 0.187],
        gcsStandard: 0.02,
        n1Highcpu: [0.0874, 0.17481, 0.34962, 0.69924, 1.39848, 2.79695, 4.19543],
        n1Highmem: [0.14594, 0.29187, 0.58374, 1.16749, 2.33498, 4.66995, 7.00493],
        t4: 0.37,
    }),
};

/** The price list of a region, or undefined when we keep none for it. */
export function regionPrices(region: string): RegionPrices | undefined {
    return REGION_PRICES[region];
}
