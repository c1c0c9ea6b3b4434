/**
 * Refuses a production config change that would replace the cluster, database, bucket or
 * network (see replacement.ts for the keys and why), before anything is replaced.
 *
 * The fingerprint lives in a small dynamic resource, registered before everything else: Pulumi's
 * engine hands its check the inputs the previous update stored (`olds`) beside this run's
 * (`news`) (pulumi/pulumi v3.248.0 sdk/go/common/resource/plugin/provider_plugin.go Check), in
 * `pulumi preview` and `pulumi up` alike, and a check failure makes the engine stop the
 * deployment (pkg/resource/deploy/step_generator.go: an invalid resource bails). Only the
 * engine is involved, so it works on every state backend, including a legacy-layout DIY backend
 * whose stack references refuse `organization/<project>/<stack>` (pkg/backend/diy/store.go
 * legacyReferenceStore.ParseReference), which the previous guard, a StackReference to its own
 * stack, needed. On a stack's first update (and the first with this guard) there is nothing to
 * compare and nothing is refused.
 *
 * The provider has no `diff`: the host then answers DIFF_UNKNOWN and the engine compares old
 * and new inputs itself, `__provider` (the serialized code) included (step_generator.go
 * diffResource), so new code and a new fingerprint both reach the state; `update` returns the
 * outputs to keep (without it the host would store `__provider` alone,
 * @pulumi/pulumi 3.248.0 cmd/dynamic-provider/index.js update).
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config/config";
import { guardInputs, refusalMessage, replacingChanges, type GuardInputs } from "../config/replacement";

/** The guard's state: its inputs, without the serialized provider. */
function guardState(inputs: GuardInputs): GuardInputs {
    return { production: inputs.production, fingerprint: inputs.fingerprint, prefixBits: inputs.prefixBits, allowReplacement: inputs.allowReplacement };
}

const replacementGuardProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: Partial<GuardInputs>, news: GuardInputs) {
        const changes = replacingChanges(olds, news);
        // A stack that was production stays guarded in the update that turns production off.
        if ((news.production || olds.production === true) && changes.length > 0) {
            // No property: the engine then prints "resource ... has a problem: <reason>" without the whole
            // fingerprint (pkg/resource/deploy/step_generator.go issueCheckFailures).
            return { inputs: news, failures: [{ property: "", reason: refusalMessage(changes) }] };
        }
        return { inputs: news };
    },
    async create(inputs: GuardInputs) {
        return { id: "replacement-guard", outs: guardState(inputs) };
    },
    async update(_id: string, _olds: GuardInputs, news: GuardInputs) {
        return { outs: guardState(news) };
    },
};

/** Holds the replacing keys' values of the last update, and refuses replacing them in production. */
export class ReplacementGuard extends pulumi.dynamic.Resource {
    /** The values the guard recorded (the stack output `replacementGuard`). */
    declare public readonly fingerprint: pulumi.Output<Record<string, string>>;

    constructor(name: string, inputs: GuardInputs, opts?: pulumi.CustomResourceOptions) {
        super(replacementGuardProvider, name, { ...inputs, fingerprint: inputs.fingerprint }, opts, "metaflow", "ReplacementGuard");
    }
}

/** The stack's guard; make every other resource depend on it, so none is registered before its check passed. */
export function replacementGuard(cfg: PlatformConfig): ReplacementGuard {
    return new ReplacementGuard("replacement-guard", guardInputs(cfg));
}
