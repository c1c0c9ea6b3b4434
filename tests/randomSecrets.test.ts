/**
 * Random values that become credentials stay secret in the state file. A RandomPassword's `result`
 * is a secret (@pulumi/random 4.21.2 randomPassword.js: additionalSecretOutputs ["bcryptHash",
 * "result"]) and its resource ID is "none". A RandomId's ID is its b64Url (randomId.d.ts: "imported
 * using the b64Url") and a RandomBytes' ID its base64 (pulumi-random provider/resources.go
 * `computeRandomBytesID`); Pulumi never encrypts resource IDs, so neither may hold a credential.
 * Found by the deploy rehearsal (npm run rehearse), whose check looks for every cluster Secret's
 * value in the state file: Airflow's Fernet key, a RandomId, was there as the resource's ID.
 */
import * as assert from "assert";
import { readFixture, renderFixture } from "./harness/fixtures";

/** Airflow on (it has the only random key besides passwords), as tests/airflow.test.ts renders dev. */
function airflowOn(): Record<string, unknown> {
    const cluster = JSON.parse(readFixture("dev").values["metaflow-gcp:cluster"]);
    return {
        "metaflow-gcp:services": { argoWorkflows: false, airflow: true },
        "metaflow-gcp:database": { tier: "db-custom-1-3840" },
        "metaflow-gcp:cluster": { ...cluster, cpuPool: { ...cluster.cpuPool, machineType: "e2-standard-4" } },
    };
}

describe("random values used as credentials are secret in the state", () => {
    it("every random credential is a RandomPassword (secret result, ID 'none'); no RandomId or RandomBytes", async () => {
        const rendered = await renderFixture("dev", { config: airflowOn() });
        const exposing = rendered.resources.filter((r) => ["random:index/randomId:RandomId", "random:index/randomBytes:RandomBytes"].includes(r.type));
        assert.deepEqual(exposing.map((r) => r.name), []);
        const passwords = rendered.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
        assert.ok(passwords.some((p) => p.name.includes("fernet")), "Airflow's Fernet key is a RandomPassword");
        for (const pw of passwords) {
            assert.ok(pw.additionalSecretOutputs.includes("result"), pw.name);
        }
    });

    it("the Fernet key is 43 characters of the URL-safe base64 alphabet and '=': 32 bytes as Fernet.generate_key() encodes them", async () => {
        const rendered = await renderFixture("dev", { config: airflowOn() });
        const key = rendered.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.includes("fernet"))!;
        assert.equal(key.inputs.length, 43);
        assert.equal(key.inputs.overrideSpecial, "-_");
        const secret = rendered.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && /fernet/.test(r.name))!;
        const value = Object.values(secret.inputs.stringData as Record<string, string>)[0];
        assert.match(value, /^[A-Za-z0-9_-]{43}=$/);
        assert.equal(Buffer.from(value, "base64url").length, 32);
    });
});
