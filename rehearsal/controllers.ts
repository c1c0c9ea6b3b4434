/**
 * The charts' controllers, for real: kwok simulates the pods of the chart's Deployment, and the
 * real binary (built by rehearsal/tools.sh) runs beside it as that pod would: the Deployment's own
 * container args and env, and a token of the Deployment's service account (TokenRequest), so the
 * chart's RBAC is what allows or refuses each of its calls.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { expect } from "./checks";
import { logTail } from "./controlPlane";
import { EngineEnv } from "./engine";
import { KubeAccess, kubeOk } from "./kube";

export interface RunningController {
    readonly log: string;
    readonly child: ChildProcess;
    stop(): Promise<void>;
}

type Manifest = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The container's env with downward-API fields resolved as the kubelet would for a pod `podName`. */
function containerEnv(container: Manifest, namespace: string, podName: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const e of container.env ?? []) {
        if (e.value !== undefined) {
            env[e.name] = String(e.value);
        } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") {
            env[e.name] = namespace;
        } else if (e.valueFrom?.fieldRef?.fieldPath === "metadata.name") {
            env[e.name] = podName;
        }
    }
    return env;
}

/** A kubeconfig with a token of `serviceAccount`, as its pod would mount one. */
async function serviceAccountKubeconfig(access: KubeAccess, env: EngineEnv, namespace: string, serviceAccount: string, file: string): Promise<void> {
    const req = { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } };
    const token = (await kubeOk(access, "POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`, req)).body.status.token as string;
    const ca = Buffer.from(fs.readFileSync(env.caFile)).toString("base64");
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: env.kubeServer, "certificate-authority-data": ca } }],
        users: [{ name: serviceAccount, user: { token } }],
        contexts: [{ name: "c", context: { cluster: "c", user: serviceAccount, namespace } }],
        "current-context": "c",
    };
    fs.writeFileSync(file, JSON.stringify(doc), { mode: 0o600 });
}

/** The Deployment in `namespace` whose first container's image contains `image` (the chart names it). */
export async function deploymentWithImage(access: KubeAccess, namespace: string, image: string): Promise<string> {
    const items = (await kubeOk(access, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments`)).body.items as Manifest[];
    const found = items.find((d) => String(d.spec.template.spec.containers[0]?.image ?? "").includes(image));
    expect(found, `no Deployment running ${image} in ${namespace}: ${items.map((d) => d.metadata.name).join(", ")}`);
    return found.metadata.name;
}

/**
 * Runs `binary` as the first container of Deployment `deployment` would run: its args (after the
 * image's entrypoint, which for these images is the binary itself), its env, its service account.
 */
export async function runAsDeployment(
    access: KubeAccess,
    env: EngineEnv,
    namespace: string,
    deployment: string,
    binary: string,
    extraArgs: string[] = [],
    /** Rewrites the container's args (a file path the pod mounts, say) before extraArgs are added. */
    rewriteArgs: (args: string[]) => string[] = (args) => args,
): Promise<RunningController> {
    const d = (await kubeOk(access, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`)).body;
    const container = d.spec.template.spec.containers[0];
    const serviceAccount = d.spec.template.spec.serviceAccountName ?? "default";
    const dir = path.join(env.runDir, "controllers");
    fs.mkdirSync(dir, { recursive: true });
    const kubeconfig = path.join(dir, `${deployment}.kubeconfig`);
    await serviceAccountKubeconfig(access, env, namespace, serviceAccount, kubeconfig);
    const log = path.join(dir, `${deployment}.log`);
    const fd = fs.openSync(log, "w");
    const args = [...rewriteArgs([...(container.command?.slice(1) ?? []), ...(container.args ?? [])]), ...extraArgs];
    const child = spawn(path.join(env.toolsBin, binary), args, {
        stdio: ["ignore", fd, fd],
        env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig, ...containerEnv(container, namespace, `${deployment}-rehearsal`) },
    });
    fs.closeSync(fd);
    await new Promise((r) => setTimeout(r, 3000));
    expect(child.exitCode === null, `${binary} exited ${child.exitCode}: ${logTail(log)}`);
    return {
        log,
        child,
        stop: async () => {
            if (child.exitCode === null) {
                const exited = new Promise((r) => child.once("exit", r));
                child.kill("SIGTERM");
                await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
                if (child.exitCode === null) {
                    child.kill("SIGKILL");
                }
            }
        },
    };
}
