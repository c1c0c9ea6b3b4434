/**
 * `charts.source` checked before anything is created: every chart the config deploys must be
 * where the source says (a local directory is read now; a repository or registry is only reached
 * by Helm during the update).
 */
import type { PlatformConfig } from "../config/config";
import { NODE_CHART_FILES } from "../kubernetes/chartFiles";
import { helmChartArgs, type ChartFiles, type PinnedChart } from "../kubernetes/specs/chartSource";
import { AIRFLOW_CHART, ARGO_EVENTS_CHART, ARGO_WORKFLOWS_CHART, KUEUE_CHART } from "../kubernetes/specs/versions";

/** The charts a config deploys: the services' orchestrators, and Kueue with `queues.enabled`. */
export function deployedCharts(cfg: PlatformConfig): PinnedChart[] {
    const s = cfg.services;
    const orchestrators = s.enabled ? [...(s.argoWorkflows ? [ARGO_WORKFLOWS_CHART] : []), ...(s.argoEvents ? [ARGO_EVENTS_CHART] : []), ...(s.airflow ? [AIRFLOW_CHART] : [])] : [];
    return [...orchestrators, ...(cfg.queues.enabled ? [KUEUE_CHART] : [])];
}

/** One problem per chart `charts.source` cannot supply. */
export function chartSourceProblems(cfg: PlatformConfig, files: ChartFiles = NODE_CHART_FILES): string[] {
    return deployedCharts(cfg)
        .map((chart) => helmChartArgs(chart, cfg.charts.source, files))
        .filter((r): r is string => typeof r === "string");
}
