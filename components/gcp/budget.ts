import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { BillingConfig } from "../config/config";
import { childOptions } from "../options";

/** The API the budget needs, enabled by ProjectApis when a budget is configured. */
export const BUDGET_API = "billingbudgets.googleapis.com";

export interface EnvironmentBudgetArgs {
    readonly project: string;
    readonly environment: string;
    /** The validated `billing.budget` settings. */
    readonly settings: NonNullable<BillingConfig["budget"]>;
}

/**
 * A Cloud Billing budget with alerts for one environment: spend of its project carrying its
 * `environment` label, per calendar month, against a fixed amount in the billing account's
 * currency. Alerts go to the billing account's admins (Google's default), to Cloud Monitoring
 * email channels and/or a Pub/Sub topic. A budget only alerts; it never stops spending.
 */
export class EnvironmentBudget extends pulumi.ComponentResource {
    public readonly budget: gcp.billing.Budget;
    public readonly channels: gcp.monitoring.NotificationChannel[];

    constructor(name: string, args: EnvironmentBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
        super("metaflow:gcp:EnvironmentBudget", name, {}, opts);
        const parent = childOptions(this, opts);
        const s = args.settings;

        // Budget emails go only to billing roles or to Monitoring notification channels.
        this.channels = s.emails.map(
            (email, i) =>
                new gcp.monitoring.NotificationChannel(
                    `${name}-email-${i}`,
                    {
                        project: args.project,
                        type: "email",
                        displayName: `Metaflow ${args.environment} budget: ${email}`,
                        labels: { email_address: email },
                    },
                    parent,
                ),
        );

        // The filter takes project numbers (projects/<number>), not IDs.
        const project = gcp.organizations.getProjectOutput({ projectId: args.project }, { parent: this });
        this.budget = new gcp.billing.Budget(
            `${name}-budget`,
            {
                billingAccount: s.billingAccount,
                displayName: `metaflow-${args.environment}`,
                budgetFilter: {
                    projects: [pulumi.interpolate`projects/${project.number}`],
                    // One label pair at most; ours marks every labelable resource of the environment.
                    labels: { environment: args.environment },
                    calendarPeriod: "MONTH",
                    creditTypesTreatment: "INCLUDE_ALL_CREDITS",
                },
                // No currency: the amount is in the billing account's own currency.
                amount: { specifiedAmount: { units: String(s.amount) } },
                thresholdRules: s.thresholds.map((t) => ({ thresholdPercent: t, spendBasis: "CURRENT_SPEND" })),
                allUpdatesRule: {
                    monitoringNotificationChannels: this.channels.map((c) => c.name),
                    pubsubTopic: s.pubsubTopic,
                    disableDefaultIamRecipients: false,
                },
            },
            parent,
        );
        this.registerOutputs({ budget: this.budget.name });
    }
}
