import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, withDefaults } from "../options";
import { componentType } from "../model/typeTokens";
import { alertBodies, dashboardBody } from "../model/monitoringBodies";
import { DATABASE_ID_PLACEHOLDER, type WatchedPlatform } from "../model/observability";

/** A node pool the dashboard shows, and what one of its nodes costs. */
export interface MonitoredNodePool {
    /** GKE's name of the node pool (the nodes' `cloud.google.com/gke-nodepool` label). */
    readonly name: string;
    /** Its nodes have GPUs. */
    readonly gpu: boolean;
    /** One node (and its boot disk) per hour at list prices; unset: left off the spend chart. */
    readonly hourlyUsd?: number;
}

/** The Cloud SQL instance whose connections are watched. */
export interface MonitoredDatabase {
    /** `<project>:<instance name>`, the metric's `database_id`. */
    readonly databaseId: pulumi.Input<string>;
    /** Its max_connections flag. */
    readonly maxConnections: number;
}

export interface EnvironmentMonitoringArgs {
    /** Project of the dashboard, the alert policies and the channels. */
    readonly project: string;
    /** Environment name: in every title, and the policies' `environment` label. */
    readonly environment: string;
    /** The GKE cluster's name. */
    readonly clusterName: string;
    /** The Metaflow namespace, where steps run. */
    readonly namespace: string;
    /** Node pools shown per pool and priced on the spend chart. Default: none. */
    readonly nodePools?: MonitoredNodePool[];
    /** Argo Workflows runs and its controller is scraped (MetricsScraping): chart its runs, alert on failures. Default: false. */
    readonly argoWorkflows?: boolean;
    /** The database to watch (a chart and the 80% alert). Default: none. */
    readonly database?: MonitoredDatabase;
    /** The monthly budget, drawn on the spend chart per hour. Default: none. */
    readonly monthlyBudget?: number;
    /** Alert when a GPU node's GPUs did no work for this many minutes. Default: 30. */
    readonly idleGpuMinutes?: number;
    /** Alert when a step pod cannot be placed for this many minutes. Default: 30. */
    readonly unschedulableMinutes?: number;
    /** Email recipients of the alerts; each becomes a Cloud Monitoring email channel. Default: none (then `channels`). */
    readonly emails?: string[];
    /** Existing notification channels (names) to alert when `emails` is empty, e.g. the budget's. Default: none. */
    readonly channels?: pulumi.Input<string>[];
}

/** The defaults EnvironmentMonitoringArgs documents. */
export const ENVIRONMENT_MONITORING_DEFAULTS = {
    nodePools: [] as MonitoredNodePool[],
    argoWorkflows: false,
    idleGpuMinutes: 30,
    unschedulableMinutes: 30,
    emails: [] as string[],
    channels: [] as pulumi.Input<string>[],
};

/** What the bodies are built from (model/observability.ts), the database's ID left as a placeholder. */
export function watchedPlatform(args: EnvironmentMonitoringArgs): WatchedPlatform {
    const a = withDefaults(ENVIRONMENT_MONITORING_DEFAULTS, args);
    return {
        environment: args.environment,
        clusterName: args.clusterName,
        namespace: args.namespace,
        nodePools: a.nodePools,
        argoWorkflows: a.argoWorkflows,
        database: a.database && { databaseId: DATABASE_ID_PLACEHOLDER, maxConnections: a.database.maxConnections },
        monthlyBudget: a.monthlyBudget,
        alerts: { idleGpuMinutes: a.idleGpuMinutes, unschedulableMinutes: a.unschedulableMinutes },
    };
}

/**
 * A Cloud Monitoring dashboard for one environment and the alert policies that watch its money and
 * its steps (model/monitoringBodies.ts): an idle GPU node, a step the scheduler cannot place, the
 * database near max_connections, a failing Argo workflow. The alerts go to their own email channels
 * or to the channels given (the budget's); with neither they show as incidents in the console.
 */
export class EnvironmentMonitoring extends pulumi.ComponentResource {
    public readonly dashboard: gcp.monitoring.Dashboard;
    public readonly alertPolicies: gcp.monitoring.AlertPolicy[];
    /** The email channels made for `emails`; empty when there are none. */
    public readonly channels: gcp.monitoring.NotificationChannel[];
    /** The alert policies' display names, in creation order (the preview and the stack output list them). */
    public readonly alertNames: string[];

    constructor(name: string, args: EnvironmentMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super(componentType("EnvironmentMonitoring"), name, {}, opts);
        const parent = childOptions(this, opts);
        const a = withDefaults(ENVIRONMENT_MONITORING_DEFAULTS, args);
        const watched = watchedPlatform(a);
        // The instance's generated name goes where the bodies hold its placeholder.
        const databaseId = args.database?.databaseId;
        const withDatabase = (text: string): pulumi.Input<string> =>
            databaseId !== undefined && text.includes(DATABASE_ID_PLACEHOLDER) ? pulumi.output(databaseId).apply((id) => text.split(DATABASE_ID_PLACEHOLDER).join(id)) : text;

        this.channels = a.emails.map(
            (email, i) =>
                new gcp.monitoring.NotificationChannel(
                    `${name}-email-${i}`,
                    { project: args.project, type: "email", displayName: `Metaflow ${args.environment} alerts: ${email}`, labels: { email_address: email } },
                    parent,
                ),
        );
        const notificationChannels = this.channels.length > 0 ? this.channels.map((c) => c.name) : a.channels;
        this.dashboard = new gcp.monitoring.Dashboard(`${name}-dashboard`, { project: args.project, dashboardJson: withDatabase(JSON.stringify(dashboardBody(watched))) }, parent);
        const alerts = alertBodies(watched);
        this.alertNames = alerts.map(({ body }) => body.displayName);
        this.alertPolicies = alerts.map(
            ({ key, body }) =>
                new gcp.monitoring.AlertPolicy(
                    `${name}-${key}`,
                    {
                        project: args.project,
                        ...body,
                        conditions: body.conditions.map((c) => ({
                            displayName: c.displayName,
                            conditionPrometheusQueryLanguage: { ...c.conditionPrometheusQueryLanguage, query: withDatabase(c.conditionPrometheusQueryLanguage.query) },
                        })),
                        notificationChannels,
                    },
                    parent,
                ),
        );
        this.registerOutputs({ dashboard: this.dashboard.id, alertPolicies: this.alertPolicies.map((p) => p.name) });
    }
}
