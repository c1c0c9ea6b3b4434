/** GKE nodes: kept repaired and upgraded, never the Compute Engine default identity, no surprise zones. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, forTypes, peek, poolFootprint, UNKNOWN } from "./helpers";
import { T } from "./types";

export const nodeAutoRepairUpgrade: ResourceValidationPolicy = {
    name: "gke-node-auto-repair-upgrade",
    description: "Node pools keep auto-repair and auto-upgrade on (both default to on; turning either off leaves broken or unpatched nodes).",
    validateResource: forTypes([T.nodePool], (props, args, report) => {
        // @pulumi/gcp 9.37 NodePoolManagement: "Whether the nodes will be automatically repaired/upgraded. Enabled by default."
        const management = props.management ?? {};
        for (const key of ["autoRepair", "autoUpgrade"] as const) {
            if (peek(() => management[key]) === false) {
                report(`${describe(args)} turns ${key} off; keep management.${key} = true.`);
            }
        }
    }),
};

/** The Compute Engine default service account: `<project-number>-compute@developer.gserviceaccount.com`, or "default". */
function isComputeDefault(account: string): boolean {
    return account === "default" || /^\d+-compute@developer\.gserviceaccount\.com$/.test(account);
}

/**
 * The node identity a node config or auto-provisioning block gives, as GKE applies it: an
 * omitted `serviceAccount` means the Compute Engine default account. An unknown value is an
 * account created in this update (the default account always exists, so a reference to it is
 * known in a preview), which is what we want.
 */
function checkNodeIdentity(block: Record<string, any> | undefined, where: string, args: { type: string; name: string }, report: (m: string) => void): void {
    const account = block === undefined ? undefined : peek(() => block.serviceAccount);
    if (account === UNKNOWN) {
        return;
    }
    if (account === undefined || account === null || account === "") {
        report(`${describe(args)} sets no ${where}.serviceAccount, so its nodes run as the Compute Engine default service account (Editor on the project by default); use a dedicated least-privilege account.`);
    } else if (isComputeDefault(String(account))) {
        report(`${describe(args)} runs its nodes as the Compute Engine default service account (${account}); use a dedicated least-privilege account.`);
    }
}

export const noDefaultNodeServiceAccount: ResourceValidationPolicy = {
    name: "gke-no-default-service-account",
    description: "Clusters and node pools never run nodes as the Compute Engine default service account, set explicitly or by omission.",
    validateResource: forTypes([T.cluster, T.nodePool], (props, args, report) => {
        if (args.type === T.nodePool) {
            checkNodeIdentity(props.nodeConfig, "nodeConfig", args, report);
            return;
        }
        if (props.enableAutopilot === true) {
            checkNodeIdentity(props.clusterAutoscaling?.autoProvisioningDefaults, "clusterAutoscaling.autoProvisioningDefaults", args, report);
            return;
        }
        // The default pool exists at least until removeDefaultNodePool deletes it.
        checkNodeIdentity(props.nodeConfig, "nodeConfig", args, report);
        for (const [i, pool] of ((props.nodePools ?? []) as any[]).entries()) {
            checkNodeIdentity(pool.nodeConfig, `nodePools[${i}].nodeConfig`, args, report);
        }
        if (props.clusterAutoscaling?.enabled === true) {
            checkNodeIdentity(props.clusterAutoscaling?.autoProvisioningDefaults, "clusterAutoscaling.autoProvisioningDefaults", args, report);
        }
    }),
};

export const regionalPoolZones: ResourceValidationPolicy = {
    name: "gke-regional-pool-zones",
    description: "A regional node pool with per-zone node limits lists its nodeLocations: otherwise the limits apply in every zone of the region.",
    validateResource: forTypes([T.nodePool], (props, args, report) => {
        const pool = poolFootprint(props);
        if (pool.regionWide && pool.perZone) {
            const autoscaling = props.autoscaling ?? {};
            const limit = autoscaling.maxNodeCount !== undefined ? `autoscaling.maxNodeCount = ${autoscaling.maxNodeCount}` : "a per-zone node count";
            report(
                `${describe(args)} is regional (${props.location}) with ${limit} and no nodeLocations: GKE applies it in each of the region's ${pool.zones} zones, up to ${pool.maxNodes} nodes. ` +
                    "List nodeLocations, or use totalMinNodeCount/totalMaxNodeCount.",
            );
        }
    }),
};

export const nodePolicies = [nodeAutoRepairUpgrade, noDefaultNodeServiceAccount, regionalPoolZones];
