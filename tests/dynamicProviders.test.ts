import { strict as assert } from "assert";
import { fixtureStack } from "./harness/fixtures";
import { DynamicProviderHost, EngineSim, type ResourceState } from "./harness/dynamicHost";
import { one } from "../offline/query";

/**
 * A later version of a serialized provider: the same code, except that its delete fails with
 * `marker`, so a test can tell which version the host ran.
 */
function withDeleteMarker(code: string, marker: string): string {
    const patched = code.replace(/(async function \/\*delete\*\/\([^)]*\)\s*\{)/, `$1 throw new Error(${JSON.stringify(marker)});`);
    assert.notEqual(patched, code, "the serialized provider has a delete function");
    return patched;
}

// Our dynamic resources run in Pulumi's real dynamic-provider host, driven the way the engine
// drives it (tests/harness/dynamicHost.ts names the engine source for each rule).
describe("dynamic providers: code changes reach the state", function () {
    this.timeout(60_000);
    let host: DynamicProviderHost;
    let engine: EngineSim;
    let removal: { inputs: Record<string, any> };
    before(async () => {
        host = await DynamicProviderHost.start();
        engine = new EngineSim(host);
        await host.configure({});
        removal = one(await fixtureStack("dev"), "pulumi-nodejs:dynamic/metaflow:PeeringRemoval");
    });
    after(() => host?.stop());

    it("PeeringRemoval: an `up` with new provider code stores it, and destroy runs the new code", async () => {
        const codeA = removal.inputs.__provider as string;
        const codeB = withDeleteMarker(codeA, "provider code B ran");
        const { __provider: _, ...ref } = removal.inputs;
        const first = await engine.up(undefined, { ...ref, __provider: codeA });
        assert.equal(first.op, "create");
        const second = await engine.up(first.state, { ...ref, __provider: codeB });
        assert.equal(second.op, "update", "a provider code change is an update, not a no-op (step.go SameStep keeps the old outputs)");
        const state: ResourceState = second.state;
        assert.equal(state.outputs.__provider, codeB);
        assert.deepEqual({ ...state.outputs, __provider: undefined }, { ...ref, __provider: undefined }, "the update keeps project, network and peering in the outputs destroy reads");
        await assert.rejects(engine.destroy(state), /provider code B ran/);
    });

    it("NegCleanup: the same, a code change is an update that keeps project and network", async () => {
        const cleanup = one(await fixtureStack("dev"), "pulumi-nodejs:dynamic/metaflow:NegCleanup");
        const { __provider: codeA, ...scope } = cleanup.inputs;
        const first = await engine.up(undefined, cleanup.inputs);
        assert.equal((await engine.up(first.state, cleanup.inputs)).op, "same");
        const codeB = withDeleteMarker(codeA, "NEG code B ran");
        const second = await engine.up(first.state, { ...scope, __provider: codeB });
        assert.equal(second.op, "update");
        assert.deepEqual({ ...second.state.outputs, __provider: undefined }, { ...scope, __provider: undefined });
        await assert.rejects(engine.destroy(second.state), /NEG code B ran/);
    });

    it("PeeringRemoval: unchanged code and inputs are a no-op; a moved network replaces, delete first", async () => {
        const { __provider: code, ...ref } = removal.inputs;
        const first = await engine.up(undefined, removal.inputs);
        assert.equal((await engine.up(first.state, removal.inputs)).op, "same");
        const diff = await host.diff(first.state.id, first.state.outputs, { ...ref, network: "other", __provider: code }, first.state.inputs);
        assert.deepEqual(diff.replaces, ["network"]);
        assert.equal(diff.deleteBeforeReplace, true);
    });
});
