/**
 * `charts.source`: the Helm releases' chart from a mirror repository, an OCI registry or a local
 * directory (components/kubernetes/specs/chartSource.ts). The deploy rehearsal (npm run rehearse) installs
 * the pinned charts of ../shared/charts this way on a real API server; here the decisions and
 * the check before anything is created.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { helmChartArgs, type ChartFiles } from "../components/kubernetes/specs/chartSource";
import { NODE_CHART_FILES } from "../components/kubernetes/chartFiles";
import { AIRFLOW_CHART, ARGO_EVENTS_CHART, ARGO_WORKFLOWS_CHART, KUEUE_CHART } from "../components/kubernetes/specs/versions";
import { renderFixture, renderFixtureFailure } from "./harness/fixtures";

const SHARED_CHARTS = path.resolve(__dirname, "..", "..", "shared", "charts");

/** A file system of `dirs` (path -> Chart.yaml version, or null for a directory without one) and `files`. */
function fakeFiles(dirs: Record<string, string | null>, files: string[] = []): ChartFiles {
    return {
        isDirectory: (p) => p in dirs,
        isFile: (p) => files.includes(p),
        chartVersion: (d) => dirs[d] ?? undefined,
    };
}

describe("charts.source: where the Helm charts come from", () => {
    const none = fakeFiles({});

    it("unset: each chart's public repository, at the pinned version", () => {
        assert.deepEqual(helmChartArgs(ARGO_WORKFLOWS_CHART, undefined, none), {
            chart: "argo-workflows",
            version: ARGO_WORKFLOWS_CHART.version,
            repositoryOpts: { repo: "https://argoproj.github.io/argo-helm" },
        });
        assert.deepEqual(helmChartArgs(AIRFLOW_CHART, undefined, none), { chart: "airflow", version: AIRFLOW_CHART.version, repositoryOpts: { repo: "https://airflow.apache.org" } });
    });

    it("a mirror repository or an OCI registry serves the pinned version", () => {
        assert.deepEqual(helmChartArgs(ARGO_EVENTS_CHART, "https://charts.example.internal/helm", none), {
            chart: "argo-events",
            version: ARGO_EVENTS_CHART.version,
            repositoryOpts: { repo: "https://charts.example.internal/helm" },
        });
        assert.deepEqual(helmChartArgs(ARGO_EVENTS_CHART, "oci://europe-docker.pkg.dev/p/charts/", none), {
            chart: "oci://europe-docker.pkg.dev/p/charts/argo-events",
            version: ARGO_EVENTS_CHART.version,
        });
    });

    it("a directory: <chart>-<version>/, then <chart>-<version>.tgz, then <chart>/, with the pinned version", () => {
        const v = ARGO_WORKFLOWS_CHART.version;
        assert.deepEqual(helmChartArgs(ARGO_WORKFLOWS_CHART, "/m", fakeFiles({ "/m": null, [`/m/argo-workflows-${v}`]: v })), { chart: `/m/argo-workflows-${v}` });
        assert.deepEqual(helmChartArgs(ARGO_WORKFLOWS_CHART, "/m/", fakeFiles({ "/m/": null }, [`/m/argo-workflows-${v}.tgz`])), { chart: `/m/argo-workflows-${v}.tgz` });
        assert.deepEqual(helmChartArgs(ARGO_WORKFLOWS_CHART, "charts", fakeFiles({ charts: null, "charts/argo-workflows": v })), { chart: "charts/argo-workflows" });
    });

    it("a directory without the pinned chart, or with another version, is a problem naming what was looked for", () => {
        const v = ARGO_WORKFLOWS_CHART.version;
        assert.match(String(helmChartArgs(ARGO_WORKFLOWS_CHART, "/nowhere", none)), /charts\.source: directory "\/nowhere" does not exist/);
        assert.match(String(helmChartArgs(ARGO_WORKFLOWS_CHART, "/m", fakeFiles({ "/m": null }))), new RegExp(`no argo-workflows ${v} in "/m" \\(looked for argo-workflows-${v}/`));
        assert.match(String(helmChartArgs(ARGO_WORKFLOWS_CHART, "/m", fakeFiles({ "/m": null, "/m/argo-workflows": "0.45.0" }))), new RegExp(`Chart.yaml has version 0.45.0, expected the pinned argo-workflows ${v}`));
    });

    it("the shared chart directory holds every pinned chart at its pinned version", function () {
        if (!fs.existsSync(SHARED_CHARTS)) {
            this.skip(); // ../shared is absent: nothing to compare with
        }
        for (const chart of [ARGO_WORKFLOWS_CHART, ARGO_EVENTS_CHART, AIRFLOW_CHART]) {
            assert.deepEqual(helmChartArgs(chart, SHARED_CHARTS, NODE_CHART_FILES), { chart: path.join(SHARED_CHARTS, `${chart.name}-${chart.version}`) });
        }
    });

    it("the stack's releases take their chart from a local directory, with no repository", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
        fs.mkdirSync(path.join(dir, "argo-workflows"));
        fs.writeFileSync(path.join(dir, "argo-workflows", "Chart.yaml"), `name: argo-workflows\nversion: ${ARGO_WORKFLOWS_CHART.version}\n`);
        const rendered = await renderFixture("dev", { config: { "metaflow-gcp:services": { argoWorkflows: true, argoEvents: false }, "metaflow-gcp:charts": { source: dir } } });
        const release = rendered.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "argo-workflows");
        assert.ok(release, "the Argo Workflows release");
        assert.equal(release.inputs.chart, path.join(dir, "argo-workflows"));
        assert.equal(release.inputs.repositoryOpts, undefined);
    });

    it("with queues on, a directory without Kueue's chart stops the program before any resource is registered", async () => {
        // Found by the deploy rehearsal: Kueue's chart was not among the charts checked, so its
        // absence surfaced only as KueueQueues' release failing to create, mid-update.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
        fs.mkdirSync(path.join(dir, "argo-workflows"));
        fs.writeFileSync(path.join(dir, "argo-workflows", "Chart.yaml"), `name: argo-workflows\nversion: ${ARGO_WORKFLOWS_CHART.version}\n`);
        const config = { "metaflow-gcp:services": { argoWorkflows: true, argoEvents: false }, "metaflow-gcp:queues": { enabled: true }, "metaflow-gcp:charts": { source: dir } };
        const failure = await renderFixtureFailure("dev", { config });
        assert.match(failure.error.message, new RegExp(`charts\\.source: no kueue ${KUEUE_CHART.version} in ".*charts-`));
        assert.deepEqual(
            failure.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:")).map((r) => r.type),
            [],
        );
    });

    it("a chart the directory lacks stops the program before any resource is registered", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "charts-"));
        const failure = await renderFixtureFailure("dev", { config: { "metaflow-gcp:services": { argoWorkflows: true }, "metaflow-gcp:charts": { source: dir } } });
        assert.match(failure.error.message, /charts\.source: no argo-workflows .* in ".*charts-/);
        assert.deepEqual(
            failure.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:")).map((r) => r.type),
            [],
        );
    });
});
