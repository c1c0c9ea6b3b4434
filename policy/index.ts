/**
 * The CrossGuard policy pack. Run it against a real preview:
 *   npm run policy-config -- dev && pulumi preview -s dev --policy-pack policy --policy-pack-config policy/generated/dev.json
 * Tests never import this file: constructing the PolicyPack starts its gRPC server.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("metaflow-gcp", { enforcementLevel: "mandatory", policies });
