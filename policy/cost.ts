/**
 * Cost budget: the stack's estimated idle bill and its GPU step price stay within the
 * environment's limits. The estimate is the platform's own (components/estimate/cost.ts, list prices from
 * components/estimate/prices.ts), computed here from the resources the stack registers, so the policy
 * judges what would be deployed, not what a config file claims.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { estimateCost, type CostEstimate, type CostFootprint, type PodFootprint, type PoolFootprint } from "../components/estimate/cost";
import type { RegionPrices } from "../components/estimate/prices";
import { COMPUTE_CLASS_LABEL } from "../components/model/capacityLadder";
import { cpuCores, gibibytes } from "../components/model/workloadRequests";
import { nodeGpus, peek, UNKNOWN } from "./helpers";

/** Type tokens this policy reads (kept here: the policy is self-contained). */
const TYPES = {
    cluster: "gcp:container/cluster:Cluster",
    nodePool: "gcp:container/nodePool:NodePool",
    sqlInstance: "gcp:sql/databaseInstance:DatabaseInstance",
    routerNat: "gcp:compute/routerNat:RouterNat",
    bucket: "gcp:storage/bucket:Bucket",
    registry: "gcp:artifactregistry/repository:Repository",
    deployment: "kubernetes:apps/v1:Deployment",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    eventBus: "kubernetes:argoproj.io/v1alpha1:EventBus",
    eventSource: "kubernetes:argoproj.io/v1alpha1:EventSource",
} as const;

/** What Autopilot bills a container that sets no requests (GKE Autopilot resource requests docs). */
const AUTOPILOT_DEFAULT_REQUEST = { cpu: 0.5, memoryGib: 2 };

type Resources = { requests?: { cpu?: string; memory?: string } } | undefined;

function request(resources: Resources): { cpu: number; memoryGib: number } {
    const cpu = resources?.requests?.cpu;
    const memory = resources?.requests?.memory;
    return {
        cpu: cpu !== undefined ? cpuCores(String(cpu)) : AUTOPILOT_DEFAULT_REQUEST.cpu,
        memoryGib: memory !== undefined ? gibibytes(String(memory)) : AUTOPILOT_DEFAULT_REQUEST.memoryGib,
    };
}

function pod(name: string, replicas: number, containers: Resources[], init: Resources[] = []): PodFootprint {
    const main = containers.map(request);
    const initial = init.map(request);
    const cpu = Math.max(main.reduce((s, r) => s + r.cpu, 0), ...initial.map((r) => r.cpu), 0);
    const memoryGib = Math.max(main.reduce((s, r) => s + r.memoryGib, 0), ...initial.map((r) => r.memoryGib), 0);
    return { name, replicas, cpu, memoryGib, spot: false };
}

/**
 * The Cloud Storage FUSE sidecar GKE injects into a Pod annotated `gke-gcsfuse/volumes: "true"`,
 * sized by its `gke-gcsfuse/*-request` annotations, else the driver's defaults (250m and 256Mi:
 * GoogleCloudPlatform/gcs-fuse-csi-driver `cmd/webhook/main.go`).
 */
function gcsFuseSidecar(annotations: Record<string, string> | undefined): Resources[] {
    if (annotations?.["gke-gcsfuse/volumes"] !== "true") {
        return [];
    }
    return [{ requests: { cpu: annotations["gke-gcsfuse/cpu-request"] ?? "250m", memory: annotations["gke-gcsfuse/memory-request"] ?? "256Mi" } }];
}

/**
 * The Airflow chart's always-on Pods from its values (apache/airflow chart 1.16.0 templates:
 * scheduler, dag-processor when `dagProcessor.enabled`, triggerer, webserver, pgbouncer when
 * `pgbouncer.enabled`; each 1 replica unless `replicas` says otherwise), each with its sidecars:
 * the log groomer, PgBouncer's metrics exporter, and GKE's FUSE sidecar where the Pod mounts
 * the DAG folder.
 */
function airflowPods(values: Record<string, any>): PodFootprint[] {
    const component = (key: string, sidecars: Resources[]) => {
        const v = values[key] ?? {};
        return pod(`airflow-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, Number(v.replicas ?? 1), [v.resources, ...sidecars, ...gcsFuseSidecar(v.podAnnotations)]);
    };
    const groomer = (key: string) => [values[key]?.logGroomerSidecar?.resources];
    return [
        component("scheduler", groomer("scheduler")),
        ...(values.dagProcessor?.enabled ? [component("dagProcessor", groomer("dagProcessor"))] : []),
        component("triggerer", groomer("triggerer")),
        component("webserver", []),
        ...(values.pgbouncer?.enabled ? [component("pgbouncer", [values.pgbouncer?.metricsExporterSidecar?.resources])] : []),
    ];
}

/** Always-on Pods as Autopilot bills them, from Deployments, the Argo and Airflow charts' values and the Argo Events CRs. */
function podsOf(resources: PolicyResource[]): PodFootprint[] {
    const pods: PodFootprint[] = [];
    for (const r of resources) {
        const p = r.props;
        if (r.type === TYPES.deployment) {
            const spec = p.spec?.template?.spec ?? {};
            const selector = p.spec?.template?.spec?.nodeSelector ?? {};
            const found = pod(p.metadata?.name ?? r.name, Number(p.spec?.replicas ?? 1), (spec.containers ?? []).map((c: any) => c.resources), (spec.initContainers ?? []).map((c: any) => c.resources));
            pods.push({ ...found, spot: selector["cloud.google.com/gke-spot"] === "true" });
        } else if (r.type === TYPES.helmRelease && (p.chart === "argo-workflows" || p.chart === "argo-events")) {
            const v = p.values ?? {};
            pods.push(pod(`${p.chart}-controller`, Number(v.controller?.replicas ?? 1), [v.controller?.resources]));
            if (p.chart === "argo-workflows" && v.server?.enabled !== false) {
                pods.push(pod(`${p.chart}-server`, Number(v.server?.replicas ?? 1), [v.server?.resources]));
            }
        } else if (r.type === TYPES.helmRelease && p.chart === "airflow") {
            pods.push(...airflowPods(p.values ?? {}));
        } else if (r.type === TYPES.eventBus && p.spec?.jetstream) {
            const js = p.spec.jetstream;
            pods.push(pod(`eventbus-${p.metadata?.name ?? r.name}`, Number(js.replicas ?? 3), [js.containerTemplate?.resources, js.reloaderContainerTemplate?.resources, js.metricsContainerTemplate?.resources]));
        } else if (r.type === TYPES.eventSource) {
            pods.push(pod(`eventsource-${p.metadata?.name ?? r.name}`, Number(p.spec?.replicas ?? 1), [p.spec?.template?.container?.resources]));
        }
    }
    return pods;
}

/** A known value, or `fallback` when a first preview does not know it yet. */
function known<T>(read: () => T, fallback: T): T {
    const value = peek(read);
    return value === UNKNOWN ? fallback : value;
}

/**
 * A node pool as the bill sees it, from what a first preview knows: GPUs from `nodeGpus` (the
 * machine type's own when the provider computes guestAccelerators). A disk type or size left out
 * is computed by the provider, so unknown in a first preview: GKE's defaults (pd-balanced,
 * 100 GB) apply, as when it is absent. An unknown machine type is named as such, so the
 * estimate reports the pool unpriced rather than guessing.
 */
function nodePoolOf(r: PolicyResource): PoolFootprint {
    const p = r.props;
    const nodeLocations = known(() => p.nodeLocations, undefined);
    const zones = Array.isArray(nodeLocations) && nodeLocations.length > 0 ? nodeLocations.length : 1;
    const a = p.autoscaling ?? {};
    const minNodes =
        a.totalMinNodeCount !== undefined
            ? Number(a.totalMinNodeCount)
            : a.minNodeCount !== undefined
              ? Number(a.minNodeCount) * zones
              : Number(known(() => p.nodeCount, undefined) ?? known(() => p.initialNodeCount, undefined) ?? 1) * zones;
    const nodeConfig = p.nodeConfig;
    const gpus = nodeGpus(nodeConfig);
    return {
        name: known(() => p.name, r.name) ?? r.name,
        machineType: known(() => nodeConfig?.machineType, "(unknown machine type)") ?? "e2-medium",
        gpuType: gpus === UNKNOWN ? undefined : gpus.gpuType,
        gpusPerNode: gpus === UNKNOWN ? 0 : gpus.gpusPerNode,
        minNodes,
        spot: nodeConfig?.spot === true || nodeConfig?.preemptible === true,
        flexStart: nodeConfig?.flexStart === true,
        diskType: known(() => nodeConfig?.diskType, undefined) ?? "pd-balanced",
        diskSizeGb: Number(known(() => nodeConfig?.diskSizeGb, undefined) ?? 100),
    };
}

/** Node pool name -> the compute class its nodes belong to (their `cloud.google.com/compute-class` label), for laddered pools. */
function computeClassesOf(resources: PolicyResource[]): Map<string, string> {
    const classes = new Map<string, string>();
    for (const r of resources.filter((x) => x.type === TYPES.nodePool)) {
        // Peeked: in a first preview a value may still be unknown, and reading it would stop the policy.
        const name = peek(() => r.props.nodeConfig?.labels?.[COMPUTE_CLASS_LABEL]);
        const pool = peek(() => r.props.name);
        if (typeof name === "string" && typeof pool === "string") {
            classes.set(pool, name);
        }
    }
    return classes;
}

/** The cost footprint of a stack's resources; undefined when it has no cluster. */
export function footprintFromResources(resources: PolicyResource[]): CostFootprint | undefined {
    const cluster = resources.find((r) => r.type === TYPES.cluster);
    if (!cluster) {
        return undefined;
    }
    const location: string = cluster.props.location ?? "";
    const zonal = /^[a-z]+-[a-z]+\d+-[a-z]$/.test(location);
    const autopilot = cluster.props.enableAutopilot === true;
    const sql = resources.find((r) => r.type === TYPES.sqlInstance);
    const nat = resources.find((r) => r.type === TYPES.routerNat);
    return {
        region: zonal ? location.slice(0, location.lastIndexOf("-")) : location,
        autopilot,
        regional: autopilot || !zonal,
        nodePools: resources.filter((r) => r.type === TYPES.nodePool).map(nodePoolOf),
        autopilotGpuPools: [],
        pods: autopilot ? podsOf(resources) : [],
        database: sql && {
            edition: sql.props.settings?.edition ?? "ENTERPRISE_PLUS",
            tier: sql.props.settings?.tier ?? "",
            highAvailability: sql.props.settings?.availabilityType === "REGIONAL",
            diskSizeGb: Number(sql.props.settings?.diskSize ?? 10),
        },
        nat: nat && { minPortsPerVm: Number(nat.props.minPortsPerVm ?? 64) },
        bucket: resources.some((r) => r.type === TYPES.bucket),
        registry: resources.some((r) => r.type === TYPES.registry),
    };
}

/**
 * The `prices` key of the cost policies' config: a region's price table resolved by `npm run
 * policy-config` (from the Cloud Billing Catalog API when it has credentials,
 * scripts/lib/billingCatalog.ts). The pack runs inside `pulumi preview` and is handed nothing but
 * config, so live prices reach it this way; without the key, or for another region, the
 * embedded table (components/estimate/prices.ts) is used.
 */
interface ResolvedPricesConfig {
    readonly region?: string;
    readonly from?: string;
    readonly table?: RegionPrices;
}

const PRICES_SCHEMA = {
    type: "object",
    description: "A region's list prices resolved by npm run policy-config: {region, from, table} (components/estimate/prices.ts RegionPrices); absent: the embedded table.",
} as const;

/** The stack's estimate, from the config's resolved prices when they are for its region. */
function stackEstimate(resources: PolicyResource[], prices: ResolvedPricesConfig | undefined): CostEstimate | undefined {
    const footprint = footprintFromResources(resources);
    if (!footprint) {
        return undefined;
    }
    return estimateCost(footprint, prices?.region === footprint.region ? prices.table : undefined);
}

export const costBudget: StackValidationPolicy = {
    name: "cost-budget",
    description:
        "The estimated idle monthly bill and the hourly price of a GPU step (list prices) stay within the environment's limits. " +
        "What cannot be priced is left out and named by cost-coverage; it never fails the stack on its own.",
    configSchema: {
        properties: {
            // Defaults: a new environment's budget (dev's) until policy/limits/<stack>.json sets its own.
            maxIdleMonthlyUsd: { type: "number", minimum: 0, default: 55 },
            maxGpuHourUsd: { type: "number", minimum: 0, default: 0.6 },
            prices: PRICES_SCHEMA,
        },
    },
    validateStack: (args, report) => {
        const { maxIdleMonthlyUsd, maxGpuHourUsd, prices } = args.getConfig<{ maxIdleMonthlyUsd: number; maxGpuHourUsd: number; prices?: ResolvedPricesConfig }>();
        const estimate = stackEstimate(args.resources, prices);
        if (!estimate) {
            return;
        }
        const partial = estimate.unpriced.length > 0 ? ` (and ${estimate.unpriced.length} item(s) not priced, see cost-coverage)` : "";
        if (estimate.idleMonthlyUsd > maxIdleMonthlyUsd) {
            // The fee and the free-tier credit are one line here: what the cluster costs after the credit.
            const credit = estimate.idle.find((i) => i.item === "GKE free-tier credit")?.monthlyUsd ?? 0;
            const lines = estimate.idle
                .filter((i) => i.item !== "GKE free-tier credit")
                .map((i) => (i.item === "GKE cluster fee" ? { item: "GKE cluster fee after credit", monthlyUsd: i.monthlyUsd + credit } : i));
            const top = lines.sort((a, b) => b.monthlyUsd - a.monthlyUsd).slice(0, 3).map((i) => `${i.item} $${i.monthlyUsd.toFixed(2)}`);
            report(
                `Idle cost is about $${estimate.idleMonthlyUsd.toFixed(2)}/month at list prices${partial}, over this environment's limit of $${maxIdleMonthlyUsd} ` +
                    `(largest: ${top.join(", ")}). Shrink the minimum size (spot, smaller machines or disks, database tier) or raise maxIdleMonthlyUsd in the policy config.`,
            );
        }
        const classes = computeClassesOf(args.resources);
        for (const step of estimate.steps.filter((s) => s.gpu)) {
            // Flex-start is priced at most at on-demand (FLEX_START_PRICE_NOTE): judge that bound.
            const hourly = step.configured === "spot" ? step.spotUsdPerHour : step.onDemandUsdPerHour;
            if (hourly !== undefined && hourly > maxGpuHourUsd) {
                const rung = classes.get(step.pool);
                const where = rung ? `GPU pool ${step.pool} (the ${step.configured} rung of compute class ${rung})` : `GPU pool ${step.pool}`;
                report(
                    `A step on ${where} costs about $${hourly.toFixed(2)}/hour (${step.configured}, ${step.what}), over this environment's limit of $${maxGpuHourUsd}/hour. ` +
                        `Use spot or a smaller machine${rung ? ", drop that rung" : ""}, or raise maxGpuHourUsd in the policy config.`,
                );
            }
        }
    },
};

export const costCoverage: StackValidationPolicy = {
    name: "cost-coverage",
    description: "Names what the cost estimate cannot price for the stack's region (left out of cost-budget's total); advisory: a missing price is no reason to stop a deployment.",
    enforcementLevel: "advisory",
    configSchema: { properties: { prices: PRICES_SCHEMA } },
    validateStack: (args, report) => {
        const { prices } = args.getConfig<{ prices?: ResolvedPricesConfig }>();
        const estimate = stackEstimate(args.resources, prices);
        if (estimate && estimate.unpriced.length > 0) {
            const from = prices?.region === estimate.region && prices.from ? prices.from : "the embedded table (components/estimate/prices.ts)";
            report(
                `Not priced in ${estimate.region}, so left out of the $${estimate.idleMonthlyUsd.toFixed(2)}/month estimate cost-budget judges (prices from ${from}): ${estimate.unpriced.join("; ")}. ` +
                    "For live list prices run npm run policy-config with CLOUD_BILLING_API_KEY set or Application Default Credentials (README, Cost).",
            );
        }
    },
};

export const costPolicies = [costBudget, costCoverage];
