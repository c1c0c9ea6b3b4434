import { strict as assert } from "assert";
import * as fs from "fs";
import { z } from "zod";
import { GpuAccelerator } from "../components/gcp/gpuNodePool";
import { GPU_TYPES } from "../components/model/catalog";
import { PROFILE_DEFAULTS } from "../components/model/profiles";
import { platformSchema } from "../components/config/schema";
import { profileSchemas } from "../scripts/configReference";
import { PLATFORM_ARGS_PATH, renderPlatformArgs } from "../scripts/platformArgs";

describe("MetaflowPlatformArgs (written by `npm run docs` from the config schema)", () => {
    const text = renderPlatformArgs();

    it("is what `npm run docs` writes from components/config/schema.ts", () => {
        assert.ok(
            fs.readFileSync(PLATFORM_ARGS_PATH, "utf8") === text,
            "components/platform/metaflowPlatformArgs.ts is stale (the schema or a profile default changed): run `npm run docs` and commit it",
        );
    });

    it("takes every key of the schema but the stack's own allowReplacement, with its description and each profile's default", () => {
        const schema = z.toJSONSchema(platformSchema(PROFILE_DEFAULTS.development), { io: "input", unrepresentable: "any" }) as { properties: Record<string, unknown> };
        const args = /export interface MetaflowPlatformArgs \{([\s\S]*?)\n\}/.exec(text)![1];
        const fields = [...args.matchAll(/readonly (\w+)\??:/g)].map((m) => m[1]);
        assert.deepEqual(fields, Object.keys(schema.properties).filter((k) => k !== "allowReplacement"));
        assert.match(args, /readonly project: string;/, "project is required of a program");
        assert.match(args, /readonly environment: string;/, "environment is required of a program (a stack takes its name)");
        const unwrapped = text.replace(/\n\s*\*(?!\/) ?/g, " ");
        assert.match(unwrapped, /Default: `e2-standard-2` \/ `e2-standard-4` \(personal: `e2-standard-4`\)\.\s*\*\/\s*readonly machineType\?: string;/);
        assert.match(text, /readonly oauthClientSecret: pulumi\.Input<string>;/, "the one Input: the client secret may come from a secret");
    });

    it("a schema enum without a matching component enum is refused, not written as a string", () => {
        const values = ["standard", "autopilot", "burst"];
        const schemas = profileSchemas();
        for (const profile of Object.values(schemas) as any[]) {
            profile.properties.cluster.properties.mode.enum = values;
        }
        assert.throws(
            () => renderPlatformArgs(schemas),
            /cluster\.mode is an enum \(standard, autopilot, burst\) with no const object of the same values/,
        );
    });

    it("the GPU enum is the catalog's GPU list", () => {
        assert.deepEqual(Object.values(GpuAccelerator).sort(), [...GPU_TYPES].sort());
    });
});
