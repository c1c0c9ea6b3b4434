/**
 * Every Kubernetes component stands alone: built under mocks by a program of its own, with only
 * its required args, it creates valid objects with its documented defaults. Nothing here reads a
 * stack's config; the whole-stack tests (services, endpoint, airflow) cover the platform's use.
 */
import { strict as assert } from "assert";
import * as path from "path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Airflow } from "../components/kubernetes/airflow";
import { ArgoEvents } from "../components/kubernetes/argoEvents";
import { ArgoWorkflows, WORKFLOW_POD_RULES } from "../components/kubernetes/argoWorkflows";
import { ENDPOINT_NAMES, MetaflowEndpoint, OAUTH_SECRET_KEY } from "../components/kubernetes/endpoint";
import { MemberRbac } from "../components/kubernetes/memberRbac";
import { MetaflowServices, deployApp } from "../components/kubernetes/services";
import { appLabels } from "../components/kubernetes/specs/kubernetesObjects";
import { MEMBER_ROLE_NAME } from "../components/model/memberAccess";
import { KUBERNETES_IDENTITIES } from "../components/model/naming";
import { metadataPodSpec } from "../components/kubernetes/specs/servicePods";
import { ofType, one } from "../offline/query";
import { ALONE_PROJECT, buildAlone, buildAloneFailure } from "./harness/alone";
import type { RenderedResource, RenderedStack } from "../offline/render";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const SERVICE = "kubernetes:core/v1:Service";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";
const TASK_GSA = "metaflow-dev-task@acme-ml.iam.gserviceaccount.com";
const DATABASE = { host: "10.23.0.3", port: 5432, name: "metaflow", user: "metaflow", password: "s3cret-db-password" };

/** What `build` registers, built alone (no stack, no config), for the stack queries. */
async function buildStack(build: () => void): Promise<RenderedStack> {
    return { stack: "alone", project: ALONE_PROJECT, stacksDir: "", config: {}, notes: [], resources: await buildAlone(build), outputs: {} };
}

/** kubernetes-models' OpenAPI validation of a built-in object (throws on a schema violation). */
function validateWithSchema(inputs: Record<string, any>): void {
    const modulePath = path.posix.join("kubernetes-models", inputs.apiVersion, inputs.kind);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const model = require(modulePath);
    new (model[inputs.kind] ?? model.default)(inputs).validate();
}

function builtIn(stack: RenderedStack): RenderedResource[] {
    return stack.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== RELEASE && !r.type.includes("argoproj.io"));
}

/**
 * Component options that record the inputs of every child by Pulumi name (the mocks unwrap
 * secrets, so secret-ness is read from the Outputs the component passed).
 */
function recordInputs(): { opts: pulumi.ComponentResourceOptions; inputs: Map<string, Record<string, any>> } {
    const inputs = new Map<string, Record<string, any>>();
    const record: pulumi.ResourceTransformation = (a) => {
        inputs.set(a.name, a.props);
        return undefined;
    };
    return { opts: { transformations: [record] }, inputs };
}

async function isSecret(value: unknown): Promise<boolean> {
    return (pulumi.output(value) as any).isSecret;
}

describe("Kubernetes components build alone with only their required args", () => {
    it("MetaflowServices without a database: namespace metaflow-<environment> and the Workload Identity KSAs only", async () => {
        const stack = await buildStack(() => {
            new MetaflowServices("svc", { environment: "dev", taskServiceAccountEmail: TASK_GSA, datastoreRoot: "gs://b/metaflow" });
        });
        assert.equal(one(stack, "kubernetes:core/v1:Namespace").inputs.metadata.name, "metaflow-dev");
        const accounts = ofType(stack, "kubernetes:core/v1:ServiceAccount");
        assert.deepEqual(accounts.map((a) => a.inputs.metadata.name).sort(), Object.values(KUBERNETES_IDENTITIES).sort());
        const annotated = accounts.filter((a) => a.inputs.metadata.annotations?.["iam.gke.io/gcp-service-account"] === TASK_GSA).map((a) => a.inputs.metadata.name);
        assert.deepEqual(annotated.sort(), [KUBERNETES_IDENTITIES.services, KUBERNETES_IDENTITIES.task].sort());
        assert.deepEqual(ofType(stack, DEPLOYMENT), [], "no services without a database");
    });

    it("MetaflowServices with a database: the documented defaults (the production profile's two replicas with PDBs, UI, Argo Workflows, pools of 10), all schema-valid", async () => {
        const recorded = recordInputs();
        const stack = await buildStack(() => {
            new MetaflowServices("svc", { environment: "dev", taskServiceAccountEmail: TASK_GSA, datastoreRoot: "gs://b/metaflow", database: DATABASE }, recorded.opts);
        });
        const deployments = ofType(stack, DEPLOYMENT);
        assert.deepEqual(deployments.map((d) => d.inputs.metadata.name).sort(), ["metaflow-metadata", "metaflow-ui-backend"]);
        for (const d of deployments) {
            assert.equal(d.inputs.spec.replicas, 2);
            const env = Object.fromEntries(d.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
            // metaflow-service v2.5.0 services/utils/__init__.py: pool_max defaults to 10 when unset.
            assert.equal(env.MF_METADATA_DB_POOL_MAX, "10");
        }
        assert.deepEqual(ofType(stack, PDB).map((p) => p.inputs.metadata.name).sort(), ["metaflow-metadata", "metaflow-ui-backend"]);
        assert.deepEqual(ofType(stack, RELEASE).map((r) => r.inputs.chart), ["argo-workflows"]);
        for (const object of builtIn(stack)) {
            assert.doesNotThrow(() => validateWithSchema(object.inputs), `${object.type} ${object.name}`);
        }
        // A plain password reaches the cluster only as a Pulumi secret inside a Secret.
        assert.equal(one(stack, SECRET).inputs.stringData.password, DATABASE.password);
        assert.equal(await isSecret(recorded.inputs.get("svc-db-secret")!.stringData.password), true);
    });

    it("MetaflowServices refuses Argo Events without Argo Workflows before creating anything", async () => {
        const failure = await buildAloneFailure(() => {
            new MetaflowServices("svc", { environment: "dev", taskServiceAccountEmail: TASK_GSA, datastoreRoot: "gs://b/metaflow", database: DATABASE, argoWorkflows: false, argoEvents: true });
        });
        assert.match(failure.error.message, /argoEvents needs argoWorkflows/);
        assert.deepEqual(failure.resources.filter((r) => r.custom), []);
    });

    it("ArgoWorkflows: one controller and server at base href /, the workflow Role bound to the given KSAs", async () => {
        const stack = await buildStack(() => {
            new ArgoWorkflows("argo", { namespace: "ml", workflowServiceAccounts: ["runner"] });
        });
        const values = one(stack, RELEASE).inputs.values;
        assert.equal(values.controller.replicas, 1);
        assert.equal(values.server.replicas, 1);
        assert.equal(values.server.baseHref, "/");
        assert.deepEqual(values.controller.workflowNamespaces, ["ml"]);
        assert.deepEqual(one(stack, "kubernetes:rbac.authorization.k8s.io/v1:Role").inputs.rules, WORKFLOW_POD_RULES);
        assert.deepEqual(one(stack, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs.subjects, [{ kind: "ServiceAccount", name: "runner", namespace: "ml" }]);
    });

    it("ArgoEvents: EventBus packed by default, and the webhook URL names the Service the EventSource gets", async () => {
        let url: string | undefined;
        const stack = await buildStack(() => {
            url = new ArgoEvents("events", { namespace: "ml", sensorServiceAccount: "sensor" }).internalWebhookUrl;
        });
        assert.equal(one(stack, "kubernetes:argoproj.io/v1alpha1:EventBus").inputs.spec.jetstream.affinity, undefined);
        const source = one(stack, "kubernetes:argoproj.io/v1alpha1:EventSource").inputs;
        // argo-events: the EventSource controller names the Service `<eventsource>-eventsource-svc`.
        const port = source.spec.service.ports[0].port;
        const event = Object.keys(source.spec.webhook)[0];
        assert.equal(url, `http://${source.metadata.name}-eventsource-svc.ml.svc.cluster.local:${port}${source.spec.webhook[event].endpoint}`);
    });

    it("Airflow: service account `airflow` acting as the given Google account, one replica, connection URL and PgBouncer's config secrets", async () => {
        const recorded = recordInputs();
        const stack = await buildStack(() => {
            const database = { ...DATABASE, name: "airflow", user: "airflow" };
            new Airflow("airflow", { namespace: "ml", googleServiceAccountEmail: "af@p.iam.gserviceaccount.com", bucketName: "b", database }, recorded.opts);
        });
        const account = one(stack, "kubernetes:core/v1:ServiceAccount").inputs.metadata;
        assert.equal(account.name, "airflow");
        assert.equal(account.annotations["iam.gke.io/gcp-service-account"], "af@p.iam.gserviceaccount.com");
        const values = one(stack, RELEASE).inputs.values;
        assert.equal(values.scheduler.replicas, 1);
        assert.equal(values.scheduler.podDisruptionBudget.enabled, false);
        assert.equal(values.scheduler.serviceAccount.name, "airflow");
        const connection = ofType(stack, SECRET).find((s) => s.inputs.metadata.name === "airflow-metadata")!;
        assert.equal(await isSecret(recorded.inputs.get("airflow-metadata")!.stringData.connection), true);
        assert.equal(connection.inputs.stringData.connection, "postgresql://airflow:s3cret-db-password@airflow-pgbouncer.ml:6543/airflow-metadata?sslmode=disable");
        // PgBouncer reaches the database itself, over TLS; its config and the exporter's URL hold the password, as secrets.
        const pgbouncer = ofType(stack, SECRET).find((s) => s.inputs.metadata.name === "airflow-pgbouncer-config")!;
        assert.match(pgbouncer.inputs.stringData["pgbouncer.ini"], /^airflow-metadata = host=10\.23\.0\.3 port=5432 dbname=airflow pool_size=4$/m);
        assert.match(pgbouncer.inputs.stringData["pgbouncer.ini"], /^server_tls_sslmode = require$/m);
        assert.equal(await isSecret(recorded.inputs.get("airflow-pgbouncer-config")!.stringData), true);
        assert.equal(await isSecret(recorded.inputs.get("airflow-pgbouncer-stats")!.stringData.connection), true);
    });

    it("MemberRbac: a namespaced Role bound to each member as GKE names it", async () => {
        const stack = await buildStack(() => {
            new MemberRbac("members", { namespace: "ml", members: ["user:ana@example.com", "group:ml@example.com"] });
        });
        const binding = one(stack, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs;
        assert.equal(binding.roleRef.name, MEMBER_ROLE_NAME);
        assert.deepEqual(
            binding.subjects.map((s: any) => [s.kind, s.name]),
            [
                ["User", "ana@example.com"],
                ["Group", "ml@example.com"],
            ],
        );
        assert.equal(one(stack, "kubernetes:rbac.authorization.k8s.io/v1:Role").inputs.metadata.namespace, "ml");
    });

    it("MetaflowEndpoint: no labels by default, the OAuth secret a Pulumi secret, IAP for each member and the client", async () => {
        const recorded = recordInputs();
        const stack = await buildStack(() => {
            new MetaflowEndpoint(
                "endpoint",
                {
                project: "acme-ml",
                environment: "dev",
                namespace: "ml",
                hostname: "metaflow.example.com",
                oauthClientId: "123.apps.googleusercontent.com",
                oauthClientSecret: "oauth-secret-value",
                members: ["user:ana@example.com"],
                services: { ui: true, argoWorkflows: false, argoEvents: false },
                },
                recorded.opts,
            );
        });
        assert.deepEqual(one(stack, "gcp:compute/globalAddress:GlobalAddress").inputs.labels, {});
        const secret = one(stack, SECRET);
        assert.equal(secret.inputs.metadata.name, ENDPOINT_NAMES.oauthSecret);
        assert.equal(await isSecret(recorded.inputs.get("endpoint-oauth-secret")!.stringData[OAUTH_SECRET_KEY]), true);
        const iapMembers = ofType(stack, "gcp:iap/webTypeComputeIamMember:WebTypeComputeIamMember").map((m) => m.inputs.member);
        // The client member is the account the component creates (GCP: <accountId>@<project>.iam.gserviceaccount.com).
        const client = one(stack, "gcp:serviceaccount/account:Account").inputs.accountId;
        assert.deepEqual(iapMembers.sort(), [`serviceAccount:${client}@acme-ml.iam.gserviceaccount.com`, "user:ana@example.com"].sort());
        const route = one(stack, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute").inputs;
        assert.deepEqual(
            route.spec.rules.map((r: any) => r.backendRefs[0].name),
            ["metaflow-metadata", "metaflow-ui-backend"],
        );
    });
});

describe("deployApp: Deployment, Service and PDB from one app description", () => {
    const app = (replicas: number) => ({ name: "metaflow-metadata", namespace: "ml", labels: appLabels("metadata", "dev"), replicas, podSpec: metadataPodSpec(DATABASE, 3) });

    it("with two replicas: the Service and PDB select the Deployment's pods; Service ports are the containers' named ports", async () => {
        const stack = await buildStack(() => {
            const before = new k8s.core.v1.ConfigMap("before", { metadata: { name: "before", namespace: "ml" } });
            deployApp("svc", app(2), {}, [before]);
        });
        const deployment = one(stack, DEPLOYMENT);
        const service = one(stack, SERVICE);
        const pdb = one(stack, PDB);
        const selector = deployment.inputs.spec.selector.matchLabels;
        assert.deepEqual(service.inputs.spec.selector, selector);
        assert.deepEqual(pdb.inputs.spec.selector.matchLabels, selector);
        const podLabels = deployment.inputs.spec.template.metadata.labels;
        assert.ok(Object.entries(selector).every(([k, v]) => podLabels[k] === v), "the selector matches the pod template");
        const containerPorts = deployment.inputs.spec.template.spec.containers.flatMap((c: any) => c.ports);
        assert.deepEqual(
            service.inputs.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]),
            containerPorts.map((p: any) => [p.name, p.containerPort, p.name]),
        );
        assert.equal(deployment.inputs.spec.template.spec.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        // The rollout waits for what it was told to (a migration Job); the Service need not.
        const before = one(stack, "kubernetes:core/v1:ConfigMap").urn;
        assert.ok(deployment.dependencies.includes(before) && pdb.dependencies.includes(before));
        assert.ok(!service.dependencies.includes(before));
        for (const object of [deployment, service, pdb]) {
            assert.doesNotThrow(() => validateWithSchema(object.inputs), object.type);
        }
    });

    it("with one replica: no PDB (it would block every node drain) and no zone spread", async () => {
        const stack = await buildStack(() => {
            deployApp("svc", app(1), {});
        });
        assert.deepEqual(ofType(stack, PDB), []);
        assert.equal(one(stack, DEPLOYMENT).inputs.spec.template.spec.topologySpreadConstraints, undefined);
        assert.equal(one(stack, SERVICE).inputs.metadata.name, "metaflow-metadata");
    });
});
