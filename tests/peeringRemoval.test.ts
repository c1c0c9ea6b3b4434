import { strict as assert } from "assert";
import { PSA_PEERING_NAME, removePeeringIfPresent, type ComputeRequester } from "../components/gcp/peeringRemoval";
import { one } from "../offline/query";
import type { RenderedResource, RenderedStack } from "../offline/render";
import { fixtureStack } from "./harness/fixtures";

const REF = { project: "acme-ml", network: "metaflow-dev", peering: PSA_PEERING_NAME };
const NETWORK_URL = "https://compute.googleapis.com/compute/v1/projects/acme-ml/global/networks/metaflow-dev";
const noWait = async () => undefined;

/** A fake Compute API: answers in order, records every call. */
function fakeCompute(answers: Array<unknown | Error>): ComputeRequester & { calls: string[] } {
    const calls: string[] = [];
    return {
        calls,
        async request({ url, method, data }) {
            calls.push(`${method} ${url.replace(NETWORK_URL, "<network>")}${data ? " " + JSON.stringify(data) : ""}`);
            const next = answers.shift();
            if (next instanceof Error) {
                throw next;
            }
            return { data: next };
        },
    };
}

function httpError(status: number, message: string): Error {
    return Object.assign(new Error(message), { response: { status, data: { error: { code: status, message } } } });
}

describe("Private Service Access peering removal", () => {
    describe("removePeeringIfPresent (the delete step)", () => {
        it("removes the servicenetworking peering through networks.removePeering and waits for the operation", async () => {
            const api = fakeCompute([
                { peerings: [{ name: "other" }, { name: PSA_PEERING_NAME }] },
                { name: "op-1", status: "RUNNING" },
                { name: "op-1", status: "RUNNING" },
                { name: "op-1", status: "DONE" },
            ]);
            assert.equal(await removePeeringIfPresent(api, REF, noWait), "removed");
            assert.deepEqual(api.calls, [
                "GET <network>",
                `POST <network>/removePeering {"name":"${PSA_PEERING_NAME}"}`,
                "GET https://compute.googleapis.com/compute/v1/projects/acme-ml/global/operations/op-1",
                "GET https://compute.googleapis.com/compute/v1/projects/acme-ml/global/operations/op-1",
            ]);
        });

        it("counts a peering or network that is already gone as done, so a retried destroy succeeds", async () => {
            const noPeering = fakeCompute([{ peerings: [{ name: "other" }] }]);
            assert.equal(await removePeeringIfPresent(noPeering, REF, noWait), "absent");
            assert.equal(noPeering.calls.length, 1, "nothing removed");
            const noNetwork = fakeCompute([httpError(404, "The resource 'projects/acme-ml/global/networks/metaflow-dev' was not found")]);
            assert.equal(await removePeeringIfPresent(noNetwork, REF, noWait), "absent");
        });

        it("retries while another peering operation runs on the network", async () => {
            const api = fakeCompute([
                { peerings: [{ name: PSA_PEERING_NAME }] },
                httpError(400, "There is a peering operation in progress on the local or peer network. Try again later."),
                { peerings: [{ name: PSA_PEERING_NAME }] },
                { name: "op-2", status: "DONE" },
            ]);
            assert.equal(await removePeeringIfPresent(api, REF, noWait), "removed");
        });

        it("fails with the API's reason when the removal is refused or the operation fails", async () => {
            const denied = fakeCompute([{ peerings: [{ name: PSA_PEERING_NAME }] }, httpError(403, "Required 'compute.networks.removePeering' permission")]);
            await assert.rejects(removePeeringIfPresent(denied, REF, noWait), /metaflow-dev in acme-ml failed: .*compute\.networks\.removePeering/);
            const failed = fakeCompute([{ peerings: [{ name: PSA_PEERING_NAME }] }, { name: "op-3", status: "DONE", error: { errors: [{ message: "boom" }] } }]);
            await assert.rejects(removePeeringIfPresent(failed, REF, noWait), /boom/);
        });
    });

    describe("in the stacks", () => {
        let dev: RenderedStack;
        let prod: RenderedStack;
        before(async () => {
            dev = await fixtureStack("dev");
            prod = await fixtureStack("prod");
        });

        const removalOf = (s: RenderedStack) => one(s, "pulumi-nodejs:dynamic/metaflow:PeeringRemoval");
        const dependsOn = (a: RenderedResource, b: RenderedResource) => a.dependencies.includes(b.urn);

        it("targets this environment's network and the peering servicenetworking creates", () => {
            for (const stack of [dev, prod]) {
                const removal = removalOf(stack);
                assert.equal(removal.inputs.network, one(stack, "gcp:compute/network:Network").state.name);
                assert.equal(removal.inputs.peering, "servicenetworking-googleapis-com");
                assert.equal(removal.inputs.project, stack.config["gcp:project"] ?? "metaflow-offline");
                // The provider's code travels in the state, so destroy runs it without this program.
                assert.match(removal.inputs.__provider, /removePeering/);
                assert.match(removal.inputs.__provider, /require\("google-auth-library"\)/);
            }
        });

        // Pulumi deletes a resource before everything it depends on. The chain below makes
        // destroy run: instance -> peering removal -> connection (ABANDON) -> range -> network.
        it("orders destroy so the instance goes first and the network last, with no manual step", () => {
            for (const stack of [dev, prod]) {
                const instance = one(stack, "gcp:sql/databaseInstance:DatabaseInstance");
                const removal = removalOf(stack);
                const connection = one(stack, "gcp:servicenetworking/connection:Connection");
                const range = one(stack, "gcp:compute/globalAddress:GlobalAddress");
                const network = one(stack, "gcp:compute/network:Network");
                assert.ok(dependsOn(instance, removal), "instance is deleted before the peering is removed");
                assert.ok(dependsOn(removal, connection), "peering is removed before the connection is abandoned");
                assert.ok(dependsOn(connection, range) && dependsOn(range, network), "range and network go last");
                // node_modules/@pulumi/gcp 9.37.0 servicenetworking/connection.d.ts documents
                // DELETE, ABANDON and PREVENT only; DELETE fails while Cloud SQL keeps producer
                // resources, so the connection is abandoned and the peering removed by us.
                assert.equal(connection.inputs.deletionPolicy, "ABANDON");
                assert.equal(connection.inputs.updateOnCreationFail, true, "recreating an environment of the same name reuses the abandoned connection");
            }
        });
    });
});
