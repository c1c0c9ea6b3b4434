import { componentType } from "../components/model/typeTokens";
import { strict as assert } from "assert";
import { componentTypeOf, ofType, one } from "../offline/query";
import type { RenderedStack } from "../offline/render";
import { IAP_TCP_FORWARDING_RANGE } from "../components/model/wellKnown";
import { fixtureStack } from "./harness/fixtures";

describe("MetaflowNetwork", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("is a custom-mode VPC with one subnet holding pod and service ranges and Private Google Access", () => {
        const vpc = one(dev, "gcp:compute/network:Network");
        assert.equal(vpc.inputs.autoCreateSubnetworks, false);
        const subnet = one(dev, "gcp:compute/subnetwork:Subnetwork");
        assert.equal(subnet.inputs.network, vpc.id);
        assert.equal(subnet.inputs.ipCidrRange, "10.10.0.0/20");
        assert.equal(subnet.inputs.privateIpGoogleAccess, true);
        assert.deepEqual(subnet.inputs.secondaryIpRanges, [
            { rangeName: "pods", ipCidrRange: "10.11.0.0/16" },
            { rangeName: "services", ipCidrRange: "10.12.0.0/20" },
        ]);
    });

    it("gives private nodes egress through Cloud NAT on the subnet", () => {
        const nat = one(dev, "gcp:compute/routerNat:RouterNat");
        const router = one(dev, "gcp:compute/router:Router");
        const subnet = one(dev, "gcp:compute/subnetwork:Subnetwork");
        assert.equal(nat.inputs.router, router.state.name);
        assert.equal(nat.inputs.sourceSubnetworkIpRangesToNat, "LIST_OF_SUBNETWORKS");
        assert.equal(nat.inputs.subnetworks[0].name, subnet.id);
        assert.equal(nat.inputs.logConfig.enable, true);
    });

    it("reserves the Private Service Access range and peers it with servicenetworking, abandoning on destroy", () => {
        const range = one(dev, "gcp:compute/globalAddress:GlobalAddress");
        assert.equal(range.inputs.purpose, "VPC_PEERING");
        assert.equal(range.inputs.address, "10.13.0.0");
        assert.equal(range.inputs.prefixLength, 20);
        const peering = one(dev, "gcp:servicenetworking/connection:Connection");
        assert.deepEqual(peering.inputs.reservedPeeringRanges, [range.state.name]);
        assert.equal(peering.inputs.deletionPolicy, "ABANDON");
    });

    it("admits only the environment's own ranges, plus IAP SSH where enabled; nothing from 0.0.0.0/0", () => {
        for (const stack of [dev, prod]) {
            for (const rule of ofType(stack, "gcp:compute/firewall:Firewall")) {
                assert.ok(!rule.inputs.sourceRanges.includes("0.0.0.0/0"), `${stack.stack}/${rule.name}`);
            }
        }
        const internal = one(prod, "gcp:compute/firewall:Firewall", "network-allow-internal");
        assert.deepEqual(internal.inputs.sourceRanges, ["10.20.0.0/20", "10.21.0.0/16", "10.22.0.0/20"]);
        const iap = one(dev, "gcp:compute/firewall:Firewall", "network-allow-iap-ssh");
        assert.deepEqual(iap.inputs.sourceRanges, [IAP_TCP_FORWARDING_RANGE]);
        assert.deepEqual(iap.inputs.allows, [{ protocol: "tcp", ports: ["22"] }]);
        assert.equal(ofType(prod, "gcp:compute/firewall:Firewall").length, 1, "prod has no SSH rule");
    });

    it("parents every network resource to the component", () => {
        for (const type of ["gcp:compute/network:Network", "gcp:compute/subnetwork:Subnetwork", "gcp:compute/routerNat:RouterNat", "gcp:servicenetworking/connection:Connection"]) {
            assert.equal(componentTypeOf(dev, one(dev, type)), componentType("MetaflowNetwork"), type);
        }
    });
});
