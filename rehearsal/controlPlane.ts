/**
 * A Kubernetes control plane on loopback for one rehearsal: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok (simulated nodes and pods). Every process is
 * ours, started here and stopped by its pid; nothing listens beyond 127.0.0.1.
 */
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { KubeAccess, kubeRequest, waitFor } from "./kube";
import { componentKubeconfig, makePki, Pki } from "./pki";
import { ServiceProxy, startServiceProxy } from "./serviceProxy";

/** GKE's admission plugins beyond kube-apiserver's defaults that change what our objects do:
 * ExtendedResourceToleration gives pods that request `nvidia.com/gpu` the GPU taint's toleration
 * (metaflowConfig.ts relies on it); NodeRestriction. PodSecurity, ServiceAccount, LimitRanger,
 * ResourceQuota, Priority, DefaultTolerationSeconds, TaintNodesByCondition and the webhook
 * plugins are on by default (kube-apiserver `--enable-admission-plugins` help, v1.37.2). */
export const EXTRA_ADMISSION_PLUGINS = ["ExtendedResourceToleration", "NodeRestriction"];

/** The Service range; its first address is the `kubernetes` Service. */
const SERVICE_CIDR = "10.96.0.0/16";
const SERVICE_IP = "10.96.0.1";

export interface ControlPlane {
    readonly access: KubeAccess;
    readonly pki: Pki;
    /** Admin kubeconfig file (token auth) for controllers and kubectl. */
    readonly kubeconfig: string;
    readonly dir: string;
    /** The API server's way to Services served by processes here (webhooks, aggregated APIs). */
    readonly services: ServiceProxy;
    /** Ends every process this control plane started. */
    stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.on("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

interface Started {
    readonly name: string;
    readonly child: ChildProcess;
    readonly log: string;
}

function start(binDir: string, logDir: string, name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Started {
    const log = path.join(logDir, `${name}.log`);
    const fd = fs.openSync(log, "w");
    const child = spawn(path.join(binDir, bin), args, { stdio: ["ignore", fd, fd], env });
    fs.closeSync(fd);
    child.on("error", (err) => fs.appendFileSync(log, `\nspawn error: ${err}\n`));
    return { name, child, log };
}

/** The last lines of a component's log, for an error message. */
export function logTail(file: string, lines = 15): string {
    try {
        return fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
        return "(no log)";
    }
}

function alive(s: Started): void {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
        throw new Error(`${s.name} exited (${s.child.exitCode ?? s.child.signalCode}); the end of ${s.log}:\n${logTail(s.log)}`);
    }
}

async function stopAll(started: Started[]): Promise<void> {
    for (const s of [...started].reverse()) {
        if (s.child.exitCode === null && s.child.signalCode === null && s.child.pid) {
            const exited = new Promise((r) => s.child.once("exit", r));
            s.child.kill("SIGTERM");
            await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            if (s.child.exitCode === null && s.child.signalCode === null) {
                s.child.kill("SIGKILL");
            }
        }
    }
}

export interface ControlPlaneOptions {
    readonly binDir: string;
    /** kwok's own stage files (node-initialize, pod-ready, ...), from its module. */
    readonly kwokStages: string[];
    readonly dir: string;
}

function apiserverArgs(pki: Pki, etcdPort: number, port: number): string[] {
    return [
        `--etcd-servers=http://127.0.0.1:${etcdPort}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${port}`,
        // "cannot use public IP 127.0.0.1 with endpoint reconciler": no reconciled endpoints.
        "--endpoint-reconciler-type=none",
        `--tls-cert-file=${pki.serverCert}`,
        `--tls-private-key-file=${pki.serverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--token-auth-file=${pki.tokenFile}`,
        "--authorization-mode=RBAC",
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        "--service-account-issuer=https://kubernetes.default.svc",
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        `--enable-admission-plugins=${EXTRA_ADMISSION_PLUGINS.join(",")}`,
        "--allow-privileged=true",
        `--cert-dir=${pki.dir}`,
    ];
}

/** Starts the processes in order, each once the one it needs answers. */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
    const logDir = path.join(o.dir, "logs");
    fs.mkdirSync(logDir, { recursive: true });
    const pki = makePki(path.join(o.dir, "pki"), SERVICE_IP);
    const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const server = `https://127.0.0.1:${apiPort}`;
    const access: KubeAccess = { server, token: pki.adminToken, ca: fs.readFileSync(pki.caCert, "utf8") };
    const kubeconfig = path.join(o.dir, "admin.kubeconfig");
    fs.writeFileSync(kubeconfig, componentKubeconfig(server, pki.caCert, pki.adminToken), { mode: 0o600 });
    const started: Started[] = [];
    const services = await startServiceProxy(path.join(logDir, "service-proxy.log"));
    const stop = async () => {
        await stopAll(started);
        await services.close();
    };
    try {
        const etcd = start(o.binDir, logDir, "etcd", "etcd", [
            `--data-dir=${path.join(o.dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
            `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
            `--initial-cluster=default=http://127.0.0.1:${peerPort}`,
            "--unsafe-no-fsync",
        ]);
        started.push(etcd);
        // Every Service the API server calls goes through our loopback proxy (serviceProxy.ts),
        // never the machine's own proxy.
        const proxyEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|no|all)_proxy$/i.test(k)));
        const apiserver = start(o.binDir, logDir, "kube-apiserver", "kube-apiserver", apiserverArgs(pki, etcdPort, apiPort), {
            ...proxyEnv,
            HTTPS_PROXY: services.url,
            HTTP_PROXY: services.url,
            NO_PROXY: "127.0.0.1,localhost",
        });
        started.push(apiserver);
        await waitFor("kube-apiserver /readyz", 120_000, async () => {
            alive(etcd);
            alive(apiserver);
            const r = await kubeRequest(access, "GET", "/readyz");
            return r.status === 200 ? true : undefined;
        });
        const common = [`--kubeconfig=${kubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0"];
        started.push(
            start(o.binDir, logDir, "kube-controller-manager", "kube-controller-manager", [
                ...common,
                "--use-service-account-credentials=false",
                // A loaded 2-core CI machine can delay kwok's heartbeats; a node is not lost for that.
                "--node-monitor-grace-period=3m",
                `--service-account-private-key-file=${pki.saKey}`,
                `--root-ca-file=${pki.caCert}`,
                `--cluster-signing-cert-file=${pki.caCert}`,
                `--cluster-signing-key-file=${pki.caKey}`,
            ]),
        );
        started.push(start(o.binDir, logDir, "kube-scheduler", "kube-scheduler", common));
        started.push(
            start(o.binDir, logDir, "kwok", "kwok", [
                `--kubeconfig=${kubeconfig}`,
                "--manage-all-nodes=false",
                "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
                // kwok renews each node's Lease (the kubelet's heartbeat); without it the node
                // lifecycle controller marks the nodes NotReady and their pods unready.
                "--node-lease-duration-seconds=40",
                `--server-address=127.0.0.1:${await freePort()}`,
                ...o.kwokStages.map((s) => `--config=${s}`),
            ]),
        );
        const cp: ControlPlane = { access, pki, kubeconfig, dir: o.dir, services, stop };
        await waitFor("the default ServiceAccount (controller-manager up)", 120_000, async () => {
            started.forEach(alive);
            const r = await kubeRequest(access, "GET", "/api/v1/namespaces/default/serviceaccounts/default");
            return r.status === 200 ? true : undefined;
        });
        return cp;
    } catch (err) {
        await stop();
        throw err;
    }
}

