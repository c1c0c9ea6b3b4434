/**
 * Simulated GKE nodes (kwok) shaped from a node pool as the engine sent it to the Google
 * provider: allocatable from our sizing model (components/model/sizing.ts, GKE's documented
 * reservations), capacity of the machine type, and the labels and taints GKE puts on a node:
 * - `cloud.google.com/gke-nodepool`, `node.kubernetes.io/instance-type`,
 *   `topology.kubernetes.io/{region,zone}`, `cloud.google.com/machine-family`: on every node
 *   (GKE docs, "Node labels" / "About node pools");
 * - `cloud.google.com/gke-spot: "true"` on Spot VMs (GKE docs, "Spot VMs");
 * - `cloud.google.com/gke-accelerator: <gpu type>` on GPU nodes, and GKE's own
 *   `nvidia.com/gpu=present:NoSchedule` taint (GKE docs, "Run GPUs in GKE Standard node pools");
 * - `iam.gke.io/gke-metadata-server-enabled: "true"` with Workload Identity (mode GKE_METADATA);
 * - the pool's `nodeConfig.labels` and `nodeConfig.taints` (effect NO_SCHEDULE -> NoSchedule).
 * GKE's own DaemonSet pods are stood in for by one placeholder pod per node (gkeSystemPods).
 */
import { machineShape } from "../components/model/catalog";
import { GKE_SYSTEM_PODS, nodeAllocatable, nodeEphemeralStorageMiB } from "../components/model/sizing";

/** The NodePool inputs read here (gcp.container.NodePoolArgs as the engine sends them). */
export interface PoolInputs {
    readonly name: string;
    readonly location?: string;
    readonly nodeLocations?: string[];
    readonly initialNodeCount?: number;
    readonly nodeCount?: number;
    readonly nodeConfig?: {
        readonly machineType?: string;
        readonly diskSizeGb?: number;
        readonly spot?: boolean;
        readonly labels?: Record<string, string>;
        readonly taints?: Array<{ key: string; value: string; effect: string }>;
        readonly guestAccelerators?: Array<{ type: string; count: number }>;
        readonly gcfsConfig?: { enabled?: boolean };
        readonly workloadMetadataConfig?: { mode?: string };
    };
}

/** Kubernetes' spelling of a GKE taint effect. */
const EFFECTS: Record<string, string> = { NO_SCHEDULE: "NoSchedule", PREFER_NO_SCHEDULE: "PreferNoSchedule", NO_EXECUTE: "NoExecute" };

/** The zones a pool's nodes are in: its nodeLocations, else its location when that is a zone. */
export function poolZones(pool: PoolInputs): string[] {
    if (pool.nodeLocations && pool.nodeLocations.length > 0) {
        return pool.nodeLocations;
    }
    const loc = pool.location ?? "us-central1-a";
    return /-[a-z]$/.test(loc) ? [loc] : [`${loc}-a`];
}

function nodeLabels(pool: PoolInputs, zone: string, nodeName: string): Record<string, string> {
    const cfg = pool.nodeConfig ?? {};
    const machineType = cfg.machineType ?? "e2-medium";
    const labels: Record<string, string> = {
        "kubernetes.io/hostname": nodeName,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "cloud.google.com/gke-nodepool": pool.name,
        "cloud.google.com/machine-family": machineType.split("-")[0],
        "node.kubernetes.io/instance-type": machineType,
        "topology.kubernetes.io/zone": zone,
        "topology.kubernetes.io/region": zone.replace(/-[a-z]$/, ""),
        ...(cfg.labels ?? {}),
    };
    if (cfg.spot) {
        labels["cloud.google.com/gke-spot"] = "true";
    }
    const gpu = cfg.guestAccelerators?.[0];
    if (gpu) {
        labels["cloud.google.com/gke-accelerator"] = gpu.type;
    }
    if (cfg.workloadMetadataConfig?.mode === "GKE_METADATA") {
        labels["iam.gke.io/gke-metadata-server-enabled"] = "true";
    }
    return labels;
}

function nodeTaints(pool: PoolInputs): Array<{ key: string; value: string; effect: string }> {
    const taints = (pool.nodeConfig?.taints ?? []).map((t) => ({ key: t.key, value: t.value, effect: EFFECTS[t.effect] ?? t.effect }));
    if (pool.nodeConfig?.guestAccelerators?.length && !taints.some((t) => t.key === "nvidia.com/gpu")) {
        taints.push({ key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" });
    }
    return taints;
}

/** One simulated node of `pool` in `zone`, numbered `index`. */
export function gkeNode(cluster: string, pool: PoolInputs, zone: string, index: number): Record<string, unknown> {
    const cfg = pool.nodeConfig ?? {};
    const machineType = cfg.machineType ?? "e2-medium";
    const shape = machineShape(machineType);
    if (!shape) {
        throw new Error(`node pool ${pool.name}: unknown machine type ${machineType}`);
    }
    const name = `gke-${cluster}-${pool.name}-${zone.slice(-1)}${index}`.slice(0, 63);
    const alloc = nodeAllocatable(machineType, { imageStreaming: cfg.gcfsConfig?.enabled === true });
    const gpus = cfg.guestAccelerators?.[0]?.count ?? 0;
    const disk = nodeEphemeralStorageMiB(cfg.diskSizeGb ?? 100);
    const gpuRes = gpus > 0 ? { "nvidia.com/gpu": String(gpus) } : {};
    return {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: nodeLabels(pool, zone, name), annotations: { "kwok.x-k8s.io/node": "fake" } },
        spec: { taints: nodeTaints(pool) },
        status: {
            capacity: { cpu: String(shape.vcpus), memory: `${shape.memoryMb}Mi`, "ephemeral-storage": `${(cfg.diskSizeGb ?? 100) * 1024}Mi`, pods: "110", ...gpuRes },
            allocatable: { cpu: `${alloc.cpuMillis}m`, memory: `${alloc.memoryMiB}Mi`, "ephemeral-storage": `${disk}Mi`, pods: "110", ...gpuRes },
            nodeInfo: { kubeletVersion: "v1.37.2-fake", architecture: "amd64", operatingSystem: "linux" },
        },
    };
}

/** The nodes a new pool starts with: initialNodeCount (or nodeCount) in each of its zones. */
export function poolNodes(cluster: string, pool: PoolInputs): Array<Record<string, unknown>> {
    const perZone = pool.nodeCount ?? pool.initialNodeCount ?? 0;
    return poolZones(pool).flatMap((zone) => Array.from({ length: perZone }, (_, i) => gkeNode(cluster, pool, zone, i)));
}

/**
 * The placeholder for GKE's cluster add-ons (kube-dns, konnectivity, metrics-server, ...), which
 * the sizing model counts on the CPU pool (GKE_SYSTEM_PODS.clusterAddons): one pod the scheduler
 * places, with no toleration, so never on a GPU node.
 */
export function gkeClusterAddonsPod(): Record<string, unknown> {
    const r = GKE_SYSTEM_PODS.clusterAddons;
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "gke-cluster-addons", namespace: "kube-system", labels: { "rehearsal/stand-in": "gke-cluster-addons" } },
        spec: { containers: [{ name: "addons", image: "gke.gcr.io/stand-in", resources: { requests: { cpu: `${r.cpuMillis}m`, memory: `${r.memoryMiB}Mi` } } }] },
    };
}

/** The placeholder for GKE's DaemonSet pods on one node (fluentbit, metadata server, ...). */
export function gkeSystemPod(node: Record<string, unknown>): Record<string, unknown> {
    const meta = node.metadata as { name: string };
    const gpu = (node.spec as { taints: Array<{ key: string }> }).taints.some((t) => t.key === "nvidia.com/gpu");
    const cpu = GKE_SYSTEM_PODS.perNode.cpuMillis + (gpu ? GKE_SYSTEM_PODS.perGpuNode.cpuMillis : 0);
    const mem = GKE_SYSTEM_PODS.perNode.memoryMiB + (gpu ? GKE_SYSTEM_PODS.perGpuNode.memoryMiB : 0);
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `gke-daemonsets-${meta.name}`.slice(0, 63), namespace: "kube-system", labels: { "rehearsal/stand-in": "gke-daemonsets" } },
        spec: {
            nodeName: meta.name,
            tolerations: [{ operator: "Exists" }],
            containers: [{ name: "daemonsets", image: "gke.gcr.io/stand-in", resources: { requests: { cpu: `${cpu}m`, memory: `${mem}Mi` } } }],
        },
    };
}
