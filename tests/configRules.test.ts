/**
 * Each config rule on its own: the rule is called with a schema-parsed, resolved config and must
 * report exactly the problems (key path and message) of its section, and nothing for a valid
 * one. parsePlatformConfig joining them is tests/config.test.ts.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROFILE_DEFAULTS, profileOf } from "../components/model/profiles";
import { ConfigError, formatProblem, type Problem } from "../components/config/problems";
import { resolveConfig } from "../components/config/resolve";
import { RULES, type Rule, type RuleInput } from "../components/config/rules";
import { accessProblems } from "../components/config/rules/access";
import { billingProblems } from "../components/config/rules/billing";
import { clusterProblems } from "../components/config/rules/cluster";
import { connectionsProblems } from "../components/config/rules/connections";
import { databaseProblems } from "../components/config/rules/database";
import { endpointProblems } from "../components/config/rules/endpoint";
import { gpuPoolsProblems } from "../components/config/rules/gpuPools";
import { networkProblems } from "../components/config/rules/network";
import { nodeCapacityProblems } from "../components/config/rules/nodeCapacity";
import { profileProblems } from "../components/config/rules/profile";
import { servicesProblems } from "../components/config/rules/services";
import { storageProblems } from "../components/config/rules/storage";
import { zonesProblems } from "../components/config/rules/zones";
import { platformSchema } from "../components/config/schema";
import { parsePlatformConfig } from "../components/config/config";
import { REPO_ROOT } from "../offline/render";

const base = { project: "acme-ml-dev", region: "us-central1", environment: "dev" };

/** What a rule sees for `raw` (merged over a valid dev config): schema and derived values, no rules. */
function input(raw: Record<string, unknown>, secretKeys?: string[]): RuleInput {
    const full = { ...base, ...raw };
    const given = platformSchema(PROFILE_DEFAULTS[profileOf(full)]).parse(full);
    return { given, config: resolveConfig(given), secretKeys };
}

/** The rule's problems as [key path, message] pairs. */
function run(rule: Rule, raw: Record<string, unknown>, secretKeys?: string[]): Array<[string, string]> {
    return rule(input(raw, secretKeys)).map((p) => [p.path.join("."), p.message]);
}

describe("config rules, each on its own", () => {
    it("every rule file is registered in RULES, and every profile's defaults pass every rule", () => {
        const files = fs.readdirSync(path.join(REPO_ROOT, "components/config/rules")).filter((f) => !["index.ts", "rule.ts"].includes(f));
        assert.equal(RULES.length, files.length, `rules/ has ${files.join(", ")}; RULES lists ${RULES.length}`);
        for (const raw of [{}, { environment: "prod", production: true }, { preset: "personal" }]) {
            for (const rule of RULES) {
                assert.deepEqual(rule(input(raw)), [], `${rule.name} on ${JSON.stringify(raw)}`);
            }
        }
    });

    it("profile: the personal preset is never production", () => {
        assert.deepEqual(run(profileProblems, { preset: "personal", production: true, database: { highAvailability: true, deletionProtection: true } }).map(([k]) => k), ["preset"]);
    });

    it("zones: each in the region and listed once; an unknown region has no default", () => {
        assert.deepEqual(run(zonesProblems, { zones: ["us-central1-a", "us-east1-b", "us-central1-a"] }), [
            ["zones.1", "zone is not in region us-central1"],
            ["zones", "zones are listed twice"],
        ]);
        const [[key, message], ...rest] = run(zonesProblems, { region: "me-west1" });
        assert.equal(rest.length, 0);
        assert.equal(key, "zones");
        assert.match(message, /no zone list for region me-west1/);
        assert.deepEqual(run(zonesProblems, { region: "me-west1", zones: ["me-west1-a"] }), []);
    });

    it("network: overlaps shown with both ranges, prefix lengths within each range's limits", () => {
        const problems = networkProblems(input({ network: { podsCidr: "10.10.0.0/16", servicesCidr: "10.12.0.0/26" } }));
        assert.deepEqual(
            problems.map((p) => formatProblem(input({ network: { podsCidr: "10.10.0.0/16", servicesCidr: "10.12.0.0/26" } }).given, p)),
            [
                "metaflow-gcp:network.subnetCidr (10.10.0.0/20) overlaps metaflow-gcp:network.podsCidr (10.10.0.0/16): every range of the plan must be disjoint",
                'metaflow-gcp:network.servicesCidr = "10.12.0.0/26": prefix length must be between /16 and /24',
            ],
        );
    });

    it("cluster: never open to the whole internet; authorizedNetworks needs a range; spot steps are Autopilot's; production keeps protection", () => {
        const open = { controlPlaneAccess: "authorizedNetworks", authorizedNetworks: [{ cidr: "0.0.0.0/1", name: "a" }, { cidr: "128.0.0.0/1", name: "b" }] };
        assert.deepEqual(run(clusterProblems, { cluster: open }).map(([k]) => k), ["cluster.authorizedNetworks"]);
        assert.deepEqual(run(clusterProblems, { cluster: { authorizedNetworks: [{ cidr: "0.0.0.0/0", name: "all" }] } }).map(([k]) => k), ["cluster.authorizedNetworks.0.cidr"]);
        assert.deepEqual(
            run(clusterProblems, { production: true, cluster: { controlPlaneAccess: "authorizedNetworks", spotSteps: true, deletionProtection: false, cpuPool: { minNodes: 3, maxNodes: 2 } } }).map(([k]) => k),
            ["cluster.authorizedNetworks", "cluster.spotSteps", "cluster.cpuPool.maxNodes", "cluster.deletionProtection"],
        );
    });

    it("node capacity: the services fit minNodes and the default step fits a node; Autopilot checks only the profile's step", () => {
        assert.deepEqual(run(nodeCapacityProblems, { cluster: { cpuPool: { machineType: "e2-standard-2", maxNodes: 1 } } }).map(([k]) => k), ["cluster.cpuPool.machineType"]);
        assert.deepEqual(run(nodeCapacityProblems, { cluster: { cpuPool: { machineType: "e2-standard-3" } } }).map(([k]) => k), ["cluster.cpuPool.machineType"]);
        assert.deepEqual(run(nodeCapacityProblems, { cluster: { mode: "autopilot", cpuPool: { machineType: "e2-standard-3" } } }), []);
        const crowded = { services: { metadataReplicas: 10, uiReplicas: 10 }, cluster: { cpuPool: { machineType: "e2-standard-4" } } };
        assert.match(run(nodeCapacityProblems, crowded)[0][1], /^the always-on pods need 2 e2-standard-4 node\(s\) but minNodes keeps 1/);
    });

    it("GPU pools: unique names other than cpu, machine carries the GPU, zones offer it", () => {
        const pools = [{ name: "cpu" }, { name: "cpu", machineType: "n1-standard-8", zones: ["us-central1-f"] }, { name: "xl", minNodes: 3, maxNodes: 1 }];
        assert.deepEqual(run(gpuPoolsProblems, { gpuPools: pools }).map(([k]) => k), [
            "gpuPools.0.name",
            "gpuPools.1.name",
            "gpuPools.1.name",
            "gpuPools.1.machineType",
            "gpuPools.1.zones.0",
            "gpuPools.2.maxNodes",
        ]);
        assert.deepEqual(run(gpuPoolsProblems, { region: "me-west1", zones: ["me-west1-a"] }).map(([k]) => k), ["gpuPools.0.zones"]);
    });

    it("database: tier in the edition, log window, production HA, protection and SLA", () => {
        assert.deepEqual(run(databaseProblems, { database: { edition: "ENTERPRISE_PLUS", tier: "db-custom-2-7680", logRetentionDays: 30 } }).map(([k]) => k), ["database.tier"]);
        assert.deepEqual(run(databaseProblems, { database: { logRetentionDays: 8 } }), [["database.logRetentionDays", "ENTERPRISE keeps at most 7 days of logs"]]);
        assert.deepEqual(
            run(databaseProblems, { production: true, database: { tier: "db-g1-small", highAvailability: false, deletionProtection: false } }).map(([k]) => k),
            ["database.highAvailability", "database.deletionProtection", "database.tier"],
        );
    });

    it("connections: the clients' peak fits max_connections, blamed on the tier unless the stack set the value", () => {
        assert.deepEqual(run(connectionsProblems, { services: { uiReplicas: 2 } }).map(([k]) => k), ["database.tier"]);
        assert.deepEqual(run(connectionsProblems, { database: { tier: "db-g1-small", maxConnections: 25 }, services: { uiReplicas: 2 } }).map(([k]) => k), ["database.maxConnections"]);
        assert.match(run(connectionsProblems, { database: { tier: "db-g1-small", maxConnections: 500 } })[0][1], /^db-g1-small carries about 141 connections/);
        // No database: nothing opens connections to it.
        assert.deepEqual(run(connectionsProblems, { services: { uiReplicas: 2 }, database: { enabled: false } }), []);
        // A tier that does not exist is the database rule's to report.
        assert.deepEqual(run(connectionsProblems, { database: { tier: "db-custom-3-7680" } }), []);
    });

    it("storage: soft delete 0 or 7-90; production buckets recoverable and never force-destroyed", () => {
        assert.deepEqual(run(storageProblems, { storage: { softDeleteDays: 3 } }).map(([k]) => k), ["storage.softDeleteDays"]);
        assert.deepEqual(run(storageProblems, { production: true, storage: { forceDestroy: true, versioning: false, softDeleteDays: 0 } }).map(([k]) => k), ["storage.forceDestroy", "storage.versioning"]);
    });

    it("services: one orchestrator, database-backed services need the database, production needs it", () => {
        assert.deepEqual(run(servicesProblems, { services: { airflow: true, enabled: false }, database: { enabled: false } }).map(([k]) => k), [
            "services.airflow",
            "services.airflow",
            "services.airflow",
        ]);
        assert.deepEqual(run(servicesProblems, { production: true, database: { enabled: false }, services: { argoWorkflows: false, argoEvents: true } }).map(([k]) => k), [
            "services.enabled",
            "database.enabled",
            "services.argoEvents",
        ]);
    });

    it("access: each principal once, case-insensitively; a group needs the security group", () => {
        assert.deepEqual(run(accessProblems, { access: { members: ["user:a@x.com", "user:A@x.com", "group:g@x.com"] } }), [
            ["access.members.1", "listed twice (also access.members[0]); list each principal once"],
            ["access.members.2", run(accessProblems, { access: { members: ["group:g@x.com"] } })[0][1]],
        ]);
        assert.deepEqual(run(accessProblems, { access: { members: ["group:g@x.com"], securityGroup: "gke-security-groups@x.com" } }), []);
    });

    it("billing: each email and threshold once (a repeated email would get every alert twice)", () => {
        const budget = { billingAccount: "012345-6789AB-CDEF01", amount: 100, emails: ["ops@x.com", "Ops@x.com", "ml@x.com"], thresholds: [0.5, 1, 0.5] };
        assert.deepEqual(run(billingProblems, { billing: { budget } }), [
            ["billing.budget.emails.1", "listed twice (also billing.budget.emails[0]); each address gets every alert once"],
            ["billing.budget.thresholds.2", "listed twice (also billing.budget.thresholds[0]); list each threshold once"],
        ]);
        assert.deepEqual(run(billingProblems, { billing: { budget: { ...budget, emails: ["ops@x.com"], thresholds: [0.5, 1] } } }), []);
        assert.deepEqual(run(billingProblems, {}), []);
    });

    it("endpoint: the client secret must be stored as a secret and is never shown; the endpoint needs services, database and members", () => {
        const endpoint = { hostname: "metaflow.example.com", oauthClientId: "1-abc.apps.googleusercontent.com", oauthClientSecret: "s3cr3t-value" };
        const problems: Problem[] = endpointProblems(input({ endpoint }, []));
        assert.deepEqual(problems.map((p) => p.path.join(".")), ["endpoint.oauthClientSecret", "access.members"]);
        const shown = problems.map((p) => formatProblem(input({ endpoint }).given, p)).join("\n");
        assert.ok(!shown.includes("s3cr3t-value"), shown);
        assert.deepEqual(run(endpointProblems, { endpoint, access: { members: ["user:a@x.com"] } }, ["endpoint"]), []);
        assert.deepEqual(run(endpointProblems, { endpoint, access: { members: ["user:a@x.com"] }, services: { enabled: false } }).map(([k]) => k), ["services.enabled"]);
    });

    it("parsePlatformConfig joins every rule's problems in one ConfigError", () => {
        try {
            parsePlatformConfig({ ...base, zones: ["us-east1-b"], storage: { softDeleteDays: 3 }, services: { argoWorkflows: false, argoEvents: true } });
            assert.fail("accepted");
        } catch (err) {
            assert.ok(err instanceof ConfigError, String(err));
            assert.deepEqual(
                err.problems.map((p) => p.split(/[ :=]/, 2).join(":")),
                ["metaflow-gcp:zones[0]", "metaflow-gcp:storage.softDeleteDays", "metaflow-gcp:services.argoEvents"],
            );
        }
    });
});
