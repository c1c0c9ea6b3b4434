/**
 * Waits, when the environment is destroyed, until the network endpoint groups (NEGs) GKE made
 * for the Gateway's Services are gone, and deletes any GKE left behind, so the subnet and the
 * network can be deleted in the same `pulumi destroy`.
 *
 * Why: GKE's NEG controller creates zonal NEGs named `k8s1-<cluster>-<namespace>-<service>-<port>-
 * <hash>` out of band (kubernetes/ingress-gce pkg/utils/namer/namer.go `NEG`, `negPrefix`:
 * prefix `k8s` + naming version `1`) and deletes them asynchronously once their Service is gone.
 * Pulumi deletes the Kubernetes objects and then, at once, the cluster; NEGs the controller has
 * not yet removed outlive it ("resources it created such as IPs/NEGs/LBs ... may not be
 * deleted", terraform-provider-google #7637), and the subnet's delete then fails with
 * resourceInUseByAnotherResource. The Google provider does not retry that error: its retry
 * predicates (terraform-provider-google v7.45.0 google/transport/error_retry_predicates.go
 * `defaultErrorRetryPredicates`) cover `resourceNotReady` on subnetworks and networks, not a
 * resource in use, so a longer delete timeout would not help.
 *
 * So this resource sits between the Kubernetes provider (every Kubernetes object depends on it)
 * and the cluster: destroy runs Kubernetes objects -> this -> cluster -> subnet -> network. Its
 * delete waits while the controller, still running, removes the NEGs; whatever is left after
 * that is deleted here (retried while a load balancer backend still holds it). It calls Google
 * with the Google provider's identity (googleIdentity.ts). Self-contained functions: Pulumi
 * serializes them into the state.
 */
import * as pulumi from "@pulumi/pulumi";
import { configuredIdentity, identityAndClient, sleep, type GoogleIdentity } from "./googleIdentity";
import type { ComputeRequester, Sleep, WithCode } from "./peeringRemoval";

/** Where to look: the environment's VPC. */
export interface NegScope {
    readonly project: string;
    /** Network name (not its self link). */
    readonly network: string;
}

/** How long to wait for GKE, then for load balancers to let go of what is left. */
export interface NegCleanupTimings {
    readonly waitForGkeMs: number;
    readonly deleteWithinMs: number;
    readonly pollMs: number;
}

export const NEG_CLEANUP_TIMINGS: NegCleanupTimings = { waitForGkeMs: 10 * 60_000, deleteWithinMs: 10 * 60_000, pollMs: 15_000 };

/** The parts of Compute Engine's NetworkEndpointGroup and Operation resources that are read. */
interface GceNeg {
    readonly name: string;
    readonly network?: string;
    readonly selfLink: string;
}
interface GceOperation {
    readonly status: string;
    readonly selfLink?: string;
    readonly error?: unknown;
}

/**
 * GKE-made NEGs (`k8s1-` names) on the scope's network, in every zone and region
 * (`networkEndpointGroups.aggregatedList`, all pages).
 */
export async function gkeNegsOn(client: ComputeRequester, scope: NegScope, computeEndpoint = "https://compute.googleapis.com/compute/v1/"): Promise<GceNeg[]> {
    const base = `${computeEndpoint.replace(/\/?$/, "/")}projects/${encodeURIComponent(scope.project)}`;
    const networkSuffix = `/projects/${scope.project}/global/networks/${scope.network}`;
    const found: GceNeg[] = [];
    let pageToken: string | undefined;
    do {
        const url = `${base}/aggregated/networkEndpointGroups?maxResults=500${pageToken ? `&pageToken=${encodeURIComponent(pageToken)}` : ""}`;
        const page = (await client.request({ url, method: "GET" })).data as { items?: Record<string, { networkEndpointGroups?: GceNeg[] }>; nextPageToken?: string };
        for (const scoped of Object.values(page.items ?? {})) {
            for (const neg of scoped.networkEndpointGroups ?? []) {
                if (neg.name.startsWith("k8s1-") && (neg.network ?? "").endsWith(networkSuffix)) {
                    found.push(neg);
                }
            }
        }
        pageToken = page.nextPageToken;
    } while (pageToken);
    return found;
}

/**
 * Waits until no GKE-made NEG is left on the network; after `waitForGkeMs`, deletes those left,
 * retrying while something still uses them, for `deleteWithinMs`. Returns the NEGs it deleted.
 */
export async function removeLeftoverNegs(
    client: ComputeRequester,
    scope: NegScope,
    sleep: Sleep,
    computeEndpoint = "https://compute.googleapis.com/compute/v1/",
    timings: NegCleanupTimings = NEG_CLEANUP_TIMINGS,
): Promise<string[]> {
    const started = Date.now();
    let left = await gkeNegsOn(client, scope, computeEndpoint);
    while (left.length > 0 && Date.now() - started < timings.waitForGkeMs) {
        await sleep(timings.pollMs);
        left = await gkeNegsOn(client, scope, computeEndpoint);
    }
    const status = (err: unknown): number => {
        const e = err as { response?: { status?: number }; status?: number; code?: number | string } | undefined;
        return Number(e?.response?.status ?? e?.status ?? e?.code ?? 0);
    };
    const detail = (err: unknown): string => {
        const e = err as { response?: { data?: { error?: unknown } }; message?: string } | undefined;
        return JSON.stringify(e?.response?.data?.error ?? e?.message ?? String(err));
    };
    const deleted: string[] = [];
    const deadline = Date.now() + timings.deleteWithinMs;
    for (const neg of left) {
        for (;;) {
            try {
                let operation = (await client.request({ url: neg.selfLink, method: "DELETE" })).data as GceOperation;
                while (operation.status !== "DONE" && operation.selfLink) {
                    await sleep(3_000);
                    operation = (await client.request({ url: operation.selfLink, method: "GET" })).data as GceOperation;
                }
                if (operation.error) {
                    throw Object.assign(new Error(JSON.stringify(operation.error)), { status: 400 });
                }
                deleted.push(neg.name);
                break;
            } catch (err) {
                if (status(err) === 404) {
                    break;
                }
                if (status(err) === 400 && /in ?use|resourceInUseByAnotherResource|being used/i.test(detail(err)) && Date.now() < deadline) {
                    await sleep(timings.pollMs);
                    continue;
                }
                throw new Error(
                    `deleting network endpoint group ${neg.name} (made by GKE for the Gateway, left after the cluster's Services) failed: ${detail(err)}. ` +
                        "A load balancer backend service may still use it: delete that backend service (gcloud compute backend-services list), then run pulumi destroy again.",
                );
            }
        }
    }
    return deleted;
}

/** The identity found when the host configured the provider (memory only; never in the state). */
const session: { identity?: GoogleIdentity } = {};

/** Same pattern as PeeringRemoval: a code change is an update, so destroy runs the current code. */
const negCleanupProvider: pulumi.dynamic.ResourceProvider = {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
        session.identity = configuredIdentity(req.config);
    },
    async create(inputs: NegScope) {
        return { id: `${inputs.project}/${inputs.network}/gke-negs`, outs: { project: inputs.project, network: inputs.network } };
    },
    async diff(_id: string, olds: WithCode<NegScope>, news: WithCode<NegScope>) {
        const changed = (["project", "network"] as const).filter((k) => olds[k] !== news[k]);
        return { changes: changed.length > 0 || olds.__provider !== news.__provider };
    },
    async update(_id: string, _olds: NegScope, news: NegScope) {
        return { outs: { project: news.project, network: news.network } };
    },
    async delete(_id: string, props: NegScope) {
        const { identity, client } = await identityAndClient(session.identity);
        await removeLeftoverNegs(client as ComputeRequester, props, sleep, identity.computeEndpoint);
    },
};

export interface NegCleanupArgs {
    /** Project of the VPC. */
    readonly project: pulumi.Input<string>;
    /** Name of the cluster's VPC. */
    readonly network: pulumi.Input<string>;
}

/**
 * Creating it does nothing; deleting it waits for, then removes, GKE-made NEGs on the network
 * (see the module comment). Depend on the cluster, and make the Kubernetes provider depend on it.
 */
export class NegCleanup extends pulumi.dynamic.Resource {
    constructor(name: string, args: NegCleanupArgs, opts?: pulumi.CustomResourceOptions) {
        super(negCleanupProvider, name, { project: args.project, network: args.network }, opts, "metaflow", "NegCleanup");
    }
}
