/**
 * Config that GCP, GKE or Kubernetes would refuse halfway through `pulumi up` (or quietly get
 * wrong) is refused before anything is created, and every refusal of a stack file names the
 * file, the key, the value and what is allowed, with a `pulumi config` command that fixes it.
 *
 * The commands are checked by applying them to the stack's config the way the Pulumi CLI does:
 * with `--path`, the text before the first `.` or `[` is `namespace:key` and the rest a path
 * inside its value (pulumi/pulumi pkg/cmd/pulumi/config `ParseConfigKey`; `Map.Set` with a path
 * creates missing maps and lists), without it the whole text is the key. The config must then
 * be free of that problem.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError, mustBeSecret, platformConfigFrom, parsePlatformConfig } from "../components/config/config";
import { GCP_PROVIDER_CONFIG_KEYS } from "../components/config/gcpProviderConfigKeys";
import { bucketNameProblem, principalProblem, reservedNamespaceReason } from "../components/config/names";
import { GCP_KEYS_ALLOWED } from "../components/config/providerKeys";
import { poolPeaks } from "../components/config/rules/network";
import { REPO_ROOT } from "../offline/stackFiles";

type Flat = Record<string, string>;
const FLAT: Flat = { "gcp:project": "acme-ml-dev", "gcp:region": "us-central1", "metaflow-gcp:environment": "qa" };
const STACK = "qa";

/** The problems of a stack file's flat config; [] when it is accepted. */
function problemsOf(flat: Flat, stack = STACK, secretKeys: string[] = []): string[] {
    try {
        platformConfigFrom(flat, stack, new Set(secretKeys));
        return [];
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        assert.match(err.message, new RegExp(`^Invalid stack configuration in Pulumi\\.${stack}\\.yaml `));
        return err.problems;
    }
}

const withSection = (key: string, value: unknown): Flat => ({ ...FLAT, [`metaflow-gcp:${key}`]: JSON.stringify(value) });

/** A `pulumi config` command from a fix, split into its words (single quotes as the shell reads them). */
function words(command: string): string[] {
    return [...command.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

/** Sets `value` at `steps` inside `root`, creating maps and lists on the way (as the CLI's Map.Set with a path). */
function setAt(root: unknown, steps: Array<string | number>, value: unknown, remove: boolean): unknown {
    const [step, ...rest] = steps;
    const container: any = root ?? (typeof step === "number" ? [] : {});
    if (rest.length === 0) {
        if (remove) {
            if (Array.isArray(container)) {
                container.splice(step as number, 1);
            } else {
                delete container[step];
            }
        } else {
            container[step] = value;
        }
        return container;
    }
    container[step] = setAt(container[step], rest, value, remove);
    return container;
}

/** The CLI's typed value for --path: true/false and integers become booleans and numbers. */
function typed(text: string): unknown {
    return text === "true" ? true : text === "false" ? false : /^-?\d+$/.test(text) ? Number(text) : text;
}

/** Applies one `pulumi config set|rm -s <stack> [--path] 'key' [value]` to a flat config. */
function applyCommand(flat: Flat, command: string, stack: string): Flat {
    const [pulumi, config, verb, ...args] = words(command);
    assert.equal(`${pulumi} ${config}`, "pulumi config", command);
    assert.ok(verb === "set" || verb === "rm", command);
    assert.equal(args[0], "-s", command);
    assert.equal(args[1], stack, `${command} names the stack`);
    const isPath = args.includes("--path");
    const positional = args.slice(2).filter((a) => !a.startsWith("--"));
    assert.ok(!args.includes("--secret"), `${command}: a secret fix needs a value typed at the prompt`);
    const [key, value] = positional;
    const next = { ...flat };
    const cut = isPath ? key.search(/[.[]/) : -1;
    if (cut < 0) {
        assert.ok(key.includes(":"), `${key} has a namespace`);
        if (verb === "rm") {
            delete next[key];
        } else {
            next[key] = value;
        }
        return next;
    }
    const top = key.slice(0, cut);
    const steps = [...key.slice(cut).matchAll(/\.([^.[]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
    const current = next[top] === undefined ? undefined : JSON.parse(next[top]);
    next[top] = JSON.stringify(setAt(current, steps, typed(value), verb === "rm"));
    return next;
}

/** The fix commands of a problem line. */
function fixesOf(problem: string): string[] {
    const fix = /; fix: `([^`]+)`$/.exec(problem);
    return fix ? fix[1].split(" && ") : [];
}

/**
 * Every refusal names the file and the key (with the value when it has one); its fix, applied as
 * the CLI would, removes that problem.
 */
function assertRefused(flat: Flat, key: string, fragments: string[], options: { fixed?: boolean; stack?: string } = {}): string {
    const stack = options.stack ?? STACK;
    const problems = problemsOf(flat, stack);
    const hit = problems.find((p) => p.startsWith(`Pulumi.${stack}.yaml: ${key}`) && fragments.every((f) => p.includes(f)));
    assert.ok(hit, `no refusal of ${key} mentioning ${fragments.join(" + ")}; got:\n${problems.join("\n")}`);
    const fixes = fixesOf(hit);
    if (options.fixed !== false) {
        assert.ok(fixes.length > 0, `no fix command in: ${hit}`);
        const after = fixes.reduce((f, command) => applyCommand(f, command, stack), flat);
        const left = problemsOf(after, stack).filter((p) => p.startsWith(`Pulumi.${stack}.yaml: ${key}`) && fragments.every((f) => p.includes(f)));
        assert.deepEqual(left, [], `after \`${fixes.join(" && ")}\` the problem remains`);
    }
    for (const command of fixes) {
        const [, , , , , ...rest] = words(command);
        const target = rest.find((w) => !w.startsWith("--"))!;
        const nested = /[.[]/.test(target.slice(target.indexOf(":") + 1));
        assert.equal(command.includes(" --path "), nested, `${command}: --path exactly for nested keys`);
    }
    return hit;
}

describe("config GCP, GKE or Kubernetes would refuse is refused first, with a fix that works", () => {
    describe("services.namespace: never a namespace Kubernetes or GKE keeps for itself", () => {
        const reserved = ["kube-system", "kube-public", "kube-node-lease", "default", "gke-gmp-system", "gke-managed-system", "gke-managed-cim", "gmp-system", "gmp-public", "kube-team", "gke-ml"];
        for (const namespace of reserved) {
            it(`refuses ${namespace}; removing the key restores metaflow-<environment>`, () => {
                assertRefused(withSection("services", { namespace }), "metaflow-gcp:services.namespace", [`"${namespace}"`, "namespace of its own", "metaflow-qa"]);
            });
        }

        it("refuses names that are not DNS-1123 labels, saying what is allowed", () => {
            for (const namespace of ["Metaflow", "ml_team", "-ml", "ml-", "a", "x".repeat(33), "ml.team", "ml team"]) {
                assertRefused(withSection("services", { namespace }), "metaflow-gcp:services.namespace", [JSON.stringify(namespace), "lowercase letters, digits or dashes"]);
            }
        });

        it("accepts namespaces of the environment's own, including ones that merely contain a system word", () => {
            for (const namespace of ["metaflow-dev", "ml-team-a", "kubeflow", "gke", "defaults", "my-kube-system"]) {
                assert.equal(reservedNamespaceReason(namespace), undefined, namespace);
                assert.deepEqual(problemsOf(withSection("services", { namespace })), [], namespace);
            }
        });
    });

    describe("storage.bucketName, and the default <project>-metaflow-<environment>: what Cloud Storage accepts", () => {
        const refused: Array<[string, string]> = [
            ["my-google-data", "google"],
            ["data-g00gle", "google"],
            ["gooogle-ml", "google"],
            ["goog-ml-data", '"goog"'],
            ["ab", "3-63"],
            ["x".repeat(64), "3-63"],
            ["10.0.0.1", "IP address"],
            ["data.example.com", "verified"],
            ["-data", "start and end"],
            ["Data-Set", "lowercase"],
        ];
        for (const [name, why] of refused) {
            it(`refuses ${name.length > 20 ? `${name.slice(0, 8)}... (${name.length})` : name}: ${why}`, () => {
                assertRefused(withSection("storage", { bucketName: name }), "metaflow-gcp:storage.bucketName", [JSON.stringify(name), why]);
            });
        }

        it("refuses an environment or project that makes a default name Cloud Storage refuses, with a name that works", () => {
            assertRefused({ ...FLAT, "metaflow-gcp:environment": "g00gle" }, "metaflow-gcp:storage.bucketName", ["acme-ml-dev-metaflow-g00gle", "google"], { stack: "g00gle" });
            assertRefused({ ...FLAT, "gcp:project": "goog-analytics-1" }, "metaflow-gcp:storage.bucketName", ["goog-analytics-1-metaflow-qa", '"goog"']);
        });

        it("accepts names Cloud Storage takes", () => {
            for (const name of ["acme-ml-datastore", "ml_team_2026", "abc", "x".repeat(63), "gog-data", "my-goose-data"]) {
                assert.equal(bucketNameProblem(name), undefined, name);
            }
        });
    });

    describe("network: the pods and node ranges hold every node the pools may run", () => {
        const cluster = (maxNodes: number, regional = false) => JSON.stringify({ regional, cpuPool: { minNodes: 1, maxNodes } });
        const pools = (...maxNodes: number[]) => JSON.stringify(maxNodes.map((max, i) => ({ name: `gpu${i}`, maxNodes: max })));

        it("a /21 holds 8 nodes at 110 pods per node: 8 at peak pass, 9 are refused with a /20 that works", () => {
            // Peak = each pool's maxNodes + 1 surge node: (5 + 1) + (1 + 1) = 8, then (5 + 1) + (2 + 1) = 9.
            const net = JSON.stringify({ podsCidr: "10.11.0.0/21" });
            assert.deepEqual(problemsOf({ ...FLAT, "metaflow-gcp:network": net, "metaflow-gcp:cluster": cluster(5), "metaflow-gcp:gpuPools": pools(1) }), []);
            assertRefused(
                { ...FLAT, "metaflow-gcp:network": net, "metaflow-gcp:cluster": cluster(5), "metaflow-gcp:gpuPools": pools(2) },
                "metaflow-gcp:network.podsCidr",
                ['"10.11.0.0/21"', "holds 8 nodes", "may run 9", "a /20 or larger", "10.11.0.0/20"],
            );
        });

        it("counts every pool, and a regional pool's first size when minNodes rounds up across zones", () => {
            const config = parsePlatformConfig({
                project: "acme-ml-dev",
                region: "us-central1",
                environment: "qa",
                cluster: { regional: true, cpuPool: { minNodes: 4, maxNodes: 4 } },
                gpuPools: [{ name: "aa" }, { name: "bb", maxNodes: 7 }],
            });
            // 4 over 3 zones starts 2 per zone = 6 nodes, above maxNodes 4.
            assert.deepEqual(poolPeaks(config).map((p) => p.nodes), [7, 3, 8]);
            // A capacity ladder's rungs are node pools of their own.
            const laddered = parsePlatformConfig({
                project: "acme-ml-dev",
                region: "us-central1",
                environment: "qa",
                gpuPools: [{ name: "l4", maxNodes: 2, ladder: { onDemand: { maxNodes: 4 }, flexStart: { maxNodes: 6 } } }],
            });
            assert.deepEqual(poolPeaks(laddered).map((p) => [p.key, p.nodes]), [
                ["cluster.cpuPool.maxNodes", 4],
                ["gpuPools[0].maxNodes", 3],
                ["gpuPools[0].ladder.onDemand.maxNodes", 5],
                ["gpuPools[0].ladder.flexStart.maxNodes", 7],
            ]);
        });

        it("agrees with the /24-per-node capacity for every prefix and pool size", () => {
            for (const prefix of [16, 18, 20, 21]) {
                for (const maxNodes of [1, 7, 30, 100]) {
                    const flat = { ...FLAT, "metaflow-gcp:network": JSON.stringify({ podsCidr: `10.64.0.0/${prefix}` }), "metaflow-gcp:cluster": cluster(maxNodes), "metaflow-gcp:gpuPools": "[]" };
                    const refused = problemsOf(flat).some((p) => p.includes("network.podsCidr"));
                    assert.equal(refused, maxNodes + 1 > 2 ** (24 - prefix), `/${prefix} with ${maxNodes} + 1 nodes`);
                }
            }
        });

        it("refuses a subnet too small for the nodes' addresses (4 are Google's), with a wider one", () => {
            const flat = {
                ...FLAT,
                "metaflow-gcp:network": JSON.stringify({ subnetCidr: "10.10.0.0/24", podsCidr: "10.16.0.0/12" }),
                "metaflow-gcp:cluster": cluster(100),
                "metaflow-gcp:gpuPools": pools(100, 60),
            };
            assertRefused(flat, "metaflow-gcp:network.subnetCidr", ['"10.10.0.0/24"', "252 addresses", "may run 263", "/23"]);
        });

        it("leaves Autopilot alone: it sizes its own nodes", () => {
            const flat = { ...FLAT, "metaflow-gcp:network": JSON.stringify({ podsCidr: "10.11.0.0/21" }), "metaflow-gcp:cluster": JSON.stringify({ mode: "autopilot" }), "metaflow-gcp:gpuPools": pools(50) };
            assert.ok(!problemsOf(flat).some((p) => p.includes("podsCidr")));
        });
    });

    describe("access.members: IAM's principal identifiers, exactly", () => {
        const junk = ["user:ada@example.com:...", "user:ada@example.com ", "user:ada@example.com,user:bob@example.com", "group:ml@example.com/", "user:ada@example.com;"];
        for (const member of junk) {
            it(`refuses ${JSON.stringify(member)}, naming the text after the address; the fix keeps the address`, () => {
                assertRefused(withSection("access", { members: [member], securityGroup: "gke-security-groups@example.com" }), "metaflow-gcp:access.members[0]", [JSON.stringify(member), "after the address"]);
            });
        }

        it("refuses wrong prefixes and kinds with the reason, and service accounts outside gserviceaccount.com", () => {
            assert.match(principalProblem("User:ada@example.com")!, /case-sensitive: write "user:"/);
            assert.match(principalProblem("serviceaccount:ci@p.iam.gserviceaccount.com")!, /write "serviceAccount:"/);
            assert.match(principalProblem("domain:example.com")!, /RBAC subject/);
            assert.match(principalProblem("principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s")!, /RBAC subject/);
            assert.match(principalProblem("serviceAccount:ci@example.com")!, /gserviceaccount\.com/);
            assert.match(principalProblem("user:ada@localhost")!, /not an email address/);
            assert.match(principalProblem("ada@example.com")!, /must be "user:<email>"/);
        });

        it("accepts the identifiers IAM documents", () => {
            for (const member of [
                "user:ada@example.com",
                "user:ada.lovelace+ml@mail.example.co.uk",
                "group:ml-team@example.com",
                "serviceAccount:ci-deploy@acme-ml.iam.gserviceaccount.com",
                "serviceAccount:123456789-compute@developer.gserviceaccount.com",
            ]) {
                assert.equal(principalProblem(member), undefined, member);
            }
        });

        it("billing emails and the security group take an address and nothing after it", () => {
            const budget = { billingAccount: "012345-6789AB-CDEF01", amount: 100, emails: ["ops@example.com:x"] };
            assertRefused(withSection("billing", { budget }), "metaflow-gcp:billing.budget.emails[0]", ['"ops@example.com:x"', "email address"], { fixed: false });
            assertRefused(withSection("access", { securityGroup: "gke-security-groups@example.com:x" }), "metaflow-gcp:access.securityGroup", ["gke-security-groups@<your-domain>"]);
        });
    });

    describe("provider settings: only what the provider reads and the program honours", () => {
        it("the gcp: keys are @pulumi/gcp's own config schema (node_modules/@pulumi/gcp/config/vars.d.ts)", () => {
            const dts = fs.readFileSync(path.join(REPO_ROOT, "node_modules/@pulumi/gcp/config/vars.d.ts"), "utf8");
            const declared = [...dts.matchAll(/^export declare const (\w+)/gm)].map((m) => m[1]);
            assert.deepEqual([...GCP_PROVIDER_CONFIG_KEYS].sort(), declared.sort());
            for (const key of ["project", "region", "impersonateServiceAccount", "billingProject", "userProjectOverride", "requestTimeout", "computeCustomEndpoint"]) {
                assert.ok(GCP_KEYS_ALLOWED.includes(key), key);
            }
        });

        it("refuses a misspelt gcp: key with the right one, and fixes it by moving the value", () => {
            assertRefused({ ...FLAT, "gcp:regoin": "us-east1" }, "gcp:regoin", ["not a setting of the Google provider", "did you mean gcp:region?"]);
            assertRefused({ ...FLAT, "gcp:projet": "acme-ml-dev" }, "gcp:projet", ["did you mean gcp:project?"]);
            assertRefused({ ...FLAT, "gcp:impersonateServiceAcount": "ci@acme-ml.iam.gserviceaccount.com" }, "gcp:impersonateServiceAcount", ["did you mean gcp:impersonateServiceAccount?"]);
        });

        it("refuses gcp:zone, which the program never uses, and moves its zone to gcp:region and metaflow-gcp:zones", () => {
            const hit = assertRefused({ ...FLAT, "gcp:zone": "europe-west4-a" }, "gcp:zone", ["never used", "deploys to us-central1"]);
            assert.match(hit, /pulumi config set -s qa 'gcp:region' europe-west4 && pulumi config set -s qa --path 'metaflow-gcp:zones\[0\]' europe-west4-a/);
            assertRefused({ ...FLAT, "gcp:defaultLabels": JSON.stringify({ team: "ml" }) }, "gcp:defaultLabels", ["metaflow-gcp:labels"]);
        });

        it("refuses every kubernetes: and random: key (never read) and disabling the default Google provider", () => {
            for (const key of ["kubernetes:context", "kubernetes:kubeconfig", "kubernetes:namespace", "kubernetes:enableServerSideApply", "random:seed"]) {
                assertRefused({ ...FLAT, [key]: "x" }, key, []);
            }
            assertRefused({ ...FLAT, "pulumi:disable-default-providers": '["gcp"]' }, "pulumi:disable-default-providers", ["default Google provider"]);
            assert.deepEqual(problemsOf({ ...FLAT, "pulumi:disable-default-providers": '["aws"]', "pulumi:tags": JSON.stringify({ team: "ml" }) }), []);
        });

        it("accepts every gcp: key the program honours; credentials only as Pulumi secrets", () => {
            for (const key of GCP_KEYS_ALLOWED.filter((k) => !["project", "region"].includes(k)).map((k) => `gcp:${k}`)) {
                const secret = mustBeSecret(key) ? [key] : [];
                assert.deepEqual(problemsOf({ ...FLAT, [key]: "x" }, STACK, secret), [], key);
            }
            assert.deepEqual(
                GCP_KEYS_ALLOWED.filter((k) => mustBeSecret(`gcp:${k}`)),
                ["accessToken", "credentials", "externalCredentials"],
            );
        });
    });

    describe("labels: the stack's own never silently replace the platform's", () => {
        it("refuses labels.environment (or app, managed-by, gpu-pool) with another value; the same value is respected", () => {
            assertRefused(withSection("labels", { environment: "production" }), "metaflow-gcp:labels.environment", ['"production"', 'set to "qa"', "budgets"]);
            assertRefused(withSection("labels", { app: "mlflow" }), "metaflow-gcp:labels.app", ['"mlflow"', 'set to "metaflow"']);
            assertRefused(withSection("labels", { "managed-by": "terraform" }), "metaflow-gcp:labels.managed-by", ['"terraform"']);
            assertRefused(withSection("labels", { "gpu-pool": "x" }), "metaflow-gcp:labels.gpu-pool", ["GPU node pool"]);
            assert.deepEqual(problemsOf(withSection("labels", { environment: "qa", team: "ml" })), []);
        });

        it("label keys and values as Google Cloud takes them: lowercase (international letters too), at most 63, at most 64 labels in all", () => {
            assertRefused(withSection("labels", { Team: "ml" }), "metaflow-gcp:labels.Team", ["label keys are 1-63 lowercase"], { fixed: false });
            assertRefused(withSection("labels", { team: "ML" }), "metaflow-gcp:labels.team", ['"ML"', "label values are 0-63 lowercase"]);
            assertRefused(withSection("labels", { team: "x".repeat(64) }), "metaflow-gcp:labels.team", ["label values are 0-63"]);
            assert.deepEqual(problemsOf(withSection("labels", { équipe: "données", cost_center: "", "team-2": "ml_1" })), []);
            const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`l${i}`, "x"]));
            assert.deepEqual(problemsOf(withSection("labels", many)), [], "60 + app, environment, managed-by, gpu-pool = 64");
            const tooMany = Object.fromEntries(Array.from({ length: 61 }, (_, i) => [`l${i}`, "x"]));
            assertRefused(withSection("labels", tooMany), "metaflow-gcp:labels", ["make 65", "allows 64"], { fixed: false });
        });
    });

    describe("every refusal of a stack file: file, key, value, what is allowed, a command that fixes it", () => {
        it("schema-level refusals of a key with a default are fixed by removing the key", () => {
            assertRefused(withSection("cluster", { cpuPool: { maxNodes: 0 } }), "metaflow-gcp:cluster.cpuPool.maxNodes", ["= 0", ">=1"]);
            assertRefused(withSection("database", { teir: "db-g1-small" }), "metaflow-gcp:database", ['unknown key "teir"', "valid keys: enabled, edition, tier"]);
            assertRefused({ ...FLAT, "metaflow-gcp:production": "yes" }, "metaflow-gcp:production", ['"yes"', "expected boolean"]);
        });

        it("names the stack's own file and stack, for any stack name", () => {
            for (const stack of ["staging", "team-a", "prod-eu"]) {
                const hit = assertRefused({ ...FLAT, "metaflow-gcp:services": JSON.stringify({ namespace: "kube-system" }) }, "metaflow-gcp:services.namespace", [], { stack });
                assert.ok(hit.includes(`pulumi config rm -s ${stack} --path 'metaflow-gcp:services.namespace'`), hit);
            }
        });

        it("the closing hint shows --path with a quoted nested key, never `pulumi config set <key> <value>` alone", () => {
            try {
                platformConfigFrom({ ...FLAT, "metaflow-gcp:services": JSON.stringify({ namespace: "default" }) }, "staging");
                assert.fail("accepted");
            } catch (err) {
                assert.match((err as Error).message, /pulumi config set -s staging --path 'metaflow-gcp:services\.namespace' metaflow-team/);
                assert.doesNotMatch((err as Error).message, /pulumi config set <key> <value>/);
            }
        });

        it("a program's MetaflowPlatform arguments get the same checks without stack-file commands", () => {
            try {
                parsePlatformConfig({ project: "acme-ml-dev", environment: "qa", services: { namespace: "kube-system" } });
                assert.fail("accepted");
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                assert.deepEqual(err.problems.filter((p) => p.includes("pulumi config") || p.includes("Pulumi.")), []);
            }
        });
    });
});
