/**
 * Reaches a deployed stack's services from a laptop: one `kubectl port-forward` per service,
 * each restarted with backoff when it drops (pod restarts, node upgrades, idle timeouts), so
 * the local URLs in the Metaflow profile keep working.
 *
 *   npm run tunnel -- dev
 *
 * Needs kubectl and gke-gcloud-auth-plugin. The kubeconfig is read from the stack's secret
 * output into a private temporary file that is removed on exit.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ARGO_SERVER_PORT } from "../components/argoWorkflows";
import { ARGO_EVENTS_NAMES } from "../components/argoEvents";
import { LOCAL_PORTS } from "../components/metaflowConfig";
import { SERVICE_PORTS } from "../components/services";
import { positional, readStackOutputs } from "./stackOutputs";

/** One local port forwarded to a Service. */
export interface Forward {
    readonly label: string;
    readonly service: string;
    readonly localPort: number;
    readonly remotePort: number;
}

/** The forwards a deployed stack needs, from its outputs (what is enabled is read from metaflowConfig). */
export function forwardsFor(outputs: { metaflowConfig?: Record<string, string> }): Forward[] {
    const profile = outputs.metaflowConfig;
    if (!profile) {
        throw new Error("the stack has no metaflowConfig output: the services are not deployed (services.enabled is false?)");
    }
    const forwards: Forward[] = [{ label: "metadata service", service: "metaflow-metadata", localPort: LOCAL_PORTS.metadata, remotePort: SERVICE_PORTS.metadata }];
    if (profile.METAFLOW_UI_URL) {
        // The UI backend serves the UI and its API on one port (one origin for the browser).
        forwards.push({ label: "Metaflow UI", service: "metaflow-ui-backend", localPort: LOCAL_PORTS.uiBackend, remotePort: SERVICE_PORTS.uiBackend });
    }
    if (profile.METAFLOW_ARGO_WORKFLOWS_UI_URL) {
        forwards.push({ label: "Argo Workflows UI", service: "argo-workflows-server", localPort: LOCAL_PORTS.argoServer, remotePort: ARGO_SERVER_PORT });
    }
    if (profile.METAFLOW_ARGO_EVENTS_WEBHOOK_URL) {
        forwards.push({
            label: "Argo Events webhook",
            service: `${ARGO_EVENTS_NAMES.eventSource}-eventsource-svc`,
            localPort: LOCAL_PORTS.argoWebhook,
            remotePort: ARGO_EVENTS_NAMES.webhookPort,
        });
    }
    return forwards;
}

/** Delay before the next restart: doubles from 1 s up to 30 s. */
export function backoffMs(failuresInARow: number): number {
    return Math.min(30_000, 1000 * 2 ** Math.max(0, failuresInARow - 1));
}

/** A forward that stayed up this long counts as healthy; its next failure starts backoff anew. */
export const HEALTHY_AFTER_MS = 60_000;

/** kubectl arguments of one forward, bound to loopback only. */
export function portForwardArgs(forward: Forward, namespace: string, kubeconfig: string): string[] {
    return ["port-forward", "--kubeconfig", kubeconfig, "--address", "127.0.0.1", "-n", namespace, `svc/${forward.service}`, `${forward.localPort}:${forward.remotePort}`];
}

function keepForwarding(forward: Forward, namespace: string, kubeconfig: string, stopping: () => boolean, children: Set<ChildProcess>): void {
    let failures = 0;
    const start = () => {
        const startedAt = Date.now();
        const child = spawn("kubectl", portForwardArgs(forward, namespace, kubeconfig), { stdio: ["ignore", "ignore", "pipe"] });
        children.add(child);
        child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[${forward.label}] ${chunk}`));
        child.on("error", (err) => console.error(`[${forward.label}] cannot run kubectl: ${err.message}`));
        child.on("exit", (code) => {
            children.delete(child);
            if (stopping()) {
                return;
            }
            failures = Date.now() - startedAt > HEALTHY_AFTER_MS ? 1 : failures + 1;
            const delay = backoffMs(failures);
            console.error(`[${forward.label}] port-forward exited (code ${code}); reconnecting in ${delay / 1000}s`);
            setTimeout(start, delay);
        });
    };
    start();
}

function main(): void {
    const stack = positional(process.argv.slice(2), []);
    if (!stack) {
        throw new Error("usage: npm run tunnel -- <stack>");
    }
    const outputs = readStackOutputs(stack, { showSecrets: true });
    const forwards = forwardsFor(outputs);
    const namespace: string = outputs.kubernetesNamespace;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-tunnel-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, outputs.kubeconfig, { mode: 0o600 });

    let stopping = false;
    const children = new Set<ChildProcess>();
    const stop = () => {
        stopping = true;
        children.forEach((c) => c.kill());
        fs.rmSync(dir, { recursive: true, force: true });
        process.exit(0);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);

    for (const forward of forwards) {
        keepForwarding(forward, namespace, kubeconfig, () => stopping, children);
        console.log(`${forward.label.padEnd(20)} http://localhost:${forward.localPort}`);
    }
    console.log("Forwarding (reconnects automatically). Ctrl-C to stop.");
}

if (require.main === module) {
    try {
        main();
    } catch (err) {
        console.error(`tunnel: ${(err as Error).message}`);
        process.exitCode = 1;
    }
}
