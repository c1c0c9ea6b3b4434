/** The validated configuration of one environment, as the rest of the program reads it. */
import type { ParsedConfig } from "./schema";

/** A GPU pool after validation: zones and GPUs per node resolved. */
export type GpuPoolConfig = Omit<ParsedConfig["gpuPools"][number], "zones" | "gpusPerNode"> & {
    readonly zones: string[];
    readonly gpusPerNode: number;
};

/** The validated configuration of one environment. */
export type PlatformConfig = Omit<ParsedConfig, "zones" | "gpuPools" | "database" | "storage" | "services"> & {
    readonly zones: string[];
    readonly gpuPools: GpuPoolConfig[];
    readonly database: ParsedConfig["database"] & { readonly maxConnections: number };
    readonly storage: ParsedConfig["storage"] & { readonly bucketName: string };
    readonly services: ParsedConfig["services"] & { readonly namespace: string };
};
export type NetworkConfig = PlatformConfig["network"];
export type ClusterConfig = PlatformConfig["cluster"];
export type DatabaseConfig = PlatformConfig["database"];
export type StorageConfig = PlatformConfig["storage"];
export type ServicesConfig = PlatformConfig["services"];
export type AccessConfig = PlatformConfig["access"];
export type BillingConfig = PlatformConfig["billing"];

export type EndpointConfig = NonNullable<PlatformConfig["endpoint"]>;
