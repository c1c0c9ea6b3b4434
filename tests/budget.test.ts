import { strict as assert } from "assert";
import { BUDGET_API } from "../components/gcp/budget";
import { ofType, one } from "../offline/query";
import { fixtureStack, renderFixture, renderFixtureFailure } from "./harness/fixtures";

const budget = { billingAccount: "012345-6789AB-CDEF01", amount: 100, emails: ["ml-team@example.com"], pubsubTopic: "projects/ops-project/topics/budgets" };

describe("billing budget (billing.budget)", () => {
    it("creates a monthly Cloud Billing budget for the environment's project and label, with thresholds and recipients", async () => {
        const stack = await renderFixture("dev", { config: { "metaflow-gcp:billing": { budget } } });
        const b = one(stack, "gcp:billing/budget:Budget").inputs;
        assert.equal(b.billingAccount, "012345-6789AB-CDEF01");
        // The filter takes the project NUMBER (budget.d.ts: "projects/{project_number}"); the harness answers getProject with one.
        assert.deepEqual(b.budgetFilter.projects, ["projects/123456789012"]);
        assert.deepEqual(b.budgetFilter.labels, { environment: "dev" });
        assert.equal(b.budgetFilter.calendarPeriod, "MONTH");
        assert.deepEqual(b.amount, { specifiedAmount: { units: "100" } });
        assert.deepEqual(b.thresholdRules.map((t: any) => t.thresholdPercent), [0.5, 0.9, 1.0]);
        // Budget emails reach people only through Monitoring notification channels.
        const channel = one(stack, "gcp:monitoring/notificationChannel:NotificationChannel").inputs;
        assert.deepEqual([channel.type, channel.labels.email_address], ["email", "ml-team@example.com"]);
        assert.equal(b.allUpdatesRule.monitoringNotificationChannels.length, 1);
        assert.equal(b.allUpdatesRule.pubsubTopic, "projects/ops-project/topics/budgets");
        assert.ok(ofType(stack, "gcp:projects/service:Service").some((s) => s.inputs.service === BUDGET_API), "billing budgets API enabled");
    });

    it("is off by default: no budget, no budgets API", async () => {
        const dev = await fixtureStack("dev");
        assert.equal(ofType(dev, "gcp:billing/budget:Budget").length, 0);
        assert.equal(ofType(dev, "gcp:projects/service:Service").some((s) => s.inputs.service === BUDGET_API), false);
    });

    it("refuses a malformed billing account, a fractional amount and more than 5 emails before creating anything", async () => {
        const failure = await renderFixtureFailure("dev", {
            config: { "metaflow-gcp:billing": { budget: { billingAccount: "my-account", amount: 10.5, emails: ["a@x.io", "b@x.io", "c@x.io", "d@x.io", "e@x.io", "f@x.io"] } } },
        });
        assert.match(failure.error.message, /metaflow-gcp:billing\.budget\.billingAccount = "my-account": must be a billing account ID/);
        assert.match(failure.error.message, /metaflow-gcp:billing\.budget\.amount = 10\.5/);
        assert.match(failure.error.message, /metaflow-gcp:billing\.budget\.emails/);
        assert.equal(failure.resources.length, 0);
    });
});
