/**
 * Rule: the labels the stack adds never silently replace or are replaced by the platform's own,
 * and every labelled resource stays within Google Cloud's 64 labels.
 */
import { platformLabels } from "../../model/naming";
import { MAX_LABELS_PER_RESOURCE } from "../names";
import { keyName } from "../namespace";
import type { Problem } from "../problems";
import type { RuleInput } from "./rule";

/** Labels the platform adds beyond platformLabels on some resources (GPU node pools: `gpu-pool`, components/gcp/gpuNodePool.ts). */
const RESOURCE_LABELS = ["gpu-pool"];

export function labelsProblems({ config }: RuleInput): Problem[] {
    const own = platformLabels({ environment: config.environment, labels: {} });
    const problems: Problem[] = [];
    for (const [key, value] of Object.entries(config.labels)) {
        const ours = own[key];
        if (ours !== undefined && ours !== value) {
            problems.push({
                path: ["labels", key],
                message:
                    `is the platform's own label, set to "${ours}" on every resource` +
                    (key === "environment" ? " (the environment's name: budgets and the policy pack select resources by it)" : "") +
                    `; remove it, or choose another key`,
                fix: [{ key: keyName(["labels", key]), remove: true }],
            });
        } else if (RESOURCE_LABELS.includes(key)) {
            problems.push({
                path: ["labels", key],
                message: "is set by the platform on each GPU node pool (its pool name); choose another key",
                fix: [{ key: keyName(["labels", key]), remove: true }],
            });
        }
    }
    const total = new Set([...Object.keys(own), ...RESOURCE_LABELS, ...Object.keys(config.labels)]).size;
    if (total > MAX_LABELS_PER_RESOURCE) {
        problems.push({
            path: ["labels"],
            message:
                `${Object.keys(config.labels).length} labels plus the platform's ${Object.keys(own).length + RESOURCE_LABELS.length} make ${total} on a GPU node pool; ` +
                `Google Cloud allows ${MAX_LABELS_PER_RESOURCE} labels on a resource`,
            value: "hidden",
        });
    }
    return problems;
}
