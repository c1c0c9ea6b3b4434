import * as YAML from "yaml";

/** Where and how to reach a GKE control plane. */
export interface KubeconfigInput {
    /** Context, cluster and user name. */
    readonly name: string;
    /** `https://<host>`: the DNS endpoint, or the IP endpoint. */
    readonly server: string;
    /** Base64 CA of the IP endpoint; omitted for the DNS endpoint (publicly trusted certificate). */
    readonly caData?: string;
}

/**
 * A kubeconfig that authenticates with `gke-gcloud-auth-plugin` (short-lived tokens from the
 * caller's gcloud credentials): no certificates or static tokens are ever written.
 */
export function buildKubeconfig(input: KubeconfigInput): string {
    const cluster: Record<string, string> = { server: input.server };
    if (input.caData) {
        cluster["certificate-authority-data"] = input.caData;
    }
    return YAML.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: input.name, cluster }],
        contexts: [{ name: input.name, context: { cluster: input.name, user: input.name } }],
        "current-context": input.name,
        users: [
            {
                name: input.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint: "Install it with `gcloud components install gke-gcloud-auth-plugin` (see README, Prerequisites).",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

/**
 * What a laptop needs to reach the cluster (stack output `kubeContext`, read by `npm run
 * profile`). No CA: the DNS endpoint serves a publicly trusted certificate; with
 * `controlPlaneAccess: authorizedNetworks` the IP endpoint's CA comes from the secret `kubeconfig`.
 */
export interface KubeContext {
    /** Context, cluster and user name in the user's kubeconfig: `metaflow-<environment>`. */
    readonly name: string;
    /** `https://<DNS endpoint>` or `https://<IP>`. */
    readonly server: string;
    readonly controlPlaneAccess: "dns" | "authorizedNetworks";
}

/** One context name per environment, so dev and prod sit side by side in one kubeconfig. */
export function kubeContextName(environment: string): string {
    return `metaflow-${environment}`;
}
