/**
 * The README's stack-file steps, replayed (scripts/readmeReplay.ts): the fast part. Here the
 * replay runs on a copy of the fixture stacks and the result is checked without rendering: the
 * commands are read from the README, `pulumi config set` writes what the CLI writes, and every
 * stack that comes out is valid and isolated from every other. The slow part, the preview, the
 * policy check and `npm test` on a copy of the repository after the replay, is
 * scripts/replay-readme.sh (CI runs it after `npm test`).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { configSet, parsePropertyPath, parseConfigSetArgs } from "../offline/configSet";
import { listStacks, readStackFile } from "../offline/stackFiles";
import { asEnvironment, commandsOf, replayCommand, replayReadme, sectionOf, words, type ReplayState } from "../scripts/readmeReplay";
import { isolationClashes, stackFacts } from "../scripts/policyConfig";
import { FIXTURE_STACKS } from "./harness/fixtures";
import { REPO_ROOT } from "../offline/render";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
const CLI_FILES = path.join(REPO_ROOT, "tests", "fixtures", "cli-stack-files");

/** A temporary copy of the fixture stacks with the README beside them; removed after `run`. */
function inCopy(run: (dir: string) => void): void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-steps-"));
    try {
        fs.cpSync(FIXTURE_STACKS, dir, { recursive: true });
        fs.writeFileSync(path.join(dir, "README.md"), README);
        run(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A stack file's YAML with every ciphertext and the salt replaced (they are random). */
function shape(file: string): unknown {
    const doc = YAML.parse(fs.readFileSync(file, "utf8"));
    delete doc.encryptionsalt;
    return JSON.parse(JSON.stringify(doc).replace(/"secure":"v1:[^"]+"/g, '"secure":"<ciphertext>"'));
}

describe("README steps on stack files (fast part; scripts/replay-readme.sh does the rest)", () => {
    it("the HTTPS endpoint's `pulumi config set` commands write what the Pulumi CLI writes (tests/fixtures/cli-stack-files/Pulumi.endpoint.yaml)", () => {
        inCopy((dir) => {
            const state: ReplayState = { dir, selected: "dev", log: [] };
            const commands = commandsOf(sectionOf(README, "Set-up, from OAuth client to a flow run")).filter((c) => c.startsWith("pulumi config set"));
            assert.equal(commands.length, 5, commands.join("\n"));
            commands.forEach((c) => replayCommand(state, c.replace("<CLIENT_SECRET>", "GOCSPX-test-only-not-a-real-secret")));
            assert.deepEqual(
                shape(path.join(dir, "Pulumi.dev.yaml")),
                shape(path.join(CLI_FILES, "Pulumi.endpoint.yaml")),
                "the README's endpoint commands or the offline `pulumi config set` differ from the CLI-written fixture: if the README changed, run tests/fixtures/cli-stack-files/generate/generate.sh with its commands",
            );
        });
    });

    it("every stack the README's steps leave is valid and isolated from every other, and the steps touched what they say", () => {
        inCopy((dir) => {
            const log = replayReadme(dir);
            assert.deepEqual(listStacks(dir), ["dev", "personal", "prod", "qa", "staging"]);
            const facts = listStacks(dir).map((s) => stackFacts(s, dir));
            for (const f of facts) {
                assert.deepEqual(isolationClashes(f, facts), [], `${f.stack} clashes`);
            }
            assert.deepEqual(facts.map((f) => f.environment), ["dev", "alice", "prod", "qa", "staging"]);
            assert.deepEqual(facts.find((f) => f.stack === "prod")?.members, ["user:ada@example.com"]);
            const dev = readStackFile("dev", dir);
            assert.deepEqual(dev.encrypted, ["metaflow-gcp:endpoint.oauthClientSecret"]);
            assert.equal(dev.values["gcp:project"], "acme-ml");
            assert.ok(log.some((l) => l.includes("skipped") && l.includes("pulumi up")), "cloud steps are listed as skipped");
        });
    });

    it("another environment name moves the ranges with it", () => {
        assert.deepEqual(asEnvironment(["cp Pulumi.dev.yaml Pulumi.qa.yaml", "pulumi config set -s qa --path network.podsCidr 10.41.0.0/16"], "staging", 50), [
            "cp Pulumi.dev.yaml Pulumi.staging.yaml",
            "pulumi config set -s staging --path network.podsCidr 10.51.0.0/16",
        ]);
    });

    it("a command the replay does not know, or a placeholder it has no value for, stops it by name", () => {
        const state: ReplayState = { dir: os.tmpdir(), selected: "dev", log: [] };
        assert.throws(() => replayCommand(state, "sed -i s/a/b/ Pulumi.dev.yaml"), /"sed -i s\/a\/b\/ Pulumi.dev.yaml" is not one the replay knows/);
        assert.throws(() => replayCommand(state, "pulumi config set --path endpoint.hostname <your-hostname>"), /no example value for <your-hostname>/);
        assert.throws(() => sectionOf(README, "No such section"), /README.md has no section "No such section"/);
    });

    describe("offline `pulumi config set`, against the CLI's rules", () => {
        it("property paths as properties_path.go reads them", () => {
            assert.deepEqual(parsePropertyPath("names[0]"), ["names", 0]);
            assert.deepEqual(parsePropertyPath("parent.nested"), ["parent", "nested"]);
            assert.deepEqual(parsePropertyPath('["parent.name"]["nested.name"]'), ["parent.name", "nested.name"]);
            assert.throws(() => parsePropertyPath(".a"), /expected property path to start with a name or index/);
        });

        it("arguments: flags anywhere, -s/--stack, quotes", () => {
            assert.deepEqual(parseConfigSetArgs(words("-s qa --path 'access.members[0]' user:a@example.com")), {
                set: { key: "access.members[0]", value: "user:a@example.com", secret: false, path: true },
                stack: "qa",
            });
            assert.throws(() => parseConfigSetArgs(["--type", "int", "a", "1"]), /flag --type is not replayed offline/);
        });

        it("values below a key are coerced like the CLI's (true/false, digits without a leading 0), a key's own value is not; an index past the list's end is refused", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "config-set-"));
            const file = path.join(dir, "Pulumi.t.yaml");
            try {
                configSet(file, { key: "production", value: "true" });
                configSet(file, { key: "cluster.regional", value: "false", path: true });
                configSet(file, { key: "cluster.cpuPool.minNodes", value: "2", path: true });
                configSet(file, { key: "labels.build", value: "007", path: true });
                configSet(file, { key: "zones[0]", value: "us-central1-a", path: true });
                assert.deepEqual(YAML.parse(fs.readFileSync(file, "utf8")).config, {
                    "metaflow-gcp:production": "true",
                    "metaflow-gcp:cluster": { regional: false, cpuPool: { minNodes: 2 } },
                    "metaflow-gcp:labels": { build: "007" },
                    "metaflow-gcp:zones": ["us-central1-a"],
                });
                assert.throws(() => configSet(file, { key: "zones[2]", value: "x", path: true }), /array index out of range \(the list has 1 entries; \[1\] appends\)/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
