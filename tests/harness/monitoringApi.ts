/**
 * Bodies checked against the Cloud Monitoring API's own published schema: its discovery documents
 * (google.golang.org/api monitoring/v1 and v3 at the version scripts/fetch-monitoring-schemas.sh
 * pins and checks), turned into JSON Schema for ajv. Google's JSON APIs refuse a field the message
 * does not declare ("Invalid JSON payload received. Unknown name"), so every object is closed
 * (`additionalProperties: false`). Discovery's conventions, as the documents use them: `$ref` names
 * another schema; int64/uint64 are JSON strings or numbers (proto3 JSON accepts both);
 * `google-duration` is seconds with an `s` suffix ("300s", "1.5s").
 */
import Ajv from "ajv";
import * as fs from "fs";
import * as path from "path";

const VERSION = "v0.316.0";
const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DISCOVERY_CACHE = `node_modules/.cache/metaflow-gcp/monitoring-discovery-${VERSION}`;

type JsonSchema = Record<string, unknown>;
// Discovery nodes are loosely typed JSON.
type DiscoveryNode = Record<string, any>;

function convert(node: DiscoveryNode): JsonSchema {
    if (node.$ref) {
        return { $ref: `#/definitions/${node.$ref}` };
    }
    if (node.enum) {
        return { enum: node.enum };
    }
    switch (node.type) {
        case "object":
            if (node.properties) {
                const properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, convert(v as DiscoveryNode)]));
                return { type: "object", properties, additionalProperties: false };
            }
            return { type: "object", additionalProperties: node.additionalProperties ? convert(node.additionalProperties) : true };
        case "array":
            return { type: "array", items: node.items ? convert(node.items) : {} };
        case "string":
            if (node.format === "int64" || node.format === "uint64") {
                return { type: ["string", "integer"], pattern: "^-?[0-9]+$" };
            }
            if (node.format === "google-duration") {
                return { type: "string", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$" };
            }
            return { type: "string" };
        case "integer":
        case "number":
        case "boolean":
            return { type: node.type };
        default:
            return {};
    }
}

/** A validator for one message type of one API version; returns ajv's errors as text, none when valid. */
export function monitoringValidator(api: "v1" | "v3", message: string): (body: unknown) => string[] {
    const file = path.join(REPO_ROOT, DISCOVERY_CACHE, `${api}.json`);
    if (!fs.existsSync(file)) {
        throw new Error(`${DISCOVERY_CACHE}/${api}.json is missing: run \`bash scripts/fetch-monitoring-schemas.sh\` (npm test does)`);
    }
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    if (!doc.schemas?.[message]) {
        throw new Error(`monitoring ${api} has no schema ${message}`);
    }
    const definitions = Object.fromEntries(Object.entries(doc.schemas).map(([name, node]) => [name, convert(node as DiscoveryNode)]));
    const ajv = new Ajv({ allErrors: true });
    const validate = ajv.compile({ definitions, $ref: `#/definitions/${message}` });
    return (body) => (validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath || "(root)"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`));
}
