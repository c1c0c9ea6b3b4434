/**
 * Kueue, for real, while the stack that installs it is being deployed: its admission webhooks are
 * fail-closed (the queue objects and, with the pod integration, every pod in the Metaflow
 * namespace), so the release's controller must serve them before `up` creates the ClusterQueue.
 * On GKE its readiness probe holds the release until the webhooks serve; kwok's simulated pod is
 * ready at once, so the rehearsal starts the controller as soon as Helm has created its
 * Deployment, and the API server reaches its webhooks through the loopback service proxy.
 *
 * The controller runs as its Deployment would (controllers.ts: args, service account token) with
 * the release's own configuration (the chart's ConfigMap, rendered from our values), changed only
 * where a process on a shared machine must differ from a pod: every listener on a free loopback
 * port, the webhook certificates in the run directory, the leader-election namespace the pod
 * would read from its service-account mount; and its on-demand visibility API server off, which
 * writes its serving certificate to a fixed `/visibility` (pkg/visibility/server.go at v0.19.2,
 * a volume in the pod) and serves only `kubectl get --raw` pending-workload listings we do not use.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { RunningController, runAsDeployment } from "./controllers";
import { freePort, logTail } from "./controlPlane";
import { EngineEnv } from "./engine";
import { expect } from "./checks";
import { KubeAccess, kubeOk, kubeRequest, waitFor } from "./kube";
import { DEFAULT_LOCAL_QUEUE, QUEUE_NAME_LABEL, clusterQueueName } from "../components/model/queues";
import { ServiceProxy } from "./serviceProxy";

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where the chart puts Kueue (our KueueQueues release `kueue` in `kueue-system`). */
const NAMESPACE = "kueue-system";
const DEPLOYMENT = "kueue-controller-manager";
const CONFIG_MAP = "kueue-manager-config";
const CONFIG_KEY = "controller_manager_config.yaml";
const WEBHOOK_SERVICE = "kueue-webhook-service";
/** Pods whose readiness the rehearsal decides (run.ts's kwok stages): Kueue's, by this label. */
export const READINESS_BY_REHEARSAL = { label: "app.kubernetes.io/name", values: ["kueue"] } as const;
/** Set to "true" on such a pod once its controller's readiness probe passes. */
export const READY_ANNOTATION = "rehearsal.metaflow-gcp/ready";

/** The Secret the pod mounts at its webhook certificate directory (chart internalcert/secret.yaml). */
const CERT_SECRET = "kueue-webhook-server-cert";

/**
 * Plays the kubelet's part for the pod's `cert` volume: the Secret's keys as files in `dir`, kept
 * current. Kueue's certificate rotator (open-policy-agent/cert-controller) writes the Secret and
 * waits until the mounted files match it before it reports the certificates ready.
 */
function mountSecret(access: KubeAccess, dir: string, isStopped: () => boolean): Promise<void> {
    fs.mkdirSync(dir, { recursive: true });
    let last = "";
    return (async () => {
        while (!isStopped()) {
            const r = await kubeRequest(access, "GET", `/api/v1/namespaces/${NAMESPACE}/secrets/${CERT_SECRET}`).catch(() => undefined);
            const data = (r?.status === 200 ? r.body.data : undefined) as Record<string, string> | undefined;
            const now = JSON.stringify(data ?? {});
            if (data && now !== last) {
                for (const [key, b64] of Object.entries(data)) {
                    fs.writeFileSync(path.join(dir, key), Buffer.from(b64, "base64"), { mode: 0o600 });
                }
                last = now;
            }
            await new Promise((res) => setTimeout(res, 300));
        }
    })();
}

export interface KueueWatch {
    /** The running controller once the release's Deployment appeared; undefined until then. */
    readonly controller: () => RunningController | undefined;
    /** Why starting it failed, if it did. */
    readonly failure: () => string | undefined;
    stop(): Promise<void>;
}

/** The release's configuration with loopback listeners and run-directory certificates. */
async function localConfig(access: KubeAccess, dir: string, services: ServiceProxy): Promise<{ file: string; health: number }> {
    const cm = await kubeRequest(access, "GET", `/api/v1/namespaces/${NAMESPACE}/configmaps/${CONFIG_MAP}`);
    if (cm.status !== 200) {
        throw new Error(`the Kueue release's ConfigMap ${NAMESPACE}/${CONFIG_MAP}: HTTP ${cm.status}`);
    }
    const cfg = YAML.parse(cm.body.data[CONFIG_KEY]);
    const [health, metrics, webhook] = [await freePort(), await freePort(), await freePort()];
    cfg.health = { ...cfg.health, healthProbeBindAddress: `127.0.0.1:${health}` };
    cfg.metrics = { ...cfg.metrics, bindAddress: `127.0.0.1:${metrics}` };
    cfg.webhook = { ...cfg.webhook, host: "127.0.0.1", port: webhook, certDir: path.join(dir, "serving-certs") };
    cfg.leaderElection = { ...cfg.leaderElection, resourceNamespace: NAMESPACE };
    // The API server dials a webhook's Service at its cluster IP (its service resolver), and names it by DNS name in errors.
    const service = await kubeOk(access, "GET", `/api/v1/namespaces/${NAMESPACE}/services/${WEBHOOK_SERVICE}`);
    for (const target of [service.body.spec.clusterIP, `${WEBHOOK_SERVICE}.${NAMESPACE}.svc`]) {
        services.route(`${target}:443`, webhook);
    }
    const file = path.join(dir, CONFIG_KEY);
    fs.writeFileSync(file, YAML.stringify(cfg));
    return { file, health };
}

/**
 * The pod's readiness probe (the chart's: GET /readyz on the health port; Kueue's check passes once
 * its certificates are ready and its webhook server answers), played for every pod of the
 * Deployment: each is marked ready (READY_ANNOTATION) once it passes, as the kubelet would report it.
 */
async function markReadyPods(access: KubeAccess, health: number, selector: Record<string, string>): Promise<void> {
    const probe = await fetch(`http://127.0.0.1:${health}/readyz`).catch(() => undefined);
    if (probe?.status !== 200) {
        return;
    }
    const query = encodeURIComponent(Object.entries(selector).map(([k, v]) => `${k}=${v}`).join(","));
    const pods = (await kubeOk(access, "GET", `/api/v1/namespaces/${NAMESPACE}/pods?labelSelector=${query}`)).body.items as Manifest[];
    for (const pod of pods.filter((p) => p.metadata.annotations?.[READY_ANNOTATION] !== "true")) {
        await kubeRequest(access, "PATCH", `/api/v1/namespaces/${NAMESPACE}/pods/${pod.metadata.name}`, { metadata: { annotations: { [READY_ANNOTATION]: "true" } } }, "application/merge-patch+json");
    }
}

/** Starts Kueue's controller as soon as a Deployment of it exists; runs until stop(). */
export function watchForKueue(access: KubeAccess, env: EngineEnv, services: ServiceProxy): KueueWatch {
    let controller: RunningController | undefined;
    let failure: string | undefined;
    let stopped = false;
    let mounted: Promise<void> | undefined;
    let probing: Promise<void> | undefined;
    const dir = path.join(env.runDir, "kueue");
    fs.mkdirSync(dir, { recursive: true });
    const loop = (async () => {
        while (!stopped && !controller && !failure) {
            const d = await kubeRequest(access, "GET", `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${DEPLOYMENT}`).catch(() => undefined);
            if (d?.status === 200) {
                mounted = mountSecret(access, path.join(dir, "serving-certs"), () => stopped);
                try {
                    const { file: config, health } = await localConfig(access, dir, services);
                    probing = (async () => {
                        while (!stopped) {
                            await markReadyPods(access, health, d.body.spec.selector.matchLabels).catch(() => undefined);
                            await new Promise((res) => setTimeout(res, 500));
                        }
                    })();
                    controller = await runAsDeployment(
                        access,
                        env,
                        NAMESPACE,
                        DEPLOYMENT,
                        "kueue",
                        { extraArgs: ["--feature-gates=VisibilityOnDemand=false"], rewriteArgs: (args) => args.map((a) => (a.startsWith("--config=") ? `--config=${config}` : a)) },
                    );
                } catch (err) {
                    failure = String(err);
                }
                return;
            }
            await new Promise((r) => setTimeout(r, 200));
        }
    })();
    return {
        controller: () => controller,
        failure: () => failure ?? (controller && controller.child.exitCode !== null ? `kueue exited ${controller.child.exitCode}: ${logTail(controller.log)}` : undefined),
        stop: async () => {
            stopped = true;
            await loop;
            await controller?.stop();
            await Promise.all([mounted, probing]);
        },
    };
}


/** A step-shaped Job for `queue` asking for `resources`; Pod Security's restricted profile met. */
function stepJob(name: string, queue: string, resources: Record<string, string>): Manifest {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name, labels: { [QUEUE_NAME_LABEL]: queue } },
        spec: {
            backoffLimit: 0,
            template: {
                spec: {
                    restartPolicy: "Never",
                    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
                    containers: [
                        {
                            name: "step",
                            image: "registry.invalid/rehearsal/step:1",
                            resources: { requests: resources, limits: resources },
                            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                        },
                    ],
                },
            },
        },
    };
}

/** The Workload Kueue made for Job `job`, once it exists. */
export async function workloadOf(access: KubeAccess, namespace: string, job: string): Promise<Manifest | undefined> {
    const items = (await kubeOk(access, "GET", `/apis/kueue.x-k8s.io/v1beta2/namespaces/${namespace}/workloads`)).body.items as Manifest[];
    return items.find((w) => (w.metadata.ownerReferences ?? []).some((o: Manifest) => o.kind === "Job" && o.name === job));
}

export function condition(w: Manifest | undefined, type: string): Manifest | undefined {
    return (w?.status?.conditions ?? []).find((c: Manifest) => c.type === type);
}

/**
 * Two steps in the environment's queue: one within its quota is admitted (its Workload Admitted,
 * the Job unsuspended), one asking for more GPUs than the quota holds waits (suspended, its
 * Workload pending on quota). The quota is read from the ClusterQueue the stack created.
 */
export async function queueAdmission(access: KubeAccess, namespace: string, environment: string): Promise<string> {
    const cq = (await kubeOk(access, "GET", `/apis/kueue.x-k8s.io/v1beta2/clusterqueues/${clusterQueueName(environment)}`)).body;
    const quota = cq.spec.resourceGroups.flatMap((g: Manifest) => g.flavors.flatMap((f: Manifest) => f.resources)) as Array<{ name: string; nominalQuota: string }>;
    const gpus = Number(quota.find((r) => r.name === "nvidia.com/gpu")?.nominalQuota ?? 0);
    const jobs = `/apis/batch/v1/namespaces/${namespace}/jobs`;
    const within = stepJob("rehearsal-step-within-quota", DEFAULT_LOCAL_QUEUE, { cpu: "500m", memory: "512Mi" });
    const beyond = stepJob("rehearsal-step-beyond-quota", DEFAULT_LOCAL_QUEUE, { cpu: "500m", memory: "512Mi", "nvidia.com/gpu": String(gpus + 1) });
    for (const job of [within, beyond]) {
        const r = await kubeRequest(access, "POST", jobs, job);
        expect(r.status === 201, `creating Job ${job.metadata.name}: HTTP ${r.status} ${r.body?.message ?? ""}`);
        expect(r.body.spec.suspend === true, `Job ${job.metadata.name} was not suspended on creation (Kueue's Job webhook did not run)`);
    }
    try {
        const admitted = await waitFor(`Kueue admits ${within.metadata.name}`, 60_000, async () => {
            const w = await workloadOf(access, namespace, within.metadata.name);
            const job = (await kubeOk(access, "GET", `${jobs}/${within.metadata.name}`)).body;
            return condition(w, "Admitted")?.status === "True" && job.spec.suspend === false ? w : undefined;
        });
        const waiting = await waitFor(`Kueue holds ${beyond.metadata.name} on quota`, 60_000, async () => {
            const w = await workloadOf(access, namespace, beyond.metadata.name);
            const reserved = condition(w, "QuotaReserved");
            return reserved?.status === "False" && /insufficient|quota/i.test(reserved.message ?? "") ? { w, message: reserved.message as string } : undefined;
        });
        const job = (await kubeOk(access, "GET", `${jobs}/${beyond.metadata.name}`)).body;
        expect(job.spec.suspend === true, `${beyond.metadata.name} runs although its Workload is not admitted`);
        return `${clusterQueueName(environment)} (GPU quota ${gpus}): ${within.metadata.name} admitted (${admitted.metadata.name}); ${beyond.metadata.name} (${gpus + 1} GPUs) waits: "${waiting.message}"`;
    } finally {
        for (const job of [within, beyond]) {
            await kubeRequest(access, "DELETE", `${jobs}/${job.metadata.name}?propagationPolicy=Background`);
        }
    }
}
