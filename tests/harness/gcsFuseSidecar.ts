/**
 * The GCS FUSE CSI driver's webhook, as far as the sidecar's resources go: what it makes of the
 * `gke-gcsfuse/*-request` / `*-limit` Pod annotations (GoogleCloudPlatform/gcs-fuse-csi-driver,
 * HEAD 5fcdc04 of 2026-08-21, `pkg/webhook/config.go`): `populateResource` gives a resource with
 * neither annotation the webhook's defaults, with a limit of "0" and no request the default
 * request, and copies whichever of request and limit is annotated to the other;
 * `prepareResourceList` leaves zero quantities out (no request, no limit). The driver's own table
 * (`pkg/webhook/mutatingwebhook_test.go`, prepareConfig cases) is checked against this model in
 * tests/airflow.test.ts.
 */

/** The webhook's defaults: `cmd/webhook/main.go` flags, and `deploy/base/webhook/deployment.yaml`'s overrides. */
export const FUSE_WEBHOOK_DEFAULTS = {
    mainGo: { cpu: ["250m", "250m"], memory: ["256Mi", "256Mi"], "ephemeral-storage": ["5Gi", "5Gi"] },
    deployManifest: { cpu: ["250m", "0"], memory: ["256Mi", "0"], "ephemeral-storage": ["5Gi", "0"] },
} as const;

export type FuseResource = "cpu" | "memory" | "ephemeral-storage";
type Defaults = Record<FuseResource, readonly [request: string, limit: string]>;

const isZero = (q: string | undefined) => q !== undefined && /^0+(\.0+)?[a-zA-Z]*$/.test(q);

/** One resource's request and limit as injected (undefined: not set on the container). */
export function injectedResource(request: string | undefined, limit: string | undefined, defaults: readonly [string, string]): { request?: string; limit?: string } {
    let [req, lim] = [request, limit];
    if (req === undefined && lim === undefined) {
        [req, lim] = defaults;
    }
    if (isZero(lim) && req === undefined) {
        req = defaults[0];
    }
    req ??= lim;
    lim ??= req;
    return { request: isZero(req) ? undefined : req, limit: isZero(lim) ? undefined : lim };
}

/** The sidecar's `resources` for a Pod's annotations. */
export function injectedSidecar(annotations: Record<string, string>, defaults: Defaults) {
    const requests: Partial<Record<FuseResource, string>> = {};
    const limits: Partial<Record<FuseResource, string>> = {};
    for (const resource of ["cpu", "memory", "ephemeral-storage"] as const) {
        const r = injectedResource(annotations[`gke-gcsfuse/${resource}-request`], annotations[`gke-gcsfuse/${resource}-limit`], defaults[resource]);
        if (r.request !== undefined) {
            requests[resource] = r.request;
        }
        if (r.limit !== undefined) {
            limits[resource] = r.limit;
        }
    }
    return { requests, limits };
}
