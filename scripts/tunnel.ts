/**
 * Reaches a deployed stack's services from a laptop: one `kubectl port-forward` per service,
 * each restarted with backoff when it drops (pod restarts, node upgrades, idle timeouts), so
 * the local URLs in the Metaflow profile keep working.
 *
 *   npm run tunnel -- dev
 *
 * Needs the Pulumi CLI, kubectl and gke-gcloud-auth-plugin (checked first). The kubeconfig is
 * read from the stack's secret output into a private temporary file that is removed on every
 * exit (normal, error or signal). A forward that never comes up (no credentials, no access, no
 * such service) stops the tunnel with kubectl's own message; only forwards that worked and then
 * dropped are restarted. A local port already taken is reported as that, before kubectl starts.
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { LOCAL_PORTS } from "../components/model/metaflowConfig";
import { requireCommands } from "./prerequisites";
import { positional, readStackOutputs } from "./stackOutputs";
import { ARGO_EVENTS_NAMES, ARGO_SERVER_PORT, SERVICE_NAMES, SERVICE_PORTS } from "../components/model/wellKnown";

/** One local port forwarded to a Service. */
export interface Forward {
    readonly label: string;
    readonly service: string;
    readonly localPort: number;
    readonly remotePort: number;
}

/** The forwards a deployed stack needs, from its outputs (what is enabled is read from metaflowConfig). */
export function forwardsFor(outputs: { metaflowConfig?: Record<string, string>; airflow?: { webserverService: string; webserverPort: number } }): Forward[] {
    const profile = outputs.metaflowConfig;
    if (!profile) {
        throw new Error("the stack has no metaflowConfig output: the services are not deployed (services.enabled is false?)");
    }
    if (profile.METAFLOW_DEFAULT_METADATA === "local") {
        // database.enabled false (e.g. preset personal): no metadata service, UI or Argo to reach.
        throw new Error("this environment runs no services (local metadata): there is nothing to tunnel to; run flows with the profile alone");
    }
    const forwards: Forward[] = [
        { label: "metadata service", service: SERVICE_NAMES.metadata, localPort: localPortOf(profile.METAFLOW_SERVICE_URL, LOCAL_PORTS.metadata), remotePort: SERVICE_PORTS.metadata },
    ];
    if (profile.METAFLOW_UI_URL) {
        // The UI backend serves the UI and its API on one port (one origin for the browser).
        forwards.push({ label: "Metaflow UI", service: SERVICE_NAMES.uiBackend, localPort: localPortOf(profile.METAFLOW_UI_URL, LOCAL_PORTS.uiBackend), remotePort: SERVICE_PORTS.uiBackend });
    }
    if (profile.METAFLOW_ARGO_WORKFLOWS_UI_URL) {
        const localPort = localPortOf(profile.METAFLOW_ARGO_WORKFLOWS_UI_URL, LOCAL_PORTS.argoServer);
        forwards.push({ label: "Argo Workflows UI", service: "argo-workflows-server", localPort, remotePort: ARGO_SERVER_PORT });
    }
    if (profile.METAFLOW_ARGO_EVENTS_WEBHOOK_URL) {
        forwards.push({
            label: "Argo Events webhook",
            service: `${ARGO_EVENTS_NAMES.eventSource}-eventsource-svc`,
            localPort: localPortOf(profile.METAFLOW_ARGO_EVENTS_WEBHOOK_URL, LOCAL_PORTS.argoWebhook),
            remotePort: ARGO_EVENTS_NAMES.webhookPort,
        });
    }
    if (outputs.airflow) {
        forwards.push({ label: "Airflow UI", service: outputs.airflow.webserverService, localPort: LOCAL_PORTS.airflowUi, remotePort: outputs.airflow.webserverPort });
    }
    return forwards;
}

/**
 * The local port the profile points a service at (`http://localhost:8080` -> 8080), so the tunnel
 * serves exactly what the Metaflow client calls; `fallback` when the URL is not local (the HTTPS
 * endpoint is on and the tunnel is the fallback).
 */
export function localPortOf(url: string | undefined, fallback: number): number {
    try {
        const parsed = new URL(url ?? "");
        return ["localhost", "127.0.0.1"].includes(parsed.hostname) && parsed.port !== "" ? Number(parsed.port) : fallback;
    } catch {
        return fallback;
    }
}

/** The forwards whose local port something already listens on (127.0.0.1, where kubectl binds). */
export async function busyForwards(forwards: readonly Forward[]): Promise<Forward[]> {
    const taken = await Promise.all(
        forwards.map(
            (forward) =>
                new Promise<boolean>((resolve) => {
                    const probe = net.createServer();
                    probe.once("error", (err: NodeJS.ErrnoException) => resolve(err.code === "EADDRINUSE" || err.code === "EACCES"));
                    probe.listen(forward.localPort, "127.0.0.1", () => probe.close(() => resolve(false)));
                }),
        ),
    );
    return forwards.filter((_, i) => taken[i]);
}

/** What to say when a local port is taken: that, and how to find who holds it, not the access checklist. */
export function busyPortMessage(busy: readonly Forward[]): string {
    const ports = busy.map((f) => `${f.localPort} (${f.label})`).join(", ");
    const first = busy[0].localPort;
    return (
        `local port${busy.length === 1 ? "" : "s"} ${ports} already in use on 127.0.0.1: another \`npm run tunnel\` or another program listens there. ` +
        `Find it with \`lsof -nP -iTCP:${first} -sTCP:LISTEN\` (or \`ss -ltnp 'sport = :${first}'\`), stop it, and run this again. ` +
        "The Metaflow profile points at these ports, so the tunnel cannot move to others."
    );
}

/** kubectl's words when it could not bind its local port (client-go tools/portforward `listenOnPort`: "Unable to listen on port %d"). */
const BIND_FAILED = /unable to listen on (any of the requested ports|port \d+)|address already in use/i;

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

/** How long a forward may take to report "Forwarding from" before it counts as failed to start. */
export const STARTUP_TIMEOUT_MS = 30_000;

/** What to do when a port-forward exits. */
export type ExitDecision = { readonly action: "fail" } | { readonly action: "retry"; readonly delayMs: number; readonly failures: number };

/**
 * A forward that never came up is a real problem (credentials, access, a missing Service) and
 * retrying hides it: fail. One that worked and dropped is restarted with backoff; if it had
 * stayed up a while, backoff starts anew.
 */
export function decideAfterExit(state: { everReady: boolean; failuresInARow: number; upForMs: number }): ExitDecision {
    if (!state.everReady) {
        return { action: "fail" };
    }
    const failures = state.upForMs > HEALTHY_AFTER_MS ? 1 : state.failuresInARow + 1;
    return { action: "retry", delayMs: backoffMs(failures), failures };
}

/** The message for a forward that never worked, with kubectl's own words and what to check. */
export function neverWorkedMessage(forward: Forward, stack: string, namespace: string, kubectlSaid: string, reason: string): string {
    const said = kubectlSaid.trim() ? `kubectl said:\n  ${kubectlSaid.trim().split("\n").slice(-5).join("\n  ")}\n` : "";
    if (BIND_FAILED.test(kubectlSaid)) {
        // Taken after the check at start-up (a race with another program): the port, not access, is the cause.
        return `the ${forward.label} forward could not listen: ${reason}.\n${said}${busyPortMessage([forward])}`;
    }
    return (
        `the ${forward.label} forward (svc/${forward.service} in ${namespace}) never worked: ${reason}.\n${said}` +
        "Check, in this order:\n" +
        "  - gcloud is logged in (`gcloud auth login`); gke-gcloud-auth-plugin uses those credentials;\n" +
        `  - you are listed in metaflow-gcp:access.members of stack ${stack} (bucket, registry, roles/container.clusterViewer and the namespace Role), or a group in it;\n` +
        `  - the services are deployed (\`pulumi up -s ${stack}\`).`
    );
}

interface Supervisor {
    readonly stopping: () => boolean;
    readonly children: Set<ChildProcess>;
    readonly fail: (message: string) => void;
}

function keepForwarding(forward: Forward, stack: string, namespace: string, kubeconfig: string, supervisor: Supervisor): void {
    let failures = 0;
    let everReady = false;
    const start = () => {
        const startedAt = Date.now();
        let ready = false;
        let stderr = "";
        const child = spawn("kubectl", portForwardArgs(forward, namespace, kubeconfig), { stdio: ["ignore", "pipe", "pipe"] });
        supervisor.children.add(child);
        const startup = setTimeout(() => {
            if (!ready && !everReady) {
                supervisor.fail(neverWorkedMessage(forward, stack, namespace, stderr, `no "Forwarding from" after ${STARTUP_TIMEOUT_MS / 1000}s`));
            }
        }, STARTUP_TIMEOUT_MS);
        child.stdout?.on("data", (chunk: Buffer) => {
            if (!ready && chunk.toString().includes("Forwarding from")) {
                ready = true;
                everReady = true;
                clearTimeout(startup);
            }
        });
        child.stderr?.on("data", (chunk: Buffer) => {
            stderr = (stderr + chunk.toString()).slice(-4000);
            if (everReady) {
                process.stderr.write(`[${forward.label}] ${chunk}`);
            }
        });
        child.on("error", (err) => supervisor.fail(`cannot run kubectl: ${err.message}`));
        child.on("exit", (code) => {
            clearTimeout(startup);
            supervisor.children.delete(child);
            if (supervisor.stopping()) {
                return;
            }
            const decision = decideAfterExit({ everReady, failuresInARow: failures, upForMs: ready ? Date.now() - startedAt : 0 });
            if (decision.action === "fail") {
                supervisor.fail(neverWorkedMessage(forward, stack, namespace, stderr, `kubectl port-forward exited with code ${code}`));
                return;
            }
            failures = decision.failures;
            console.error(`[${forward.label}] port-forward exited (code ${code}); reconnecting in ${decision.delayMs / 1000}s`);
            setTimeout(() => {
                if (!supervisor.stopping()) {
                    start();
                }
            }, decision.delayMs);
        });
    };
    start();
}

async function main(): Promise<void> {
    const stack = positional(process.argv.slice(2), []);
    if (!stack) {
        throw new Error("usage: npm run tunnel -- <stack>");
    }
    requireCommands([
        { command: "pulumi", neededFor: `to read stack ${stack}'s kubeconfig and services` },
        { command: "kubectl", neededFor: "for the port-forwards" },
        { command: "gke-gcloud-auth-plugin", neededFor: "by kubectl to authenticate to GKE" },
    ]);
    const outputs = readStackOutputs(stack, { showSecrets: true });
    const forwards = forwardsFor(outputs);
    const namespace: string = outputs.kubernetesNamespace;
    if (typeof outputs.kubeconfig !== "string") {
        throw new Error(`stack ${stack} has no kubeconfig output; deploy it with \`pulumi up -s ${stack}\``);
    }

    const busy = await busyForwards(forwards);
    if (busy.length > 0) {
        throw new Error(busyPortMessage(busy));
    }

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "metaflow-tunnel-"));
    // Registered before the file exists: every way out of the process removes it.
    process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(kubeconfig, outputs.kubeconfig, { mode: 0o600 });

    let stopping = false;
    const children = new Set<ChildProcess>();
    const stop = (code: number) => {
        if (stopping) {
            return;
        }
        stopping = true;
        children.forEach((c) => c.kill());
        process.exit(code);
    };
    const supervisor: Supervisor = {
        stopping: () => stopping,
        children,
        fail: (message) => {
            if (!stopping) {
                console.error(`tunnel: ${message}`);
                stop(1);
            }
        },
    };
    process.on("SIGINT", () => stop(0));
    process.on("SIGTERM", () => stop(0));
    process.on("SIGHUP", () => stop(0));

    for (const forward of forwards) {
        keepForwarding(forward, stack, namespace, kubeconfig, supervisor);
        console.log(`${forward.label.padEnd(20)} http://localhost:${forward.localPort}`);
    }
    console.log("Forwarding (reconnects automatically). Ctrl-C to stop.");
}

if (require.main === module) {
    main().catch((err) => {
        console.error(`tunnel: ${(err as Error).message}`);
        process.exitCode = 1;
    });
}
