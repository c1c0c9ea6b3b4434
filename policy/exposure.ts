/**
 * Nothing reaches the internet except through Identity-Aware Proxy: external Gateways route only
 * to Services whose GCPBackendPolicy turns IAP on; external Ingresses and LoadBalancer Services
 * are refused outright (the platform's one way in is the IAP-protected Gateway).
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { describe } from "./helpers";

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

const namespaceOf = (r: PolicyResource): string => r.props.metadata?.namespace ?? "default";

export const exposureBehindIap: StackValidationPolicy = {
    name: "external-exposure-behind-iap",
    description: "External Gateways route only to Services with IAP on (GCPBackendPolicy); no external Ingress, no external LoadBalancer or NodePort Service.",
    validateStack: (args, report) => {
        const resources = args.resources;
        // A NodePort opens the port on every node's address; nodes are private, but the port is
        // reachable from anything in the VPC (and from the internet if a node ever gets a public IP).
        for (const r of resources.filter((x) => x.type === TYPES.service && x.props.spec?.type === "NodePort")) {
            report(`${describe(r)} is a NodePort Service: it opens a port on every node, outside IAP; use ClusterIP behind the IAP endpoint.`, r.urn);
        }
        for (const r of resources.filter((x) => x.type === TYPES.service && x.props.spec?.type === "LoadBalancer")) {
            if (r.props.metadata?.annotations?.["networking.gke.io/load-balancer-type"] !== "Internal") {
                report(`${describe(r)} is a LoadBalancer Service reachable from the internet without IAP; use ClusterIP behind the IAP endpoint.`, r.urn);
            }
        }
        for (const r of resources.filter((x) => x.type === TYPES.ingress)) {
            const ingressClass = r.props.spec?.ingressClassName ?? r.props.metadata?.annotations?.["kubernetes.io/ingress.class"];
            if (ingressClass !== "gce-internal") {
                report(`${describe(r)} is an external Ingress; expose services only through the IAP-protected Gateway (endpoint config).`, r.urn);
            }
        }
        const iapServices = new Set(
            resources
                .filter((x) => x.type === TYPES.backendPolicy && x.props.spec?.default?.iap?.enabled === true)
                .filter((x) => (x.props.spec?.targetRef?.group ?? "") === "" && x.props.spec?.targetRef?.kind === "Service")
                .map((x) => `${namespaceOf(x)}/${x.props.spec.targetRef.name}`),
        );
        const externalGateways = resources.filter((x) => (TYPES.gateways as readonly string[]).includes(x.type) && EXTERNAL_GATEWAY_CLASSES.includes(x.props.spec?.gatewayClassName));
        for (const gateway of externalGateways) {
            const gatewayName = gateway.props.metadata?.name;
            const routes = resources.filter(
                (x) =>
                    (TYPES.routes as readonly string[]).includes(x.type) &&
                    (x.props.spec?.parentRefs ?? []).some((p: any) => p.name === gatewayName && (p.namespace ?? namespaceOf(x)) === namespaceOf(gateway)),
            );
            for (const route of routes) {
                for (const rule of route.props.spec?.rules ?? []) {
                    for (const ref of rule.backendRefs ?? []) {
                        const target = `${ref.namespace ?? namespaceOf(route)}/${ref.name}`;
                        if ((ref.kind ?? "Service") === "Service" && !iapServices.has(target)) {
                            report(
                                `${describe(route)} sends traffic from external Gateway "${gatewayName}" to Service ${target}, which has no GCPBackendPolicy with iap.enabled: it would be public.`,
                                route.urn,
                            );
                        }
                    }
                }
            }
        }
    },
};

export const exposurePolicies = [exposureBehindIap];
