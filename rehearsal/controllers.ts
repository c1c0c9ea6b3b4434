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
export interface RunOptions {
    /** Added after the container's args. */
    readonly extraArgs?: string[];
    /** Rewrites the container's args (a file path the pod mounts, say) before extraArgs are added. */
    readonly rewriteArgs?: (args: string[]) => string[];
    /**
     * The container reads ConfigMaps mounted at fixed paths (Argo Events: /etc/argo-events): run it
     * in a mount namespace of its own whose top directories of those paths are empty tmpfs
     * holding only the ConfigMaps' files, as the kubelet mounts them (needs root and unshare(1)).
     */
    readonly mountConfigMaps?: boolean;
}

/** Where `container` mounts ConfigMaps (whole, no subPath), with their files. */
async function configMapMounts(access: KubeAccess, namespace: string, podSpec: Manifest, container: Manifest): Promise<Array<{ path: string; files: Record<string, string> }>> {
    const mounts: Array<{ path: string; files: Record<string, string> }> = [];
    for (const m of (container.volumeMounts ?? []) as Manifest[]) {
        const volume = ((podSpec.volumes ?? []) as Manifest[]).find((v) => v.name === m.name);
        if (!volume?.configMap || m.subPath) {
            continue;
        }
        const cm = (await kubeOk(access, "GET", `/api/v1/namespaces/${namespace}/configmaps/${volume.configMap.name}`)).body;
        mounts.push({ path: m.mountPath, files: cm.data ?? {} });
    }
    return mounts;
}

/** `binary args` as a command that first mounts `mounts` in a private mount namespace (see RunOptions.mountConfigMaps). */
function inMountNamespace(dir: string, binary: string, args: string[], mounts: Array<{ path: string; files: Record<string, string> }>): [string, string[]] {
    const tops = [...new Set(mounts.map((m) => `/${m.path.split("/").filter(Boolean)[0]}`))];
    const script: string[] = ["set -e", ...tops.map((top) => `mount -t tmpfs tmpfs ${top}`)];
    for (const [i, m] of mounts.entries()) {
        const src = path.join(dir, `configmap-${i}`);
        fs.mkdirSync(src, { recursive: true });
        for (const [name, content] of Object.entries(m.files)) {
            fs.writeFileSync(path.join(src, name), content);
        }
        script.push(`mkdir -p ${m.path}`, `cp -R ${src}/. ${m.path}/`);
    }
    script.push('exec "$0" "$@"');
    return ["unshare", ["--mount", "--propagation", "private", "sh", "-c", script.join("\n"), binary, ...args]];
}

export async function runAsDeployment(access: KubeAccess, env: EngineEnv, namespace: string, deployment: string, binary: string, opts: RunOptions = {}): Promise<RunningController> {
    const d = (await kubeOk(access, "GET", `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`)).body;
    const container = d.spec.template.spec.containers[0];
    const serviceAccount = d.spec.template.spec.serviceAccountName ?? "default";
    const dir = path.join(env.runDir, "controllers");
    fs.mkdirSync(dir, { recursive: true });
    const kubeconfig = path.join(dir, `${deployment}.kubeconfig`);
    await serviceAccountKubeconfig(access, env, namespace, serviceAccount, kubeconfig);
    const log = path.join(dir, `${deployment}.log`);
    const fd = fs.openSync(log, "w");
    const rewrite = opts.rewriteArgs ?? ((a: string[]) => a);
    const args = [...rewrite([...(container.command?.slice(1) ?? []), ...(container.args ?? [])]), ...(opts.extraArgs ?? [])];
    const mounts = opts.mountConfigMaps ? await configMapMounts(access, namespace, d.spec.template.spec, container) : [];
    const [command, commandArgs] = mounts.length > 0 ? inMountNamespace(path.join(dir, deployment), path.join(env.toolsBin, binary), args, mounts) : [path.join(env.toolsBin, binary), args];
    const child = spawn(command, commandArgs, {
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
