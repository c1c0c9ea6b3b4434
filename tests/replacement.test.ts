import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parsePlatformConfig } from "../components/config/config";
import { platformConfigFromFlat } from "../components/config/flat";
import { cidrContains, prefixBits } from "../components/model/cidr";
import { REPLACEMENT_GUARD_OUTPUT, REPLACING_KEYS, guardInputs, replacingChanges, type GuardInputs } from "../components/config/replacement";
import { DynamicProviderHost, EngineSim, type ResourceState } from "./harness/dynamicHost";
import { one, output } from "../offline/query";
import { REPO_ROOT, type RenderedStack } from "../offline/render";
import { renderFixture } from "./harness/fixtures";

const base = { project: "acme-ml", region: "us-central1", environment: "prod", production: true };
const inputsOf = (overrides: Record<string, unknown> = {}): GuardInputs => guardInputs(parsePlatformConfig({ ...base, ...overrides }));
const GUARD = "pulumi-nodejs:dynamic/metaflow:ReplacementGuard";

describe("refusing production config changes that replace state", () => {
    describe("replacingChanges", () => {
        const before = inputsOf();

        it("names the key, the old and new value and what would be replaced", () => {
            const [change, ...rest] = replacingChanges(before, inputsOf({ storage: { bucketName: "acme-ml-new-bucket" } }));
            assert.equal(rest.length, 0);
            assert.match(change, /^metaflow-gcp:storage\.bucketName: was "acme-ml-metaflow-prod", now "acme-ml-new-bucket"; this replaces the bucket/);
        });

        it("lets a subnet grow in place but not move or shrink (the provider replaces only on shrinkage)", () => {
            assert.deepEqual(replacingChanges(before, inputsOf({ network: { subnetCidr: "10.10.0.0/19" } })), []);
            assert.match(replacingChanges(before, inputsOf({ network: { subnetCidr: "10.30.0.0/20" } }))[0], /network\.subnetCidr/);
            assert.match(replacingChanges(inputsOf({ network: { subnetCidr: "10.10.0.0/19" } }), before)[0], /network\.subnetCidr/, "shrinking replaces");
        });

        it("prefix bits decide containment as ipaddr.js does (cidrContains)", () => {
            const blocks = ["10.0.0.0/8", "10.10.0.0/19", "10.10.0.0/20", "10.10.16.0/20", "10.30.0.0/20", "192.168.0.0/16", "0.0.0.0/0"];
            for (const outer of blocks) {
                for (const inner of blocks) {
                    assert.equal(prefixBits(inner).startsWith(prefixBits(outer)), cidrContains(outer, inner), `${outer} contains ${inner}`);
                }
            }
        });

        it("treats every cluster location change as a replacement", () => {
            const zonal = inputsOf({ production: false, cluster: { regional: false } });
            const otherZone = inputsOf({ production: false, cluster: { regional: false }, zones: ["us-central1-b"] });
            assert.match(replacingChanges(zonal, otherZone).join("\n"), /metaflow-gcp:zones: was "us-central1-a", now "us-central1-b"/);
            assert.match(replacingChanges(before, zonal).join("\n"), /metaflow-gcp:cluster\.regional/);
            assert.match(replacingChanges(before, inputsOf({ cluster: { mode: "autopilot" } })).join("\n"), /metaflow-gcp:cluster\.mode/);
        });

        it("ignores changes that update in place, the first update, and keys listed in allowReplacement", () => {
            assert.deepEqual(replacingChanges(before, inputsOf({ database: { tier: "db-custom-4-15360" }, services: { metadataReplicas: 3 } })), []);
            assert.deepEqual(replacingChanges(undefined, before), []);
            assert.deepEqual(replacingChanges({}, before), [], "a guard with no previous inputs (created this run)");
            const allowed = inputsOf({ storage: { bucketName: "acme-ml-new-bucket" }, allowReplacement: ["metaflow-gcp:storage.bucketName"] });
            assert.deepEqual(replacingChanges(before, allowed), []);
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

    // pulumi/pulumi v3.248.0 pkg/backend/diy/store.go: a legacy-layout DIY backend (state from
    // before 3.61, or PULUMI_DIY_BACKEND_LEGACY_LAYOUT) parses stack references with
    // tokens.ParseStackName, which refuses `/`; `file://~` can be one. The render fails any such
    // StackReference the way that backend does. Rendered once for both groups below.
    let legacyRender: Promise<RenderedStack> | undefined;
    const renderOnLegacyBackend = () => (legacyRender ??= renderFixture("prod", { backend: "diy-legacy", config: { "gcp:project": "acme-ml" }, offlineProject: false }));
    let prod: RenderedStack;

    describe("in the program", () => {
        before(async () => {
            prod = await renderOnLegacyBackend();
        });

        it("works on a legacy-layout DIY backend: no StackReference, the guard is a resource of the stack", () => {
            assert.deepEqual(prod.resources.filter((r) => r.type === "pulumi:pulumi:StackReference"), []);
            const guard = one(prod, GUARD);
            const { __provider: code, ...inputs } = guard.inputs;
            assert.match(code, /Refused: this change of the production stack's config/);
            assert.deepEqual(inputs, guardInputs(platformConfigFromFlat(prod.config, "prod")), "the inputs are the config's guard inputs");
        });

        it("registers the guard before the platform, which depends on it, and exports what it recorded (plain)", () => {
            const guard = one(prod, GUARD);
            const platform = prod.resources.find((r) => r.type.endsWith(":MetaflowPlatform"))!;
            assert.ok(prod.resources.indexOf(guard) < prod.resources.indexOf(platform));
            assert.ok(platform.dependencies.includes(guard.urn), "every resource waits for the guard's check");
            assert.equal(prod.outputs[REPLACEMENT_GUARD_OUTPUT].secret, false);
            assert.deepEqual(output(prod, REPLACEMENT_GUARD_OUTPUT), guard.state.fingerprint);
            assert.equal(output(prod, REPLACEMENT_GUARD_OUTPUT)["gcp:project"], "acme-ml");
        });
    });

    // The guard's code as the program serialized it, run in Pulumi's real dynamic-provider host.
    describe("in the engine (Pulumi's dynamic-provider host)", function () {
        this.timeout(60_000);
        let host: DynamicProviderHost;
        let engine: EngineSim;
        let code: string;
        let deployed: ResourceState;
        const up = (prev: ResourceState | undefined, inputs: GuardInputs, provider = code) => engine.up(prev, { ...inputs, __provider: provider });

        before(async () => {
            host = await DynamicProviderHost.start();
            engine = new EngineSim(host);
            await host.configure({});
            code = one(await renderOnLegacyBackend(), GUARD).inputs.__provider;
            const first = await up(undefined, inputsOf());
            assert.equal(first.op, "create", "a stack's first update creates the guard and refuses nothing");
            deployed = first.state;
        });
        after(() => host?.stop());

        it("an unchanged config is a no-op", async () => {
            assert.equal((await up(deployed, inputsOf())).op, "same");
        });

        it("refuses a bucket rename in production, naming the key and how to allow it, and keeps the recorded values", async () => {
            const renamed = inputsOf({ storage: { bucketName: "acme-ml-other" } });
            await assert.rejects(up(deployed, renamed), (err: Error) => {
                assert.match(err.message, /metaflow-gcp:storage\.bucketName: was "acme-ml-metaflow-prod", now "acme-ml-other"; this replaces the bucket/);
                assert.match(err.message, /list the key in metaflow-gcp:allowReplacement/);
                return true;
            });
            assert.equal(deployed.outputs.fingerprint["metaflow-gcp:storage.bucketName"], "acme-ml-metaflow-prod");
        });

        it("lets the change through when allowReplacement lists the key, records it, and stays quiet once the key is removed again", async () => {
            const allowed = await up(deployed, inputsOf({ storage: { bucketName: "acme-ml-other" }, allowReplacement: ["metaflow-gcp:storage.bucketName"] }));
            assert.equal(allowed.op, "update");
            assert.equal(allowed.state.outputs.fingerprint["metaflow-gcp:storage.bucketName"], "acme-ml-other");
            const after = await up(allowed.state, inputsOf({ storage: { bucketName: "acme-ml-other" } }));
            assert.equal(after.op, "update", "allowReplacement itself is recorded");
        });

        it("outside production, records the change without refusing; a growing subnet passes in production", async () => {
            const dev = await up(undefined, inputsOf({ production: false, environment: "dev" }));
            const renamed = await up(dev.state, inputsOf({ production: false, environment: "dev", storage: { bucketName: "dev-other" } }));
            assert.equal(renamed.op, "update");
            assert.equal((await up(deployed, inputsOf({ network: { subnetCidr: "10.10.0.0/19" } }))).op, "update");
            await assert.rejects(up(deployed, inputsOf({ network: { subnetCidr: "10.30.0.0/20" } })), /network\.subnetCidr/);
        });

        it("still refuses when the same update turns production off", async () => {
            await assert.rejects(up(deployed, inputsOf({ production: false, storage: { bucketName: "acme-ml-other" } })), /storage\.bucketName/);
        });

        it("a change of the guard's own code reaches the state", async () => {
            const newer = `${code}\n// a later version`;
            const next = await up(deployed, inputsOf(), newer);
            assert.equal(next.op, "update");
            assert.equal(next.state.outputs.__provider, newer);
            assert.deepEqual(next.state.outputs.fingerprint, deployed.outputs.fingerprint);
        });
    });
});
