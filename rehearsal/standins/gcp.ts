/**
 * The rehearsal's Google Cloud: a resource provider plugin (`pulumi-resource-gcp`, found on PATH
 * by the engine) on @pulumi/pulumi's provider API. It checks every input against pulumi-gcp
 * 9.37.0's published types (gcpSchema.ts), answers with what GCP would compute (gcpOutputs.ts),
 * and makes the side effects the rest of the rehearsal depends on: a node pool's nodes appear in
 * the local API server (simulated by kwok), and the VPC and its Private Service Access peering
 * appear in the fake Compute API that PeeringRemoval talks to.
 *
 * Environment (set by rehearsal/engine.ts): REHEARSAL_KUBE_SERVER, REHEARSAL_KUBE_TOKEN,
 * REHEARSAL_KUBE_CA (file), REHEARSAL_COMPUTE_ADMIN (the fake Compute API's control URL),
 * REHEARSAL_GCP_PROJECT, REHEARSAL_RUN_DIR.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as provider from "@pulumi/pulumi/provider";
import { KubeAccess, kubeOk, kubeRequest } from "../kube";
import { gkeClusterAddonsPod, gkeSystemPod, poolNodes, PoolInputs } from "../nodes";
import { computeOutputs, getProject, LocalCluster, projectOf, Props } from "./gcpOutputs";
import { checkInputs, hasInput } from "./gcpSchema";
import { coveredBy, plain, typeOf } from "./values";

const env = (name: string): string => {
    const v = process.env[name];
    if (!v) {
        throw new Error(`the Google Cloud stand-in needs ${name} (set by rehearsal/engine.ts)`);
    }
    return v;
};

function kube(): KubeAccess {
    return { server: env("REHEARSAL_KUBE_SERVER"), token: env("REHEARSAL_KUBE_TOKEN"), ca: fs.readFileSync(env("REHEARSAL_KUBE_CA"), "utf8") };
}

function local(): LocalCluster {
    const server = new URL(env("REHEARSAL_KUBE_SERVER"));
    return { ipEndpoint: `127.0.0.1:${server.port}`, dnsEndpoint: `localhost:${server.port}`, caBase64: Buffer.from(fs.readFileSync(env("REHEARSAL_KUBE_CA"))).toString("base64") };
}

async function computeAdmin(action: string, body: Props): Promise<void> {
    const res = await fetch(`${env("REHEARSAL_COMPUTE_ADMIN")}/${action}`, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    if (!res.ok) {
        throw new Error(`fake Compute API ${action}: HTTP ${res.status} ${await res.text()}`);
    }
}

/** Inputs the provider must not change in place (GCP: immutable, so a change replaces). */
const REPLACE_KEYS = ["project", "name", "location", "region", "accountId", "instance", "network", "cluster", "service", "repositoryId", "bucket", "role", "member"];

async function createSideEffects(token: string, p: Props): Promise<void> {
    if (token === "gcp:container/nodePool:NodePool") {
        const cluster = String(p.cluster).split("/").pop() ?? "cluster";
        // Kept for the cluster autoscaler's stand-in (rehearsal/workloads.ts), which adds a node to a pool scaled to zero.
        const pools = path.join(env("REHEARSAL_RUN_DIR"), "nodepools");
        fs.mkdirSync(pools, { recursive: true });
        fs.writeFileSync(path.join(pools, `${p.name}.json`), JSON.stringify({ cluster, pool: p }));
        const access = kube();
        for (const node of poolNodes(cluster, p as PoolInputs)) {
            await kubeOk(access, "POST", "/api/v1/nodes", node);
            await kubeOk(access, "POST", "/api/v1/namespaces/kube-system/pods", gkeSystemPod(node));
        }
        if (!p.nodeConfig?.guestAccelerators?.length) {
            // GKE's add-ons run on the cluster's CPU nodes once it has some.
            await kubeRequest(access, "POST", "/api/v1/namespaces/kube-system/pods", gkeClusterAddonsPod());
        }
    } else if (token === "gcp:compute/network:Network") {
        await computeAdmin("network", { project: p.project, name: p.name });
    } else if (token === "gcp:servicenetworking/connection:Connection") {
        await computeAdmin("peering", { network: p.network, name: "servicenetworking-googleapis-com" });
    }
}

async function deleteSideEffects(token: string, p: Props): Promise<void> {
    if (token === "gcp:container/nodePool:NodePool") {
        const access = kube();
        const nodes = await kubeOk(access, "GET", `/api/v1/nodes?labelSelector=${encodeURIComponent(`cloud.google.com/gke-nodepool=${p.name}`)}`);
        for (const n of nodes.body.items as Array<{ metadata: { name: string } }>) {
            await kubeRequest(access, "DELETE", `/api/v1/namespaces/kube-system/pods/gke-daemonsets-${n.metadata.name}`.slice(0, 200));
            await kubeRequest(access, "DELETE", `/api/v1/nodes/${n.metadata.name}`);
        }
        if (!p.nodeConfig?.guestAccelerators?.length) {
            await kubeRequest(access, "DELETE", "/api/v1/namespaces/kube-system/pods/gke-cluster-addons");
        }
    } else if (token === "gcp:compute/network:Network") {
        // GCP refuses to delete a network that still has a peering: so does the fake.
        await computeAdmin("delete-network", { project: p.project, name: p.name });
    }
}

/**
 * pulumi-gcp names a resource that has an optional `name` input and none given: the resource's
 * Pulumi name, `-`, and random characters (its resources.go `SetAutonaming(255, "-")`), kept
 * from the previous state on later updates.
 */
function autoname(urn: string, olds: Props, news: Props): Props {
    if (news.name !== undefined || !hasInput(typeOf(urn), "name")) {
        return news;
    }
    const name = olds?.name ?? `${urn.split("::").pop()}-${crypto.randomBytes(4).toString("hex").slice(0, 7)}`;
    return { ...news, name };
}

const gcp: provider.Provider = {
    // The version of pulumi-gcp whose types and outputs this stands in for (@pulumi/gcp in package.json).
    version: "9.37.0",
    async check(urn, olds, news) {
        const failures = checkInputs(typeOf(urn), news);
        return { inputs: autoname(urn, olds, news), failures };
    },
    async diff(_id, urn, olds, news) {
        const changed = Object.keys(news).filter((k) => !coveredBy(news[k], olds[k]));
        const replaces = changed.filter((k) => REPLACE_KEYS.includes(k) && !(typeOf(urn) === "gcp:sql/user:User" && k === "password"));
        return { changes: changed.length > 0, replaces, deleteBeforeReplace: false };
    },
    async create(urn, inputs) {
        const token = typeOf(urn);
        const p = plain(inputs);
        const project = projectOf(p, env("REHEARSAL_GCP_PROJECT"));
        const computed = computeOutputs(token, { ...p, project }, project, local());
        await createSideEffects(token, { ...p, project });
        return { id: computed.id, outs: { ...inputs, project, ...computed.outs } };
    },
    async update(_id, urn, olds, news) {
        const token = typeOf(urn);
        const p = plain(news);
        const project = projectOf(p, env("REHEARSAL_GCP_PROJECT"));
        const computed = computeOutputs(token, { ...p, project }, project, local());
        return { outs: { ...olds, ...news, project, ...computed.outs } };
    },
    async delete(_id, urn, props) {
        await deleteSideEffects(typeOf(urn), plain(props));
    },
    async read(id, _urn, props) {
        return { id, props };
    },
    async invoke(token, inputs) {
        if (token === "gcp:organizations/getProject:getProject") {
            return { outputs: getProject(String(plain(inputs).projectId ?? env("REHEARSAL_GCP_PROJECT"))) };
        }
        throw new Error(`the rehearsal's Google Cloud stand-in does not serve ${token}`);
    },
};

provider.main(gcp, process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
});
