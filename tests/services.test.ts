import { strict as assert } from "assert";
import * as path from "path";
import { KUBERNETES_IDENTITIES } from "../components/model/naming";
import { WORKFLOW_POD_RULES } from "../components/kubernetes/argoWorkflows";
import { migrationJobName } from "../components/kubernetes/specs/servicePods";
import { ofType, one } from "../offline/query";
import { type RenderedResource, type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixtureFailure } from "./harness/fixtures";
import { KUEUE_NAMESPACE } from "../components/model/queues";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** API groups of custom resources, each checked against its own CRD schema in its own test file. */
const CUSTOM_GROUPS = ["argoproj.io", "cloud.google.com", "kueue.x-k8s.io", "monitoring.googleapis.com"];

/** Kubernetes objects with a built-in schema (CRDs and Helm releases are checked separately). */
function builtInObjects(stack: RenderedStack): RenderedResource[] {
    return stack.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== RELEASE && !CUSTOM_GROUPS.some((g) => r.type.startsWith(`kubernetes:${g}/`)));
}

/** Validates an object with kubernetes-models' OpenAPI schema for its apiVersion/kind. */
function validateWithSchema(inputs: Record<string, any>): void {
    const modulePath = path.posix.join("kubernetes-models", inputs.apiVersion, inputs.kind);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const model = require(modulePath);
    const Model = model[inputs.kind] ?? model.default;
    new Model(inputs).validate();
}

function deployment(stack: RenderedStack, name: string): RenderedResource {
    const found = ofType(stack, DEPLOYMENT).filter((d) => d.inputs.metadata.name === name);
    assert.equal(found.length, 1, `deployment ${name}`);
    return found[0];
}

describe("MetaflowServices", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("every Kubernetes object validates against the Kubernetes OpenAPI schema", () => {
        for (const stack of [dev, prod]) {
            const objects = builtInObjects(stack);
            assert.ok(objects.length >= 12, `${stack.stack}: only ${objects.length} objects`);
            for (const object of objects) {
                assert.doesNotThrow(() => validateWithSchema(object.inputs), `${stack.stack} ${object.type} ${object.name}`);
            }
        }
    });

    it("the schema check is real: a malformed Deployment is rejected", () => {
        const bad = structuredClone(deployment(dev, "metaflow-metadata").inputs);
        bad.spec.replicas = "two";
        assert.throws(() => validateWithSchema(bad));
    });

    it("every Service selects the pods of one Deployment, on a port the container exposes", () => {
        for (const stack of [dev, prod]) {
            // Kueue's readiness Service selects the chart's pods (no Deployment of ours): tests/queues.test.ts
            // checks it against the chart.
            const services = ofType(stack, SERVICE).filter((s) => s.inputs.metadata.namespace !== KUEUE_NAMESPACE);
            assert.ok(services.length >= 2);
            for (const svc of services) {
                const selector: Record<string, string> = svc.inputs.spec.selector;
                const matches = ofType(stack, DEPLOYMENT).filter((d) =>
                    Object.entries(selector).every(([k, v]) => d.inputs.spec.template.metadata.labels[k] === v),
                );
                assert.equal(matches.length, 1, `${stack.stack} Service ${svc.inputs.metadata.name} selects ${matches.length} deployments`);
                const containerPorts = matches[0].inputs.spec.template.spec.containers.flatMap((c: any) => c.ports ?? []);
                for (const port of svc.inputs.spec.ports) {
                    const target = containerPorts.find((p: any) => p.name === port.targetPort || p.containerPort === port.targetPort);
                    assert.ok(target, `${svc.inputs.metadata.name} targets ${port.targetPort}, which no container exposes`);
                    assert.equal(target.containerPort, port.port, `${svc.inputs.metadata.name} port matches the container`);
                }
                const deploymentSelector = matches[0].inputs.spec.selector.matchLabels;
                assert.deepEqual(deploymentSelector, selector, "Service and Deployment select on the same labels");
            }
        }
    });

    it("the database password lives in a Secret and in no env value", () => {
        for (const stack of [dev, prod]) {
            const password = one(stack, "random:index/randomPassword:RandomPassword").state.result;
            const secret = one(stack, "kubernetes:core/v1:Secret");
            assert.equal(secret.inputs.stringData.password, password);
            for (const d of ofType(stack, DEPLOYMENT)) {
                const spec = d.inputs.spec.template.spec;
                for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                    for (const env of c.env ?? []) {
                        assert.notEqual(env.value, password, `${d.name}/${c.name} ${env.name} carries the password`);
                        if (env.name === "MF_METADATA_DB_PSWD") {
                            assert.deepEqual(env.valueFrom, { secretKeyRef: { name: secret.inputs.metadata.name, key: "password" } });
                        }
                    }
                }
            }
        }
    });

    // Netflix/metaflow-service v2.5.0 run_goose.py (main(), line 87-95) runs the goose v3.9.0
    // CLI (Dockerfile line 5) with `up` and no lock; --only-if-empty-db (line 50) would skip
    // newer migrations on an existing database.
    it("migrations run once per metadata-service version in a Job the Deployment waits for, never twice at once", () => {
        const jobs = ofType(prod, "kubernetes:batch/v1:Job").filter((j) => j.inputs.metadata.name.startsWith("metaflow-db-migrations"));
        assert.equal(jobs.length, 1);
        const job = jobs[0];
        assert.equal(job.inputs.metadata.name, "metaflow-db-migrations-v2-5-0");
        assert.equal(job.inputs.spec.parallelism, 1);
        assert.equal(job.inputs.spec.completions, 1);
        assert.equal(job.inputs.spec.podReplacementPolicy, "Failed", "a retry starts only after the previous pod has terminated");
        const migrate = job.inputs.spec.template.spec.containers[0];
        assert.ok(migrate.command.join(" ").includes("run_goose.py"));
        assert.ok(!migrate.command.includes("--only-if-empty-db"), "migrations must run on existing databases too");
        assert.equal(migrate.image, deployment(prod, "metaflow-metadata").inputs.spec.template.spec.containers[0].image, "same version as the service");
        const metadata = deployment(prod, "metaflow-metadata");
        assert.ok(metadata.dependencies.includes(job.urn), "the Deployment rolls out after the Job completed");
        assert.equal(metadata.inputs.spec.template.spec.initContainers, undefined, "no per-replica migration");
        const password = migrate.env.find((e: any) => e.name === "MF_METADATA_DB_PSWD");
        assert.deepEqual(password, { name: "MF_METADATA_DB_PSWD", valueFrom: { secretKeyRef: { name: "metaflow-db", key: "password" } } });
    });

    it("the migration Job is named by the image version: a new version is a new Job", () => {
        assert.equal(migrationJobName("netflixoss/metaflow_metadata_service:v2.5.0"), "metaflow-db-migrations-v2-5-0");
        assert.equal(migrationJobName("netflixoss/metaflow_metadata_service:2.6.1"), "metaflow-db-migrations-2-6-1");
        assert.notEqual(migrationJobName("x:v2.5.0"), migrationJobName("x:v2.5.1"));
    });

    it("the metadata service talks TLS to Cloud SQL and starts no migration server", () => {
        const spec = deployment(prod, "metaflow-metadata").inputs.spec.template.spec;
        // The server module alone: the image's run_script.py would also start the migration
        // service and its unauthenticated PATCH /upgrade on 8082.
        assert.deepEqual(spec.containers[0].command.slice(1), ["-m", "services.metadata_service.server"]);
        const env = Object.fromEntries(spec.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
        assert.equal(env.MF_METADATA_DB_SSL_MODE, "require");
        assert.equal(env.MF_METADATA_DB_HOST, "10.23.0.3", "the Cloud SQL private IP");
        assert.equal(spec.containers[0].readinessProbe.httpGet.path, "/ping");
        assert.ok(spec.containers[0].resources.requests.cpu);
    });

    it("no dead settings: nothing in metaflow-service v2.5.0's services reads these variables", () => {
        // `git grep` at tag v2.5.0 of Netflix/metaflow-service: MF_MIGRATION_ENDPOINTS_ENABLED is
        // read only by services/migration_service/api/admin.py (the migration server we never
        // start), MF_DATASTORE_ROOT by nothing at all.
        const dead = ["MF_MIGRATION_ENDPOINTS_ENABLED", "MF_DATASTORE_ROOT"];
        for (const stack of [dev, prod]) {
            for (const d of ofType(stack, DEPLOYMENT)) {
                const spec = d.inputs.spec.template.spec;
                for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                    const names = (c.env ?? []).map((e: any) => e.name);
                    assert.deepEqual(names.filter((n: string) => dead.includes(n)), [], `${d.inputs.metadata.name}/${c.name}`);
                }
            }
        }
    });

    it("the UI backend serves its bundled UI and the API on one origin, and reads this environment's bucket", () => {
        for (const stack of [dev, prod]) {
            const backend = deployment(stack, "metaflow-ui-backend").inputs.spec.template.spec;
            const env = Object.fromEntries(backend.containers[0].env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
            // ui_server.py (metaflow-service v2.5.0): UI_ENABLED=1 adds the Frontend routes, and a
            // PATH_PREFIX would mount them under the prefix too while the bundle's assets are
            // absolute (/static/...): the UI would load no scripts.
            assert.equal(env.UI_ENABLED, "1");
            assert.ok(!("PATH_PREFIX" in env), "the UI and its API live at the root");
            assert.ok(!("METAFLOW_SERVICE" in env), "the UI's API base stays the default \"/\": this origin");
            assert.equal(backend.containers[0].readinessProbe.httpGet.path, "/ping");
            assert.equal(env.METAFLOW_SERVICE_URL, `http://metaflow-metadata.metaflow-${stack.stack}.svc.cluster.local:8080`);
            assert.equal(backend.serviceAccountName, KUBERNETES_IDENTITIES.services);
        }
        const devEnv = deployment(dev, "metaflow-ui-backend").inputs.spec.template.spec.containers[0].env;
        assert.ok(devEnv.some((e: any) => e.name === "METAFLOW_DATASTORE_SYSROOT_GS" && e.value === "gs://metaflow-offline-metaflow-dev/metaflow"));
        for (const stack of [dev, prod]) {
            const images = ofType(stack, DEPLOYMENT).flatMap((d) => d.inputs.spec.template.spec.containers.map((c: any) => c.image));
            assert.ok(!images.some((i: string) => i.includes("metaflow_ui")), "no separate static UI whose version could drift from its backend");
        }
    });

    it("Workload Identity: only the task and services KSAs act as the task identity, annotation and binding alike", () => {
        for (const stack of [dev, prod]) {
            const task = one(stack, "gcp:serviceaccount/account:Account", "identity-task");
            const members = ofType(stack, "gcp:serviceaccount/iAMMember:IAMMember").map((b) => b.inputs.member);
            const accounts = ofType(stack, "kubernetes:core/v1:ServiceAccount");
            assert.equal(accounts.length, 4);
            for (const sa of accounts) {
                const name = sa.inputs.metadata.name;
                const member = `serviceAccount:${stack.config["gcp:project"]}.svc.id.goog[${sa.inputs.metadata.namespace}/${name}]`;
                const actsAsTask = name === KUBERNETES_IDENTITIES.task || name === KUBERNETES_IDENTITIES.services;
                assert.equal(sa.inputs.metadata.annotations?.["iam.gke.io/gcp-service-account"], actsAsTask ? task.state.email : undefined, name);
                assert.equal(members.includes(member), actsAsTask, `${name} Workload Identity binding`);
            }
        }
    });

    it("the Argo KSAs get no bucket access: Metaflow runs every Argo pod as the task KSA, and sensors only create Workflows", () => {
        // Metaflow 2.19.39 plugins/argo/argo_workflows.py: templates, exit hooks and the heartbeat
        // daemon use resources["service_account"] (METAFLOW_KUBERNETES_SERVICE_ACCOUNT); the sensor
        // runs as METAFLOW_ARGO_EVENTS_SERVICE_ACCOUNT and submits a Workflow through a k8s trigger.
        const members = ofType(prod, "gcp:serviceaccount/iAMMember:IAMMember").map((b) => b.inputs.member);
        for (const ksa of [KUBERNETES_IDENTITIES.argoWorkflow, KUBERNETES_IDENTITIES.argoEvents]) {
            assert.ok(!members.some((m) => m.endsWith(`/${ksa}]`)), `${ksa} can act as the task identity`);
        }
        const sensorRules = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.inputs.metadata.name === "metaflow-argo-events-sensor")!;
        assert.ok(sensorRules.inputs.rules.every((r: any) => r.apiGroups.every((g: string) => g === "argoproj.io")), "the sensor needs Argo objects only");
    });

    it("Argo Workflows: pinned chart, namespaced, workflow Role with workflowtaskresults bound to the task and workflow KSAs", () => {
        const release = ofType(prod, RELEASE).find((r) => r.inputs.chart === "argo-workflows")!;
        assert.equal(release.inputs.version, "0.46.2");
        assert.equal(release.inputs.namespace, "metaflow-prod");
        assert.equal(release.inputs.values.singleNamespace, true);
        const role = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:Role").find((r) => r.inputs.metadata.name === "metaflow-argo-workflow")!;
        const results = role.inputs.rules.find((r: any) => r.resources.includes("workflowtaskresults"));
        assert.deepEqual(results.verbs, ["create", "patch"]);
        assert.deepEqual(role.inputs.rules, WORKFLOW_POD_RULES);
        const binding = ofType(prod, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").find((r) => r.inputs.metadata.name === "metaflow-argo-workflow")!;
        assert.deepEqual(binding.inputs.subjects.map((s: any) => s.name).sort(), ["argo-workflow", "metaflow-task"]);
    });

    it("Argo Events in prod: EventBus, webhook EventSource and the sensor Role; absent in dev", () => {
        const kinds = ofType(prod, "kubernetes:argoproj.io/v1alpha1:EventBus").concat(ofType(prod, "kubernetes:argoproj.io/v1alpha1:EventSource"));
        assert.deepEqual(kinds.map((k) => k.inputs.kind).sort(), ["EventBus", "EventSource"]);
        const source = ofType(prod, "kubernetes:argoproj.io/v1alpha1:EventSource")[0];
        assert.equal(source.inputs.spec.webhook["metaflow-event"].endpoint, "/metaflow-event");
        assert.ok(ofType(prod, RELEASE).some((r) => r.inputs.chart === "argo-events"));
        assert.ok(!ofType(dev, RELEASE).some((r) => r.inputs.chart === "argo-events"));
    });

    it("everything deployed is pinned: chart versions exact, images tagged, never latest", () => {
        for (const stack of [dev, prod]) {
            for (const release of ofType(stack, RELEASE)) {
                assert.match(release.inputs.version, /^\d+\.\d+\.\d+$/, `${release.inputs.chart}`);
            }
            for (const d of ofType(stack, DEPLOYMENT)) {
                const spec = d.inputs.spec.template.spec;
                for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                    assert.match(c.image, /:v?\d+\.\d+\.\d+$/, `${c.image} is not pinned`);
                }
            }
        }
    });

    it("prod runs 2 replicas spread over zones with PodDisruptionBudgets; dev runs 1 and none", () => {
        for (const name of ["metaflow-metadata", "metaflow-ui-backend"]) {
            assert.equal(deployment(prod, name).inputs.spec.replicas, 2);
            assert.equal(deployment(prod, name).inputs.spec.template.spec.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
            assert.equal(deployment(dev, name).inputs.spec.replicas, 1);
        }
        assert.equal(ofType(prod, PDB).length, 2);
        assert.equal(ofType(dev, PDB).length, 0);
        for (const pdb of ofType(prod, PDB)) {
            assert.equal(pdb.inputs.spec.minAvailable, 1);
        }
    });

    it("every Kubernetes object goes through the provider built from the cluster's kubeconfig", () => {
        const provider = one(dev, "pulumi:providers:kubernetes");
        assert.equal(provider.inputs.kubeconfig, JSON.parse(JSON.stringify(dev.outputs.kubeconfig.value)));
        for (const object of dev.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"))) {
            assert.ok(object.provider.startsWith(provider.urn), `${object.type} ${object.name} uses ${object.provider || "the default provider"}`);
        }
    });

    describe("bad input fails before anything is created", () => {
        it("Airflow and Argo Workflows together", async () => {
            const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:services": { airflow: true, argoWorkflows: true } } });
            assert.match(failure.error.message, /metaflow-gcp:services\.airflow = true: Airflow and Argo Workflows are alternative orchestrators/);
            assert.equal(failure.resources.length, 0);
        });

        it("services enabled with no database", async () => {
            const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:database": { enabled: false } } });
            assert.match(failure.error.message, /metaflow-gcp:services\.enabled = true: the metadata service and UI need the database/);
            assert.equal(failure.resources.length, 0);
        });
    });
});
