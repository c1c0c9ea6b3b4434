import { strict as assert } from "assert";
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import { Pod } from "kubernetes-models/v1/Pod";
import { AIRFLOW_KSA, airflowPrefixCondition } from "../components/gcp/airflowCloud";
import { AIRFLOW_DAGS_PATH, AIRFLOW_SECRETS, GCS_FUSE_DRIVER, PGBOUNCER_USERS_KEY, airflowValues } from "../components/kubernetes/specs/airflowValues";
import { PGBOUNCER, pgbouncerConnectionUrl, pgbouncerUsers } from "../components/kubernetes/specs/pgbouncer";
import { ConfigError, parsePlatformConfig } from "../components/config/config";
import { LOCAL_PORTS } from "../components/model/metaflowConfig";
import { AIRFLOW_DB, airflowConnections, airflowServerConnections, nodeEphemeralStorageMiB, requiredConnections, serviceConnectionUses, servicesEphemeralMiB, servicesRequests, stepRoomBesideServices } from "../components/model/sizing";
import { AIRFLOW_CHART, AIRFLOW_IMAGE, AIRFLOW_PGBOUNCER_IMAGES } from "../components/kubernetes/specs/versions";
import { checkRendered } from "../scripts/policyCheck";
import { forwardsFor } from "../scripts/tunnel";
import { ofType, one } from "../offline/query";
import { REPO_ROOT, type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture, renderFixtureFailure, readFixture } from "./harness/fixtures";
import { FUSE_WEBHOOK_DEFAULTS, injectedResource, injectedSidecar } from "./harness/gcsFuseSidecar";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
/**
 * dev's cluster with e2-standard-4 nodes: Airflow's always-on pods do not fit beside the
 * services on one e2-standard-2 (config validation asks for minNodes 2 or a larger machine).
 */
const DEV_CLUSTER_E2_4 = (() => {
    const cluster = JSON.parse(readFixture("dev").values["metaflow-gcp:cluster"]);
    return { ...cluster, cpuPool: { ...cluster.cpuPool, machineType: "e2-standard-4" } };
})();
/**
 * Airflow on, Argo off, on dev's own db-f1-micro: Airflow reaches it through PgBouncer, and the
 * services roll without a surge pod (README "Airflow instead of Argo Workflows").
 */
const AIRFLOW_ON = {
    "metaflow-gcp:services": { argoWorkflows: false, airflow: true, rolloutSurge: 0 },
    "metaflow-gcp:cluster": DEV_CLUSTER_E2_4,
};
const base = { project: "acme-ml-dev", region: "us-central1", environment: "dev" };

function airflowRelease(stack: RenderedStack) {
    const found = ofType(stack, RELEASE).filter((r) => r.inputs.chart === "airflow");
    assert.equal(found.length, 1, `${stack.stack}: Airflow releases`);
    return found[0];
}

function problemsOf(raw: Record<string, unknown>): string[] {
    try {
        parsePlatformConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        return err.problems;
    }
    return assert.fail("accepted");
}

/** Every key path of a values object; lists stop at `key[]`, as in the verified key list. */
function keyPaths(value: unknown, prefix = ""): string[] {
    if (Array.isArray(value)) {
        return [`${prefix}[]`];
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
    }
    return [prefix];
}

/** The verified-key pattern (`*` = any one map key) a key path falls under, if any. */
function patternFor(pathName: string, patterns: string[]): string | undefined {
    const parts = pathName.split(".");
    return patterns.find((pattern) => {
        const p = pattern.split(".");
        return p.length === parts.length && p.every((seg, i) => seg === "*" || seg === parts[i]);
    });
}

function allowed(pathName: string, patterns: string[]): boolean {
    return patternFor(pathName, patterns) !== undefined;
}

/** Every leaf of a values object with its key path; lists stop at `key[]`, as in keyPaths. */
function leafValues(value: unknown, prefix = ""): [string, unknown][] {
    if (Array.isArray(value)) {
        return [[`${prefix}[]`, value]];
    }
    if (value !== null && typeof value === "object") {
        return Object.entries(value).flatMap(([k, v]) => leafValues(v, prefix ? `${prefix}.${k}` : k));
    }
    return [[prefix, value]];
}

/** The JSON Schema types a value satisfies (an integer is also a number). */
function jsonTypes(value: unknown): string[] {
    if (value === null) {
        return ["null"];
    }
    if (Array.isArray(value)) {
        return ["array"];
    }
    if (typeof value === "number") {
        return Number.isInteger(value) ? ["integer", "number"] : ["number"];
    }
    return [typeof value];
}

/** tests/fixtures/airflow-chart-keys.json: the values keys we set, each with the JSON types the chart's schema declares. */
function chartKeys(): { pinned: string; types: Record<string, string[]> } {
    return JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "tests/fixtures/airflow-chart-keys.json"), "utf8"));
}

/**
 * The chart's own values.schema.json at helm-chart/1.16.0, when one is provided: it cannot be
 * fetched here (see the fixture's note), and third-party files stay out of the repository.
 */
const CHART_SCHEMA = process.env.AIRFLOW_CHART_SCHEMA ?? path.join(REPO_ROOT, "..", "shared", "airflow-chart-1.16.0", "values.schema.json");

describe("Airflow", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await renderFixture("dev", { config: AIRFLOW_ON });
        prod = await renderFixture("prod", { config: { "metaflow-gcp:services": { argoWorkflows: false, airflow: true } } });
    });

    describe("bad input is refused before anything is created", () => {
        it("without the database", async () => {
            const problems = problemsOf({ ...base, database: { enabled: false }, services: { enabled: true, argoWorkflows: false, airflow: true } });
            assert.ok(problems.some((p) => p.startsWith("metaflow-gcp:services.airflow = true: Airflow keeps its metadata in its own database")), problems.join("\n"));
            const failure = await renderFixtureFailure("dev", {
                config: { "metaflow-gcp:database": { enabled: false }, "metaflow-gcp:services": { argoWorkflows: false, airflow: true } },
            });
            assert.match(failure.error.message, /services\.airflow = true: Airflow keeps its metadata/);
            assert.equal(failure.resources.length, 0);
        });

        it("with Argo Workflows, or without the services", () => {
            assert.ok(problemsOf({ ...base, services: { airflow: true } }).some((p) => p.includes("alternative orchestrators")));
            assert.ok(problemsOf({ ...base, services: { enabled: false, argoWorkflows: false, airflow: true } }).some((p) => p.includes("Airflow runs on the cluster")));
        });

        it("on dev's db-f1-micro while the services roll with a surge pod (their pools and PgBouncer's exceed 25), naming services.rolloutSurge", async () => {
            const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:services": { argoWorkflows: false, airflow: true }, "metaflow-gcp:cluster": DEV_CLUSTER_E2_4 } });
            // dev's pools (1+1) x 3 + (1+1) x 6 x 1 = 18, Airflow through PgBouncer (1+1) x 4 = 8, reserved 7: 33 > 25.
            assert.match(failure.error.message, /database\.tier = "db-f1-micro": max_connections=25 but the database's clients need 33 at peak .*Airflow through PgBouncer .*: 8/);
            assert.match(failure.error.message, /services\.rolloutSurge 0/);
            assert.equal(failure.resources.length, 0);
        });
    });

    it("fits dev's db-f1-micro: services without rollout surge 3 + 6, PgBouncer (1 + 1) x 4, reserved 7 = 24 of 25; the services' Deployments roll in place", () => {
        const instance = one(dev, "gcp:sql/databaseInstance:DatabaseInstance");
        assert.equal(instance.inputs.settings.tier, "db-f1-micro");
        const config = parsePlatformConfig({ ...base, services: { argoWorkflows: false, airflow: true, rolloutSurge: 0 }, cluster: { cpuPool: { machineType: "e2-standard-4" } } });
        const uses = serviceConnectionUses(config.services);
        assert.deepEqual(uses.map((u) => u.connections), [3, 6, 8]);
        assert.equal(requiredConnections(uses), 24);
        assert.equal(config.database.maxConnections, 25);
        for (const name of ["metaflow-metadata", "metaflow-ui-backend"]) {
            const d = ofType(dev, "kubernetes:apps/v1:Deployment").find((x) => x.inputs.metadata.name === name)!;
            assert.deepEqual(d.inputs.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }, name);
        }
        assert.deepEqual(serviceConnectionUses({ ...config.services, rolloutSurge: 1 }).map((u) => u.connections), [6, 12, 8], "with a surge pod each service's pools count twice");
    });

    it("the README's connection arithmetic is the one validation computes", () => {
        const readme = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
        const p = AIRFLOW_DB.pgbouncerPoolSize;
        const devUses = serviceConnectionUses(parsePlatformConfig({ ...base, services: { argoWorkflows: false, airflow: true, rolloutSurge: 0 }, cluster: { cpuPool: { machineType: "e2-standard-4" } } }).services);
        for (const fact of [
            `${airflowConnections(1)} client connections at peak with one scheduler (${airflowConnections(2)} with two)`,
            `\`pool_size\` ${p} server connections per pod`,
            `(1 + 1) × ${p} = ${airflowServerConnections(1)} connections at peak in dev, (2 + 1) × ${p} = ${airflowServerConnections(2)} in prod`,
            `the sum is ${devUses.map((u) => u.connections).join(" + ")} + 7 = ${requiredConnections(devUses)} of 25`,
        ]) {
            assert.ok(readme.includes(fact), `README: ${fact}`);
        }
    });

    it("Airflow's client connections (per-process pool x processes) go to PgBouncer; PgBouncer's pools count against max_connections, which stays the tier's", () => {
        // 1 scheduler + (1 + 2) DAG-processor processes + 1 triggerer + 2 gunicorn workers + 8 task pods x 2 = 23 processes x 3.
        assert.equal(airflowConnections(1), 69);
        assert.equal(airflowConnections(2), 81);
        // (PgBouncer pods + 1 rollout surge) x pool_size 4.
        assert.equal(airflowServerConnections(1), 8);
        assert.equal(airflowServerConnections(2), 12);
        const services = { enabled: true, metadataReplicas: 1, ui: true, uiReplicas: 1, metadataDbPoolMax: 10, uiDbPoolMax: 10 };
        assert.equal(requiredConnections(serviceConnectionUses({ ...services, airflow: true })) - requiredConnections(serviceConnectionUses(services)), 8);
        const without = parsePlatformConfig({ ...base, services: { argoWorkflows: false }, database: { tier: "db-custom-1-3840" } , cluster: { cpuPool: { machineType: "e2-standard-4" } } }).database.maxConnections;
        const withAirflow = parsePlatformConfig({ ...base, services: { argoWorkflows: false, airflow: true }, database: { tier: "db-custom-1-3840" } , cluster: { cpuPool: { machineType: "e2-standard-4" } } }).database.maxConnections;
        assert.equal(withAirflow, without, "max_connections follows the tier, never the clients (a change restarts Postgres)");
        const devWithAirflow = parsePlatformConfig({ ...base, services: { argoWorkflows: false, airflow: true, rolloutSurge: 0 }, cluster: { cpuPool: { machineType: "e2-standard-4" } } }).database.maxConnections;
        const flag = one(dev, "gcp:sql/databaseInstance:DatabaseInstance").inputs.settings.databaseFlags.find((f: { name: string }) => f.name === "max_connections");
        assert.equal(flag.value, String(devWithAirflow));
    });

    it("has its own database and user on the environment's Cloud SQL instance, with a secret generated password", () => {
        const instance = one(dev, "gcp:sql/databaseInstance:DatabaseInstance");
        const databases = ofType(dev, "gcp:sql/database:Database");
        assert.deepEqual(databases.map((d) => d.inputs.name).sort(), ["airflow", "metaflow"]);
        const user = one(dev, "gcp:sql/user:User", "airflow-db-user");
        assert.equal(user.inputs.name, "airflow");
        for (const r of [...databases, user]) {
            assert.equal(r.inputs.instance, instance.state.name, r.name);
        }
        assert.ok(user.inputs.password.length >= 32, "generated password");
        const plainOutputs = JSON.stringify(Object.values(dev.outputs).filter((o) => !o.secret));
        assert.ok(!plainOutputs.includes(user.inputs.password), "the password is in no plain output");
    });

    it("delivers the metadata connection through the Secret the chart reads: to the chart's PgBouncer Service, in the namespace", () => {
        const secret = ofType(dev, SECRET).find((s) => s.inputs.metadata.name === AIRFLOW_SECRETS.metadata.name)!;
        assert.ok(secret, "metadata Secret");
        assert.deepEqual(Object.keys(secret.inputs.stringData), ["connection"]);
        assert.ok(secret.inputs.stringData.connection.includes(encodeURIComponent(one(dev, "gcp:sql/user:User", "airflow-db-user").inputs.password)));
        const url = new URL(secret.inputs.stringData.connection);
        assert.equal(url.protocol, "postgresql:");
        // The chart names PgBouncer's Service `<release>-pgbouncer` on ports.pgbouncer 6543 and its database `<release>-metadata`.
        assert.equal(url.hostname, "airflow-pgbouncer.metaflow-dev");
        assert.equal(url.port, "6543");
        assert.equal(url.pathname, "/airflow-metadata");
        assert.equal(url.username, "airflow");
        assert.equal(url.searchParams.get("sslmode"), "disable", "PgBouncer has no certificate; it speaks TLS to Cloud SQL");
        const values = airflowRelease(dev).inputs.values;
        assert.equal(values.data.metadataSecretName, secret.inputs.metadata.name);
        assert.equal(values.postgresql.enabled, false);
        assert.equal(values.redis.enabled, false);
        // The chart's own secret keys.
        for (const key of ["fernet", "webserver"] as const) {
            const s = ofType(dev, SECRET).find((r) => r.inputs.metadata.name === AIRFLOW_SECRETS[key].name)!;
            assert.deepEqual(Object.keys(s.inputs.stringData), [AIRFLOW_SECRETS[key].key]);
        }
        assert.equal(values.fernetKeySecretName, AIRFLOW_SECRETS.fernet.name);
        assert.equal(values.webserverSecretKeySecretName, AIRFLOW_SECRETS.webserver.name);
    });

    it("percent-encodes user and password in the connection URL, and quotes them in PgBouncer's users.txt", () => {
        const url = pgbouncerConnectionUrl({ user: "air flow", password: "p@ss/word", namespace: "metaflow-dev" });
        assert.equal(url, "postgresql://air%20flow:p%40ss%2Fword@airflow-pgbouncer.metaflow-dev:6543/airflow-metadata?sslmode=disable");
        assert.equal(decodeURIComponent(new URL(url).password), "p@ss/word");
        assert.equal(pgbouncerUsers("airflow", 'a"b'), '"airflow" "a""b"\n');
    });

    it("PgBouncer: the chart's, enabled with our config Secret (TLS to Cloud SQL, transaction pooling, pool_size per pod) and stats Secret, pinned images", () => {
        const values = airflowRelease(dev).inputs.values;
        assert.equal(values.pgbouncer.enabled, true);
        assert.equal(values.pgbouncer.replicas, 1);
        assert.equal(values.pgbouncer.configSecretName, AIRFLOW_SECRETS.pgbouncerConfig.name);
        assert.equal(values.pgbouncer.metricsExporterSidecar.statsSecretName, AIRFLOW_SECRETS.pgbouncerStats.name);
        assert.deepEqual(values.images, AIRFLOW_PGBOUNCER_IMAGES);
        // The tags the chart itself ships (chart 1.16.0 values.yaml), when ../shared has it.
        const chartValues = path.join(REPO_ROOT, "..", "shared", "charts", "airflow-1.16.0", "values.yaml");
        if (fs.existsSync(chartValues)) {
            const text = fs.readFileSync(chartValues, "utf8");
            for (const image of Object.values(AIRFLOW_PGBOUNCER_IMAGES)) {
                assert.ok(text.includes(`tag: ${image.tag}`), image.tag);
            }
        }
        const config = ofType(dev, SECRET).find((s) => s.inputs.metadata.name === AIRFLOW_SECRETS.pgbouncerConfig.name)!;
        assert.deepEqual(Object.keys(config.inputs.stringData).sort(), [AIRFLOW_SECRETS.pgbouncerConfig.key, PGBOUNCER_USERS_KEY].sort());
        const ini = config.inputs.stringData[AIRFLOW_SECRETS.pgbouncerConfig.key] as string;
        const setting = (key: string) => new RegExp(`^${key} = (.*)$`, "m").exec(ini)?.[1];
        const instance = one(dev, "gcp:sql/databaseInstance:DatabaseInstance");
        assert.equal(setting(PGBOUNCER.database), `host=${instance.state.privateIpAddress} port=5432 dbname=airflow pool_size=${AIRFLOW_DB.pgbouncerPoolSize}`);
        assert.equal(setting("server_tls_sslmode"), "require", "Cloud SQL accepts only encrypted connections");
        assert.equal(setting("pool_mode"), "transaction");
        assert.equal(setting("listen_port"), String(PGBOUNCER.port));
        assert.equal(setting("max_client_conn"), String(2 * airflowConnections(1)));
        const password = one(dev, "gcp:sql/user:User", "airflow-db-user").inputs.password;
        assert.equal(config.inputs.stringData[PGBOUNCER_USERS_KEY], `"airflow" "${password}"\n`);
        const stats = ofType(dev, SECRET).find((s) => s.inputs.metadata.name === AIRFLOW_SECRETS.pgbouncerStats.name)!;
        assert.equal(new URL(stats.inputs.stringData.connection).host, "127.0.0.1:6543");
    });

    it("the fernet key is 32 bytes in URL-safe base64 with padding, as Fernet requires", () => {
        const s = ofType(dev, SECRET).find((r) => r.inputs.metadata.name === AIRFLOW_SECRETS.fernet.name)!;
        const key: string = s.inputs.stringData["fernet-key"];
        assert.match(key, /^[A-Za-z0-9_-]{43}=$/);
        assert.equal(Buffer.from(key, "base64url").length, 32);
    });

    it("runs the KubernetesExecutor from the pinned chart and image", () => {
        const release = airflowRelease(dev);
        assert.equal(release.inputs.version, AIRFLOW_CHART.version);
        assert.equal(release.inputs.values.executor, "KubernetesExecutor");
        assert.equal(release.inputs.values.defaultAirflowTag, AIRFLOW_IMAGE.tag);
        assert.equal(release.inputs.values.airflowVersion, AIRFLOW_IMAGE.airflowVersion);
        assert.ok(AIRFLOW_IMAGE.tag.startsWith(`${AIRFLOW_IMAGE.airflowVersion}-`));
    });

    it("every component runs as the Airflow service account, bound by Workload Identity to the Airflow Google identity", () => {
        const values = airflowRelease(dev).inputs.values;
        for (const component of ["scheduler", "dagProcessor", "triggerer", "webserver", "workers", "migrateDatabaseJob"]) {
            assert.deepEqual(values[component].serviceAccount, { create: false, name: AIRFLOW_KSA }, component);
        }
        const ksa = ofType(dev, "kubernetes:core/v1:ServiceAccount").find((s) => s.inputs.metadata.name === AIRFLOW_KSA)!;
        const gsa = one(dev, "gcp:serviceaccount/account:Account", "airflow-gsa");
        assert.equal(gsa.inputs.accountId, "mf-dev-airflow");
        assert.equal(ksa.inputs.metadata.annotations["iam.gke.io/gcp-service-account"], gsa.state.email);
        const binding = one(dev, "gcp:serviceaccount/iAMMember:IAMMember", "airflow-wi");
        assert.equal(binding.inputs.role, "roles/iam.workloadIdentityUser");
        assert.equal(binding.inputs.member, `serviceAccount:${dev.config["gcp:project"] ?? "metaflow-offline"}.svc.id.goog[metaflow-dev/airflow]`);
        // The task identity is not Airflow's: Metaflow's step pods name it themselves (tests/python/airflow).
        assert.notEqual(AIRFLOW_KSA, "metaflow-task");
    });

    it("the Airflow identity reaches only gs://<bucket>/airflow/ (condition on the bucket grant)", () => {
        const grant = one(dev, "gcp:storage/bucketIAMMember:BucketIAMMember", "airflow-bucket-airflow");
        const bucket = one(dev, "gcp:storage/bucket:Bucket").inputs.name;
        assert.equal(grant.inputs.bucket, bucket);
        assert.equal(grant.inputs.role, "roles/storage.objectUser");
        assert.equal(grant.inputs.condition.expression, airflowPrefixCondition(bucket));
        assert.equal(
            airflowPrefixCondition("b"),
            'resource.name == "projects/_/buckets/b" || resource.name.startsWith("projects/_/buckets/b/objects/airflow/")',
        );
    });

    it("mounts gs://<bucket>/airflow/dags read-only into the scheduler, DAG processor and workers", () => {
        const values = airflowRelease(dev).inputs.values;
        const bucket = one(dev, "gcp:storage/bucket:Bucket").inputs.name;
        for (const component of ["scheduler", "dagProcessor", "workers"]) {
            const c = values[component];
            assert.equal(c.podAnnotations["gke-gcsfuse/volumes"], "true", component);
            assert.deepEqual(c.extraVolumes, [
                { name: "dags", csi: { driver: GCS_FUSE_DRIVER, readOnly: true, volumeAttributes: { bucketName: bucket, mountOptions: "implicit-dirs,only-dir=airflow/dags" } } },
            ]);
            assert.deepEqual(c.extraVolumeMounts, [{ name: "dags", mountPath: AIRFLOW_DAGS_PATH, readOnly: true }]);
        }
        assert.equal(values.webserver.extraVolumes, undefined, "the webserver reads serialized DAGs from the database");
    });

    it("the FUSE driver's model reproduces the driver's own prepareConfig table (gcs-fuse-csi-driver mutatingwebhook_test.go)", () => {
        const d = ["250m", "250m"] as const; // FakeConfig's CPU default there
        const cases: Array<[string | undefined, string | undefined, { request?: string; limit?: string }]> = [
            [undefined, undefined, { request: "250m", limit: "250m" }], // "use default values if no annotation is found"
            [undefined, "500m", { request: "500m", limit: "500m" }], // "only limits are specified"
            ["500m", undefined, { request: "500m", limit: "500m" }], // "only requests are specified"
            [undefined, "0", { request: "250m", limit: undefined }], // "limits are set to '0'"
            ["0", undefined, { request: undefined, limit: undefined }], // "requests are set to '0'"
            ["100m", "500m", { request: "100m", limit: "500m" }], // "requests and limits are explicitly set"
            ["100m", "0", { request: "100m", limit: undefined }], // "... with '0' limits"
            ["0", "500m", { request: undefined, limit: "500m" }], // "... with '0' requests"
        ];
        for (const [request, limit, expected] of cases) {
            assert.deepEqual(injectedResource(request, limit, d), expected, `${request} / ${limit}`);
        }
    });

    it("the FUSE sidecar gets exactly our resources whatever the webhook's defaults: 64Mi ephemeral storage (not 5Gi), no CPU or ephemeral limit", () => {
        const values = airflowRelease(dev).inputs.values;
        for (const component of ["scheduler", "dagProcessor", "workers"]) {
            for (const [name, defaults] of Object.entries(FUSE_WEBHOOK_DEFAULTS)) {
                assert.deepEqual(
                    injectedSidecar(values[component].podAnnotations, defaults),
                    { requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" }, limits: { memory: "256Mi" } },
                    `${component}, webhook defaults of ${name}`,
                );
            }
        }
    });

    it("no Airflow pod carries an ephemeral-storage limit: the kubelet would cap the whole pod at its containers' limits", () => {
        // kubernetes pkg/kubelet/eviction/eviction_manager.go podEphemeralStorageLimitEviction: a pod whose
        // total use (all containers' logs and layers, emptyDirs) exceeds the sum of the limits its
        // containers set is evicted; one sidecar with a limit would cap the scheduler with it.
        const values = airflowRelease(dev).inputs.values;
        for (const component of ["scheduler", "dagProcessor", "triggerer", "webserver", "workers", "migrateDatabaseJob"]) {
            const c = values[component];
            const limits = [c.resources?.limits, c.logGroomerSidecar?.resources?.limits];
            if (c.podAnnotations?.["gke-gcsfuse/volumes"] === "true") {
                limits.push(...Object.values(FUSE_WEBHOOK_DEFAULTS).map((defaults) => injectedSidecar(c.podAnnotations, defaults).limits));
            }
            assert.ok(limits.every((l) => l?.["ephemeral-storage"] === undefined), `${component}: ${JSON.stringify(limits)}`);
        }
    });

    it("the mount is a valid Kubernetes pod spec (Kubernetes OpenAPI schema)", () => {
        const values = airflowValues({ serviceAccount: "airflow", bucketName: "b", replicas: 2 });
        for (const component of ["scheduler", "dagProcessor", "workers"] as const) {
            const c = values[component];
            const pod = new Pod({
                metadata: { name: "p", annotations: { ...c.podAnnotations } },
                spec: {
                    serviceAccountName: "airflow",
                    containers: [{ name: "base", image: "apache/airflow", volumeMounts: [...c.extraVolumeMounts], resources: c.resources }],
                    volumes: [...c.extraVolumes],
                    topologySpreadConstraints: "topologySpreadConstraints" in c ? [...c.topologySpreadConstraints] : [],
                },
            });
            assert.doesNotThrow(() => pod.validate(), component);
        }
    });

    it("turns on GKE's Cloud Storage FUSE driver only when Airflow is on", async () => {
        const gke = (s: RenderedStack) => one(s, "gcp:container/cluster:Cluster").inputs.addonsConfig.gcsFuseCsiDriverConfig.enabled;
        assert.equal(gke(dev), true);
        assert.equal(gke(await fixtureStack("dev")), false);
        assert.equal(gke(await fixtureStack("prod")), false);
    });

    it("writes task logs to gs://<bucket>/airflow/logs with Application Default Credentials", () => {
        const values = airflowRelease(dev).inputs.values;
        const bucket = one(dev, "gcp:storage/bucket:Bucket").inputs.name;
        assert.deepEqual(values.config.logging, {
            remote_logging: "True",
            remote_base_log_folder: `gs://${bucket}/airflow/logs`,
            remote_log_conn_id: "google_cloud_default",
        });
        assert.deepEqual(values.env, [{ name: "AIRFLOW_CONN_GOOGLE_CLOUD_DEFAULT", value: "google-cloud-platform://" }]);
    });

    it("every container has CPU and memory requests and a memory limit (incl. the FUSE sidecar)", () => {
        const values = airflowRelease(dev).inputs.values;
        const containers = [
            values.scheduler.resources, values.scheduler.logGroomerSidecar.resources,
            values.dagProcessor.resources, values.dagProcessor.logGroomerSidecar.resources,
            values.triggerer.resources, values.triggerer.logGroomerSidecar.resources,
            values.webserver.resources, values.workers.resources, values.migrateDatabaseJob.resources,
        ];
        for (const r of containers) {
            assert.ok(r.requests.cpu && r.requests.memory && r.limits.memory, JSON.stringify(r));
        }
        for (const component of ["scheduler", "dagProcessor", "workers"]) {
            const a = values[component].podAnnotations;
            assert.ok(a["gke-gcsfuse/cpu-request"] && a["gke-gcsfuse/memory-request"] && a["gke-gcsfuse/memory-limit"], component);
        }
        // Containers the chart would add without requests are off.
        assert.equal(values.statsd.enabled, false);
        assert.equal(values.triggerer.persistence.enabled, false);
    });

    const mib = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : Number(q.slice(0, -2)));
    it("the CPU pool and the cost estimate plan for Airflow's always-on containers exactly as the values request them (FUSE sidecars included)", () => {
        const cpu = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
        for (const [stack, replicas] of [[dev, 1], [prod, 2]] as const) {
            const values = airflowRelease(stack).inputs.values;
            const total = { cpuMillis: 0, memoryMiB: 0 };
            for (const component of ["scheduler", "dagProcessor", "triggerer", "webserver", "pgbouncer"]) {
                const c = values[component];
                const containers = [c.resources.requests, c.logGroomerSidecar?.resources.requests, c.metricsExporterSidecar?.resources.requests].filter(Boolean);
                if (c.podAnnotations?.["gke-gcsfuse/volumes"] === "true") {
                    containers.push({ cpu: c.podAnnotations["gke-gcsfuse/cpu-request"], memory: c.podAnnotations["gke-gcsfuse/memory-request"] });
                }
                for (const r of containers) {
                    total.cpuMillis += c.replicas * cpu(r.cpu);
                    total.memoryMiB += c.replicas * mib(r.memory);
                }
            }
            const services = { enabled: true, metadataReplicas: replicas, ui: true, uiReplicas: replicas, argoWorkflows: false };
            const withAirflow = servicesRequests({ ...services, airflow: true });
            const without = servicesRequests(services);
            assert.deepEqual({ cpuMillis: withAirflow.cpuMillis - without.cpuMillis, memoryMiB: withAirflow.memoryMiB - without.memoryMiB }, total, stack.stack);
        }
    });

    it("sizing counts the always-on pods' ephemeral storage as the values request it (the FUSE sidecars), against the node's allocatable", () => {
        for (const [stack, replicas] of [[dev, 1], [prod, 2]] as const) {
            const values = airflowRelease(stack).inputs.values;
            let requested = 0;
            for (const component of ["scheduler", "dagProcessor", "triggerer", "webserver"]) {
                const c = values[component];
                const sidecar = c.podAnnotations?.["gke-gcsfuse/volumes"] === "true" ? injectedSidecar(c.podAnnotations, FUSE_WEBHOOK_DEFAULTS.mainGo) : undefined;
                requested += (c.replicas ?? 1) * (sidecar?.requests["ephemeral-storage"] === undefined ? 0 : mib(sidecar.requests["ephemeral-storage"]));
            }
            const services = { enabled: true, metadataReplicas: replicas, ui: true, uiReplicas: replicas, argoWorkflows: false, airflow: true };
            assert.equal(servicesEphemeralMiB(services), requested, stack.stack);
            assert.equal(requested, (replicas + 1) * 64, "one sidecar per scheduler and the DAG processor");
            // Beside the services, a step gets the node's allocatable ephemeral storage minus theirs.
            const pool = { machineType: "e2-standard-4", maxNodes: 1, diskSizeGb: 30 };
            const room = stepRoomBesideServices(pool, services).diskMb;
            assert.equal(room, Math.floor(((nodeEphemeralStorageMiB(30) - requested) * 2 ** 20) / 1e6), stack.stack);
        }
    });

    it("prod gets replicas, PDBs and zone spread like the other services; dev runs one of each", () => {
        const p = airflowRelease(prod).inputs.values;
        const d = airflowRelease(dev).inputs.values;
        for (const component of ["scheduler", "webserver", "triggerer"]) {
            assert.equal(p[component].replicas, 2, component);
            assert.equal(d[component].replicas, 1, component);
            assert.equal(p[component].topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
            assert.deepEqual(d[component].topologySpreadConstraints, []);
        }
        assert.equal(p.scheduler.podDisruptionBudget.enabled, true);
        assert.equal(p.webserver.podDisruptionBudget.enabled, true);
        assert.equal(d.scheduler.podDisruptionBudget.enabled, false);
        assert.equal(p.dagProcessor.replicas, 1);
    });

    it("uses only values keys the chart's values.schema.json declares (tests/fixtures/airflow-chart-keys.json)", () => {
        const fixture = chartKeys();
        const patterns = Object.keys(fixture.types);
        assert.equal(fixture.pinned, AIRFLOW_CHART.version, "the key list was verified for another chart version");
        for (const stack of [dev, prod]) {
            const unknown = keyPaths(airflowRelease(stack).inputs.values).filter((k) => !allowed(k, patterns));
            assert.deepEqual(unknown, [], `${stack.stack}: keys not in the verified list`);
        }
        assert.ok(!allowed("scheduler.extraVolume[]", patterns), "the check rejects a misspelt key");
    });

    it("gives every key a value of a type the chart's schema declares for it", () => {
        const fixture = chartKeys();
        const patterns = Object.keys(fixture.types);
        for (const stack of [dev, prod]) {
            const wrong = leafValues(airflowRelease(stack).inputs.values)
                .map(([key, value]) => ({ key, value, declared: fixture.types[patternFor(key, patterns) ?? ""] ?? [] }))
                .filter(({ value, declared }) => !jsonTypes(value).some((t) => declared.includes(t)))
                .map(({ key, value, declared }) => `${key} = ${JSON.stringify(value)} (chart: ${declared.join(" | ")})`);
            assert.deepEqual(wrong, [], `${stack.stack}: values the chart's schema refuses`);
        }
        // The check can fail: Helm's schema validation refuses a replica count written as text.
        assert.ok(!jsonTypes("2").some((t) => fixture.types["scheduler.replicas"].includes(t)));
    });

    it("validates against the chart's own values.schema.json at helm-chart/1.16.0 (runs when AIRFLOW_CHART_SCHEMA or ../shared/airflow-chart-1.16.0/values.schema.json holds it)", function () {
        if (!fs.existsSync(CHART_SCHEMA)) {
            this.skip();
        }
        const schema = JSON.parse(fs.readFileSync(CHART_SCHEMA, "utf8"));
        // Chart 1.16.0's default Airflow is 2.10.5 (its RELEASE_NOTES.rst): another version's schema is refused.
        assert.equal(schema.properties?.airflowVersion?.default, "2.10.5", `${CHART_SCHEMA} is not chart 1.16.0's values.schema.json`);
        // Draft-07, as Helm applies it on install and upgrade; Kubernetes formats (int32, int64) are not checked by Helm either.
        const validate = new Ajv({ allErrors: true, logger: false, unknownFormats: "ignore" }).compile(schema);
        for (const stack of [dev, prod]) {
            const values = airflowRelease(stack).inputs.values;
            assert.ok(validate(values), `${stack.stack}: ${JSON.stringify(validate.errors)}`);
            assert.equal(validate({ ...values, scheduler: { ...values.scheduler, extraVolume: [] } }), false, "an unknown key is refused");
        }
    });

    it("passes the policy pack with Airflow on; in dev only the idle-cost limit objects (a larger CPU pool)", async () => {
        assert.deepEqual((await checkRendered(prod)).filter((v) => v.enforcementLevel === "mandatory"), []);
        const devViolations = (await checkRendered(dev)).filter((v) => v.enforcementLevel === "mandatory");
        assert.deepEqual(devViolations.map((v) => v.policy), ["cost-budget"]);
        assert.match(devViolations[0].message, /Cloud SQL instance/);
    });

    it("exports the DAG folder and the web UI for the tunnel; the tunnel forwards the UI", () => {
        const airflow = dev.outputs.airflow.value as { dagsUrl: string; webserverService: string; webserverPort: number };
        const bucket = one(dev, "gcp:storage/bucket:Bucket").inputs.name;
        assert.equal(airflow.dagsUrl, `gs://${bucket}/airflow/dags`);
        const forwards = forwardsFor({ metaflowConfig: dev.outputs.metaflowConfig.value as Record<string, string>, airflow });
        const ui = forwards.find((f) => f.label === "Airflow UI")!;
        assert.deepEqual([ui.service, ui.remotePort, ui.localPort], ["airflow-webserver", 8080, LOCAL_PORTS.airflowUi]);
        assert.equal(new Set(forwards.map((f) => f.localPort)).size, forwards.length, "local ports are distinct");
    });
});
