import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { googleClient, googleIdentity, pathOrContents } from "../components/gcp/googleIdentity";
import { PSA_PEERING_NAME } from "../components/gcp/peeringRemoval";
import { renderFixture } from "./harness/fixtures";
import { DynamicProviderHost, EngineSim, secretConfig } from "./harness/dynamicHost";
import { one } from "../offline/query";

// What terraform-provider-google v7.45.0 does (sources in components/gcp/googleIdentity.ts):
// provider config beats the environment; the environment is read only when neither
// `access_token` nor `credentials` is configured; a token beats credentials; impersonation
// applies on top; a value may be a path to a file.
describe("PeeringRemoval calls Google as the Google provider does", function () {
    this.timeout(60_000);
    const noConfig = () => undefined;
    const configOf = (values: Record<string, string>) => (key: string) => values[key];

    describe("googleIdentity (the provider's precedence)", () => {
        it("takes gcp:accessToken and gcp:credentials over every environment variable", () => {
            const env = { GOOGLE_OAUTH_ACCESS_TOKEN: "env-token", GOOGLE_CREDENTIALS: "{}" };
            const byToken = googleIdentity(configOf({ "gcp:accessToken": "cfg-token" }), env);
            assert.equal(byToken.accessToken, "cfg-token");
            assert.equal(byToken.credentials, undefined, "the environment's credentials are not read when the config sets a token");
            const byCredentials = googleIdentity(configOf({ "gcp:credentials": "/keys/deployer.json" }), env);
            assert.deepEqual([byCredentials.credentials, byCredentials.accessToken], ["/keys/deployer.json", undefined]);
        });

        it("falls back to GOOGLE_CREDENTIALS, GOOGLE_CLOUD_KEYFILE_JSON, GCLOUD_KEYFILE_JSON, GOOGLE_OAUTH_ACCESS_TOKEN", () => {
            assert.equal(googleIdentity(noConfig, { GOOGLE_CLOUD_KEYFILE_JSON: "b", GCLOUD_KEYFILE_JSON: "c" }).credentials, "b");
            assert.equal(googleIdentity(noConfig, { GOOGLE_CREDENTIALS: "a", GOOGLE_CLOUD_KEYFILE_JSON: "b" }).credentials, "a");
            const both = googleIdentity(noConfig, { GOOGLE_CREDENTIALS: "a", GOOGLE_OAUTH_ACCESS_TOKEN: "t" });
            assert.deepEqual([both.credentials, both.accessToken], ["a", "t"], "both read; the token is used first (GetCredentials)");
            const adc = googleIdentity(noConfig, {});
            assert.deepEqual([adc.credentials, adc.accessToken, adc.impersonateServiceAccount], [undefined, undefined, undefined]);
            assert.equal(adc.computeEndpoint, "https://compute.googleapis.com/compute/v1/");
        });

        it("impersonates from gcp:impersonateServiceAccount or GOOGLE_IMPERSONATE_SERVICE_ACCOUNT, with the delegates", () => {
            const env = { GOOGLE_IMPERSONATE_SERVICE_ACCOUNT: "env-sa@p.iam.gserviceaccount.com" };
            assert.equal(googleIdentity(noConfig, env).impersonateServiceAccount, "env-sa@p.iam.gserviceaccount.com");
            const configured = googleIdentity(
                configOf({ "gcp:impersonateServiceAccount": "deployer@p.iam.gserviceaccount.com", "gcp:impersonateServiceAccountDelegates": '["hop@p.iam.gserviceaccount.com"]' }),
                env,
            );
            assert.equal(configured.impersonateServiceAccount, "deployer@p.iam.gserviceaccount.com");
            assert.deepEqual(configured.impersonateServiceAccountDelegates, ["hop@p.iam.gserviceaccount.com"]);
            assert.throws(() => googleIdentity(configOf({ "gcp:impersonateServiceAccountDelegates": "hop" }), {}), /gcp:impersonateServiceAccountDelegates must be a list/);
        });

        it("reads a value that names a file, `~` included, like the provider's PathOrContents", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "identity-"));
            try {
                fs.writeFileSync(path.join(dir, "key.json"), '{"type":"service_account"}');
                assert.equal(pathOrContents(path.join(dir, "key.json")), '{"type":"service_account"}');
                const home = process.env.HOME;
                process.env.HOME = dir;
                try {
                    assert.equal(pathOrContents("~/key.json"), '{"type":"service_account"}');
                } finally {
                    process.env.HOME = home;
                }
                assert.equal(pathOrContents('{"type":"authorized_user"}'), '{"type":"authorized_user"}');
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("builds a service-account client from a key given as a path, and never prints bad credentials", async () => {
            const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "identity-"));
            try {
                const keyFile = path.join(dir, "deployer.json");
                const key = { type: "service_account", client_email: "deployer@acme-ml.iam.gserviceaccount.com", private_key: privateKey.export({ type: "pkcs8", format: "pem" }) };
                fs.writeFileSync(keyFile, JSON.stringify(key));
                const client = (await googleClient(googleIdentity(noConfig, { GOOGLE_CREDENTIALS: keyFile }))) as unknown as { email: string };
                assert.equal(client.email, "deployer@acme-ml.iam.gserviceaccount.com");
                const secret = "not-json-secret-value";
                await assert.rejects(googleClient(googleIdentity(configOf({ "gcp:credentials": secret }), {})), (err: Error) => {
                    assert.match(err.message, /neither JSON nor a path to a JSON file/);
                    assert.doesNotMatch(err.message, new RegExp(secret));
                    return true;
                });
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });

    describe("through Pulumi's dynamic-provider host, against fake Compute and IAM Credentials APIs", () => {
        let host: DynamicProviderHost;
        let engine: EngineSim;
        let server: http.Server;
        let base: string;
        let code: string;
        let inputs: Record<string, any>;
        const seen: Array<{ method: string; url: string; auth: string; body: string }> = [];
        let variant = 0;
        // The host deserializes and configures a provider once per code text; a harmless
        // comment makes each test a fresh provider, configured with that test's config.
        const fresh = () => `${code}\n// test ${++variant}`;

        before(async () => {
            server = http.createServer((req, res) => {
                let body = "";
                req.on("data", (d) => (body += d));
                req.on("end", () => {
                    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization ?? "", body });
                    res.setHeader("content-type", "application/json");
                    if (req.url!.includes(":generateAccessToken")) {
                        res.end(JSON.stringify({ accessToken: "impersonated-token", expireTime: new Date(Date.now() + 3600_000).toISOString() }));
                    } else if (req.url!.endsWith("/removePeering")) {
                        res.end(JSON.stringify({ name: "op-1", status: "DONE" }));
                    } else {
                        res.end(JSON.stringify({ peerings: [{ name: PSA_PEERING_NAME }] }));
                    }
                });
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
            // The env a CI job might also have: it must lose to the stack config.
            host = await DynamicProviderHost.start({ GOOGLE_OAUTH_ACCESS_TOKEN: "env-token" });
            engine = new EngineSim(host);
            // Rendered with a credential in the stack config: it must not reach the serialized code.
            const stack = await renderFixture("dev", { config: { "gcp:credentials": '{"private_key":"program-side-secret"}' }, secretKeys: ["gcp:credentials"] });
            const removal = one(stack, "pulumi-nodejs:dynamic/metaflow:PeeringRemoval");
            ({ __provider: code, ...inputs } = removal.inputs);
            assert.doesNotMatch(code, /program-side-secret/);
        });
        after(() => {
            host?.stop();
            server?.close();
        });
        beforeEach(() => {
            seen.length = 0;
        });

        it("uses gcp:accessToken from the stack config (a secret) over GOOGLE_OAUTH_ACCESS_TOKEN, and keeps it out of the state", async () => {
            await host.configure({ "gcp:accessToken": secretConfig("cfg-token"), "gcp:computeCustomEndpoint": `${base}/compute/v1/` });
            const { state } = await engine.up(undefined, { ...inputs, __provider: fresh() });
            await engine.destroy(state);
            assert.deepEqual(
                seen.map((r) => `${r.method} ${r.url} ${r.auth}`),
                [
                    `GET /compute/v1/projects/${inputs.project}/global/networks/${inputs.network} Bearer cfg-token`,
                    `POST /compute/v1/projects/${inputs.project}/global/networks/${inputs.network}/removePeering Bearer cfg-token`,
                ],
            );
            assert.doesNotMatch(JSON.stringify(state), /cfg-token/);
        });

        it("impersonates gcp:impersonateServiceAccount with the configured token read from a file", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "identity-"));
            try {
                fs.writeFileSync(path.join(dir, "token"), "file-token\n");
                await host.configure({
                    "gcp:accessToken": secretConfig(path.join(dir, "token")),
                    "gcp:impersonateServiceAccount": "deployer@acme-ml.iam.gserviceaccount.com",
                    "gcp:iamCredentialsCustomEndpoint": `${base}/v1/`,
                    "gcp:computeCustomEndpoint": `${base}/compute/v1/`,
                });
                const { state } = await engine.up(undefined, { ...inputs, __provider: fresh() });
                await engine.destroy(state);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
            const [mint, ...compute] = seen;
            assert.equal(`${mint.method} ${mint.url} ${mint.auth}`, "POST /v1/projects/-/serviceAccounts/deployer@acme-ml.iam.gserviceaccount.com:generateAccessToken Bearer file-token");
            assert.deepEqual(JSON.parse(mint.body).scope, ["https://www.googleapis.com/auth/cloud-platform"]);
            assert.deepEqual(
                compute.map((r) => r.auth),
                ["Bearer impersonated-token", "Bearer impersonated-token"],
            );
        });

        it("uses GOOGLE_OAUTH_ACCESS_TOKEN when the stack config sets no credentials", async () => {
            await host.configure({ "gcp:computeCustomEndpoint": `${base}/compute/v1/` });
            const { state } = await engine.up(undefined, { ...inputs, __provider: fresh() });
            await engine.destroy(state);
            assert.deepEqual(
                seen.map((r) => r.auth),
                ["Bearer env-token", "Bearer env-token"],
            );
        });
    });
});
