/**
 * The folders are layers (README "Architecture"), and the lint config keeps them: each case
 * below lints a small file placed in a folder with ESLint's own engine and our eslint.config.mjs,
 * and expects the import to be refused (or allowed) there.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { ESLint } from "eslint";
import { REPO_ROOT } from "../offline/render";

/** [folder of the file, import line, refused?] */
const CASES: [string, string, boolean][] = [
    // model: the bottom layer imports only itself; SDK types are fine, SDK values are not.
    ["components/model", `import type { PlatformConfig } from "../config/config";`, true],
    ["components/model", `import { LONG_LIVED_TIMEOUT_SEC } from "../kubernetes/specs/endpointRoutes";`, true],
    ["components/model", `import { HOURS_PER_MONTH } from "../estimate/prices";`, true],
    ["components/model", `import * as pulumi from "@pulumi/pulumi";`, true],
    ["components/model", `import type * as k8s from "@pulumi/kubernetes";`, false],
    ["components/model", `import { GPU_TYPES } from "./catalog";`, false],
    // kubernetes/specs: model facts only, no component beside it, no SDK values.
    ["components/kubernetes/specs", `import { MetaflowServices } from "../services";`, true],
    ["components/kubernetes/specs", `import type { PlatformConfig } from "../../config/config";`, true],
    ["components/kubernetes/specs", `import * as k8s from "@pulumi/kubernetes";`, true],
    ["components/kubernetes/specs", `import { GPU_TAINT } from "../../model/wellKnown";`, false],
    // estimate: its own shapes and model facts; the config maps onto it, not the other way.
    ["components/estimate", `import type { PlatformConfig } from "../config/config";`, true],
    ["components/estimate", `import { ARGO_CHART } from "../kubernetes/specs/versions";`, true],
    ["components/estimate", `import { GPU_TYPES } from "../model/catalog";`, false],
    // config: pure, no resource layer.
    ["components/config", `import { MetaflowCluster } from "../gcp/cluster";`, true],
    ["components/config/rules", `import { MetaflowServices } from "../../kubernetes/services";`, true],
    ["components/config", `import * as pulumi from "@pulumi/pulumi";`, true],
    ["components/config", `import type { CostFootprint } from "../estimate/cost";`, false],
    // resource layers stand alone.
    ["components/gcp", `import type { PlatformConfig } from "../config/config";`, true],
    ["components/gcp", `import { airflowChartValues } from "../kubernetes/specs/airflowValues";`, true],
    ["components/gcp", `import { estimateCost } from "../estimate/cost";`, true],
    ["components/kubernetes", `import { MetaflowCluster } from "../gcp/cluster";`, true],
    ["components/kubernetes", `import { requiredQuotas } from "../estimate/quotas";`, true],
    ["components/kubernetes", `import { AIRFLOW_CHART } from "./specs/versions";`, false],
];

describe("layers: the lint config keeps each folder to what it may import", function () {
    this.timeout(60_000);
    let eslint: ESLint;
    before(() => {
        eslint = new ESLint({ cwd: REPO_ROOT, cache: false });
    });

    for (const [folder, line, refused] of CASES) {
        it(`${folder}: ${refused ? "refuses" : "allows"} ${line}`, async () => {
            const [result] = await eslint.lintText(`${line}\nexport {};\n`, { filePath: path.join(REPO_ROOT, folder, "layerProbe.ts") });
            const restricted = result.messages.filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports");
            assert.equal(restricted.length, refused ? 1 : 0, `${folder}: ${line}\n${JSON.stringify(result.messages, null, 2)}`);
        });
    }
});
