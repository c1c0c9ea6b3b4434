/**
 * A CustomResourceDefinition's schema as the API server applies it, for ajv: one version's
 * openAPIV3Schema, closed where the server prunes. A structural schema drops (prunes) any field
 * it does not declare unless the node says `x-kubernetes-preserve-unknown-fields`, so a misspelt
 * field is silently lost; closing each declared object (`additionalProperties: false`) makes that
 * a validation error instead. Chart CRDs in ../shared are Helm templates: lines holding template
 * actions (labels, annotations, the conversion webhook's service) are dropped before parsing.
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { REPO_ROOT } from "../../offline/stackFiles";

/** ../shared beside the checkout (third-party artifacts tests read; absent on some machines). */
export const SHARED_DIR = path.join(REPO_ROOT, "..", "shared");

type Node = Record<string, unknown>;

/** `schema` with every declared object closed, as the API server's pruning treats it. */
export function closedSchema(schema: Node): Node {
    const out: Node = { ...schema };
    if (out.properties && typeof out.properties === "object") {
        out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, Node>).map(([k, v]) => [k, closedSchema(v)]));
        if (out.additionalProperties === undefined && !out["x-kubernetes-preserve-unknown-fields"]) {
            out.additionalProperties = false;
        }
    }
    if (out.items && typeof out.items === "object") {
        out.items = closedSchema(out.items as Node);
    }
    if (out.additionalProperties && typeof out.additionalProperties === "object") {
        out.additionalProperties = closedSchema(out.additionalProperties as Node);
    }
    return out;
}

/** The openAPIV3Schema of `version` in a CRD file (a Helm template or plain YAML). */
export function crdSchema(file: string, version: string): Node {
    const text = fs.readFileSync(file, "utf8");
    const body = text.slice(text.indexOf("apiVersion:"));
    const crd = YAML.parse(body.split("\n").filter((line) => !line.includes("{{")).join("\n"));
    const served = crd.spec.versions.find((v: { name: string }) => v.name === version);
    if (!served) {
        throw new Error(`${file} has no version ${version}`);
    }
    return served.schema.openAPIV3Schema;
}

/** An ajv validator for the closed schema; errors as text, none when valid. */
export function crdValidator(file: string, version: string): (object: unknown) => string[] {
    // Kubernetes' int-or-string and format names are not JSON Schema's: ajv skips unknown formats and keywords.
    const validate = new Ajv({ allErrors: true, unknownFormats: "ignore", logger: false }).compile(closedSchema(crdSchema(file, version)));
    return (object) =>
        validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath || "(root)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`);
}
