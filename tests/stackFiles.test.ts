/**
 * The one reader of stack files (offline/stackFiles.ts) against stack files the Pulumi CLI wrote:
 * tests/fixtures/cli-stack-files holds stack files made with the Pulumi SDK's own code (module
 * sdk/v3 v3.248.0: `config.Map.Set`, `ProjectStack.Save`, the passphrase crypter; see
 * generate/main.go) by the README's `pulumi config set` commands, and next to each what the CLI
 * hands the program for it (`<name>.cli-config.json`: `Map.Decrypt` and `Map.SecureKeys`, with
 * the test passphrase). Offline there is no passphrase, so where the CLI has a plaintext secret
 * the reader has OPAQUE_SECRET; everything else must be what the CLI hands over.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { OPAQUE_SECRET, listStacks, readStackFile } from "../offline/stackFiles";
import { previewStack } from "../scripts/preview";
import { checkStack } from "../scripts/policyCheck";
import { stackFacts } from "../scripts/policyConfig";
import { one } from "../offline/query";
import { REPO_ROOT } from "../offline/render";

const CLI_FILES = path.join(REPO_ROOT, "tests", "fixtures", "cli-stack-files");

/** What the CLI hands the program for a fixture, with the test passphrase. */
function cliView(name: string): { config: Record<string, string>; secretKeys: string[] } {
    return JSON.parse(fs.readFileSync(path.join(CLI_FILES, `${name}.cli-config.json`), "utf8"));
}

const parse = (text: string): unknown => {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
};

/** `value` with the element at a `pulumi config set --path` path (`a.b[0]`, below the key) set to `to`. */
function replaceAt(value: unknown, propertyPath: string, to: unknown): unknown {
    const parts = [...propertyPath.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
    if (parts.length === 0) {
        return to;
    }
    const copy: any = structuredClone(value);
    let at = copy;
    for (const part of parts.slice(0, -1)) {
        at = at[part];
    }
    at[parts[parts.length - 1]] = to;
    return copy;
}

/**
 * A directory holding only the CLI-written stack file `name` (as a repository holds its stacks:
 * the policy config reads every stack file beside it); removed after `run`.
 */
async function alone<T>(name: string, run: (dir: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cli-stack-"));
    try {
        fs.copyFileSync(path.join(CLI_FILES, `Pulumi.${name}.yaml`), path.join(dir, `Pulumi.${name}.yaml`));
        return await run(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A directory with one stack file written from `text`; removed after the test. */
function withStackFile(text: string, run: (dir: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stackfile-"));
    try {
        fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), text);
        run(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("stack files, read as the Pulumi CLI reads them", () => {
    it("the CLI-written fixtures are there (the comparisons below have something to compare)", () => {
        assert.deepEqual(listStacks(CLI_FILES), ["endpoint", "shapes", "whole"]);
        assert.match(fs.readFileSync(path.join(CLI_FILES, "Pulumi.endpoint.yaml"), "utf8"), /oauthClientSecret:\n\s+secure: v1:/);
    });

    for (const name of ["endpoint", "shapes", "whole"]) {
        it(`${name}: every value is what the CLI hands the program, each secret opaque, the same keys secret`, () => {
            const cli = cliView(name);
            const ours = readStackFile(name, CLI_FILES);
            assert.deepEqual([...ours.secretKeys].sort(), cli.secretKeys);
            for (const [key, text] of Object.entries(cli.config)) {
                const secretsHere = ours.encrypted.filter((p) => p === key || p.startsWith(`${key}.`) || p.startsWith(`${key}[`));
                if (!(key in ours.values)) {
                    // Only a key of ours encrypted as a whole is left out, and a note says so.
                    assert.deepEqual(secretsHere, [key], `${key} is missing`);
                    assert.ok(ours.notes.some((n) => n.startsWith(`${key} is encrypted as a whole`)), ours.notes.join("\n"));
                    continue;
                }
                const expected = secretsHere.reduce((v, p) => replaceAt(v, p.slice(key.length), OPAQUE_SECRET), parse(text));
                assert.deepEqual(parse(ours.values[key]), expected, key);
            }
            assert.deepEqual(Object.keys(ours.values).filter((k) => !(k in cli.config)), [], "no key the CLI does not have");
            const shown = JSON.stringify(ours);
            for (const ciphertext of fs.readFileSync(path.join(CLI_FILES, `Pulumi.${name}.yaml`), "utf8").matchAll(/secure: (\S+)/g)) {
                assert.ok(!shown.includes(ciphertext[1]), "no ciphertext is handed on");
            }
            assert.ok(!shown.includes("GOCSPX-"), "no plaintext secret (there is none to find offline)");
        });
    }

    it("the README's endpoint step (a secret inside the endpoint object) previews, and passes the policy pack on a first preview, offline", async () => {
        await alone("endpoint", async (dir) => {
            const preview = await previewStack("endpoint", { stacksDir: dir });
            assert.equal(preview.ok, true, preview.text.slice(-3000));
            const stack = preview.stack!;
            assert.ok(one(stack, "gcp:certificatemanager/certificate:Certificate"), "the endpoint is on");
            // The program refuses a client secret that is not a Pulumi secret: the render passing means
            // the key reached it as one (PULUMI_CONFIG_SECRET_KEYS), as with the CLI.
            assert.deepEqual(readStackFile("endpoint", dir).secretKeys, ["metaflow-gcp:endpoint"]);
            const oauth = stack.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && r.inputs.metadata?.name === "metaflow-iap-oauth");
            assert.equal(oauth?.inputs.stringData.key, OPAQUE_SECRET);
            assert.equal(stackFacts("endpoint", dir).members[0], "group:ml-team@example.com", "the policy config reads it");
            // The preview's policy report is on the state after `pulumi up`; a first preview has the grants' account unknown.
            const policy = await checkStack("endpoint", { dir, renders: ["preview"] });
            assert.equal(policy.failed, false, policy.text);
        });
    });

    it("a key encrypted as a whole: the offline render leaves it out and says so; the CLI's secret keys stay", async () => {
        await alone("whole", async (dir) => {
            const preview = await previewStack("whole", { stacksDir: dir });
            assert.equal(preview.ok, true, preview.text.slice(-3000));
            assert.equal(preview.stack!.resources.filter((r) => r.type.startsWith("gcp:certificatemanager")).length, 0);
            assert.match(preview.text, /^note: metaflow-gcp:endpoint is encrypted as a whole in .*Pulumi\.whole\.yaml, so offline tools cannot read it/m);
            assert.deepEqual(readStackFile("whole", dir).secretKeys, ["metaflow-gcp:endpoint"]);
        });
    });

    describe("shapes the CLI accepts that `pulumi config set` does not write", () => {
        it("a key without a namespace belongs to the project (loaders.go stackConfigNamespacedWithProject)", () => {
            withStackFile("config:\n  environment: qa\n  gcp:region: europe-west4\n", (dir) => {
                assert.deepEqual(readStackFile("t", dir).values, { "metaflow-gcp:environment": "qa", "gcp:region": "europe-west4" });
            });
        });

        it("only a mapping of exactly one string `secure` is a ciphertext (object.go isSecureValue)", () => {
            withStackFile("config:\n  metaflow-gcp:labels:\n    secure: 1\n  metaflow-gcp:x:\n    secure: a\n    other: b\n", (dir) => {
                const file = readStackFile("t", dir);
                assert.deepEqual(file.secretKeys, []);
                assert.deepEqual(parse(file.values["metaflow-gcp:labels"]), { secure: 1 });
                assert.deepEqual(parse(file.values["metaflow-gcp:x"]), { secure: "a", other: "b" });
            });
        });

        it("a byte order mark is stripped (loaders.go readFileStripUTF8BOM); an empty file or config is no config", () => {
            withStackFile("\uFEFFconfig:\n  metaflow-gcp:environment: qa\n", (dir) => assert.equal(readStackFile("t", dir).values["metaflow-gcp:environment"], "qa"));
            withStackFile("", (dir) => assert.deepEqual(readStackFile("t", dir).values, {}));
            withStackFile("config:\n", (dir) => assert.deepEqual(readStackFile("t", dir).values, {}));
        });
    });

    describe("broken stack files are refused naming the file", () => {
        it("not YAML", () => {
            withStackFile("config:\n  metaflow-gcp:environment: [dev\n", (dir) => {
                assert.throws(() => readStackFile("t", dir), (e: Error) => e.message.startsWith(`${path.join(dir, "Pulumi.t.yaml")} is not valid YAML: `));
            });
        });

        it("config not a mapping, or a top-level key a stack file does not have (a misspelt config: would drop every value)", () => {
            withStackFile("config:\n  - a\n", (dir) => assert.throws(() => readStackFile("t", dir), /must be a YAML mapping with a "config:" mapping/));
            withStackFile("confg:\n  metaflow-gcp:environment: qa\n", (dir) => assert.throws(() => readStackFile("t", dir), /unknown top-level key confg; a stack file holds secretsprovider, encryptedkey, encryptionsalt, config, environment/));
        });
    });
});
