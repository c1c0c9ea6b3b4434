/**
 * The Cloud Monitoring API bodies of what the platform watches: one dashboard (monitoring v1
 * Dashboard, mosaic layout) and the alert policies (monitoring v3 AlertPolicy, one PromQL
 * condition each). Field names and enums are the API's (its discovery documents; tests validate
 * every body against them). Pure; the queries are observability.ts's, the component that sends
 * the bodies is gcp/monitoring.ts.
 */
import { CONNECTIONS_ALERT_FRACTION, watchQueries, type WatchedPlatform } from "./observability";

/** Hours in a month, as estimate/prices.ts counts them (a monthly budget spread over its hours). */
const HOURS_PER_MONTH = 730;
/** The mosaic's width (the API's default grid); tiles are half of it. */
const COLUMNS = 48;
const TILE_HEIGHT = 16;

interface ChartLine {
    readonly query: string;
    readonly legend?: string;
}

interface Threshold {
    readonly value: number;
    readonly label: string;
}

function chart(title: string, lines: readonly ChartLine[], yLabel: string, thresholds: readonly Threshold[] = [], plotType: "LINE" | "STACKED_AREA" = "LINE") {
    return {
        title,
        xyChart: {
            dataSets: lines.map((l) => ({
                timeSeriesQuery: { prometheusQuery: l.query },
                plotType,
                minAlignmentPeriod: "60s",
                ...(l.legend ? { legendTemplate: l.legend } : {}),
            })),
            // Nothing empty or zero: the API leaves such fields out of what it returns, and the
            // provider's diff (terraform-provider-google monitoringDashboardDiffSuppress) ignores
            // only fields it adds, so an empty field we send would show as a change on every update.
            ...(thresholds.length > 0 ? { thresholds: thresholds.map((t) => ({ value: t.value, label: t.label, color: "RED", direction: "ABOVE" })) } : {}),
            yAxis: { label: yLabel, scale: "LINEAR" },
        },
    };
}

/** The database's alert level: CONNECTIONS_ALERT_FRACTION of max_connections. */
export function connectionsAlertLevel(maxConnections: number): number {
    return Math.floor(maxConnections * CONNECTIONS_ALERT_FRACTION);
}

/** The dashboard's widgets, in reading order (two to a row). */
function widgets(w: WatchedPlatform) {
    const q = watchQueries(w);
    const minutes = w.alerts.unschedulableMinutes;
    const budgetPerHour = w.monthlyBudget !== undefined ? [{ value: Math.round((w.monthlyBudget / HOURS_PER_MONTH) * 100) / 100, label: `budget ${w.monthlyBudget}/month` }] : [];
    return [
        chart("GPU utilisation per pool (%)", [{ query: q.gpuUtilisationByPool, legend: "${pool}" }], "%"),
        chart("GPU memory used per pool (%)", [{ query: q.gpuMemoryByPool, legend: "${pool}" }], "%"),
        chart("Nodes per pool", [{ query: q.nodesByPool, legend: "${pool}" }], "nodes", [], "STACKED_AREA"),
        chart("GPU utilisation per GPU model (DCGM, %)", [{ query: q.gpuUtilisationByModel, legend: "${modelName}" }], "%"),
        chart(
            `Steps waiting (pods in ${w.namespace})`,
            [
                { query: q.pendingSteps, legend: "pending (queued or waiting for a node)" },
                { query: q.longPendingSteps, legend: `pending for ${minutes}+ minutes` },
                { query: q.unschedulableSteps, legend: "unschedulable (no capacity in any rung)" },
            ],
            "pods",
        ),
        ...(w.argoWorkflows
            ? [
                  chart("Steps per hour by phase (Argo pods)", [{ query: q.stepsByPhase, legend: "${phase}" }], "pods/hour"),
                  chart("Workflows per hour by phase (Argo)", [{ query: q.workflowsByPhase, legend: "${phase}" }], "workflows/hour"),
              ]
            : []),
        ...(w.database && q.sqlConnections
            ? [
                  chart("Cloud SQL connections against max_connections", [{ query: q.sqlConnections, legend: "connections" }], "connections", [
                      { value: w.database.maxConnections, label: "max_connections" },
                      { value: connectionsAlertLevel(w.database.maxConnections), label: "alert" },
                  ]),
              ]
            : []),
        ...(q.spendRate.length > 0
            ? [chart("Node spend at list prices ($/hour) against the budget", q.spendRate.map((s) => ({ query: s.query, legend: s.pool })), "$/hour", budgetPerHour, "STACKED_AREA")]
            : []),
    ];
}

/** The fields that are not 0 (proto3 JSON leaves zeros out; see `chart`). */
function nonZero(fields: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== 0));
}

/** The environment's dashboard (monitoring v1 Dashboard). */
export function dashboardBody(w: WatchedPlatform): Record<string, unknown> {
    const width = COLUMNS / 2;
    return {
        displayName: dashboardName(w.environment),
        mosaicLayout: {
            columns: COLUMNS,
            tiles: widgets(w).map((widget, i) => ({ ...nonZero({ xPos: (i % 2) * width, yPos: Math.floor(i / 2) * TILE_HEIGHT }), width, height: TILE_HEIGHT, widget })),
        },
        labels: { metaflow: "", [w.environment]: "" },
    };
}

export function dashboardName(environment: string): string {
    return `Metaflow ${environment}: GPUs, steps and spend`;
}

/** One alert policy (monitoring v3 AlertPolicy) with one PromQL condition; channels are added by the component. */
export interface AlertBody {
    readonly displayName: string;
    readonly documentation: { readonly content: string; readonly mimeType: "text/markdown"; readonly subject: string };
    readonly combiner: "OR";
    readonly conditions: ReadonlyArray<{
        readonly displayName: string;
        readonly conditionPrometheusQueryLanguage: {
            readonly query: string;
            readonly duration: string;
            readonly evaluationInterval: string;
            /** The metrics may not exist yet (no GPU node has run, Argo not yet scraped): create anyway. */
            readonly disableMetricValidation: true;
        };
    }>;
    readonly alertStrategy: { readonly autoClose: string };
    readonly severity: "WARNING" | "ERROR";
    readonly userLabels: Record<string, string>;
}

/** A short key per alert, for resource names and the preview. */
export type AlertKey = "idle-gpu-node" | "unschedulable-step" | "sql-connections" | "workflow-failures";

function alert(w: WatchedPlatform, name: string, severity: AlertBody["severity"], query: string, minutes: number, what: string): AlertBody {
    return {
        displayName: `Metaflow ${w.environment}: ${name}`,
        documentation: { content: what, mimeType: "text/markdown", subject: `[metaflow ${w.environment}] ${name}` },
        combiner: "OR",
        conditions: [{ displayName: name, conditionPrometheusQueryLanguage: { query, duration: `${minutes * 60}s`, evaluationInterval: "60s", disableMetricValidation: true } }],
        alertStrategy: { autoClose: "86400s" },
        severity,
        userLabels: { environment: w.environment, platform: "metaflow" },
    };
}

/** The alert policies: money (an idle GPU node), capacity (a step nobody can place), the database, failing workflows. */
export function alertBodies(w: WatchedPlatform): Array<{ key: AlertKey; body: AlertBody }> {
    const q = watchQueries(w);
    const a = w.alerts;
    return [
        {
            key: "idle-gpu-node",
            body: alert(
                w,
                `GPU node idle for ${a.idleGpuMinutes} minutes`,
                "WARNING",
                q.idleGpuNodes,
                a.idleGpuMinutes,
                `A GPU node's GPUs did no work for ${a.idleGpuMinutes} minutes (GKE's accelerator duty cycle, per node): no step holds them, or the step holding them does not use them. ` +
                    "The node bills either way. No step: the autoscaler removes it after about 10 minutes unless the pool's minNodes keeps it or something blocks scale-down (`kubectl describe node`). " +
                    `A step: \`kubectl -n ${w.namespace} get pods -o wide --field-selector spec.nodeName=<node>\`.`,
            ),
        },
        {
            key: "unschedulable-step",
            body: alert(
                w,
                `step unschedulable for ${a.unschedulableMinutes} minutes`,
                "WARNING",
                q.unschedulablePods,
                a.unschedulableMinutes,
                `A step pod in ${w.namespace} the scheduler could not place for ${a.unschedulableMinutes} minutes: every rung of its GPU pool is out of capacity or at maxNodes (GPU stockouts show here), ` +
                    `or it asks for more than a node holds (the \`largestStep\` output). Steps still waiting in a queue are not counted. \`kubectl -n ${w.namespace} get events --field-selector reason=FailedScheduling\`.`,
            ),
        },
        ...(w.database && q.sqlConnections
            ? [
                  {
                      key: "sql-connections" as const,
                      body: alert(
                          w,
                          `Cloud SQL connections above ${Math.round(CONNECTIONS_ALERT_FRACTION * 100)}% of max_connections`,
                          "ERROR",
                          `${q.sqlConnections} > ${connectionsAlertLevel(w.database.maxConnections)}`,
                          5,
                          `Connections are near max_connections (${w.database.maxConnections}); past it the metadata service, the UI and Airflow fail to connect. ` +
                              "Raise `database.tier` (max_connections follows it) or `database.maxConnections`, or lower the services' pools (`services.metadataDbPoolMax`, `services.uiDbPoolMax`).",
                      ),
                  },
              ]
            : []),
        ...(w.argoWorkflows
            ? [
                  {
                      key: "workflow-failures" as const,
                      body: alert(
                          w,
                          "Argo workflow failed",
                          "ERROR",
                          q.workflowFailures,
                          0,
                          `A scheduled or triggered flow failed in Argo Workflows in the last 10 minutes. \`argo -n ${w.namespace} list --status Failed\`, then the failed step's logs in the Metaflow UI.`,
                      ),
                  },
              ]
            : []),
    ];
}
