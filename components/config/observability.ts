/**
 * The validated stack config as the dashboard and alerts see it (model/observability.ts's
 * `WatchedPlatform`): the cluster, every node pool under GKE's name with what one node costs per
 * hour at list prices (the cost estimate's own figures, at the capacity each rung uses), the
 * database and the budget.
 */
import { estimateCost } from "../estimate/cost";
import { clusterName } from "../model/naming";
import { DATABASE_ID_PLACEHOLDER, type WatchedPlatform } from "../model/observability";
import { footprintFromConfig } from "./estimate";
import type { PlatformConfig } from "./types";

export function watchedFromConfig(cfg: PlatformConfig): WatchedPlatform {
    const estimate = estimateCost(footprintFromConfig(cfg));
    const autopilot = cfg.cluster.mode === "autopilot";
    return {
        environment: cfg.environment,
        clusterName: clusterName(cfg.environment),
        namespace: cfg.services.namespace,
        nodePools: autopilot
            ? []
            : estimate.steps.map((s) => ({
                  name: s.pool,
                  gpu: s.gpu,
                  hourlyUsd: s.configured === "spot" ? s.spotUsdPerHour : s.onDemandUsdPerHour,
              })),
        argoWorkflows: cfg.services.enabled && cfg.services.argoWorkflows,
        database: cfg.database.enabled ? { databaseId: DATABASE_ID_PLACEHOLDER, maxConnections: cfg.database.maxConnections } : undefined,
        monthlyBudget: cfg.billing.budget?.amount,
        alerts: { idleGpuMinutes: cfg.observability.idleGpuMinutes, unschedulableMinutes: cfg.observability.unschedulableMinutes },
    };
}
