/**
 * Nothing reaches the internet except through Identity-Aware Proxy: external Gateways route only
 * to Services whose GCPBackendPolicy turns IAP on; external Ingresses and LoadBalancer Services
 * are refused outright (the platform's one way in is the IAP-protected Gateway).
 *
 * A stack policy sees planned state, and on a first preview a Service's type, annotations or
 * namespace can be unknown (built from another resource's outputs). Reading one would make the
 * engine skip the whole policy ("can't run during preview"), so every value is peeked at, and
 * whatever could open a way in but is not known yet is refused: an unknown Service type may be
 * LoadBalancer, an unknown annotation may leave it external, an unknown class may be external.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe, peek, UNKNOWN } from "./helpers";

const TYPES = {
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    gateways: ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway"],
    routes: ["kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "kubernetes:gateway.networking.k8s.io/v1beta1:HTTPRoute"],
    backendPolicy: "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
} as const;

/**
 * GKE GatewayClasses that provision internet-facing load balancers (GKE docs, "GatewayClass
 * capabilities"); the internal ones (gke-l7-rilb, gke-l7-cross-regional-internal-managed-mc) are not.
 */
export const EXTERNAL_GATEWAY_CLASSES = [
    "gke-l7-global-external-managed",
    "gke-l7-global-external-managed-mc",
    "gke-l7-regional-external-managed",
    "gke-l7-regional-external-managed-mc",
    "gke-l7-gxlb",
    "gke-l7-gxlb-mc",
];

/** GKE's annotation that keeps a LoadBalancer Service on an internal address. */
const INTERNAL_LB_ANNOTATION = "networking.gke.io/load-balancer-type";

/** A value at `path` of a resource's planned state, or UNKNOWN when it (or a parent) is not known yet. */
function at(r: PolicyResource, ...path: string[]): any {
    return peek(() => path.reduce<any>((value, key) => (value === undefined || value === null ? undefined : value[key]), r.props));
}

/** The indices of a (possibly proxied) array without reading its items, which may be unknown. */
function indices(value: unknown): number[] {
    return Array.isArray(value) ? Object.keys(value).map(Number) : [];
}

/** A namespace, where an unknown one is kept as such. */
function namespaceOf(r: PolicyResource): string | typeof UNKNOWN {
    const namespace = at(r, "metadata", "namespace");
    return namespace === UNKNOWN ? UNKNOWN : (namespace ?? "default");
}

/** Why a Service opens a way in outside IAP, or undefined when it does not. */
function serviceExposure(r: PolicyResource): string | undefined {
    const type = at(r, "spec", "type");
    if (type === UNKNOWN) {
        return `${describe(r)} has a type not known before the update runs: it could be LoadBalancer or NodePort. Set spec.type from known values (ClusterIP behind the IAP endpoint).`;
    }
    if (type === "NodePort") {
        // A NodePort opens the port on every node's address; nodes are private, but the port is
        // reachable from anything in the VPC (and from the internet if a node ever gets a public IP).
        return `${describe(r)} is a NodePort Service: it opens a port on every node, outside IAP; use ClusterIP behind the IAP endpoint.`;
    }
    if (type !== "LoadBalancer") {
        return undefined;
    }
    const loadBalancerType = at(r, "metadata", "annotations", INTERNAL_LB_ANNOTATION);
    if (loadBalancerType === UNKNOWN) {
        return `${describe(r)} is a LoadBalancer Service whose ${INTERNAL_LB_ANNOTATION} annotation is not known before the update runs: it may be reachable from the internet without IAP.`;
    }
    return loadBalancerType === "Internal" ? undefined : `${describe(r)} is a LoadBalancer Service reachable from the internet without IAP; use ClusterIP behind the IAP endpoint.`;
}

/** Why an Ingress is external, or undefined for an internal one. */
function ingressExposure(r: PolicyResource): string | undefined {
    const className = at(r, "spec", "ingressClassName");
    const annotation = at(r, "metadata", "annotations", "kubernetes.io/ingress.class");
    const ingressClass = className === UNKNOWN || (className === undefined && annotation === UNKNOWN) ? UNKNOWN : (className ?? annotation);
    if (ingressClass === "gce-internal") {
        return undefined;
    }
    return ingressClass === UNKNOWN
        ? `${describe(r)} has an ingress class not known before the update runs: it may be external; expose services only through the IAP-protected Gateway (endpoint config).`
        : `${describe(r)} is an external Ingress; expose services only through the IAP-protected Gateway (endpoint config).`;
}

/** `namespace/name` of every Service a GCPBackendPolicy with IAP on targets (known values only). */
function iapServices(resources: PolicyResource[]): Set<string> {
    const found = new Set<string>();
    for (const r of resources.filter((x) => x.type === TYPES.backendPolicy)) {
        const namespace = namespaceOf(r);
        const group = at(r, "spec", "targetRef", "group");
        const name = at(r, "spec", "targetRef", "name");
        if (at(r, "spec", "default", "iap", "enabled") === true && (group ?? "") === "" && at(r, "spec", "targetRef", "kind") === "Service" && namespace !== UNKNOWN && typeof name === "string") {
            found.add(`${namespace}/${name}`);
        }
    }
    return found;
}

/** Routes of an external (or possibly external) Gateway that send traffic to a Service without IAP. */
function gatewayExposure(resources: PolicyResource[], report: (message: string, urn: string) => void): void {
    const protectedServices = iapServices(resources);
    const gateways = resources.filter((x) => (TYPES.gateways as readonly string[]).includes(x.type));
    for (const gateway of gateways) {
        const gatewayClass = at(gateway, "spec", "gatewayClassName");
        if (gatewayClass !== UNKNOWN && !EXTERNAL_GATEWAY_CLASSES.includes(gatewayClass)) {
            continue;
        }
        const gatewayName = at(gateway, "metadata", "name");
        const gatewayNamespace = namespaceOf(gateway);
        for (const route of resources.filter((x) => (TYPES.routes as readonly string[]).includes(x.type))) {
            const parents = at(route, "spec", "parentRefs");
            const attached =
                parents === UNKNOWN ||
                indices(parents).some((i) => {
                    const name = at(route, "spec", "parentRefs", String(i), "name");
                    const namespace = at(route, "spec", "parentRefs", String(i), "namespace") ?? namespaceOf(route);
                    const sameName = name === UNKNOWN || gatewayName === UNKNOWN || name === gatewayName;
                    return sameName && (namespace === UNKNOWN || gatewayNamespace === UNKNOWN || namespace === gatewayNamespace);
                });
            if (attached) {
                routeExposure(route, gatewayName, protectedServices, report);
            }
        }
    }
}

function routeExposure(route: PolicyResource, gatewayName: unknown, protectedServices: Set<string>, report: (message: string, urn: string) => void): void {
    const gateway = gatewayName === UNKNOWN ? "(name not known yet)" : `"${gatewayName}"`;
    const rules = at(route, "spec", "rules");
    if (rules === UNKNOWN) {
        report(`${describe(route)} attaches to external Gateway ${gateway} with rules not known before the update runs: they may send traffic to a Service without IAP.`, route.urn);
        return;
    }
    for (const i of indices(rules)) {
        const refs = at(route, "spec", "rules", String(i), "backendRefs");
        if (refs === UNKNOWN) {
            report(`${describe(route)} sends traffic from external Gateway ${gateway} to backends not known before the update runs: they may have no GCPBackendPolicy with iap.enabled.`, route.urn);
            continue;
        }
        for (const j of indices(refs)) {
            const field = (key: string) => at(route, "spec", "rules", String(i), "backendRefs", String(j), key);
            const kind = field("kind") ?? "Service";
            const name = field("name");
            const namespace = field("namespace") ?? namespaceOf(route);
            if (kind !== UNKNOWN && kind !== "Service") {
                continue;
            }
            if (kind === UNKNOWN || name === UNKNOWN || namespace === UNKNOWN) {
                report(`${describe(route)} sends traffic from external Gateway ${gateway} to a backend not known before the update runs: it may have no GCPBackendPolicy with iap.enabled.`, route.urn);
            } else if (!protectedServices.has(`${namespace}/${name}`)) {
                report(`${describe(route)} sends traffic from external Gateway ${gateway} to Service ${namespace}/${name}, which has no GCPBackendPolicy with iap.enabled: it would be public.`, route.urn);
            }
        }
    }
}

export const exposureBehindIap: StackValidationPolicy = {
    name: "external-exposure-behind-iap",
    description: "External Gateways route only to Services with IAP on (GCPBackendPolicy); no external Ingress, no external LoadBalancer or NodePort Service; what is not known before the update runs counts as external.",
    validateStack: (args, report) => {
        for (const r of args.resources) {
            const found = r.type === TYPES.service ? serviceExposure(r) : r.type === TYPES.ingress ? ingressExposure(r) : undefined;
            if (found) {
                report(found, r.urn);
            }
        }
        gatewayExposure(args.resources, report);
    },
};

export const exposurePolicies = [exposureBehindIap];
