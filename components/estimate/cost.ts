/**
 * The cost estimate: what an environment costs per month while idle (at minimum size) and per
 * hour for one step on each pool, at LIST PRICES (prices.ts). Pure: it works on a footprint, the
 * few facts that drive the bill, built either from the validated config (preview, README) or
 * from the resources a stack registers (the `cost-budget` policy), so both read one formula.
 *
 * Not in the idle figure, because they depend on use rather than on the configuration: Cloud
 * SQL backups beyond the instance's storage, network egress and NAT data processing ($0.045 per
 * GiB), Cloud Storage operations, logging and monitoring beyond their free allotments. Taxes and
 * discounts (committed use, sustained use) are not applied.
 */
import { GLOBAL_PRICES, HOURS_PER_MONTH, PRICES_CHECKED, regionPrices, type FamilyRates, type Price, type RegionPrices } from "./prices";
import { GPU_TYPES, builtInGpus, gpuZones, machineTypesFor, predefinedMachineTypes } from "../model/catalog";
import { AUTOPILOT_DEFAULT_RESOURCES } from "../model/metaflowConfig";

/** Sizes the estimate assumes where the bill depends on data, not configuration. */
export const COST_ASSUMPTIONS = {
    /** Artifacts in the datastore bucket. */
    bucketGb: 10,
    /** Task images in the registry (one GPU image is about 8 GB; layers are shared). */
    registryGb: 10,
    /** Metaflow's default step: `@kubernetes` defaults (1 CPU, 4096 MB, 10240 MB disk). */
    defaultStep: { cpu: 1, memoryGib: 4, diskGib: 10 },
    /** Autopilot keeps a node for its system Pods even with no workload; NAT counts that VM. */
    autopilotIdleVms: 1,
} as const;

/** A node pool as the bill sees it. */
export interface PoolFootprint {
    readonly name: string;
    readonly machineType: string;
    /** GPU type and count per node, for N1 attached GPUs and for reporting. */
    readonly gpuType?: string;
    readonly gpusPerNode: number;
    /** Nodes kept when idle, in total. */
    readonly minNodes: number;
    readonly spot: boolean;
    /** Flex-start nodes (a capacity ladder's last rung); priced at most at on-demand, see FLEX_START_PRICE_NOTE. */
    readonly flexStart?: boolean;
    readonly diskType: string;
    readonly diskSizeGb: number;
}

/** A set of always-on Pods billed by requests (Autopilot). */
export interface PodFootprint {
    readonly name: string;
    readonly replicas: number;
    readonly cpu: number;
    readonly memoryGib: number;
    readonly spot: boolean;
}

/** The facts that drive the bill. */
export interface CostFootprint {
    readonly region: string;
    readonly autopilot: boolean;
    /** Autopilot: steps run as Spot Pods. */
    readonly spotSteps?: boolean;
    /** Regional Standard clusters get no free-tier credit. */
    readonly regional: boolean;
    readonly nodePools: readonly PoolFootprint[];
    /** GPU types steps may ask for in Autopilot (no node pools there). */
    readonly autopilotGpuPools: readonly { readonly name: string; readonly gpuType: string; readonly spot: boolean }[];
    readonly pods: readonly PodFootprint[];
    readonly database?: { readonly edition: string; readonly tier: string; readonly highAvailability: boolean; readonly diskSizeGb: number };
    readonly nat?: { readonly minPortsPerVm: number };
    readonly bucket: boolean;
    readonly registry: boolean;
    /** Config `observability`: metrics packages and alert conditions billed by use (OBSERVABILITY_NOT_PRICED). */
    readonly observability?: boolean;
}

/**
 * What `observability` adds to the bill, which depends on use: Managed Service for Prometheus
 * bills the samples it ingests (kube state metrics, DCGM on each GPU node, the Argo controller),
 * Cloud Monitoring bills alert conditions and the series they read. GKE's system metrics are free.
 */
export const OBSERVABILITY_NOT_PRICED =
    "observability: Managed Service for Prometheus samples (kube state metrics, DCGM per GPU node, Argo) and alert-policy conditions are billed by use (Cloud Monitoring pricing)";

/** One line of the monthly bill. */
export interface LineItem {
    readonly item: string;
    readonly monthlyUsd: number;
    /** How it was computed, with the unit prices. */
    readonly detail: string;
}

/** What one step costs per hour on a pool. */
export interface StepCost {
    readonly pool: string;
    readonly what: string;
    readonly onDemandUsdPerHour?: number;
    /** At the region's spot price of its date (prices.ts `spot`); undefined when none is recorded. */
    readonly spotUsdPerHour?: number;
    /** What the pool is configured to use; a flex-start step costs at most its on-demand price. */
    readonly configured: "spot" | "on-demand" | "flex-start";
    readonly gpu: boolean;
    /** Why a figure is missing. */
    readonly note?: string;
}

export interface CostEstimate {
    readonly region: string;
    /** Date of the region's price data (prices.ts `dataset.asOf`). */
    readonly pricesAsOf: string;
    /** Date of its spot prices, when it has any. */
    readonly spotPricesAsOf?: string;
    readonly idle: readonly LineItem[];
    readonly idleMonthlyUsd: number;
    readonly steps: readonly StepCost[];
    /** Things the price table cannot price; the totals leave them out. */
    readonly unpriced: readonly string[];
}

/**
 * Flex-start is billed at Dynamic Workload Scheduler prices: Compute Engine discounts A4, A3, A2
 * and H4D machines under it ("About Flex-start VMs"; GKE's flex-start page says "up to 53%") and
 * lists no discount for G2. The catalog has no DWS prices, so a flex-start step is priced at the
 * on-demand price: exact for G2 (L4), an upper bound for A2 and A3.
 */
export const FLEX_START_PRICE_NOTE = "flex-start: Dynamic Workload Scheduler price, at most on-demand (discounted for A2/A3, not for G2)";

const money = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;
const round2 = (usd: number) => Math.round(usd * 100) / 100;

/** Memory per vCPU of the predefined shapes, by family. */
const MEMORY_PER_VCPU: Record<string, Record<string, number>> = {
    e2: { standard: 4, highmem: 8, highcpu: 1 },
    n2: { standard: 4, highmem: 8, highcpu: 1 },
    n1: { standard: 3.75, highmem: 6.5, highcpu: 0.9 },
};

/** Machine prices of one kind (on-demand or spot): per family, per machine, per attached GPU. */
interface MachineBook {
    readonly families: Readonly<Partial<Record<string, FamilyRates>>>;
    readonly machines: Readonly<Record<string, Price>>;
    readonly attachedGpus: Readonly<Record<string, Price>>;
}

/** Hourly price of one node from a book: a listed machine, or vCPUs and memory of its family, plus attached GPUs. */
function hourlyFrom(book: MachineBook, machineType: string, gpuType: string | undefined, gpusPerNode: number): number | undefined {
    let usd = book.machines[machineType]?.usd;
    const match = /^(e2|n2|n1)-(standard|highmem|highcpu)-(\d+)$/.exec(machineType);
    const rates = match ? book.families[match[1]] : undefined;
    if (usd === undefined && match && rates) {
        const [, family, shape, vcpuText] = match;
        const vcpus = Number(vcpuText);
        usd = vcpus * rates.vcpu.usd + vcpus * MEMORY_PER_VCPU[family][shape] * rates.memoryGib.usd;
    }
    if (usd === undefined) {
        return undefined;
    }
    // Accelerator-optimized machines (G2, A2) are priced with their GPUs; only attached GPUs are added.
    if (gpusPerNode > 0 && !builtInGpus(machineType)) {
        const gpu = gpuType ? book.attachedGpus[gpuType] : undefined;
        if (!gpu) {
            return undefined;
        }
        usd += gpusPerNode * gpu.usd;
    }
    return usd;
}

/** On-demand hourly price of one node: machine (with its GPUs) and nothing else. */
export function machineHourlyUsd(prices: RegionPrices, machineType: string, gpuType: string | undefined, gpusPerNode: number): number | undefined {
    const book = { families: prices.families, machines: { ...prices.machines, ...prices.sharedCore, ...prices.gpuMachines }, attachedGpus: prices.attachedGpus };
    return hourlyFrom(book, machineType, gpuType, gpusPerNode);
}

/** Spot hourly price of one node at the region's recorded spot prices, or undefined when it has none for it. */
export function spotMachineHourlyUsd(prices: RegionPrices, machineType: string, gpuType: string | undefined, gpusPerNode: number): number | undefined {
    return prices.spot && hourlyFrom(prices.spot, machineType, gpuType, gpusPerNode);
}

/** Monthly on-demand price of a Cloud SQL ENTERPRISE instance (HA doubles), storage apart. */
function sqlMonthlyUsd(sql: NonNullable<RegionPrices["cloudSql"]>, tier: string): number | undefined {
    const shared = sql.sharedCore[tier];
    if (shared) {
        return shared.usd * HOURS_PER_MONTH;
    }
    const match = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    if (!match) {
        return undefined;
    }
    const hourly = Number(match[1]) * sql.vcpu.usd + (Number(match[2]) / 1024) * sql.memoryGib.usd;
    return hourly * HOURS_PER_MONTH;
}

/** What a region row lacks, in words the estimate and `regionCoverage` share. */
const MISSING = {
    autopilot: "Autopilot Pod list prices (vCPU, memory, ephemeral storage)",
    cloudSql: "Cloud SQL ENTERPRISE list prices (vCPU, memory, db-f1-micro, db-g1-small, SSD storage)",
} as const;

/**
 * Every figure the estimate can need in `region` that prices.ts lacks: empty when the region is
 * priced completely. Checks the Autopilot and Cloud SQL rates, every predefined E2/N2/N1 shape and
 * shared-core E2 the config accepts, and the machines of each GPU the catalog offers in the region
 * (`GPU_ZONES`). The disks and the bucket are required in every row by `RegionPrices` itself.
 */
export function regionCoverage(region: string): string[] {
    const prices = regionPrices(region);
    if (!prices) {
        return [`region ${region}: no list prices recorded`];
    }
    const missing: string[] = [];
    if (!prices.autopilot) {
        missing.push(MISSING.autopilot);
    }
    if (!prices.cloudSql) {
        missing.push(MISSING.cloudSql);
    }
    const unpricedSeries = new Set<string>();
    for (const machine of [...predefinedMachineTypes(["e2", "n2", "n1"]), "e2-micro", "e2-small", "e2-medium"]) {
        if (machineHourlyUsd(prices, machine, undefined, 0) === undefined) {
            unpricedSeries.add(machine.replace(/-\d+$/, "-*"));
        }
    }
    if (unpricedSeries.size > 0) {
        missing.push(`machine types ${[...unpricedSeries].join(", ")}`);
    }
    for (const gpuType of GPU_TYPES.filter((gpu) => gpuZones(gpu, region))) {
        if (gpuType === "nvidia-tesla-t4" && !prices.attachedGpus[gpuType]) {
            missing.push(`${gpuType} (per GPU, attached to N1 machines)`);
            continue;
        }
        const unpricedMachines = machineTypesFor(gpuType).filter((m) => machineHourlyUsd(prices, m, gpuType, 1) === undefined);
        if (unpricedMachines.length > 0) {
            missing.push(`${gpuType} machines ${unpricedMachines.join(", ")}`);
        }
    }
    return missing;
}

/** Lines of the estimate one part of the footprint contributes, in the order they are listed. */
interface BillPart {
    readonly idle: readonly LineItem[];
    readonly steps: readonly StepCost[];
    readonly unpriced: readonly string[];
}

const NOTHING: BillPart = { idle: [], steps: [], unpriced: [] };

/**
 * Estimates the idle monthly bill and the hourly cost of a step on each pool, from `table` (a
 * region's prices resolved elsewhere, e.g. from the Cloud Billing Catalog API) or else the
 * embedded table of prices.ts.
 */
export function estimateCost(f: CostFootprint, table?: RegionPrices): CostEstimate {
    const prices = table ?? regionPrices(f.region);
    const idleVms = f.nodePools.reduce((n, pool) => n + pool.minNodes, 0) + (f.autopilot ? COST_ASSUMPTIONS.autopilotIdleVms : 0);
    const parts: BillPart[] = [
        { ...NOTHING, idle: clusterFeeItems(f) },
        prices ? NOTHING : { ...NOTHING, unpriced: [`region ${f.region}: no list prices recorded in components/estimate/prices.ts (nodes, disks, database, bucket)`] },
        ...f.nodePools.map((pool) => nodePoolPart(pool, f.region, prices)),
        f.autopilot ? autopilotPart(f, prices) : NOTHING,
        f.database ? databasePart(f.database, f.region, prices) : NOTHING,
        { ...NOTHING, idle: [...(f.nat ? natItems(f.nat, idleVms) : []), ...storageItems(f, prices)] },
        f.bucket && prices && !prices.gcsStandard ? { ...NOTHING, unpriced: [`datastore bucket: no Cloud Storage Standard price for ${f.region}`] } : NOTHING,
        f.observability ? { ...NOTHING, unpriced: [OBSERVABILITY_NOT_PRICED] } : NOTHING,
    ];
    const items = parts.flatMap((p) => p.idle).map((i) => ({ ...i, monthlyUsd: round2(i.monthlyUsd) }));
    return {
        region: f.region,
        pricesAsOf: prices?.dataset.asOf ?? PRICES_CHECKED,
        spotPricesAsOf: prices?.spot?.dataset.asOf,
        idle: items,
        idleMonthlyUsd: round2(items.reduce((sum, i) => sum + i.monthlyUsd, 0)),
        steps: parts.flatMap((p) => p.steps),
        unpriced: parts.flatMap((p) => p.unpriced),
    };
}

/** The GKE cluster fee, and the free-tier credit a zonal or Autopilot cluster gets. */
function clusterFeeItems(f: CostFootprint): LineItem[] {
    const g = GLOBAL_PRICES;
    const fee = g.gkeClusterFee.usd * HOURS_PER_MONTH;
    const items: LineItem[] = [{ item: "GKE cluster fee", monthlyUsd: fee, detail: `${money(g.gkeClusterFee.usd)}/h x ${HOURS_PER_MONTH} h` }];
    if (f.autopilot || !f.regional) {
        const credit = Math.min(fee, g.gkeFreeTierCredit.usd);
        items.push({
            item: "GKE free-tier credit",
            monthlyUsd: -credit,
            detail: `${money(g.gkeFreeTierCredit.usd)}/month per billing account, zonal or Autopilot clusters only; one such cluster per billing account`,
        });
    }
    return items;
}

/** A node pool: its idle nodes and their boot disks, and what one step's node costs per hour. */
function nodePoolPart(pool: PoolFootprint, region: string, prices: RegionPrices | undefined): BillPart {
    const idle: LineItem[] = [];
    const unpriced: string[] = [];
    const onDemand = prices && machineHourlyUsd(prices, pool.machineType, pool.gpuType, pool.gpusPerNode);
    const spot = prices && spotMachineHourlyUsd(prices, pool.machineType, pool.gpuType, pool.gpusPerNode);
    const disk = prices?.disks[pool.diskType as keyof RegionPrices["disks"]];
    const diskHourly = disk ? (pool.diskSizeGb * disk.usd) / HOURS_PER_MONTH : undefined;
    const machine = `${pool.machineType}${pool.gpusPerNode ? ` with ${pool.gpusPerNode} x ${pool.gpuType}` : ""}`;
    if (prices && onDemand === undefined) {
        unpriced.push(`node pool ${pool.name}: no list price for ${machine}`);
    }
    if (prices && pool.spot && spot === undefined) {
        unpriced.push(`node pool ${pool.name}: no spot price for ${machine} in ${region}`);
    }
    if (prices && !disk) {
        unpriced.push(`node pool ${pool.name}: no list price for disk type ${pool.diskType}`);
    }
    const hourly = pool.spot ? spot : onDemand;
    if (hourly !== undefined && pool.minNodes > 0) {
        idle.push({
            item: `nodes: ${pool.name}`,
            monthlyUsd: pool.minNodes * hourly * HOURS_PER_MONTH,
            detail: `${pool.minNodes} x ${pool.machineType}${pool.spot ? ` spot (${prices!.spot!.dataset.asOf}; on demand ${money(onDemand ?? NaN)}/h)` : ""} at ${money(hourly)}/h`,
        });
    }
    if (disk && pool.minNodes > 0) {
        idle.push({
            item: `boot disks: ${pool.name}`,
            monthlyUsd: pool.minNodes * pool.diskSizeGb * disk.usd,
            detail: `${pool.minNodes} x ${pool.diskSizeGb} GB ${pool.diskType} at ${money(disk.usd)}/GB-month`,
        });
    }
    const step: StepCost = {
        pool: pool.name,
        what: `one ${pool.machineType} node${pool.gpusPerNode ? ` (${pool.gpusPerNode} x ${pool.gpuType})` : ""} and its ${pool.diskSizeGb} GB disk`,
        onDemandUsdPerHour: onDemand !== undefined && diskHourly !== undefined ? onDemand + diskHourly : undefined,
        spotUsdPerHour: spot !== undefined && diskHourly !== undefined ? spot + diskHourly : undefined,
        configured: pool.spot ? "spot" : pool.flexStart ? "flex-start" : "on-demand",
        gpu: pool.gpusPerNode > 0,
        ...(pool.flexStart ? { note: FLEX_START_PRICE_NOTE } : {}),
    };
    return { idle, steps: [step], unpriced };
}

/** Autopilot: the always-on Pods by their requests, a default step Pod, and GPU steps (unpriced). */
function autopilotPart(f: CostFootprint, prices: RegionPrices | undefined): BillPart {
    const ap = prices?.autopilot;
    const unpriced: string[] = [];
    if (prices && !ap) {
        unpriced.push(`Autopilot Pods: ${MISSING.autopilot} for ${f.region} are not recorded in components/estimate/prices.ts`);
    }
    // No source here gives Autopilot Spot Pod prices: spot Pods are named unpriced, not guessed.
    const spotPods = ap ? f.pods.filter((pod) => pod.spot) : [];
    unpriced.push(...spotPods.map((pod) => `pods: ${pod.name}: Autopilot Spot Pod prices for ${f.region} are not recorded in components/estimate/prices.ts`));
    const idle: LineItem[] = !ap
        ? []
        : f.pods
              .filter((pod) => !pod.spot)
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((pod) => {
                  const hourly = pod.cpu * ap.vcpu.usd + pod.memoryGib * ap.memoryGib.usd;
                  return {
                      item: `pods: ${pod.name}`,
                      monthlyUsd: pod.replicas * hourly * HOURS_PER_MONTH,
                      detail: `${pod.replicas} x (${pod.cpu} vCPU, ${pod.memoryGib.toFixed(2)} GiB) Autopilot requests`,
                  };
              });
    const gpuSteps: StepCost[] = f.autopilotGpuPools.map((pool) => ({
        pool: pool.name,
        what: `a ${pool.gpuType} step on Autopilot`,
        configured: pool.spot ? "spot" : "on-demand",
        gpu: true,
        note: "Autopilot GPU Pod prices are not in components/estimate/prices.ts",
    }));
    unpriced.push(...f.autopilotGpuPools.map((pool) => `GPU pool ${pool.name}: Autopilot GPU Pod prices are not recorded`));
    return { idle, steps: [autopilotStepCost(ap, f.spotSteps), ...gpuSteps], unpriced };
}

/** What the profile's default step Pod costs per hour on Autopilot. */
function autopilotStepCost(ap: RegionPrices["autopilot"] | undefined, spotSteps: boolean | undefined): StepCost {
    const step = COST_ASSUMPTIONS.defaultStep;
    const stepCpu = Number(AUTOPILOT_DEFAULT_RESOURCES.cpu);
    const stepMemGib = Number(AUTOPILOT_DEFAULT_RESOURCES.memoryMb) / 1024;
    const stepDiskGib = Number(AUTOPILOT_DEFAULT_RESOURCES.diskMb) / 1024;
    const compute = ap ? stepCpu * ap.vcpu.usd + stepMemGib * ap.memoryGib.usd : undefined;
    const ephemeral = ap ? stepDiskGib * ap.ephemeralGib.usd : undefined;
    return {
        pool: "autopilot (CPU)",
        what: `one default step Pod (${stepCpu} vCPU, ${stepMemGib} GiB, ${stepDiskGib} GiB ephemeral; Metaflow's own default is ${step.cpu}/${step.memoryGib}/${step.diskGib})`,
        onDemandUsdPerHour: compute !== undefined && ephemeral !== undefined ? compute + ephemeral : undefined,
        configured: spotSteps ? "spot" : "on-demand",
        gpu: false,
        note: "Autopilot Spot Pod prices are not recorded in components/estimate/prices.ts",
    };
}

/** The Cloud SQL instance (HA doubles it) and its storage. */
function databasePart(db: NonNullable<CostFootprint["database"]>, region: string, prices: RegionPrices | undefined): BillPart {
    const idle: LineItem[] = [];
    const unpriced: string[] = [];
    const sql = prices?.cloudSql;
    const monthly = sql && db.edition === "ENTERPRISE" ? sqlMonthlyUsd(sql, db.tier) : undefined;
    const ha = db.highAvailability ? 2 : 1;
    if (prices && !sql) {
        unpriced.push(`database: ${MISSING.cloudSql} for ${region} are not recorded in components/estimate/prices.ts`);
    } else if (prices && monthly === undefined) {
        unpriced.push(`database: no list price for ${db.edition} ${db.tier}`);
    }
    if (monthly !== undefined) {
        idle.push({ item: "Cloud SQL instance", monthlyUsd: monthly * ha, detail: `${db.tier}${db.highAvailability ? ", HA (primary + standby: x2)" : ", zonal"}` });
    }
    if (sql) {
        idle.push({
            item: "Cloud SQL storage",
            monthlyUsd: db.diskSizeGb * sql.ssdGib.usd * ha,
            detail: `${db.diskSizeGb} GB SSD at ${money(sql.ssdGib.usd)}/GB-month${db.highAvailability ? " x2 (HA)" : ""}`,
        });
    }
    return { idle, steps: [], unpriced };
}

/** Cloud NAT: the gateway by the VMs it serves while idle, and the addresses their minimum ports need. */
function natItems(nat: NonNullable<CostFootprint["nat"]>, idleVms: number): LineItem[] {
    const g = GLOBAL_PRICES;
    const vms = Math.max(idleVms, 0);
    const gateway = vms > 32 ? g.natGatewayCap.usd : vms * g.natGatewayPerVm.usd;
    // One address carries 64,512 ports; Cloud NAT (AUTO_ONLY) allocates what the VMs' minimum ports need.
    const ips = Math.max(1, Math.ceil((vms * nat.minPortsPerVm) / 64_512));
    return [
        { item: "Cloud NAT gateway", monthlyUsd: gateway * HOURS_PER_MONTH, detail: `${vms} VM(s) at ${money(g.natGatewayPerVm.usd)}/VM-hour` },
        { item: "Cloud NAT IP address", monthlyUsd: ips * g.natIp.usd * HOURS_PER_MONTH, detail: `${ips} address(es) at ${money(g.natIp.usd)}/h` },
    ];
}

/** The datastore bucket and the task image registry, at the sizes COST_ASSUMPTIONS assumes. */
function storageItems(f: CostFootprint, prices: RegionPrices | undefined): LineItem[] {
    const g = GLOBAL_PRICES;
    const items: LineItem[] = [];
    if (f.bucket && prices?.gcsStandard) {
        items.push({
            item: "datastore bucket",
            monthlyUsd: COST_ASSUMPTIONS.bucketGb * prices.gcsStandard.usd,
            detail: `assumed ${COST_ASSUMPTIONS.bucketGb} GB Standard at ${money(prices.gcsStandard.usd)}/GB-month`,
        });
    }
    if (f.registry) {
        const billable = Math.max(0, COST_ASSUMPTIONS.registryGb - g.registryFreeGb.usd);
        items.push({
            item: "task image registry",
            monthlyUsd: billable * g.registryStorage.usd,
            detail: `assumed ${COST_ASSUMPTIONS.registryGb} GB, first ${g.registryFreeGb.usd} GB free, ${money(g.registryStorage.usd)}/GB-month`,
        });
    }
    return items;
}
