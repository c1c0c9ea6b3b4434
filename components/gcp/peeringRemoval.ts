/**
 * Removes the VPC peering that a Private Service Access connection leaves on the network, when
 * the environment is destroyed, so `pulumi destroy` finishes with no manual step.
 *
 * Why a resource of our own: `servicenetworking.Connection` cannot be deleted while Cloud SQL
 * still holds producer resources, which it keeps for days after an instance is deleted ("Failed
 * to delete connection; Producer services ... are still using this connection",
 * terraform-provider-google #16275, #18834). `deletionPolicy: "ABANDON"` only drops the
 * connection from state and leaves the peering `servicenetworking-googleapis-com` on the VPC,
 * which then cannot be deleted. The provider's fix, a `REMOVE_PEERING` deletion policy
 * (GoogleCloudPlatform/magic-modules #18476), is in no @pulumi/gcp release yet: 9.37.0, the
 * newest, documents only DELETE, ABANDON and PREVENT
 * (node_modules/@pulumi/gcp/servicenetworking/connection.d.ts).
 *
 * So the connection is abandoned and this resource, ordered between it and the Cloud SQL
 * instance, calls the Compute API's `networks.removePeering` on delete: destroy then runs
 * instance -> this -> connection (abandoned) -> range -> network. It calls Google as the Google
 * provider does, with the same identity and Compute endpoint (googleIdentity.ts), from the
 * stack config Pulumi hands it in `configure` and the environment.
 */
import * as pulumi from "@pulumi/pulumi";
import { configuredIdentity, identityAndClient, sleep, type GoogleIdentity } from "./googleIdentity";

/** Name Google gives the consumer-side peering of every servicenetworking connection. */
export const PSA_PEERING_NAME = "servicenetworking-googleapis-com";

/** What the removal needs to find the peering. */
export interface PeeringRef {
    readonly project: string;
    /** Network name (not its self link). */
    readonly network: string;
    readonly peering: string;
}

/** The HTTP surface used (google-auth-library's client `request`); tests pass a fake. */
export interface ComputeRequester {
    request(options: { url: string; method: "GET" | "POST" | "DELETE"; data?: unknown }): Promise<{ data: unknown }>;
}

/** The parts of Compute Engine's Network and Operation resources that are read. */
interface GceNetwork {
    readonly peerings?: ReadonlyArray<{ readonly name: string }>;
}
interface GceOperation {
    readonly name: string;
    readonly status: string;
    readonly error?: unknown;
}
/** How gaxios reports HTTP errors. */
interface HttpError {
    readonly status?: number;
    readonly code?: number | string;
    readonly message?: string;
    readonly response?: { readonly status?: number; readonly data?: { readonly error?: unknown } };
}

/** Waits between polls and retries; tests pass one that does not wait. */
export type Sleep = (ms: number) => Promise<void>;

/**
 * Removes `ref.peering` from `ref.network` if it is still there and waits until Compute Engine
 * has done it. A network or peering that is already gone counts as done, so a retried destroy
 * succeeds. A peering operation already running on the network (Google allows one at a time)
 * is retried. Self-contained (no imports) because Pulumi serializes it into the state.
 */
export async function removePeeringIfPresent(
    client: ComputeRequester,
    ref: PeeringRef,
    sleep: Sleep,
    computeEndpoint = "https://compute.googleapis.com/compute/v1/",
): Promise<"removed" | "absent"> {
    const base = `${computeEndpoint.replace(/\/?$/, "/")}projects/${encodeURIComponent(ref.project)}/global`;
    const networkUrl = `${base}/networks/${encodeURIComponent(ref.network)}`;
    const status = (err: unknown): number => {
        const e = err as HttpError | undefined;
        return Number(e?.response?.status ?? e?.status ?? e?.code ?? 0);
    };
    const detail = (err: unknown): string => {
        const e = err as HttpError | undefined;
        return JSON.stringify(e?.response?.data?.error ?? e?.message ?? String(err));
    };
    for (let attempt = 1; ; attempt++) {
        let network: GceNetwork;
        try {
            network = (await client.request({ url: networkUrl, method: "GET" })).data as GceNetwork;
        } catch (err) {
            if (status(err) === 404) {
                return "absent";
            }
            throw err;
        }
        if (!(network.peerings ?? []).some((p) => p.name === ref.peering)) {
            return "absent";
        }
        let operation: GceOperation;
        try {
            operation = (await client.request({ url: `${networkUrl}/removePeering`, method: "POST", data: { name: ref.peering } })).data as GceOperation;
        } catch (err) {
            const busy = [400, 409, 429, 503].includes(status(err)) && /in progress|not ready|try again|rate/i.test(detail(err));
            if (busy && attempt < 10) {
                await sleep(15_000);
                continue;
            }
            throw new Error(`removing peering ${ref.peering} from network ${ref.network} in ${ref.project} failed: ${detail(err)}`);
        }
        const deadline = Date.now() + 10 * 60_000;
        while (operation.status !== "DONE") {
            if (Date.now() > deadline) {
                throw new Error(`removing peering ${ref.peering} from ${ref.network}: operation ${operation.name} still ${operation.status} after 10 minutes`);
            }
            await sleep(3_000);
            operation = (await client.request({ url: `${base}/operations/${encodeURIComponent(operation.name)}`, method: "GET" })).data as GceOperation;
        }
        if (operation.error) {
            throw new Error(`removing peering ${ref.peering} from network ${ref.network} in ${ref.project} failed: ${JSON.stringify(operation.error)}`);
        }
        return "removed";
    }
}

/**
 * The identity found when the host configured the provider. Held in this closure, never in the
 * resource's inputs or outputs, so no credential reaches the state.
 */
const session: { identity?: GoogleIdentity } = {};

/** A resource's properties with the serialized provider code the host adds (`__provider`). */
/** A dynamic resource's inputs as the host hands them to `diff`: with its serialized code. */
export type WithCode<T> = T & { readonly __provider?: string };

/**
 * The provider's code travels in the resource's outputs, and destroy runs the code found there
 * (@pulumi/pulumi 3.248.0 cmd/dynamic-provider/index.js: create/update store `__provider` in the
 * outputs, delete deserializes it from them). A diff that reports no change keeps the old
 * outputs (pulumi/pulumi v3.248.0 pkg/resource/deploy/step.go SameStep.Apply), code included, so
 * a changed `__provider` is a change, and `update` returns the outputs destroy needs: without it
 * the host would store `__provider` alone.
 */
const peeringRemovalProvider: pulumi.dynamic.ResourceProvider = {
    async configure(req: pulumi.dynamic.ConfigureRequest) {
        session.identity = configuredIdentity(req.config);
    },
    async create(inputs: PeeringRef) {
        // Nothing to create: the connection made the peering. This resource exists for its delete.
        return { id: `${inputs.project}/${inputs.network}/${inputs.peering}`, outs: { project: inputs.project, network: inputs.network, peering: inputs.peering } };
    },
    async diff(_id: string, olds: WithCode<PeeringRef>, news: WithCode<PeeringRef>) {
        const replaces = (["project", "network", "peering"] as const).filter((k) => olds[k] !== news[k]);
        return { changes: replaces.length > 0 || olds.__provider !== news.__provider, replaces, deleteBeforeReplace: true };
    },
    async update(_id: string, _olds: PeeringRef, news: PeeringRef) {
        return { outs: { project: news.project, network: news.network, peering: news.peering } };
    },
    async delete(_id: string, props: PeeringRef) {
        const { identity, client } = await identityAndClient(session.identity);
        await removePeeringIfPresent(client as ComputeRequester, props, sleep, identity.computeEndpoint);
    },
};

export interface PeeringRemovalArgs {
    /** Project of the VPC. */
    readonly project: pulumi.Input<string>;
    /** Name of the VPC that carries the peering. */
    readonly network: pulumi.Input<string>;
    /** Default: `servicenetworking-googleapis-com`. */
    readonly peering?: pulumi.Input<string>;
}

/**
 * Creating it does nothing; deleting it removes the peering from the network (see the module
 * comment). Depend on the servicenetworking connection, and make the producer's resources
 * (the Cloud SQL instance) depend on this.
 */
export class PeeringRemoval extends pulumi.dynamic.Resource {
    constructor(name: string, args: PeeringRemovalArgs, opts?: pulumi.CustomResourceOptions) {
        super(peeringRemovalProvider, name, { project: args.project, network: args.network, peering: args.peering ?? PSA_PEERING_NAME }, opts, "metaflow", "PeeringRemoval");
    }
}
