import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { gkeNegsOn, removeLeftoverNegs } from "../components/gcp/negCleanup";
import type { ComputeRequester } from "../components/gcp/peeringRemoval";
import { fixtureStack } from "./harness/fixtures";
import { ofType, one } from "../offline/query";
import type { RenderedResource, RenderedStack } from "../offline/render";
import { DynamicProviderHost, EngineSim, secretConfig } from "./harness/dynamicHost";

const SCOPE = { project: "acme-ml", network: "metaflow-dev" };
const COMPUTE = "https://compute.googleapis.com/compute/v1/projects/acme-ml";
const OURS = "https://www.googleapis.com/compute/v1/projects/acme-ml/global/networks/metaflow-dev";
const noWait = async () => undefined;
/** No wait for GKE: what the first listing finds is deleted at once. */
const fast = { waitForGkeMs: 0, deleteWithinMs: 60_000, pollMs: 0 };

/** A NEG as networkEndpointGroups.aggregatedList returns it (the fields read). */
function neg(name: string, zone: string, network = OURS) {
    return { name, network, selfLink: `${COMPUTE}/zones/${zone}/networkEndpointGroups/${name}` };
}
const page = (negs: unknown[], nextPageToken?: string) => ({ items: { "zones/us-central1-a": { networkEndpointGroups: negs }, "zones/us-central1-b": { warning: { code: "NO_RESULTS_ON_PAGE" } } }, nextPageToken });

/** A fake Compute API: answers in order, records every call. */
function fakeCompute(answers: Array<unknown | Error>): ComputeRequester & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        async request({ url, method }) {
            calls.push(`${method} ${url.replace(COMPUTE, "")}`);
            const next = answers.shift();
            if (next instanceof Error) {
                throw next;
            }
            return { data: next };
        },
    };
}

function httpError(status: number, reason: string, message: string): Error {
    return Object.assign(new Error(message), { response: { status, data: { error: { code: status, message, errors: [{ reason, message }] } } } });
}

describe("destroy in one run", () => {
    describe("GKE-made NEGs: gkeNegsOn / removeLeftoverNegs (the delete step)", () => {
        it("finds only GKE's `k8s1-` NEGs on this network, on every page", async () => {
            const api = fakeCompute([
                page([neg("k8s1-0a1b2c3d-metaflow-metaflow-ui-8083-1f2e3d4c", "us-central1-a"), neg("k8s1-other-net", "us-central1-a", OURS.replace("metaflow-dev", "metaflow-prod")), neg("manual-neg", "us-central1-a")], "p2"),
                page([neg("k8s1-0a1b2c3d-metaflow-argo-workflows-server-2746-9a8b7c6d", "us-central1-b")]),
            ]);
            const found = await gkeNegsOn(api, SCOPE);
            assert.deepEqual(found.map((n) => n.name), ["k8s1-0a1b2c3d-metaflow-metaflow-ui-8083-1f2e3d4c", "k8s1-0a1b2c3d-metaflow-argo-workflows-server-2746-9a8b7c6d"]);
            assert.deepEqual(api.calls, ["GET /aggregated/networkEndpointGroups?maxResults=500", "GET /aggregated/networkEndpointGroups?maxResults=500&pageToken=p2"]);
        });

        it("waits while GKE's controller removes them, and deletes nothing itself", async () => {
            const ui = neg("k8s1-0a1b2c3d-metaflow-metaflow-ui-8083-1f2e3d4c", "us-central1-a");
            const api = fakeCompute([page([ui]), page([ui]), page([])]);
            assert.deepEqual(await removeLeftoverNegs(api, SCOPE, noWait, undefined, { ...fast, waitForGkeMs: 60_000 }), []);
            assert.ok(api.calls.every((c) => c.startsWith("GET")));
        });

        it("deletes what the controller left, retrying while a backend service still uses it", async () => {
            const ui = neg("k8s1-0a1b2c3d-metaflow-metaflow-ui-8083-1f2e3d4c", "us-central1-a");
            const inUse = httpError(400, "resourceInUseByAnotherResource", `The network_endpoint_group resource '${ui.selfLink}' is already being used by 'backendServices/gkegw1-xyz'`);
            const api = fakeCompute([page([ui]), inUse, { status: "RUNNING", selfLink: `${COMPUTE}/zones/us-central1-a/operations/op-1` }, { status: "DONE" }]);
            assert.deepEqual(await removeLeftoverNegs(api, SCOPE, noWait, undefined, fast), [ui.name]);
            assert.deepEqual(api.calls.slice(-3), [`DELETE /zones/us-central1-a/networkEndpointGroups/${ui.name}`, `DELETE /zones/us-central1-a/networkEndpointGroups/${ui.name}`, "GET /zones/us-central1-a/operations/op-1"]);
        });

        it("counts a NEG deleted meanwhile as done, and names the NEG and what to do when a delete keeps failing", async () => {
            const ui = neg("k8s1-0a1b2c3d-metaflow-metaflow-ui-8083-1f2e3d4c", "us-central1-a");
            const gone = fakeCompute([page([ui]), httpError(404, "notFound", "not found")]);
            assert.deepEqual(await removeLeftoverNegs(gone, SCOPE, noWait, undefined, fast), []);
            const denied = fakeCompute([page([ui]), httpError(403, "forbidden", "Required 'compute.networkEndpointGroups.delete' permission")]);
            await assert.rejects(removeLeftoverNegs(denied, SCOPE, noWait, undefined, fast), /k8s1-0a1b2c3d-metaflow-metaflow-ui-8083-1f2e3d4c .*compute\.networkEndpointGroups\.delete.*backend service/);
        });
    });

    // @pulumi/gcp 9.37.0 sql/database.d.ts `deletionPolicy`; terraform-provider-google v7.45.0
    // sql/resource_sql_database.go resourceSQLDatabaseDelete: ABANDON only drops it from state.
    it("abandons every Cloud SQL database (Metaflow's and Airflow's) to the instance, like their users", async () => {
        const prod = await fixtureStack("prod", { config: { "metaflow-gcp:services": { argoWorkflows: false, airflow: true } } });
        const databases = ofType(prod, "gcp:sql/database:Database");
        assert.deepEqual(databases.map((d) => d.inputs.name).sort(), ["airflow", "metaflow"]);
        for (const d of databases) {
            assert.equal(d.inputs.deletionPolicy, "ABANDON", `${d.name}: PostgreSQL refuses DROP DATABASE while pods still hold sessions`);
        }
        assert.deepEqual(ofType(prod, "gcp:sql/user:User").map((u) => u.inputs.deletionPolicy), ["ABANDON", "ABANDON"]);
    });

    describe("GKE-made NEGs in the stacks", () => {
        let dev: RenderedStack;
        before(async () => {
            dev = await fixtureStack("dev");
        });
        const dependsOn = (a: RenderedResource, b: RenderedResource) => a.dependencies.includes(b.urn);

        it("runs in Pulumi's dynamic-provider host with the Google provider's identity and endpoint", async function () {
            this.timeout(60_000);
            const seen: string[] = [];
            const server = http.createServer((req, res) => {
                seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
                res.setHeader("content-type", "application/json");
                res.end(JSON.stringify({ items: {} }));
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            const host = await DynamicProviderHost.start();
            try {
                const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
                await host.configure({ "gcp:accessToken": secretConfig("cfg-token"), "gcp:computeCustomEndpoint": `${base}/compute/v1/` });
                const engine = new EngineSim(host);
                const cleanup = one(dev, "pulumi-nodejs:dynamic/metaflow:NegCleanup");
                const { state } = await engine.up(undefined, cleanup.inputs);
                await engine.destroy(state);
                assert.deepEqual(seen, [`GET /compute/v1/projects/${cleanup.inputs.project}/aggregated/networkEndpointGroups?maxResults=500 Bearer cfg-token`]);
            } finally {
                host.stop();
                server.close();
            }
        });

        it("orders destroy: Kubernetes objects, then the NEG wait, then the cluster, subnet and network", () => {
            const cleanup = one(dev, "pulumi-nodejs:dynamic/metaflow:NegCleanup");
            const provider = one(dev, "pulumi:providers:kubernetes");
            const cluster = one(dev, "gcp:container/cluster:Cluster");
            const network = one(dev, "gcp:compute/network:Network");
            assert.ok(dependsOn(provider, cleanup), "every Kubernetes object (through its provider) is deleted before the NEG wait");
            assert.ok(dependsOn(cleanup, cluster), "the NEG wait runs while the cluster (GKE's NEG controller) still exists");
            assert.equal(cleanup.inputs.network, network.state.name);
            assert.ok(dependsOn(cluster, one(dev, "gcp:compute/subnetwork:Subnetwork")), "the subnet goes after the cluster");
        });
    });
});
