/**
 * The HTTPS endpoint's path layout: the Gateway's routes (components/kubernetes/specs/endpointRoutes.ts)
 * serve these prefixes and the Metaflow profile (metaflowConfig.ts) points the client at them.
 */

/** Path prefixes of the endpoint. */
export const ENDPOINT_PATHS = { ui: "/", metadata: "/metadata", argo: "/argo", events: "/events" } as const;

/** `https://<hostname>` plus a path prefix, without a trailing slash except for the root. */
export function endpointUrl(hostname: string, pathPrefix: string): string {
    return pathPrefix === "/" ? `https://${hostname}/` : `https://${hostname}${pathPrefix}`;
}
