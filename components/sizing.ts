/**
 * Sizing decisions that depend on more than one setting: how many Postgres connections the
 * Metaflow services need and how many a Cloud SQL tier can carry.
 */

/** Per-replica connection pool of the metadata service (MF_METADATA_DB_POOL_MAX). */
export const METADATA_POOL_MAX = 10;
/**
 * The UI backend opens several pools (runs, tasks, artifacts, notifications...); seen at up to
 * ~50 connections per replica (see REFERENCE.md).
 */
export const UI_BACKEND_CONNECTIONS = 50;
/** Migrations, `psql` by an operator, and Cloud SQL's own superuser reservation. */
export const RESERVED_CONNECTIONS = 15;
/** A Postgres backend costs memory; ~12 MB each keeps shared_buffers and work_mem room. */
const MB_PER_CONNECTION = 12;

/** Replica counts of the services that hold database pools. */
export interface ConnectionDemand {
    readonly metadataReplicas: number;
    readonly uiReplicas: number;
}

/** Connections the services need at peak, before headroom. */
export function requiredConnections(demand: ConnectionDemand): number {
    return demand.metadataReplicas * METADATA_POOL_MAX + demand.uiReplicas * UI_BACKEND_CONNECTIONS + RESERVED_CONNECTIONS;
}

/** The `max_connections` flag to set: demand plus 25% headroom for rolling updates, rounded up to 10. */
export function maxConnectionsFor(demand: ConnectionDemand): number {
    return Math.ceil((requiredConnections(demand) * 1.25) / 10) * 10;
}

/** Largest `max_connections` a tier with `memoryMb` carries safely. */
export function connectionCapacity(memoryMb: number): number {
    return Math.floor(memoryMb / MB_PER_CONNECTION);
}
