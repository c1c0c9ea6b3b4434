/**
 * Secrets stay secret everywhere: a credential pasted into any config key is refused (it would
 * be stored and used in plain text: labels land on every labelled resource), and no error
 * message shows it, whatever key it was pasted into. The tokens are made fresh for each run in
 * the formats their issuers document, and every key of the schema gets each of them.
 */
import { strict as assert } from "assert";
import { randomBytes } from "crypto";
import { ConfigError, platformConfigFrom, PROFILE_DEFAULTS } from "../components/config/config";
import { platformSchema } from "../components/config/schema";
import { secretShape, stringLeaves } from "../components/config/secrets";
import { listStacks, readStackFile } from "../offline/stackFiles";
import { FIXTURE_STACKS } from "./harness/fixtures";

const FLAT = { "gcp:project": "acme-ml-dev", "gcp:region": "us-central1", "metaflow-gcp:environment": "qa" };

/** `n` random characters of `alphabet`. */
function random(alphabet: string, n: number): string {
    return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join("");
}
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Fresh credentials in their issuers' formats; the last two fit a GCP label value (lowercase). */
function freshTokens(): Record<string, string> {
    return {
        github: `ghp_${random(ALNUM, 36)}`,
        googleClientSecret: `GOCSPX-${random(ALNUM + "_-", 28)}`,
        googleApiKey: `AIza${random(ALNUM + "_-", 35)}`,
        aws: `AKIA${random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`,
        slack: `xoxb-${random("0123456789", 12)}-${random(ALNUM, 24)}`,
        jwt: `eyJhbGciOiJIUzI1NiJ9.eyJ${random(ALNUM, 30)}.${random(ALNUM + "_-", 43)}`,
        hex: random("0123456789abcdef", 40),
        lowercaseKey: random(LOWER, 40),
    };
}

/** Every key path of the schema down to its leaves: arrays as element 0, records as one entry. */
function leafPaths(node: any, path: Array<string | number> = []): Array<Array<string | number>> {
    const def = node?._zod?.def;
    if (["default", "prefault", "optional", "nullable"].includes(def?.type)) {
        return leafPaths(def.innerType, path);
    }
    if (def?.type === "object") {
        return Object.entries(def.shape).flatMap(([k, v]) => leafPaths(v, [...path, k]));
    }
    if (def?.type === "array") {
        return leafPaths(def.element, [...path, 0]);
    }
    if (def?.type === "record") {
        return [...leafPaths(def.valueType, [...path, "team"])];
    }
    return [path];
}

/** A raw config with `value` at `path` (arrays and objects made on the way). */
function withValue(path: Array<string | number>, value: unknown): Record<string, string> {
    const [top, ...rest] = path;
    const build = (steps: Array<string | number>): unknown => {
        if (steps.length === 0) {
            return value;
        }
        const [step, ...more] = steps;
        if (typeof step === "number") {
            return [build(more)];
        }
        return { [step]: build(more) };
    };
    const key = top === "project" || top === "region" ? `gcp:${top}` : `metaflow-gcp:${top}`;
    const text = rest.length === 0 && typeof value === "string" ? value : JSON.stringify(build(rest));
    return { ...FLAT, [key]: text };
}

/** The whole error for a flat config, or undefined when it is accepted. */
function errorOf(flat: Record<string, string>, secretKeys: string[] = []): ConfigError | undefined {
    try {
        platformConfigFrom(flat, "qa", new Set(secretKeys));
        return undefined;
    } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err;
    }
}

/** Fails if `text` holds `secret` or any 10 characters of it in a row. */
function assertNotShown(text: string, secret: string, where: string): void {
    for (let i = 0; i + 10 <= secret.length; i++) {
        const piece = secret.slice(i, i + 10);
        assert.ok(!text.includes(piece), `${where}: the message shows ${JSON.stringify(piece)} of the secret:\n${text}`);
    }
}

const SCHEMA_PATHS = leafPaths(platformSchema(PROFILE_DEFAULTS.development));

describe("secrets stay secret: one credential-shape rule for every string the user gives", () => {
    it("the schema has the keys this test walks (a schema change that hides them fails here)", () => {
        const names = SCHEMA_PATHS.map((p) => p.join("."));
        for (const key of ["labels.team", "endpoint.oauthClientId", "access.members.0", "cluster.authorizedNetworks.0.name", "storage.bucketName", "services.namespace"]) {
            assert.ok(names.includes(key), `${key} in ${names.join(", ")}`);
        }
        assert.ok(SCHEMA_PATHS.length > 60, `${SCHEMA_PATHS.length} keys`);
    });

    it("a token in any key of the schema is refused, and no message shows any 10 characters of it", () => {
        const tokens = freshTokens();
        let refusedAsCredential = 0;
        for (const path of SCHEMA_PATHS) {
            if (path.join(".") === "endpoint.oauthClientSecret") {
                continue; // the one key that holds a secret by design (tested below)
            }
            for (const [kind, token] of Object.entries(tokens)) {
                const err = errorOf(withValue(path, token));
                assert.ok(err, `${path.join(".")} = ${kind} token was accepted`);
                assertNotShown(err.message, token, `${path.join(".")} = ${kind}`);
                if (err.problems.some((p) => p.includes("looks like a credential"))) {
                    refusedAsCredential++;
                }
            }
        }
        // Every string key says why; keys of other types refuse the value for its type and still hide it.
        assert.ok(refusedAsCredential > SCHEMA_PATHS.length * 4, `${refusedAsCredential} refusals named the credential`);
    });

    it("a token in a label value (it would land on every labelled resource) is refused with the reason, and fixed by removing it", () => {
        const { hex, lowercaseKey } = freshTokens();
        for (const token of [hex, lowercaseKey]) {
            const err = errorOf(withValue(["labels", "deploy_token"], token));
            assert.ok(err);
            const line = err.problems.find((p) => p.startsWith("Pulumi.qa.yaml: metaflow-gcp:labels.deploy_token:"));
            assert.ok(line, err.message);
            assert.match(line, /looks like a credential \(.*value not shown\): labels are plain text on every labelled resource/);
            assert.match(line, /fix: `pulumi config rm -s qa --path 'metaflow-gcp:labels\.deploy_token'`/);
            assertNotShown(err.message, token, "label");
        }
    });

    it("a JSON Web Token is hidden to its end, its signature too (the signature's runs alone do not look random)", () => {
        // Found by a run of the test above: a signature cut by - and _ into letter-only pieces was
        // not caught by the random-run rule, and the JWT pattern stopped at the payload's dot.
        const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.abcdefgh_ijklmnop-qrstuvwx_yzabcdef-ghijklmn";
        for (const path of [["labels", "deploy_token"], ["preset"], ["services", "namespace"]]) {
            const err = errorOf(withValue(path, jwt));
            assert.ok(err, `${path.join(".")} accepted a JWT`);
            assertNotShown(err.message, jwt, path.join("."));
        }
    });

    it("a client secret pasted into oauthClientId is refused without being echoed", () => {
        const { googleClientSecret } = freshTokens();
        const endpoint = { hostname: "metaflow.example.com", oauthClientId: googleClientSecret, oauthClientSecret: "x" };
        const err = errorOf({ ...FLAT, "metaflow-gcp:endpoint": JSON.stringify(endpoint), "metaflow-gcp:access": JSON.stringify({ members: ["user:ada@example.com"] }) }, ["metaflow-gcp:endpoint"]);
        assert.ok(err);
        assert.match(err.message, /metaflow-gcp:endpoint\.oauthClientId: looks like a credential \(a Google OAuth client secret/);
        assertNotShown(err.message, googleClientSecret, "oauthClientId");
    });

    it("text after a member's address, a provider setting or a misspelt key: refused, never echoed", () => {
        const { github, aws, slack } = freshTokens();
        const cases: Array<[Record<string, string>, string]> = [
            [withValue(["access", "members"], [`user:ada@example.com:${github}`]), github],
            [{ ...FLAT, "gcp:impersonateServiceAccount": aws }, aws],
            [{ ...FLAT, "gcp:regoin": slack }, slack],
            [{ ...FLAT, "kubernetes:context": github }, github],
            [{ ...FLAT, "metaflow-gcp:bogus": github }, github],
        ];
        for (const [flat, token] of cases) {
            const err = errorOf(flat);
            assert.ok(err, JSON.stringify(Object.keys(flat)));
            assertNotShown(err.message, token, Object.keys(flat).join(","));
        }
    });

    it("values the stack keeps secret are never shown, even where a message would show the value", () => {
        const secretLabel = "not-shaped-like-a-token";
        const err = errorOf(withValue(["labels", "environment"], secretLabel), ["metaflow-gcp:labels"]);
        assert.ok(err);
        assert.ok(!err.message.includes(secretLabel), err.message);
    });

    it("the one secret key takes a client secret when it is a Pulumi secret", () => {
        const { googleClientSecret } = freshTokens();
        const endpoint = { hostname: "metaflow.example.com", oauthClientId: "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com", oauthClientSecret: googleClientSecret };
        const flat = { ...FLAT, "metaflow-gcp:endpoint": JSON.stringify(endpoint), "metaflow-gcp:access": JSON.stringify({ members: ["user:ada@example.com"] }) };
        assert.equal(errorOf(flat, ["metaflow-gcp:endpoint"]), undefined);
        const plain = errorOf(flat);
        assert.ok(plain);
        assertNotShown(plain.message, googleClientSecret, "plain client secret");
    });

    it("ordinary values are not mistaken for credentials", () => {
        const ordinary = [
            "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com",
            "metaflow-dev.example.com",
            "acme-ml-dev-metaflow-datastore-europe-west4",
            "projects/acme-ml-dev/topics/billing-alerts-metaflow",
            "serviceAccount:ci-deploy-pipeline@acme-ml-dev.iam.gserviceaccount.com",
            "user:ada.lovelace+metaflow@analytical-engines.example.com",
            "gke-security-groups@analytical-engines.example.com",
            "office-vpn-berlin-kreuzberg-2026",
            "cost_center_4711_machine_learning",
            "3f9a2c1",
            "012345-6789AB-CDEF01",
            "db-perf-optimized-N-8",
            "10.128.0.0/20",
            "europe-west4-a",
        ];
        for (const value of ordinary) {
            assert.equal(secretShape(value), undefined, value);
        }
        // The shipped stacks (their copies under tests/) and whatever stacks this checkout holds.
        for (const dir of [FIXTURE_STACKS, undefined]) {
            for (const stack of listStacks(dir)) {
                for (const [key, text] of Object.entries(readStackFile(stack, dir).values)) {
                    // Each string the user wrote, as the rule sees it: a structure's JSON text as a
                    // whole looks random (the README's endpoint step made it fail), its strings do not.
                    for (const leaf of stringLeaves(parsedConfigText(text))) {
                        assert.equal(secretShape(leaf.text), undefined, `${stack} ${key} ${leaf.path.join(".")}`);
                    }
                }
            }
        }
    });
});

/** A config value as the program reads it: JSON where the text is JSON, else the text. */
function parsedConfigText(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
