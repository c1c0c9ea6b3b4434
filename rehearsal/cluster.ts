/**
 * What GKE puts in a new cluster that our program relies on, added to the local control plane:
 * the CRDs GKE installs itself (Gateway API with `gatewayApiConfig`, its `networking.gke.io`
 * policies), read from ../shared/crds; and checks that the admission plugins GKE enables behave.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { expect } from "./checks";
import { KubeAccess, kubeOk, kubeRequest, serverSideApply, waitFor } from "./kube";

export const SHARED = path.resolve(__dirname, "..", "..", "shared");

/** Applies every CRD under ../shared/crds; returns their names. */
export async function applyGkeCrds(access: KubeAccess): Promise<string[]> {
    const root = path.join(SHARED, "crds");
    expect(fs.existsSync(root), `${root} is absent: the CRDs GKE installs itself come from ../shared/crds`);
    const names: string[] = [];
    for (const dir of fs.readdirSync(root)) {
        for (const file of fs.readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".yaml"))) {
            for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(root, dir, file), "utf8"))) {
                const crd = doc.toJS();
                if (crd?.kind === "CustomResourceDefinition") {
                    await serverSideApply(access, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
                    names.push(crd.metadata.name);
                }
            }
        }
    }
    for (const name of names) {
        await waitFor(`CRD ${name} Established`, 30_000, async () => {
            const r = await kubeOk(access, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`);
            return r.body.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True") ? true : undefined;
        });
    }
    return names;
}

/**
 * CRDs GKE installs that ../shared/crds does not hold yet: ComputeClass (cloud.google.com/v1,
 * GKE's custom compute classes, which the GPU capacity ladder creates) and PodMonitoring
 * (monitoring.googleapis.com/v1, Managed Service for Prometheus; its source module,
 * GoogleCloudPlatform/prometheus-engine, is refused by the Go module proxy). Registered here without a
 * schema (`x-kubernetes-preserve-unknown-fields`), so the API server stores such objects without
 * validating them: a stand-in until the real CRD is in ../shared/crds.
 */
export async function applyStandInCrds(access: KubeAccess): Promise<string[]> {
    const standIn = (group: string, kind: string, plural: string, scope: "Cluster" | "Namespaced") => ({
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `${plural}.${group}` },
        spec: {
            group,
            scope,
            names: { plural, singular: kind.toLowerCase(), kind, listKind: `${kind}List` },
            versions: [{ name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } } }],
        },
    });
    // ComputeClass (the GPU ladder); PodMonitoring (observability), which managed collection installs.
    const crds = [standIn("cloud.google.com", "ComputeClass", "computeclasses", "Cluster"), standIn("monitoring.googleapis.com", "PodMonitoring", "podmonitorings", "Namespaced")];
    const applied: string[] = [];
    for (const crd of crds) {
        const existing = await kubeRequest(access, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
        if (existing.status === 200) {
            continue;
        }
        await serverSideApply(access, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        await waitFor(`CRD ${crd.metadata.name} Established`, 30_000, async () => {
            const r = await kubeOk(access, "GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
            return r.body.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True") ? true : undefined;
        });
        applied.push(crd.metadata.name);
    }
    return applied;
}

/**
 * ExtendedResourceToleration: a pod that requests `nvidia.com/gpu` gets the toleration for the
 * GPU taint (key `nvidia.com/gpu`, operator Exists, effect NoSchedule), which our GPU steps rely
 * on instead of setting it (kubernetes plugin/pkg/admission/extendedresourcetoleration). Checked
 * with a server-side dry run.
 */
export async function gpuTolerationAdded(access: KubeAccess): Promise<string> {
    const pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "gpu-admission-probe", namespace: "default" },
        spec: { containers: [{ name: "c", image: "busybox", resources: { limits: { "nvidia.com/gpu": "1" } } }] },
    };
    const r = await kubeOk(access, "POST", "/api/v1/namespaces/default/pods?dryRun=All", pod);
    const tolerations: Array<{ key?: string; operator?: string; effect?: string }> = r.body.spec.tolerations ?? [];
    const t = tolerations.find((x) => x.key === "nvidia.com/gpu");
    expect(t && t.operator === "Exists" && t.effect === "NoSchedule", `no nvidia.com/gpu toleration added: ${JSON.stringify(tolerations)}`);
    return `tolerations after admission: ${JSON.stringify(tolerations)}`;
}

/** Pod Security admission: a privileged pod in a namespace labelled `enforce: restricted` is refused. */
export async function podSecurityEnforced(access: KubeAccess): Promise<string> {
    const ns = "pod-security-probe";
    await serverSideApply(access, "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: ns }, spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] } };
    const r = await kubeRequest(access, "POST", `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod);
    await kubeRequest(access, "DELETE", `/api/v1/namespaces/${ns}`);
    expect(r.status === 403 && /violates PodSecurity/.test(r.body?.message ?? ""), `expected a PodSecurity refusal, got HTTP ${r.status}: ${r.body?.message}`);
    return String(r.body.message).slice(0, 160);
}
