import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { childOptions, withDefaults, withLegacyType } from "../options";
import { componentType } from "../model/typeTokens";

/** The API the budget needs, enabled by ProjectApis when a budget is configured. */
export const BUDGET_API = "billingbudgets.googleapis.com";

export interface EnvironmentBudgetArgs {
    /** Project whose spend is counted. */
    readonly project: string;
    /** Environment name: the budget counts resources carrying this `environment` label. */
    readonly environment: string;
    /** Cloud Billing account ID, `XXXXXX-XXXXXX-XXXXXX`. */
    readonly billingAccount: string;
    /** Monthly amount, in the billing account's currency. */
    readonly amount: number;
    /** Alert when actual spend passes these fractions of the amount (1.0 = 100%). Default: 0.5, 0.9, 1.0. */
    readonly thresholds?: number[];
    /**
     * Email recipients; each becomes a Cloud Monitoring email channel (budgets take at most 5).
     * Default: none (the billing account's admins are alerted either way).
     */
    readonly emails?: string[];
    /** Pub/Sub topic for programmatic alerts, `projects/<project>/topics/<topic>`. Default: none. */
    readonly pubsubTopic?: string;
}

/** The defaults EnvironmentBudgetArgs documents, applied once at the top of the constructor. */
export const ENVIRONMENT_BUDGET_DEFAULTS = {
    thresholds: [0.5, 0.9, 1.0],
    emails: [] as string[],
};

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
        super(componentType("EnvironmentBudget"), name, {}, withLegacyType("EnvironmentBudget", opts));
        const parent = childOptions(this, opts);
        const s = withDefaults(ENVIRONMENT_BUDGET_DEFAULTS, args);

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
