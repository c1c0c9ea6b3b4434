/**
 * Values derived from other keys where the stack sets none: zones, each GPU pool's zones and GPUs
 * per node, max_connections, the bucket name and the namespace. Resolution never fails: where a
 * value cannot be derived it is left empty (zones []) or 0, and a rule reports why.
 */
import { REGION_ZONES, checkSqlTier, gpuZones, pairGpuMachine } from "../model/catalog";
import { defaultBucketName, defaultNamespace } from "../model/naming";
import { maxConnectionsForTier } from "../model/sizing";
import type { ParsedConfig } from "./schema";
import type { GpuPoolConfig, PlatformConfig } from "./types";

/** The cluster's zones: as listed, else the region's first three, else none (region unknown). */
export function resolveZones(cfg: Pick<ParsedConfig, "zones" | "region">): string[] {
    return cfg.zones ?? REGION_ZONES[cfg.region]?.slice(0, 3) ?? [];
}

/** A GPU pool's zones: as listed, else the cluster's zones that offer the GPU, else every zone that does. */
export function resolvePoolZones(pool: ParsedConfig["gpuPools"][number], region: string, clusterZones: readonly string[]): string[] {
    if (pool.zones) {
        return pool.zones;
    }
    const offered = gpuZones(pool.gpuType, region);
    if (!offered) {
        return [];
    }
    const shared = offered.filter((z) => clusterZones.includes(z));
    return shared.length > 0 ? shared : offered;
}

function resolveGpuPool(pool: ParsedConfig["gpuPools"][number], region: string, clusterZones: readonly string[]): GpuPoolConfig {
    const pairing = pairGpuMachine(pool.gpuType, pool.machineType, pool.gpusPerNode);
    return { ...pool, zones: resolvePoolZones(pool, region, clusterZones), gpusPerNode: pairing.ok ? pairing.gpusPerNode : 0 };
}

/** max_connections: as set, else from the tier's memory (0 for a tier that does not exist). */
export function resolveMaxConnections(database: ParsedConfig["database"]): number {
    const tier = checkSqlTier(database.edition, database.tier);
    return database.maxConnections ?? (tier.ok ? maxConnectionsForTier(tier.memoryMb) : 0);
}

/** The config with every derived value filled in. */
export function resolveConfig(cfg: ParsedConfig): PlatformConfig {
    const zones = resolveZones(cfg);
    return {
        ...cfg,
        zones,
        gpuPools: cfg.gpuPools.map((pool) => resolveGpuPool(pool, cfg.region, zones)),
        database: { ...cfg.database, maxConnections: resolveMaxConnections(cfg.database) },
        storage: { ...cfg.storage, bucketName: cfg.storage.bucketName ?? defaultBucketName(cfg.project, cfg.environment) },
        services: { ...cfg.services, namespace: cfg.services.namespace ?? defaultNamespace(cfg.environment) },
    };
}
