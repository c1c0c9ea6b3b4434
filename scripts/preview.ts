/**
 * Offline preview: renders a stack from its Pulumi.<stack>.yaml with the offline renderer
 * (offline/render.ts: no cloud, no credentials, no Pulumi CLI) and prints what `pulumi up` would
 * create, grouped by component,
 * with the settings that matter and the stack outputs (secrets masked).
 *
 *   npm run preview -- dev          one stack
 *   npm run preview                 every stack
 *
 * It ends with the policy pack's report on the rendered stack and exits non-zero when the
 * config is invalid or a mandatory policy is violated.
 */
import { ConfigError, platformConfigFromFlat } from "../components/config/config";
import { footprintFromConfig, quotaPlanFromConfig } from "../components/config/estimate";
import { estimateCost, type CostEstimate } from "../components/estimate/cost";
import { HOURS_PER_MONTH } from "../components/estimate/prices";
import { requiredQuotas } from "../components/estimate/quotas";
import type { GpuScheduling } from "../components/model/scheduling";
import type { StepSize } from "../components/model/sizing";
import { childrenOf } from "../offline/query";
import { checkRendered, formatReport } from "./policyCheck";
import { listStacks, readStackFile } from "../offline/stackFiles";
import { OFFLINE_PROJECT, renderStack, type RenderOptions, type RenderedResource, type RenderedStack } from "../offline/render";

type Summary = (inputs: Record<string, any>) => Record<string, unknown>;

/** The settings worth reading per resource type. */
const SUMMARIES: Record<string, Summary> = {
    "gcp:compute/network:Network": (i) => ({ name: i.name, autoCreateSubnetworks: i.autoCreateSubnetworks }),
    "gcp:compute/subnetwork:Subnetwork": (i) => ({
        cidr: i.ipCidrRange,
        secondary: (i.secondaryIpRanges ?? []).map((r: any) => `${r.rangeName}=${r.ipCidrRange}`).join(" "),
        privateGoogleAccess: i.privateIpGoogleAccess,
    }),
    "gcp:compute/firewall:Firewall": (i) => ({ from: (i.sourceRanges ?? []).join(","), allow: (i.allows ?? []).map((a: any) => `${a.protocol}${a.ports ? ":" + a.ports.join(",") : ""}`).join(" ") }),
    "gcp:compute/globalAddress:GlobalAddress": (i) => ({ range: `${i.address}/${i.prefixLength}`, purpose: i.purpose }),
    "gcp:compute/routerNat:RouterNat": (i) => ({ minPortsPerVm: i.minPortsPerVm }),
    "gcp:container/cluster:Cluster": (i) => ({
        location: i.location,
        autopilot: i.enableAutopilot ?? false,
        channel: i.releaseChannel?.channel,
        privateNodes: i.privateClusterConfig?.enablePrivateNodes,
        dnsEndpoint: i.controlPlaneEndpointsConfig?.dnsEndpointConfig?.allowExternalTraffic,
        authorizedNetworks: (i.masterAuthorizedNetworksConfig?.cidrBlocks ?? []).map((b: any) => b.cidrBlock).join(",") || "none",
        deletionProtection: i.deletionProtection,
    }),
    "gcp:container/nodePool:NodePool": (i) => ({
        machine: i.nodeConfig?.machineType,
        gpus: (i.nodeConfig?.guestAccelerators ?? []).map((g: any) => `${g.count}x${g.type} driver=${g.gpuDriverInstallationConfig?.gpuDriverVersion}`).join(" ") || "none",
        nodes: `${i.autoscaling?.totalMinNodeCount}-${i.autoscaling?.totalMaxNodeCount} total`,
        zones: (i.nodeLocations ?? []).join(","),
        spot: i.nodeConfig?.spot,
        taints: (i.nodeConfig?.taints ?? []).map((t: any) => `${t.key}=${t.value}:${t.effect}`).join(",") || "none",
    }),
    "gcp:sql/databaseInstance:DatabaseInstance": (i) => ({
        version: i.databaseVersion,
        edition: i.settings?.edition,
        tier: i.settings?.tier,
        availability: i.settings?.availabilityType,
        publicIp: i.settings?.ipConfiguration?.ipv4Enabled,
        ssl: i.settings?.ipConfiguration?.sslMode,
        pitr: i.settings?.backupConfiguration?.pointInTimeRecoveryEnabled,
        deletionProtection: i.deletionProtection,
    }),
    "gcp:storage/bucket:Bucket": (i) => ({
        name: i.name,
        publicAccessPrevention: i.publicAccessPrevention,
        versioning: i.versioning?.enabled,
        softDeleteDays: (i.softDeletePolicy?.retentionDurationSeconds ?? 0) / 86400,
        forceDestroy: i.forceDestroy,
    }),
    "gcp:artifactregistry/repository:Repository": (i) => ({ id: i.repositoryId, immutableTags: i.dockerConfig?.immutableTags }),
    "gcp:serviceaccount/account:Account": (i) => ({ accountId: i.accountId }),
    "gcp:projects/iAMMember:IAMMember": (i) => ({ role: i.role, member: i.member }),
    "gcp:serviceaccount/iAMMember:IAMMember": (i) => ({ role: i.role, member: i.member }),
    "gcp:storage/bucketIAMMember:BucketIAMMember": (i) => ({ role: i.role, member: i.member }),
    "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": (i) => ({ role: i.role, member: i.member }),
    "gcp:projects/service:Service": (i) => ({ api: i.service }),
};

function describe(resource: RenderedResource): string {
    const summary = SUMMARIES[resource.type]?.(resource.inputs);
    const shortType = resource.type.split(":").pop();
    const flags = resource.protect ? " [protected]" : "";
    const details = summary
        ? " " +
          Object.entries(summary)
              .filter(([, v]) => v !== undefined && v !== "")
              .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
              .join(" ")
        : "";
    return `${shortType} ${resource.name}${flags}${details}`;
}

function printTree(stack: RenderedStack, resource: RenderedResource, depth: number, lines: string[]): void {
    lines.push(`${"  ".repeat(depth)}${resource.custom ? "+ " : "▸ "}${describe(resource)}`);
    for (const child of childrenOf(stack, resource)) {
        printTree(stack, child, depth + 1, lines);
    }
}

function mask(value: unknown, secret: boolean): string {
    if (secret) {
        return "[secret]";
    }
    // An optional output that is off (e.g. `endpoint`) resolves to undefined.
    const text = typeof value === "string" ? value : (JSON.stringify(value) ?? "(not set)");
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The largest step each pool runs, as the decorator a user would write (from the largestStep output). */
export function largestStepSection(stack: RenderedStack): string[] {
    const steps = stack.outputs.largestStep?.value as Record<string, StepSize> | undefined;
    if (!steps) {
        return [];
    }
    const width = Math.max(...Object.keys(steps).map((k) => k.length));
    return [
        "Largest step per pool (bigger requests never schedule):",
        ...Object.entries(steps).map(([pool, s]) => {
            const gpu = s.gpus > 0 ? `gpu=${s.gpus}, ` : "";
            return `  ${pool.padEnd(width)}  @kubernetes(${gpu}cpu=${s.cpu}, memory=${s.memoryMb}, disk=${s.diskMb})`;
        }),
    ];
}

/** Each capacity ladder: the compute class steps select and the node pools GKE tries, in order (from the gpuScheduling output). */
export function ladderSection(stack: RenderedStack): string[] {
    const classes = (stack.outputs.gpuScheduling?.value as GpuScheduling | undefined)?.computeClasses;
    if (!classes) {
        return [];
    }
    return [
        "Capacity ladders (GPU steps select the class; GKE tries each node pool in turn when the one before has no capacity or is full):",
        ...Object.entries(classes).flatMap(([name, c]) => [`  ${name} (${c.gpuType}): ${c.decorator}`, ...c.tries.map((t, i) => `    ${i + 1}. ${t}`)]),
    ];
}

/** The queues steps wait in (from the queues output). */
export function queuesSection(stack: RenderedStack): string[] {
    const queues = stack.outputs.queues?.value as
        | { label: string; cohort?: string; clusterQueues: Array<{ name: string; localQueue: string; nominal: { cpus: number; gpus: number }; borrowing?: boolean }> }
        | undefined;
    if (!queues) {
        return [];
    }
    return [
        `Queues (Kueue; steps carry ${queues.label} from the profile, a team's steps name their own queue):`,
        ...queues.clusterQueues.map(
            (q) => `  ${q.localQueue} -> ClusterQueue ${q.name}: ${q.nominal.gpus} GPUs, ${q.nominal.cpus} vCPUs${q.borrowing === false ? " (no borrowing)" : queues.cohort ? ` (borrows idle quota in cohort ${queues.cohort})` : ""}`,
        ),
    ];
}

/** The dashboard and the alert policies, and whom the alerts notify (from the observability output). */
export function alertsSection(stack: RenderedStack): string[] {
    const o = stack.outputs.observability?.value as { dashboard: string; alerts: string[]; notify: string[]; scraped: string[] } | undefined;
    if (!o) {
        return [];
    }
    return [
        `Watching (Cloud Monitoring dashboard "${o.dashboard}"; Managed Prometheus scrapes ${o.scraped.length > 0 ? o.scraped.join(", ") : "nothing of ours"}):`,
        ...o.alerts.map((a) => `  alert: ${a}`),
        `  notifying: ${o.notify.length > 0 ? o.notify.join(", ") : "nobody (no observability.emails or billing.budget.emails): incidents show in the console only"}`,
    ];
}

/** The validated config a rendered stack was built from. */
export function renderedConfig(stack: RenderedStack) {
    return platformConfigFromFlat(stack.config, stack.stack);
}

const usd = (value: number | undefined) => (value === undefined ? "not priced" : `$${value.toFixed(value < 10 ? 4 : 2)}`);

/** The cost section: idle monthly bill by line item and the hourly price of a step per pool. */
export function costSection(estimate: CostEstimate): string[] {
    const width = Math.max(...estimate.idle.map((i) => i.item.length), 10);
    const lines = [
        `Estimated cost at LIST PRICES (${estimate.region}, prices as of ${estimate.pricesAsOf}, ${HOURS_PER_MONTH} h/month; no discounts, taxes, egress or usage-based charges):`,
        "  Idle, per month (minimum size):",
    ];
    for (const item of estimate.idle) {
        const amount = `${item.monthlyUsd < 0 ? "-" : ""}$${Math.abs(item.monthlyUsd).toFixed(2)}`;
        lines.push(`    ${item.item.padEnd(width)}  ${amount.padStart(9)}  ${item.detail}`);
    }
    lines.push(`    ${"total".padEnd(width)}  ${`$${estimate.idleMonthlyUsd.toFixed(2)}`.padStart(9)}`);
    lines.push(`  One step, per hour (spot: the region's spot price${estimate.spotPricesAsOf ? ` as of ${estimate.spotPricesAsOf}` : "s, none recorded"}):`);
    for (const step of estimate.steps) {
        lines.push(`    ${step.pool}: on-demand ${usd(step.onDemandUsdPerHour)}, spot ${usd(step.spotUsdPerHour)} (configured: ${step.configured}; ${step.what})${step.note ? ` — ${step.note}` : ""}`);
    }
    for (const missing of estimate.unpriced) {
        lines.push(`  not priced: ${missing}`);
    }
    return lines;
}

/** Renders and prints one stack; returns false when the program fails. */
export async function previewStack(name: string, options: RenderOptions = {}): Promise<{ ok: boolean; stack?: RenderedStack; text: string }> {
    const lines: string[] = [`Offline preview of stack "${name}" (rendered with mocks: no cloud calls were made)`, ""];
    let stack: RenderedStack;
    try {
        stack = await renderStack(name, options);
    } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        lines.push(err instanceof ConfigError ? `✗ ${message}` : `✗ The program failed: ${message}`);
        return { ok: false, text: lines.join("\n") };
    }
    lines.push(...stack.notes.map((n) => `note: ${n}`));
    if (!readStackFile(name, options.stacksDir).values["gcp:project"]) {
        lines.push(`note: Pulumi.${name}.yaml sets no gcp:project; rendered with the offline placeholder "${OFFLINE_PROJECT}".`);
        lines.push(`      Before a real deployment: pulumi config set gcp:project <your-project-id> -s ${name}`);
    }
    if (lines.length > 2) {
        lines.push("");
    }
    const roots = stack.resources.filter((r) => !stack.resources.some((p) => p.urn === r.parentUrn));
    for (const root of roots) {
        printTree(stack, root, 0, lines);
    }
    const created = stack.resources.filter((r) => r.custom).length;
    const components = stack.resources.filter((r) => !r.custom).length;
    lines.push("", `${created} resources in ${components} components would be created.`, "", "Outputs:");
    for (const [key, out] of Object.entries(stack.outputs)) {
        lines.push(`  ${key}: ${mask(out.value, out.secret)}`);
    }
    lines.push("", ...largestStepSection(stack));
    for (const section of [ladderSection(stack), queuesSection(stack), alertsSection(stack)]) {
        if (section.length > 0) {
            lines.push("", ...section);
        }
    }
    lines.push("", ...costSection(estimateCost(footprintFromConfig(renderedConfig(stack)))));
    lines.push("", ...quotaSection(stack));
    try {
        const report = formatReport(name, await checkRendered(stack));
        lines.push("", report.text);
        return { ok: !report.failed, stack, text: lines.join("\n") };
    } catch (err) {
        lines.push("", `✗ The policy check could not run: ${err instanceof Error ? err.message : err}`);
        return { ok: false, stack, text: lines.join("\n") };
    }
}

/** The Compute Engine quotas the stack needs at full scale, to request before the first `pulumi up`. */
export function quotaSection(stack: RenderedStack): string[] {
    const cfg = renderedConfig(stack);
    const needs = requiredQuotas(quotaPlanFromConfig(cfg));
    if (needs.length === 0) {
        return ["Quotas: Autopilot sizes the nodes; request GPU quota (GPUS_ALL_REGIONS and the regional GPU metric) for the GPUs steps will ask for."];
    }
    const width = Math.max(...needs.map((n) => n.metric.length));
    const scopeWidth = Math.max(...needs.map((n) => n.scope.length));
    return [
        "Quotas needed at full scale (every pool at maxNodes plus 1 surge node during upgrades; quotas are per project, so environments sharing one add up):",
        ...needs.map((n) => `  ${n.scope.padEnd(scopeWidth)}  ${n.metric.padEnd(width)}  ${String(n.amount).padStart(5)}   ${n.why}`),
        `  check: gcloud compute regions describe ${cfg.region} --format="table(quotas.metric,quotas.limit,quotas.usage)"; global ones: gcloud compute project-info describe`,
    ];
}

async function main(): Promise<void> {
    const requested = process.argv.slice(2).filter((a) => !a.startsWith("-"));
    const stacks = requested.length > 0 ? requested : listStacks();
    let failed = false;
    for (const name of stacks) {
        const result = await previewStack(name, { offlineProject: false });
        console.log(result.text);
        console.log("");
        failed ||= !result.ok;
    }
    process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exitCode = 1;
    });
}
