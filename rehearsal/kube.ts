/**
 * The few Kubernetes API calls the rehearsal makes itself (create nodes, apply CRDs, ask
 * SubjectAccessReviews, read objects), over HTTPS with a bearer token and the local CA: no client
 * library, so what is sent is exactly what is written here.
 */
import * as https from "https";

/** How to reach the local API server as one user. */
export interface KubeAccess {
    /** `https://127.0.0.1:<port>`. */
    readonly server: string;
    readonly token: string;
    /** PEM of the CA that signed the API server's serving certificate. */
    readonly ca: string;
}

export interface KubeResponse {
    readonly status: number;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    readonly body: any;
}

/** One request; the body is JSON unless `contentType` says otherwise. Never throws on HTTP status. */
export function kubeRequest(access: KubeAccess, method: string, path: string, body?: unknown, contentType = "application/json"): Promise<KubeResponse> {
    const url = new URL(path, access.server);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
        const req = https.request(
            url,
            {
                method,
                ca: access.ca,
                headers: {
                    Authorization: `Bearer ${access.token}`,
                    Accept: "application/json",
                    ...(payload === undefined ? {} : { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) }),
                },
                timeout: 30_000,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let parsed: unknown = text;
                    try {
                        parsed = JSON.parse(text);
                    } catch {
                        // plain text (readyz, errors from proxies)
                    }
                    resolve({ status: res.statusCode ?? 0, body: parsed });
                });
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${method} ${url} timed out`)));
        req.on("error", reject);
        if (payload !== undefined) {
            req.write(payload);
        }
        req.end();
    });
}

/** Like kubeRequest, but a status outside 2xx is an error naming the request and the server's message. */
export async function kubeOk(access: KubeAccess, method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse> {
    const res = await kubeRequest(access, method, path, body, contentType);
    if (res.status < 200 || res.status > 299) {
        const message = typeof res.body === "object" && res.body?.message ? res.body.message : JSON.stringify(res.body).slice(0, 500);
        throw new Error(`${method} ${path}: HTTP ${res.status}: ${message}`);
    }
    return res;
}

/** Server-side apply of one object (field manager `rehearsal`). */
export function serverSideApply(access: KubeAccess, collectionPath: string, obj: { metadata: { name: string; [k: string]: unknown }; [k: string]: unknown }): Promise<KubeResponse> {
    return kubeOk(access, "PATCH", `${collectionPath}/${obj.metadata.name}?fieldManager=rehearsal&force=true`, obj, "application/apply-patch+yaml");
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` with `what` and the last reason. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 250): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
        try {
            const v = await probe();
            if (v !== undefined) {
                return v;
            }
        } catch (err) {
            last = String(err);
        }
        if (Date.now() > deadline) {
            throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${last ? ` (last: ${last})` : ""}`);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
    }
}
