/**
 * How the API server reaches in-cluster Services it calls itself (admission webhooks, aggregated
 * APIs) when their servers are processes on this machine: kube-apiserver dials a Service at its
 * cluster IP (its service resolver; its errors name `<service>.<namespace>.svc:<port>`) through
 * the proxy its environment names (HTTPS_PROXY), as Go's net/http does. This loopback CONNECT
 * proxy is that proxy: it tunnels each routed address to the local port of the process serving
 * it and refuses everything else, so no call the API server makes leaves the machine. TLS stays
 * end to end: the API server checks the serving certificate against the caBundle the controller
 * wrote, as on a cluster.
 */
import * as fs from "fs";
import * as http from "http";
import * as net from "net";

export interface ServiceProxy {
    /** `http://127.0.0.1:<port>`: the API server's HTTPS_PROXY. */
    readonly url: string;
    /** Tunnels `host:port` (e.g. `kueue-webhook-service.kueue-system.svc:443`) to 127.0.0.1:`localPort`. */
    route(hostPort: string, localPort: number): void;
    close(): Promise<void>;
}

/** `log`: one line per CONNECT (where to, and what came of it). */
export async function startServiceProxy(log: string): Promise<ServiceProxy> {
    const note = (line: string) => fs.appendFileSync(log, `${new Date().toISOString()} ${line}\n`);
    const routes = new Map<string, number>();
    // Tunnelled sockets leave the HTTP server's bookkeeping: close() must end them itself.
    const sockets = new Set<net.Socket>();
    const track = (socket: net.Socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
    };
    const server = http.createServer((_req, res) => {
        res.writeHead(405).end("CONNECT only");
    });
    server.on("connect", (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        const target = routes.get(req.url ?? "");
        if (target === undefined) {
            note(`CONNECT ${req.url}: no route, 502`);
            socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
            return;
        }
        track(socket);
        const upstream = net.connect(target, "127.0.0.1", () => {
            note(`CONNECT ${req.url}: tunnelled to 127.0.0.1:${target}`);
            socket.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            upstream.write(head);
            upstream.pipe(socket);
            socket.pipe(upstream);
        });
        track(upstream);
        const end = () => {
            upstream.destroy();
            socket.destroy();
        };
        upstream.on("error", (err) => {
            note(`CONNECT ${req.url}: 127.0.0.1:${target} ${err.message}, 502`);
            socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
        });
        socket.on("error", end);
    });
    const port = await new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
    return {
        url: `http://127.0.0.1:${port}`,
        route: (hostPort, localPort) => void routes.set(hostPort, localPort),
        close: async () => {
            sockets.forEach((socket) => socket.destroy());
            server.closeAllConnections();
            await new Promise((r) => server.close(() => r(undefined)));
        },
    };
}
