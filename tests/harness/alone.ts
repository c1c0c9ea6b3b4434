/**
 * Builds components outside the program, as another Pulumi program would: no stack file, no
 * config, only the component's own Args, under the same mocks and recording as a stack render.
 * Returns every resource registered (type, name, inputs, dependencies, options).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Mocks } from "@pulumi/pulumi/runtime/mocks";
import { setMockOptions } from "@pulumi/pulumi/runtime/settings";
import { mockPreviewState, mockResourceState, type MockContext } from "../../offline/mockState";
import { DIY_ORGANIZATION, RecordingMonitor, type RenderedResource } from "../../offline/render";

/** Project the components are built in (never reaches a cloud). */
export const ALONE_PROJECT = "acme-ml";

const CONTEXT: MockContext = { project: ALONE_PROJECT, region: "us-central1", privateServicePrefix: "10.13.0" };

// The runtime's RPC drain is internal; waiting on it means every registration has been seen.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { waitForRPCs } = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs: () => Promise<void> };

/** A failed build: the error, and what had been registered before it. */
export interface AloneFailure {
    readonly error: Error;
    readonly resources: RenderedResource[];
}

async function run(build: () => void, preview: boolean): Promise<{ resources: RenderedResource[]; error?: Error }> {
    const mocks: Mocks = {
        newResource: (args) => (preview ? mockPreviewState(args, CONTEXT) : mockResourceState(args, CONTEXT)),
        // getProject answers with a project number, as the real invoke does (budget filters need it).
        call: (args) => (args.token === "gcp:organizations/getProject:getProject" ? { projectId: args.inputs.projectId, number: "123456789012" } : {}),
    };
    const resources: RenderedResource[] = [];
    await pulumi.runtime.setMocks(mocks, "alone", "alone", preview, DIY_ORGANIZATION);
    setMockOptions(new RecordingMonitor(mocks, resources), "alone", "alone", preview, DIY_ORGANIZATION);
    let error: Error | undefined;
    try {
        build();
    } catch (e) {
        error = e as Error;
    }
    await waitForRPCs();
    return { resources, error };
}

/**
 * Runs `build` under fresh mocks (the state after `pulumi up`, or a first preview) and returns
 * what it registered; rejects with the error `build` throws.
 */
export async function buildAlone(build: () => void, options: { readonly preview?: boolean } = {}): Promise<RenderedResource[]> {
    const { resources, error } = await run(build, options.preview ?? false);
    if (error) {
        throw error;
    }
    return resources;
}

/** Runs a `build` that is expected to throw; rejects if it does not. */
export async function buildAloneFailure(build: () => void): Promise<AloneFailure> {
    const { resources, error } = await run(build, false);
    if (!error) {
        throw new Error("the build succeeded, but a failure was expected");
    }
    return { error, resources };
}
