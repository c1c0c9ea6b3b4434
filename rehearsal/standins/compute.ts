/**
 * A fake of the two Compute Engine calls PeeringRemoval makes (networks.get and
 * networks.removePeering, then operations.get; compute/v1 REST reference), for code that
 * reaches it unchanged: the engine's processes get HTTPS_PROXY pointing here and trust the run's
 * CA (NODE_EXTRA_CA_CERTS), and this proxy answers CONNECTs to compute.googleapis.com itself with
 * a certificate for that name. It never forwards anything anywhere: a CONNECT to any other host
 * is refused.
 *
 * The Google Cloud stand-in tells it, on a loopback control port, when a network and the Private
 * Service Access peering are created, and asks it to delete the network: like GCP, it refuses
 * while a peering is still on the network ("resourceInUseByAnotherResource").
 */
import * as http from "http";
import * as net from "net";
import * as tls from "tls";
import * as fs from "fs";

interface Network {
    peerings: string[];
}

export interface ComputeCall {
    readonly method: string;
    readonly path: string;
    readonly status: number;
}

export interface FakeCompute {
    /** `http://127.0.0.1:<port>`: the HTTPS proxy. */
    readonly proxyUrl: string;
    /** `http://127.0.0.1:<port>`: where the stand-in registers networks and peerings. */
    readonly adminUrl: string;
    /** Every Compute API call received, in order; and admin events. */
    readonly calls: ComputeCall[];
    readonly events: string[];
    networks(): Record<string, Network>;
    close(): Promise<void>;
}

const NETWORK_PATH = /^\/compute\/v1\/projects\/([^/]+)\/global\/networks\/([^/]+)(\/removePeering)?$/;
const AGGREGATED_NEGS = /^\/compute\/v1\/projects\/[^/]+\/aggregated\/networkEndpointGroups$/;
const OPERATION_PATH = /^\/compute\/v1\/projects\/([^/]+)\/global\/operations\/([^/]+)$/;

function json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<Record<string, unknown>> {
    return new Promise((resolve) => {
        let data = "";
        req.on("data", (c) => (data += c));
        req.on("end", () => resolve(data ? JSON.parse(data) : {}));
    });
}

function computeApi(nets: Map<string, Network>, calls: ComputeCall[]): http.RequestListener {
    return async (req, res) => {
        const url = new URL(req.url ?? "/", "https://compute.googleapis.com");
        const reply = (status: number, body: unknown) => {
            calls.push({ method: req.method ?? "", path: url.pathname, status });
            json(res, status, body);
        };
        const m = NETWORK_PATH.exec(url.pathname);
        const op = OPERATION_PATH.exec(url.pathname);
        if (!/^Bearer .+/.test(req.headers.authorization ?? "")) {
            return reply(401, { error: { code: 401, message: "Request is missing required authentication credential." } });
        }
        if (m) {
            const key = `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`;
            const network = nets.get(key);
            if (!network) {
                return reply(404, { error: { code: 404, message: `The resource 'projects/${m[1]}/global/networks/${m[2]}' was not found` } });
            }
            if (req.method === "GET" && !m[3]) {
                return reply(200, { kind: "compute#network", name: m[2], peerings: network.peerings.map((name) => ({ name, state: "ACTIVE" })) });
            }
            if (req.method === "POST" && m[3]) {
                const body = await readBody(req);
                network.peerings = network.peerings.filter((p) => p !== body.name);
                return reply(200, { kind: "compute#operation", name: `operation-remove-peering-${Date.now()}`, status: "RUNNING" });
            }
        }
        if (req.method === "GET" && AGGREGATED_NEGS.test(url.pathname)) {
            // NegCleanup lists the zonal NEGs GKE made for Services; the rehearsal's cluster makes none.
            return reply(200, { kind: "compute#networkEndpointGroupAggregatedList", items: {} });
        }
        if (op && req.method === "GET") {
            return reply(200, { kind: "compute#operation", name: op[2], status: "DONE" });
        }
        return reply(404, { error: { code: 404, message: `not served by the rehearsal's fake Compute API: ${req.method} ${url.pathname}` } });
    };
}

function adminApi(nets: Map<string, Network>, events: string[]): http.RequestListener {
    return async (req, res) => {
        const body = await readBody(req);
        const name = (v: unknown) => String(v).split("/").pop() ?? "";
        if (req.url === "/network") {
            nets.set(`${body.project}/${body.name}`, { peerings: [] });
            events.push(`network ${body.project}/${body.name} created`);
            return json(res, 200, {});
        }
        if (req.url === "/peering") {
            // `network` is the connection's network: an id `projects/<p>/global/networks/<n>` or a self link.
            const [, project, net] = /projects\/([^/]+)\/global\/networks\/([^/]+)/.exec(String(body.network)) ?? [];
            const n = nets.get(`${project}/${net}`);
            if (!n) {
                return json(res, 404, { error: `no network ${body.network}` });
            }
            n.peerings.push(String(body.name));
            events.push(`peering ${body.name} added to ${project}/${net}`);
            return json(res, 200, {});
        }
        if (req.url === "/delete-network") {
            const key = `${body.project}/${name(body.name)}`;
            const n = nets.get(key);
            if (n && n.peerings.length > 0) {
                events.push(`network ${key} delete refused: peerings ${n.peerings.join(",")}`);
                return json(res, 400, { error: `resourceInUseByAnotherResource: network ${key} still has peerings ${n.peerings.join(", ")}` });
            }
            nets.delete(key);
            events.push(`network ${key} deleted`);
            return json(res, 200, {});
        }
        json(res, 404, {});
    };
}

function listen(server: net.Server): Promise<number> {
    return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/** Starts the proxy (CONNECT to compute.googleapis.com:443 only) and the control port. */
export async function startFakeCompute(cert: string, key: string): Promise<FakeCompute> {
    const nets = new Map<string, Network>();
    const calls: ComputeCall[] = [];
    const events: string[] = [];
    const api = http.createServer(computeApi(nets, calls));
    const secure = { cert: fs.readFileSync(cert), key: fs.readFileSync(key) };
    const proxy = http.createServer((_req, res) => json(res, 405, { error: "only CONNECT compute.googleapis.com:443" }));
    proxy.on("connect", (req: http.IncomingMessage, socket: net.Socket) => {
        if (req.url !== "compute.googleapis.com:443") {
            events.push(`refused CONNECT ${req.url}`);
            socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
            return;
        }
        socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        const tlsSocket = new tls.TLSSocket(socket, { isServer: true, ...secure });
        api.emit("connection", tlsSocket);
    });
    const admin = http.createServer(adminApi(nets, events));
    const [proxyPort, adminPort] = [await listen(proxy), await listen(admin)];
    return {
        proxyUrl: `http://127.0.0.1:${proxyPort}`,
        adminUrl: `http://127.0.0.1:${adminPort}`,
        calls,
        events,
        networks: () => Object.fromEntries(nets),
        close: async () => {
            api.closeAllConnections();
            for (const s of [proxy, admin]) {
                s.closeAllConnections();
                await new Promise((r) => s.close(() => r(undefined)));
            }
        },
    };
}
