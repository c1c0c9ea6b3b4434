/**
 * The Helm chart of a release, from `charts.source` (components/kubernetes/specs/chartSource.ts), with the
 * deployer's file system behind a local chart directory.
 */
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { helmChartArgs, type ChartFiles, type HelmChartArgs, type PinnedChart } from "./specs/chartSource";

/** The real file system; a relative source is relative to the project directory (the program's cwd). */
export const NODE_CHART_FILES: ChartFiles = {
    isDirectory: (p) => fs.statSync(path.resolve(p), { throwIfNoEntry: false })?.isDirectory() ?? false,
    isFile: (p) => fs.statSync(path.resolve(p), { throwIfNoEntry: false })?.isFile() ?? false,
    chartVersion: (dir) => {
        const file = path.join(path.resolve(dir), "Chart.yaml");
        if (!fs.existsSync(file)) {
            return undefined;
        }
        const version = (YAML.parse(fs.readFileSync(file, "utf8")) as { version?: unknown } | null)?.version;
        return version === undefined ? undefined : String(version);
    },
};

/** The release's chart fields; a chart `source` cannot supply is an error on `resource`. */
export function releaseChart(chart: PinnedChart, source: string | undefined, resource: pulumi.Resource): HelmChartArgs {
    const resolved = helmChartArgs(chart, source, NODE_CHART_FILES);
    if (typeof resolved === "string") {
        throw new pulumi.ResourceError(resolved, resource);
    }
    return resolved;
}
