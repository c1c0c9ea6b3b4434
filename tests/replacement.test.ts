import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parsePlatformConfig } from "../components/config/config";
import { REPLACEMENT_GUARD_OUTPUT, REPLACING_KEYS, ReplacementRefusedError, replacementFingerprint, replacingChanges } from "../components/config/replacement";
import { selfStackName } from "../components/platform/replacementGuard";
import { output } from "../offline/query";
import { REPO_ROOT, type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture, renderFixtureFailure } from "./harness/fixtures";

const base = { project: "acme-ml", region: "us-central1", environment: "prod", production: true };

describe("refusing production config changes that replace state", () => {
    describe("replacingChanges", () => {
        const before = replacementFingerprint(parsePlatformConfig(base));

        it("names the key, the old and new value and what would be replaced", () => {
            const after = replacementFingerprint(parsePlatformConfig({ ...base, storage: { bucketName: "acme-ml-new-bucket" } }));
            const [change, ...rest] = replacingChanges(before, after);
            assert.equal(rest.length, 0);
            assert.match(change, /^metaflow-gcp:storage\.bucketName: was "acme-ml-metaflow-prod", now "acme-ml-new-bucket"; this replaces the bucket/);
        });

        it("lets a subnet grow in place but not move or shrink (the provider replaces only on shrinkage)", () => {
            const grown = replacementFingerprint(parsePlatformConfig({ ...base, network: { subnetCidr: "10.10.0.0/19" } }));
            assert.deepEqual(replacingChanges(before, grown), []);
            const moved = replacementFingerprint(parsePlatformConfig({ ...base, network: { subnetCidr: "10.30.0.0/20" } }));
            assert.match(replacingChanges(before, moved)[0], /network\.subnetCidr/);
        });

        it("treats every cluster location change as a replacement", () => {
            const zonal = replacementFingerprint(parsePlatformConfig({ ...base, production: false, cluster: { regional: false } }));
            const otherZone = replacementFingerprint(parsePlatformConfig({ ...base, production: false, cluster: { regional: false }, zones: ["us-central1-b"] }));
            assert.match(replacingChanges(zonal, otherZone).join("\n"), /metaflow-gcp:zones: was "us-central1-a", now "us-central1-b"/);
            assert.match(replacingChanges(before, zonal).join("\n"), /metaflow-gcp:cluster\.regional/);
            const autopilot = replacementFingerprint(parsePlatformConfig({ ...base, cluster: { mode: "autopilot" } }));
            assert.match(replacingChanges(before, autopilot).join("\n"), /metaflow-gcp:cluster\.mode/);
        });

        it("ignores changes that update in place, the first update, and keys listed in allowReplacement", () => {
            const inPlace = replacementFingerprint(parsePlatformConfig({ ...base, database: { tier: "db-custom-4-15360" }, services: { metadataReplicas: 3 } }));
            assert.deepEqual(replacingChanges(before, inPlace), []);
            assert.deepEqual(replacingChanges(undefined, before), []);
            const after = replacementFingerprint(parsePlatformConfig({ ...base, storage: { bucketName: "acme-ml-new-bucket" } }));
            assert.deepEqual(replacingChanges(before, after, ["metaflow-gcp:storage.bucketName"]), []);
        });

        it("the README's config table marks every replacing key", () => {
            const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").split("\n");
            for (const { key } of REPLACING_KEYS) {
                const cell = "`" + key.replace(/^metaflow-gcp:/, "") + "`";
                const row = readme.find((line) => line.startsWith(`| ${cell} |`));
                assert.ok(row, `README has no config row for ${cell}`);
                assert.match(row, /⚠ replaces/, `README row ${cell} does not say what it replaces`);
            }
        });

        it("accepts only known keys in allowReplacement", () => {
            assert.throws(() => parsePlatformConfig({ ...base, allowReplacement: ["storage.bucketName"] }), /allowReplacement\[0\]/);
            assert.equal(REPLACING_KEYS.length, new Set(REPLACING_KEYS.map((k) => k.key)).size);
        });
    });

    describe("in the program", () => {
        let prod: RenderedStack;
        before(async () => {
            prod = await fixtureStack("prod");
        });

        it("exports the fingerprint as a plain output and reads it back from the stack itself", async () => {
            // selfStackName reads the Pulumi runtime's stack, which is the stack rendered last; the
            // shared prod render may have been cached by an earlier file, so render prod here.
            await renderFixture("prod");
            assert.equal(prod.outputs[REPLACEMENT_GUARD_OUTPUT].secret, false);
            assert.equal(output(prod, REPLACEMENT_GUARD_OUTPUT)["metaflow-gcp:environment"], "prod");
            assert.equal(selfStackName(), "organization/metaflow-gcp/prod", "DIY backends name the organization `organization`");
        });

        it("refuses a bucket rename in production before any resource is registered, naming the key", async () => {
            const previousOutputs = { [REPLACEMENT_GUARD_OUTPUT]: output(prod, REPLACEMENT_GUARD_OUTPUT) };
            const failure = await renderFixtureFailure("prod", { previousOutputs, config: { "metaflow-gcp:storage": { versioning: true, softDeleteDays: 7, forceDestroy: false, bucketName: "other-bucket" } } });
            assert.ok(failure.error instanceof ReplacementRefusedError, String(failure.error));
            assert.match(failure.error.message, /metaflow-gcp:storage\.bucketName: was "metaflow-offline-metaflow-prod", now "other-bucket"/);
            assert.equal(failure.resources.length, 0, "nothing was registered");
        });

        it("lets the same stack update when nothing replacing changed, and dev replace with a warning", async () => {
            const previousOutputs = { [REPLACEMENT_GUARD_OUTPUT]: output(prod, REPLACEMENT_GUARD_OUTPUT) };
            const again = await renderFixture("prod", { previousOutputs });
            assert.ok(again.resources.length > 0);
            const dev = await fixtureStack("dev");
            const renamed = await renderFixture("dev", {
                previousOutputs: { [REPLACEMENT_GUARD_OUTPUT]: output(dev, REPLACEMENT_GUARD_OUTPUT) },
                config: { "metaflow-gcp:storage": { bucketName: "dev-other-bucket" } },
            });
            assert.equal(output(renamed, "bucketName"), "dev-other-bucket");
        });
    });
});
