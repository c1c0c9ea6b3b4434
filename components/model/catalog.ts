/**
 * Facts about Google Cloud that the platform's decisions depend on: which machine types carry
 * which GPUs, where GPUs exist, which Cloud SQL tiers exist per edition. Pure data and pure
 * functions, so config validation and the policy pack share one source of truth.
 *
 * Sources: GoogleCloudPlatform/cluster-toolkit `gpu-definition` (machine/GPU pairs), Cloud SQL
 * machine-series docs (tiers per edition). Zone lists are a convenience for defaults only; a
 * region missing here simply requires zones in config (check with
 * `gcloud compute accelerator-types list --filter="name=nvidia-l4"`).
 */

export const GPU_TYPES = [
    "nvidia-l4",
    "nvidia-tesla-t4",
    "nvidia-tesla-a100",
    "nvidia-a100-80gb",
    "nvidia-h100-80gb",
] as const;
export type GpuType = (typeof GPU_TYPES)[number];

/** Fixed machine type -> GPUs attached, for accelerator-optimized families (G2, A2, A3). */
const FIXED_GPU_MACHINES: Record<Exclude<GpuType, "nvidia-tesla-t4">, Record<string, number>> = {
    "nvidia-l4": {
        "g2-standard-4": 1,
        "g2-standard-8": 1,
        "g2-standard-12": 1,
        "g2-standard-16": 1,
        "g2-standard-32": 1,
        "g2-standard-24": 2,
        "g2-standard-48": 4,
        "g2-standard-96": 8,
    },
    "nvidia-tesla-a100": {
        "a2-highgpu-1g": 1,
        "a2-highgpu-2g": 2,
        "a2-highgpu-4g": 4,
        "a2-highgpu-8g": 8,
        "a2-megagpu-16g": 16,
    },
    "nvidia-a100-80gb": {
        "a2-ultragpu-1g": 1,
        "a2-ultragpu-2g": 2,
        "a2-ultragpu-4g": 4,
        "a2-ultragpu-8g": 8,
    },
    "nvidia-h100-80gb": {
        "a3-highgpu-8g": 8,
    },
};

/**
 * The GPUs an accelerator-optimized machine type comes with (G2, A2, A3: Compute Engine attaches
 * them with the machine, whatever `guestAccelerators` says), or undefined for other machines,
 * which carry only the GPUs attached to them.
 */
export function builtInGpus(machineType: string): { gpuType: Exclude<GpuType, "nvidia-tesla-t4">; count: number } | undefined {
    for (const [gpuType, machines] of Object.entries(FIXED_GPU_MACHINES) as Array<[Exclude<GpuType, "nvidia-tesla-t4">, Record<string, number>]>) {
        if (machines[machineType] !== undefined) {
            return { gpuType, count: machines[machineType] };
        }
    }
    return undefined;
}

/** T4s attach to N1 machines; the GPU count bounds the vCPUs the VM may have. */
const T4_MAX_VCPUS_BY_COUNT: Record<number, number> = { 1: 24, 2: 48, 4: 96 };
const N1_STANDARD_VCPUS = [1, 2, 4, 8, 16, 32, 64, 96];

/** Result of pairing a machine type with a GPU type. */
export type GpuPairing =
    | { ok: true; gpusPerNode: number }
    | { ok: false; reason: string };

/** Machine types that can carry `gpuType`, for error messages. */
export function machineTypesFor(gpuType: GpuType): string[] {
    if (gpuType === "nvidia-tesla-t4") {
        return N1_STANDARD_VCPUS.map((n) => `n1-standard-${n}`);
    }
    return Object.keys(FIXED_GPU_MACHINES[gpuType]);
}

/**
 * Decides how many GPUs a node of `machineType` carries for `gpuType`. `requestedCount` is only
 * free for T4 on N1 (1, 2 or 4); for accelerator-optimized machines the count is fixed by the
 * machine type and a different requested count is an error.
 */
export function pairGpuMachine(gpuType: GpuType, machineType: string, requestedCount?: number): GpuPairing {
    if (gpuType === "nvidia-tesla-t4") {
        const match = /^n1-standard-(\d+)$/.exec(machineType);
        const vcpus = match ? Number(match[1]) : NaN;
        if (!N1_STANDARD_VCPUS.includes(vcpus)) {
            return { ok: false, reason: `nvidia-tesla-t4 attaches only to N1 machines (${machineTypesFor(gpuType).join(", ")})` };
        }
        const count = requestedCount ?? 1;
        const maxVcpus = T4_MAX_VCPUS_BY_COUNT[count];
        if (maxVcpus === undefined) {
            return { ok: false, reason: `nvidia-tesla-t4 comes in 1, 2 or 4 per VM, not ${count}` };
        }
        if (vcpus > maxVcpus) {
            return { ok: false, reason: `${count} x nvidia-tesla-t4 allows at most ${maxVcpus} vCPUs, ${machineType} has ${vcpus}` };
        }
        return { ok: true, gpusPerNode: count };
    }
    const fixed = FIXED_GPU_MACHINES[gpuType][machineType];
    if (fixed === undefined) {
        return { ok: false, reason: `${machineType} cannot carry ${gpuType}; allowed: ${machineTypesFor(gpuType).join(", ")}` };
    }
    if (requestedCount !== undefined && requestedCount !== fixed) {
        return { ok: false, reason: `${machineType} comes with exactly ${fixed} x ${gpuType}, not ${requestedCount}` };
    }
    return { ok: true, gpusPerNode: fixed };
}

/** vCPUs and memory of a machine type, as Compute Engine reports them (`memoryMb` is MiB). */
export interface MachineShape {
    readonly vcpus: number;
    readonly memoryMb: number;
}

/**
 * Predefined general-purpose shapes: GB of memory per vCPU and the vCPU counts offered, per
 * family and class (Compute Engine docs, "General-purpose machine family": E2, N1, N2, N2D).
 * Compute Engine's GB are GiB (`gcloud compute machine-types describe e2-standard-4` reports
 * memoryMb 16384; n1-standard-1 reports 3840).
 */
const GENERAL_PURPOSE_SHAPES: Record<string, { gbPerVcpu: number; vcpus: number[] }> = {
    "e2-standard": { gbPerVcpu: 4, vcpus: [2, 4, 8, 16, 32] },
    "e2-highmem": { gbPerVcpu: 8, vcpus: [2, 4, 8, 16] },
    "e2-highcpu": { gbPerVcpu: 1, vcpus: [2, 4, 8, 16, 32] },
    "n1-standard": { gbPerVcpu: 3.75, vcpus: [1, 2, 4, 8, 16, 32, 64, 96] },
    "n1-highmem": { gbPerVcpu: 6.5, vcpus: [2, 4, 8, 16, 32, 64, 96] },
    "n1-highcpu": { gbPerVcpu: 0.9, vcpus: [2, 4, 8, 16, 32, 64, 96] },
    "n2-standard": { gbPerVcpu: 4, vcpus: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128] },
    "n2-highmem": { gbPerVcpu: 8, vcpus: [2, 4, 8, 16, 32, 48, 64, 80, 96] },
    "n2-highcpu": { gbPerVcpu: 1, vcpus: [2, 4, 8, 16, 32, 48, 64, 80, 96] },
    "n2d-standard": { gbPerVcpu: 4, vcpus: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224] },
    "n2d-highmem": { gbPerVcpu: 8, vcpus: [2, 4, 8, 16, 32, 48, 64, 80, 96] },
    "n2d-highcpu": { gbPerVcpu: 1, vcpus: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128, 224] },
};

/**
 * Accelerator-optimized shapes, fixed per machine type (Compute Engine docs,
 * "Accelerator-optimized machine family": G2, A2, A3), in vCPUs and GB (= GiB).
 */
const ACCELERATOR_SHAPES: Record<string, [vcpus: number, gb: number]> = {
    "g2-standard-4": [4, 16],
    "g2-standard-8": [8, 32],
    "g2-standard-12": [12, 48],
    "g2-standard-16": [16, 64],
    "g2-standard-24": [24, 96],
    "g2-standard-32": [32, 128],
    "g2-standard-48": [48, 192],
    "g2-standard-96": [96, 384],
    "a2-highgpu-1g": [12, 85],
    "a2-highgpu-2g": [24, 170],
    "a2-highgpu-4g": [48, 340],
    "a2-highgpu-8g": [96, 680],
    "a2-megagpu-16g": [96, 1360],
    "a2-ultragpu-1g": [12, 170],
    "a2-ultragpu-2g": [24, 340],
    "a2-ultragpu-4g": [48, 680],
    "a2-ultragpu-8g": [96, 1360],
    "a3-highgpu-8g": [208, 1872],
};

/** Every predefined general-purpose machine type of `families` (e.g. "e2-standard-2"), for price coverage checks. */
export function predefinedMachineTypes(families: readonly string[]): string[] {
    return Object.entries(GENERAL_PURPOSE_SHAPES)
        .filter(([series]) => families.includes(series.split("-")[0]))
        .flatMap(([series, { vcpus }]) => vcpus.map((n) => `${series}-${n}`));
}

/** Machine families and classes `machineShape` knows, for error messages. */
export const KNOWN_MACHINE_SERIES = [...Object.keys(GENERAL_PURPOSE_SHAPES), "g2-standard", "a2-highgpu", "a2-megagpu", "a2-ultragpu", "a3-highgpu"];

/** The shape of a predefined machine type, or undefined when the catalog does not know it. */
export function machineShape(machineType: string): MachineShape | undefined {
    const fixed = ACCELERATOR_SHAPES[machineType];
    if (fixed) {
        return { vcpus: fixed[0], memoryMb: fixed[1] * 1024 };
    }
    const match = /^([a-z0-9]+-[a-z]+)-(\d+)$/.exec(machineType);
    const series = match ? GENERAL_PURPOSE_SHAPES[match[1]] : undefined;
    const vcpus = match ? Number(match[2]) : NaN;
    if (!series || !series.vcpus.includes(vcpus)) {
        return undefined;
    }
    // Compute Engine rounds the product down to whole MiB (n1-highcpu-2: 1.8 GB = 1843 MiB).
    return { vcpus, memoryMb: Math.floor(vcpus * series.gbPerVcpu * 1024) };
}

/** The machine family ("g2", "n1", "a2", ...) of a machine type. */
export function machineFamily(machineType: string): string {
    return machineType.split("-")[0];
}

/** Zones per region, used as defaults when a stack does not list zones. */
export const REGION_ZONES: Record<string, string[]> = {
    "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"],
    "us-east1": ["us-east1-b", "us-east1-c", "us-east1-d"],
    "us-east4": ["us-east4-a", "us-east4-b", "us-east4-c"],
    "us-west1": ["us-west1-a", "us-west1-b", "us-west1-c"],
    "us-west4": ["us-west4-a", "us-west4-b", "us-west4-c"],
    "europe-west1": ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
    "europe-west4": ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
    "asia-southeast1": ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
};

/**
 * Zones where a GPU type is offered, for the regions we know. Used to default a GPU pool's
 * zones and to reject a zone that has no such GPU. Absent region = unknown, not "none".
 */
export const GPU_ZONES: Partial<Record<GpuType, Record<string, string[]>>> = {
    "nvidia-l4": {
        "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c"],
        "us-east1": ["us-east1-b", "us-east1-c", "us-east1-d"],
        "us-east4": ["us-east4-a", "us-east4-c"],
        "us-west1": ["us-west1-a", "us-west1-b", "us-west1-c"],
        "us-west4": ["us-west4-a", "us-west4-c"],
        "europe-west1": ["europe-west1-b", "europe-west1-c"],
        "europe-west4": ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
        "asia-southeast1": ["asia-southeast1-a", "asia-southeast1-b", "asia-southeast1-c"],
    },
    "nvidia-tesla-t4": {
        "us-central1": ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"],
        "us-east1": ["us-east1-c", "us-east1-d"],
        "us-west1": ["us-west1-a", "us-west1-b"],
        "europe-west4": ["europe-west4-a", "europe-west4-b", "europe-west4-c"],
    },
};

/**
 * Where a GPU pool must list its zones (no GPU_ZONES entry for its GPU in the region), in words,
 * for the config reference: "nvidia-tesla-a100 in every region; nvidia-tesla-t4 outside
 * us-central1, ...".
 */
export function gpuZonesRequiredWhere(): string {
    const catalogRegions = Object.keys(REGION_ZONES);
    return GPU_TYPES.map((gpu) => {
        const known = Object.keys(GPU_ZONES[gpu] ?? {});
        if (known.length === 0) {
            return `\`${gpu}\` in every region`;
        }
        const outside = known.length === catalogRegions.length && catalogRegions.every((r) => known.includes(r)) ? "the catalog's regions" : known.join(", ");
        return `\`${gpu}\` outside ${outside}`;
    }).join("; ");
}

/** Zones of `region` known to offer `gpuType`, or undefined when we have no data. */
export function gpuZones(gpuType: GpuType, region: string): string[] | undefined {
    return GPU_ZONES[gpuType]?.[region];
}

export const SQL_EDITIONS = ["ENTERPRISE", "ENTERPRISE_PLUS"] as const;
export type SqlEdition = (typeof SQL_EDITIONS)[number];

/** Result of checking a Cloud SQL tier against an edition. */
export type SqlTierCheck =
    | { ok: true; memoryMb: number; sharedCore: boolean }
    | { ok: false; reason: string };

const SHARED_CORE_TIERS: Record<string, number> = { "db-f1-micro": 614, "db-g1-small": 1700 };
const PERF_OPTIMIZED_VCPUS = [2, 4, 8, 16, 32, 48, 64, 80, 96, 128];

/**
 * Checks that `tier` exists in `edition` and returns its memory. ENTERPRISE takes shared-core
 * and db-custom-<vCPU>-<MB> tiers (1 or an even vCPU count up to 96, 0.9-6.5 GB per vCPU in
 * 256 MB steps, at least 3840 MB); ENTERPRISE_PLUS takes only db-perf-optimized-N-<vCPU>.
 */
export function checkSqlTier(edition: SqlEdition, tier: string): SqlTierCheck {
    if (edition === "ENTERPRISE_PLUS") {
        const match = /^db-perf-optimized-N-(\d+)$/.exec(tier);
        const vcpus = match ? Number(match[1]) : NaN;
        if (!PERF_OPTIMIZED_VCPUS.includes(vcpus)) {
            return {
                ok: false,
                reason: `ENTERPRISE_PLUS takes only db-perf-optimized-N-<vCPUs> with vCPUs in ${PERF_OPTIMIZED_VCPUS.join(", ")}`,
            };
        }
        return { ok: true, memoryMb: vcpus * 8192, sharedCore: false };
    }
    const shared = SHARED_CORE_TIERS[tier];
    if (shared !== undefined) {
        return { ok: true, memoryMb: shared, sharedCore: true };
    }
    const match = /^db-custom-(\d+)-(\d+)$/.exec(tier);
    if (!match) {
        return {
            ok: false,
            reason: "ENTERPRISE takes db-f1-micro, db-g1-small or db-custom-<vCPUs>-<memoryMB> (for example db-custom-2-7680)",
        };
    }
    const vcpus = Number(match[1]);
    const memoryMb = Number(match[2]);
    if (vcpus < 1 || vcpus > 96 || (vcpus !== 1 && vcpus % 2 !== 0)) {
        return { ok: false, reason: `db-custom vCPUs must be 1 or an even number up to 96, not ${vcpus}` };
    }
    if (memoryMb % 256 !== 0 || memoryMb < 3840 || memoryMb < vcpus * 922 || memoryMb > vcpus * 6656) {
        return {
            ok: false,
            reason: `db-custom memory must be a multiple of 256 MB, at least 3840 MB and 0.9-6.5 GB per vCPU (${vcpus * 922}-${vcpus * 6656} MB for ${vcpus} vCPUs), not ${memoryMb}`,
        };
    }
    return { ok: true, memoryMb, sharedCore: false };
}

/** Longest point-in-time-recovery log retention each edition allows, in days. */
export const MAX_LOG_RETENTION_DAYS: Record<SqlEdition, number> = { ENTERPRISE: 7, ENTERPRISE_PLUS: 35 };
