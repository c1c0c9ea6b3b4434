import { strict as assert } from "assert";
import { one, output } from "../offline/query";
import { type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture } from "./harness/fixtures";

const INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";

describe("MetaflowDatabase", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("is on private IP only, with TLS enforced, an explicit edition, and after the peering exists", () => {
        for (const stack of [dev, prod]) {
            const db = one(stack, INSTANCE);
            const ip = db.inputs.settings.ipConfiguration;
            assert.equal(ip.ipv4Enabled, false);
            assert.equal(ip.privateNetwork, one(stack, "gcp:compute/network:Network").id);
            assert.equal(ip.sslMode, "ENCRYPTED_ONLY");
            assert.equal(db.inputs.settings.edition, "ENTERPRISE");
            const peering = one(stack, "gcp:servicenetworking/connection:Connection");
            assert.ok(db.dependencies.includes(peering.urn), "instance waits for the PSA connection");
        }
    });

    it("backs up everywhere with point-in-time recovery", () => {
        for (const stack of [dev, prod]) {
            const backup = one(stack, INSTANCE).inputs.settings.backupConfiguration;
            assert.equal(backup.enabled, true);
            assert.equal(backup.pointInTimeRecoveryEnabled, true);
        }
        assert.equal(one(prod, INSTANCE).inputs.settings.backupConfiguration.transactionLogRetentionDays, 7);
        assert.equal(one(prod, INSTANCE).inputs.settings.backupConfiguration.backupRetentionSettings.retainedBackups, 14);
    });

    it("is REGIONAL and protected three ways in prod, ZONAL and disposable in dev", () => {
        const p = one(prod, INSTANCE);
        assert.equal(p.inputs.settings.availabilityType, "REGIONAL");
        assert.equal(p.inputs.deletionProtection, true);
        assert.equal(p.inputs.settings.deletionProtectionEnabled, true);
        assert.equal(p.inputs.settings.retainBackupsOnDelete, true);
        assert.equal(p.protect, true);
        const d = one(dev, INSTANCE);
        assert.equal(d.inputs.settings.availabilityType, "ZONAL");
        assert.equal(d.inputs.deletionProtection, false);
        assert.equal(d.protect, false);
    });

    it("uses the environment's tier and takes max_connections from it", () => {
        assert.equal(one(dev, INSTANCE).inputs.settings.tier, "db-f1-micro");
        assert.equal(one(prod, INSTANCE).inputs.settings.tier, "db-custom-2-7680");
        const flag = (s: RenderedStack) => one(s, INSTANCE).inputs.settings.databaseFlags.find((f: { name: string }) => f.name === "max_connections").value;
        assert.equal(flag(dev), "25"); // db-f1-micro, 614 MB: Cloud SQL's own default
        assert.equal(flag(prod), "640"); // db-custom-2-7680
    });

    // Postgres reads max_connections only at start; Cloud SQL restarts the instance when the flag
    // changes. Replica counts are Kubernetes-only settings and must never reach the instance.
    it("a replica change leaves every input of the database untouched (no restart)", async () => {
        const scaled = await renderFixture("prod", { config: { "metaflow-gcp:services": { metadataReplicas: 3, uiReplicas: 2, argoWorkflows: true, argoEvents: true } } });
        assert.deepEqual(one(scaled, INSTANCE).inputs, one(prod, INSTANCE).inputs);
        const deployment = (s: RenderedStack) => s.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.inputs.metadata.name === "metaflow-metadata")!;
        assert.equal(deployment(scaled).inputs.spec.replicas, 3, "the change did reach the services");
        const devScaled = await renderFixture("dev", { config: { "metaflow-gcp:services": { metadataReplicas: 2, ui: false } } });
        assert.deepEqual(one(devScaled, INSTANCE).inputs, one(dev, INSTANCE).inputs);
    });

    it("creates the metaflow database and user with the generated password, kept secret in outputs", () => {
        const user = one(dev, "gcp:sql/user:User");
        const password = one(dev, "random:index/randomPassword:RandomPassword");
        assert.equal(user.inputs.name, "metaflow");
        assert.equal(user.inputs.password, password.state.result);
        assert.equal(password.inputs.length, 32);
        assert.equal(one(dev, "gcp:sql/database:Database").inputs.name, "metaflow");
        assert.equal(dev.outputs.database.secret, true);
        const db = output(dev, "database");
        assert.equal(db.host, "10.13.0.3");
        assert.equal(db.port, 5432);
        assert.match(db.connectionName, /^metaflow-offline:us-central1:/);
        assert.equal(db.password, password.state.result);
    });
});
