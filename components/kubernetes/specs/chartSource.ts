/**
 * Where the Helm charts come from (config `charts.source`), for teams whose clusters' deployers
 * cannot reach the public chart repositories:
 * - unset: each chart's public repository (argo-helm, the Airflow chart repository);
 * - `https://...` (or `http://`): a mirror Helm repository serving every pinned chart
 *   (`helm repo index` layout), passed as the release's `repositoryOpts.repo`;
 * - `oci://host/path`: an OCI registry holding `<path>/<chart>:<version>` (Helm's
 *   `oci://host/path/<chart>` reference with the pinned version);
 * - anything else: a directory on the deployer's machine (absolute, or relative to the project
 *   directory) holding each chart as `<chart>-<version>/` (unpacked, as `helm pull --untar` into a
 *   versioned folder), `<chart>-<version>.tgz` (as `helm pull` or `helm package` names it) or
 *   `<chart>/`. An unpacked chart's Chart.yaml must carry the pinned version.
 * The version is pinned here either way (components/kubernetes/specs/versions.ts): a mirror must serve it.
 */

/** A pinned chart (components/kubernetes/specs/versions.ts). */
export interface PinnedChart {
    readonly name: string;
    readonly version: string;
    /** Its public Helm repository. */
    readonly repo: string;
}

/** The chart fields of a Helm release (@pulumi/kubernetes helm.v3.ReleaseArgs). */
export interface HelmChartArgs {
    readonly chart: string;
    readonly version?: string;
    readonly repositoryOpts?: { readonly repo: string };
}

/** What the resolver may ask of the file system (tests pass a fake). */
export interface ChartFiles {
    isDirectory(path: string): boolean;
    isFile(path: string): boolean;
    /** `version` of `<dir>/Chart.yaml`, undefined if there is none. */
    chartVersion(dir: string): string | undefined;
}

export type ChartSourceKind = "public" | "repository" | "oci" | "directory";

/** How a `charts.source` value is read. */
export function chartSourceKind(source: string | undefined): ChartSourceKind {
    if (source === undefined) {
        return "public";
    }
    if (/^https?:\/\//.test(source)) {
        return "repository";
    }
    return source.startsWith("oci://") ? "oci" : "directory";
}

function join(dir: string, name: string): string {
    return `${dir.replace(/\/+$/, "")}/${name}`;
}

/** A chart in a local directory: the release's `chart` path, or a problem naming what was looked for. */
function chartInDirectory(dir: string, c: PinnedChart, files: ChartFiles): HelmChartArgs | string {
    if (!files.isDirectory(dir)) {
        return `charts.source: directory "${dir}" does not exist`;
    }
    const tgz = join(dir, `${c.name}-${c.version}.tgz`);
    if (files.isFile(tgz)) {
        return { chart: tgz };
    }
    for (const candidate of [join(dir, `${c.name}-${c.version}`), join(dir, c.name)]) {
        if (files.isDirectory(candidate)) {
            const version = files.chartVersion(candidate);
            if (version === c.version) {
                return { chart: candidate };
            }
            return `charts.source: ${candidate}/Chart.yaml has version ${version ?? "(none)"}, expected the pinned ${c.name} ${c.version}`;
        }
    }
    return `charts.source: no ${c.name} ${c.version} in "${dir}" (looked for ${c.name}-${c.version}/, ${c.name}-${c.version}.tgz and ${c.name}/)`;
}

/** The release's chart fields for `chart` from `source`, or a problem (string) to report. */
export function helmChartArgs(c: PinnedChart, source: string | undefined, files: ChartFiles): HelmChartArgs | string {
    switch (chartSourceKind(source)) {
        case "public":
            // A chart published only to an OCI registry (Kueue's) is referenced as oci://<repo>/<chart>.
            return c.repo.startsWith("oci://") ? { chart: join(c.repo, c.name), version: c.version } : { chart: c.name, version: c.version, repositoryOpts: { repo: c.repo } };
        case "repository":
            return { chart: c.name, version: c.version, repositoryOpts: { repo: source! } };
        case "oci":
            return { chart: join(source!, c.name), version: c.version };
        case "directory":
            return chartInDirectory(source!, c, files);
    }
}
