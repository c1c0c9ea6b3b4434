/**
 * Provider-computed fields for the mocks, with realistic shapes: what a real `pulumi up` would
 * return for the outputs our program reads (endpoints, CA, private IPs, emails, URIs).
 */
import { createHash } from "crypto";
import { unknown } from "@pulumi/pulumi/output";
import type { MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime/mocks";
import { plannedGcpState } from "./plannedState";

/** Context the mocks need beyond a resource's own inputs. */
export interface MockContext {
    readonly project: string;
    readonly region: string;
    /** First three octets of the Private Service Access range, for Cloud SQL's private IP. */
    readonly privateServicePrefix: string;
    /** The backend's stack-reference rules (RenderOptions.backend). */
    readonly backend?: "diy-legacy";
}

function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** A deterministic stand-in for a generated password with the requested length. */
function mockPassword(seed: string, length: number): string {
    const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_";
    const bytes = createHash("sha512").update(seed).digest();
    return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join("");
}

/** A GKE cluster: its IP and DNS endpoints and CA, as the API computes them. */
function clusterState(inputs: Record<string, any>, name: string, project: string): MockResourceResult {
    const location: string = inputs.location;
    const dnsEndpoint = `gke-${digest(name, 32)}-${digest(project, 6)}.${location}.gke.goog`;
    return {
        id: `projects/${project}/locations/${location}/clusters/${name}`,
        state: {
            ...inputs,
            name,
            endpoint: "203.0.113.17",
            masterAuth: {
                ...(inputs.masterAuth ?? {}),
                clusterCaCertificate: Buffer.from(`-----BEGIN CERTIFICATE-----\nmock CA of ${name}\n-----END CERTIFICATE-----\n`).toString("base64"),
            },
            controlPlaneEndpointsConfig: {
                ...(inputs.controlPlaneEndpointsConfig ?? {}),
                dnsEndpointConfig: { ...(inputs.controlPlaneEndpointsConfig?.dnsEndpointConfig ?? {}), endpoint: dnsEndpoint },
            },
            selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${name}`,
        },
    };
}

/** A Cloud SQL instance: a private IP from the Private Service Access range, its connection name. */
function sqlInstanceState(args: MockResourceArgs, inputs: Record<string, any>, project: string, ctx: MockContext): MockResourceResult {
    const instanceName = inputs.name ?? `${args.name}-${digest(args.name, 7)}`;
    const privateIp = `${ctx.privateServicePrefix}.3`;
    return {
        id: instanceName,
        state: {
            ...inputs,
            name: instanceName,
            privateIpAddress: privateIp,
            ipAddresses: [{ type: "PRIVATE", ipAddress: privateIp }],
            connectionName: `${project}:${inputs.region ?? ctx.region}:${instanceName}`,
            selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${project}/instances/${instanceName}`,
        },
    };
}

export function mockResourceState(args: MockResourceArgs, ctx: MockContext): MockResourceResult {
    const inputs = args.inputs ?? {};
    const name: string = inputs.name ?? args.name;
    const project: string = inputs.project ?? ctx.project;
    switch (args.type) {
        case "gcp:projects/service:Service":
            return { id: `${project}/${inputs.service}`, state: inputs };
        case "gcp:compute/network:Network":
            return { id: `projects/${project}/global/networks/${name}`, state: { ...inputs, name, selfLink: `https://www.googleapis.com/compute/v1/projects/${project}/global/networks/${name}` } };
        case "gcp:compute/subnetwork:Subnetwork":
            return { id: `projects/${project}/regions/${inputs.region}/subnetworks/${name}`, state: { ...inputs, name } };
        case "gcp:compute/globalAddress:GlobalAddress":
            return {
                id: `projects/${project}/global/addresses/${name}`,
                // External addresses get one from Google (here from TEST-NET-3, RFC 5737).
                state: { ...inputs, name, address: inputs.address ?? (inputs.addressType === "EXTERNAL" ? `203.0.113.${parseInt(digest(name, 2), 16) % 200 + 20}` : undefined) },
            };
        case "gcp:certificatemanager/certificate:Certificate":
            return { id: `projects/${project}/locations/global/certificates/${name}`, state: { ...inputs, name } };
        case "gcp:certificatemanager/certificateMap:CertificateMap":
            return { id: `projects/${project}/locations/global/certificateMaps/${name}`, state: { ...inputs, name } };
        case "gcp:serviceaccount/account:Account": {
            const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
            return {
                id: `projects/${project}/serviceAccounts/${email}`,
                state: { ...inputs, email, name: `projects/${project}/serviceAccounts/${email}`, member: `serviceAccount:${email}`, uniqueId: digest(email, 21).replace(/[a-f]/g, "7") },
            };
        }
        case "gcp:container/cluster:Cluster":
            return clusterState(inputs, name, project);
        case "gcp:container/nodePool:NodePool":
            return { id: `${inputs.location}/${inputs.cluster}/${name}`, state: { ...inputs, name } };
        case "gcp:sql/databaseInstance:DatabaseInstance":
            return sqlInstanceState(args, inputs, project, ctx);
        case "gcp:storage/bucket:Bucket":
            return { id: name, state: { ...inputs, name, url: `gs://${name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${name}` } };
        case "gcp:artifactregistry/repository:Repository": {
            const location = inputs.location ?? ctx.region;
            return {
                id: `projects/${project}/locations/${location}/repositories/${inputs.repositoryId}`,
                state: { ...inputs, project, location, name: inputs.repositoryId, registryUri: `${location}-docker.pkg.dev/${project}/${inputs.repositoryId}` },
            };
        }
        case "pulumi:pulumi:StackReference": {
            const invalid = /[^A-Za-z0-9_.-]/.exec(inputs.name);
            if (ctx.backend === "diy-legacy" && invalid) {
                // tokens.ParseStackName's error, as the legacy-layout DIY backend returns it.
                throw new Error(`a stack name may only contain alphanumeric, hyphens, underscores, or periods: invalid character '${invalid[0]}' at position ${invalid.index}`);
            }
            return { id: inputs.name, state: { name: inputs.name, outputs: {}, secretOutputNames: [] } };
        }
        case "random:index/randomPassword:RandomPassword":
            return { id: "none", state: { ...inputs, result: mockPassword(args.name, inputs.length ?? 16) } };
        case "random:index/randomId:RandomId": {
            // The provider's encodings of byteLength random bytes (base64 without/with padding, hex).
            const bytes = Buffer.from(digest(args.name, (inputs.byteLength ?? 8) * 2), "hex");
            return { id: bytes.toString("base64url"), state: { ...inputs, b64Url: bytes.toString("base64url"), b64Std: bytes.toString("base64"), hex: bytes.toString("hex") } };
        }
        default:
            break;
    }
    if (args.type.startsWith("kubernetes:")) {
        const metadata = { ...(inputs.metadata ?? {}) };
        metadata.name ??= `${args.name}-${digest(args.name, 8)}`;
        return { id: metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name, state: { ...inputs, metadata } };
    }
    return { id: `${args.name}-id`, state: { ...inputs, name } };
}

/** Types whose `name` output is computed by the API rather than auto-named by Pulumi at check time. */
const COMPUTED_NAME = new Set(["gcp:serviceaccount/account:Account", "gcp:artifactregistry/repository:Repository"]);

/**
 * State during the first `pulumi preview`, before anything exists: the inputs, the names Pulumi
 * generates at check time (auto-names are known in a preview), and every provider-computed field
 * unknown. For @pulumi/gcp resources that is every computed attribute the program leaves out, at
 * any depth, as the provider plans it (./plannedState.ts); for other types, the fields our mocks
 * compute. The ID is unknown too (an empty ID is the engine's "unknown" during a preview).
 */
export function mockPreviewState(args: MockResourceArgs, ctx: MockContext): MockResourceResult {
    if (args.type === "pulumi:pulumi:StackReference") {
        // The engine reads stack references during previews too: their outputs are known.
        return mockResourceState(args, ctx);
    }
    const inputs = args.inputs ?? {};
    const after = mockResourceState(args, ctx).state as Record<string, unknown>;
    const autoName = "name" in after && !("name" in inputs) && !COMPUTED_NAME.has(args.type);
    const state: Record<string, unknown> = plannedGcpState(args.type, inputs, unknown, new Set(autoName ? ["name"] : [])) ?? { ...inputs };
    for (const key of Object.keys(after)) {
        if (!(key in inputs) && !(key in state)) {
            state[key] = unknown;
        }
    }
    if (autoName) {
        state.name = after.name;
    }
    if (args.type.startsWith("kubernetes:") && after.metadata) {
        state.metadata = after.metadata; // pulumi-kubernetes auto-names metadata.name at check time
    }
    return { id: "", state };
}
