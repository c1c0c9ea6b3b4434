/**
 * Random values that become credentials stay secret in the state file. pulumi-random returns a
 * RandomPassword's `result` as a secret (@pulumi/random 4.21.2 randomPassword.js adds
 * additionalSecretOutputs ["bcryptHash", "result"]), but none of a RandomId's outputs
 * (randomId.js adds none; terraform-provider-random's id resource marks no attribute
 * Sensitive): a RandomId used as a key must say so itself. Found by the deploy rehearsal
 * (npm run rehearse), whose check looks for every cluster Secret's value in the exported state.
 */
import * as assert from "assert";
import { readFixture, renderFixture } from "./harness/fixtures";

/** Airflow on (its Fernet key is a RandomId), as tests/airflow.test.ts renders dev. */
function airflowOn(): Record<string, unknown> {
    const cluster = JSON.parse(readFixture("dev").values["metaflow-gcp:cluster"]);
    return {
        "metaflow-gcp:services": { argoWorkflows: false, airflow: true },
        "metaflow-gcp:database": { tier: "db-custom-1-3840" },
        "metaflow-gcp:cluster": { ...cluster, cpuPool: { ...cluster.cpuPool, machineType: "e2-standard-4" } },
    };
}

describe("random values used as credentials are secret in the state", () => {
    it("every RandomId keeps all its outputs secret; every RandomPassword is left to the SDK's own", async () => {
        const rendered = await renderFixture("dev", { config: airflowOn() });
        const ids = rendered.resources.filter((r) => r.type === "random:index/randomId:RandomId");
        assert.ok(ids.length > 0, "Airflow's Fernet key is a RandomId");
        for (const id of ids) {
            assert.deepEqual([...id.additionalSecretOutputs].sort(), ["b64Std", "b64Url", "dec", "hex"], id.name);
        }
        for (const pw of rendered.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword")) {
            assert.ok(pw.additionalSecretOutputs.includes("result"), pw.name);
        }
    });
});
