import { strict as assert } from "assert";
import { componentType } from "../components/model/typeTokens";
import { EXAMPLE_ENDPOINT } from "./harness/endpointExample";
import { ofType } from "../offline/query";
import type { RenderedStack } from "../offline/render";
import { readFixture, renderFixture } from "./harness/fixtures";

const IAP_GRANT = "gcp:iap/webTypeComputeIamMember:WebTypeComputeIamMember";
const TOKEN_GRANT = "gcp:serviceaccount/iAMMember:IAMMember";

/** Dev with the endpoint and these members (test values; never reach a cloud). */
function devWithMembers(members: string[]): Promise<RenderedStack> {
    return renderFixture("dev", {
        config: { "metaflow-gcp:endpoint": EXAMPLE_ENDPOINT, "metaflow-gcp:access": { members } },
        secretKeys: [...readFixture("dev").secretKeys, "metaflow-gcp:endpoint"],
    });
}

describe("endpoint grants per member: one name helper, old names kept by alias", () => {
    it("gives `user:a.b@x` and `user:a-b@x` grants of their own (the old names collided)", async () => {
        const members = ["user:a.b@example.com", "user:a-b@example.com"];
        const stack = await devWithMembers(members);
        const urns = stack.resources.map((r) => r.urn);
        assert.deepEqual(urns.filter((u, i) => urns.indexOf(u) !== i), [], "no URN twice (the engine refuses a duplicate)");
        for (const type of [IAP_GRANT, TOKEN_GRANT]) {
            const granted = ofType(stack, type).map((r) => r.inputs.member).filter((m) => members.includes(m));
            assert.deepEqual(granted.sort(), [...members].sort(), `${type}: one grant per member`);
        }
        // Neither may take over the one old URN both would claim.
        const iap = ofType(stack, IAP_GRANT).filter((r) => members.includes(r.inputs.member));
        assert.ok(iap.every((r) => !r.aliasUrns.some((u) => u.endsWith("::endpoint-iap-user-a-b-example-com"))));
    });

    it("a deployed grant keeps its state: the name it had in 0.2.0 is an alias of the new one", async () => {
        const stack = await devWithMembers(["user:ada@example.com"]);
        const endpointType = `${componentType("MetaflowPlatform")}$${componentType("MetaflowEndpoint")}`;
        for (const [type, former] of [
            [IAP_GRANT, "endpoint-iap-user-ada-example-com"],
            [TOKEN_GRANT, "endpoint-client-token-user-ada-example-com"],
        ]) {
            const [grant] = ofType(stack, type).filter((r) => r.inputs.member === "user:ada@example.com");
            assert.match(grant.name, /^endpoint-(iap|client-token)-user-ada-example-com-[0-9a-f]{6}$/);
            assert.ok(grant.aliasUrns.includes(`urn:pulumi:dev::metaflow-gcp::${endpointType}$${type}::${former}`), `${type}: ${grant.aliasUrns.join("\n")}`);
        }
    });
});
