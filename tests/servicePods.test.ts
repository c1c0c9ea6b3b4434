/** The pure pod-spec builders of the Metaflow services, checked without Pulumi. */
import { strict as assert } from "assert";
import { Pod } from "kubernetes-models/v1/Pod";
import { appLabels, servicePorts, zoneSpread, type ServedPodSpec } from "../components/kubernetes/specs/kubernetesObjects";
import { DB_SECRET, databaseEnv, metadataPodSpec, migrationPodSpec, uiBackendPodSpec } from "../components/kubernetes/specs/servicePods";
import { METADATA_SERVICE_IMAGE } from "../components/kubernetes/specs/versions";
import { SERVICE_PORTS } from "../components/model/wellKnown";

const DB = { host: "10.23.0.3", port: 5432, name: "metaflow", user: "metaflow" };
const UI = { database: DB, poolMax: 4, datastoreRoot: "gs://b/metaflow", metadataUrl: "http://metaflow-metadata.ml.svc.cluster.local:8080" };

/** kubernetes-models' OpenAPI schema of a Pod (io.k8s.api.core.v1.PodSpec): throws on a violation. */
function validatePod(spec: unknown): void {
    new Pod({ metadata: { name: "p" }, spec: spec as any }).validate();
}

function envOf(spec: { containers: any }): Record<string, any> {
    return Object.fromEntries(spec.containers[0].env.map((e: any) => [e.name, e]));
}

describe("service pod specs (pure builders)", () => {
    const served: [string, ServedPodSpec][] = [
        ["metadata", metadataPodSpec(DB, 3)],
        ["ui-backend", uiBackendPodSpec(UI)],
    ];

    it("each pod spec, and the migration pod's, is valid against the Kubernetes OpenAPI schema", () => {
        for (const [name, spec] of served) {
            assert.doesNotThrow(() => validatePod(spec), name);
            assert.doesNotThrow(() => validatePod({ ...spec, topologySpreadConstraints: zoneSpread(appLabels(name, "dev").selectorLabels) }), `${name} spread`);
        }
        assert.doesNotThrow(() => validatePod(migrationPodSpec(DB, 3)));
        // The check is real: a port number as text is refused.
        assert.throws(() => validatePod({ containers: [{ name: "x", image: "i", ports: [{ containerPort: "8080" }] }] }));
    });

    it("probes use a port the container names, and the Service ports are those named ports", () => {
        for (const [name, spec] of served) {
            const container = spec.containers[0];
            const names = container.ports.map((p) => p.name);
            for (const probe of [container.readinessProbe, container.livenessProbe] as any[]) {
                assert.ok(names.includes(probe.httpGet.port), `${name} probes ${probe.httpGet.port}`);
            }
            assert.deepEqual(servicePorts(spec), container.ports.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: "TCP" })));
        }
        assert.deepEqual(servicePorts(metadataPodSpec(DB, 3)).map((p) => p.port), [SERVICE_PORTS.metadata]);
        assert.deepEqual(servicePorts(uiBackendPodSpec(UI)).map((p) => p.port), [SERVICE_PORTS.uiBackend]);
    });

    it("the password comes only from the Secret; TLS is required; the pool size is the one given", () => {
        const env = databaseEnv(DB, 7) as any[];
        assert.deepEqual(env.find((e) => e.name === "MF_METADATA_DB_PSWD"), { name: "MF_METADATA_DB_PSWD", valueFrom: { secretKeyRef: { name: DB_SECRET.name, key: DB_SECRET.key } } });
        assert.ok(env.every((e) => e.name === "MF_METADATA_DB_PSWD" || e.valueFrom === undefined));
        const byName = Object.fromEntries(env.map((e) => [e.name, e.value]));
        assert.equal(byName.MF_METADATA_DB_SSL_MODE, "require");
        assert.equal(byName.MF_METADATA_DB_POOL_MAX, "7");
        assert.equal(envOf(uiBackendPodSpec(UI)).MF_METADATA_DB_POOL_MAX.value, "4");
    });

    // Netflix/metaflow-service v2.5.0: run_script.py (the image's default command) also starts the
    // migration service with its unauthenticated PATCH /upgrade; the server modules run alone.
    it("each service runs its own server module, never the image's run_script.py", () => {
        assert.deepEqual(metadataPodSpec(DB, 3).containers[0].command, ["/opt/latest/bin/python3", "-m", "services.metadata_service.server"]);
        assert.deepEqual(uiBackendPodSpec(UI).containers[0].command, ["/opt/latest/bin/python3", "-m", "services.ui_backend_service.ui_server"]);
    });

    it("the UI backend reads this datastore and the in-cluster metadata service", () => {
        const env = envOf(uiBackendPodSpec(UI));
        assert.equal(env.METAFLOW_DATASTORE_SYSROOT_GS.value, UI.datastoreRoot);
        assert.equal(env.METAFLOW_SERVICE_URL.value, UI.metadataUrl);
        assert.equal(env.UI_ENABLED.value, "1");
    });

    it("the migration pod runs goose once, without a Kubernetes token, on the services' image", () => {
        const spec = migrationPodSpec(DB, 3);
        assert.equal(spec.restartPolicy, "Never");
        assert.equal(spec.automountServiceAccountToken, false);
        const container = (spec.containers as any[])[0];
        assert.equal(container.image, METADATA_SERVICE_IMAGE);
        assert.ok(container.command.includes("/root/run_goose.py"));
        assert.ok(!container.command.includes("--only-if-empty-db"), "migrations must reach existing databases");
    });

    it("appLabels: the selector is a stable subset of the labels", () => {
        const { labels, selectorLabels } = appLabels("metadata", "prod");
        assert.ok(Object.entries(selectorLabels).every(([k, v]) => labels[k] === v));
        assert.ok(!("app.kubernetes.io/managed-by" in selectorLabels), "labels that may change stay out of the immutable selector");
        assert.notDeepEqual(appLabels("metadata", "dev").selectorLabels, selectorLabels, "environments never select each other's pods");
    });
});
