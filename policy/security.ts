/** Security baseline: hardened GKE, private Cloud SQL, private buckets, no keys, no primitive roles. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { coversWholeInternet } from "../components/model/cidr";
import { GPU_TAINT, IAP_TCP_FORWARDING_RANGE } from "../components/model/wellKnown";
import { describe, forTypes } from "./helpers";
import { IAM_GRANT_TYPES, T } from "./types";

export const gkePrivateNodes: ResourceValidationPolicy = {
    name: "gke-private-nodes",
    description: "GKE nodes have no public IP.",
    validateResource: forTypes([T.cluster], (props, args, report) => {
        if (props.privateClusterConfig?.enablePrivateNodes !== true) {
            report(`${describe(args)} must set privateClusterConfig.enablePrivateNodes = true; public nodes are reachable from the internet.`);
        }
    }),
};

export const gkeWorkloadIdentity: ResourceValidationPolicy = {
    name: "gke-workload-identity",
    description: "Workload Identity is on, and node pools serve the GKE metadata server (pods never see node credentials).",
    validateResource: forTypes([T.cluster, T.nodePool], (props, args, report) => {
        if (args.type === T.cluster) {
            if (props.enableAutopilot !== true && !props.workloadIdentityConfig?.workloadPool) {
                report(`${describe(args)} must set workloadIdentityConfig.workloadPool = "<project>.svc.id.goog"; without it workloads need key files.`);
            }
        } else if (props.nodeConfig?.workloadMetadataConfig?.mode !== "GKE_METADATA") {
            report(`${describe(args)} must set nodeConfig.workloadMetadataConfig.mode = "GKE_METADATA".`);
        }
    }),
};

export const gkeSecureBoot: ResourceValidationPolicy = {
    name: "gke-secure-boot",
    description: "Nodes are shielded VMs with secure boot.",
    validateResource: forTypes([T.cluster, T.nodePool], (props, args, report) => {
        if (args.type === T.cluster) {
            if (props.enableAutopilot !== true && props.enableShieldedNodes === false) {
                report(`${describe(args)} must keep enableShieldedNodes on.`);
            }
        } else if (props.nodeConfig?.shieldedInstanceConfig?.enableSecureBoot !== true) {
            report(`${describe(args)} must set nodeConfig.shieldedInstanceConfig.enableSecureBoot = true.`);
        }
    }),
};

export const gkeNoLegacyAuth: ResourceValidationPolicy = {
    name: "gke-no-legacy-auth",
    description: "No legacy ABAC and no client certificate on the cluster.",
    validateResource: forTypes([T.cluster], (props, args, report) => {
        if (props.enableLegacyAbac === true) {
            report(`${describe(args)} enables legacy ABAC; RBAC only.`);
        }
        if (props.masterAuth?.clientCertificateConfig?.issueClientCertificate === true) {
            report(`${describe(args)} issues a client certificate, a credential that cannot be revoked.`);
        }
    }),
};

export const gkeControlPlaneNotPublic: ResourceValidationPolicy = {
    name: "gke-control-plane-not-public",
    description: "The control plane's IP endpoint is not open to the whole internet.",
    validateResource: forTypes([T.cluster], (props, args, report) => {
        const man = props.masterAuthorizedNetworksConfig;
        const ipEndpointOn = props.controlPlaneEndpointsConfig?.ipEndpointsConfig?.enabled !== false;
        if (!ipEndpointOn) {
            return;
        }
        if (!man) {
            report(`${describe(args)} has no masterAuthorizedNetworksConfig: its IP endpoint accepts any source. List authorized networks or use the DNS endpoint.`);
            return;
        }
        const blocks: string[] = (man.cidrBlocks ?? []).map((b: any) => String(b.cidrBlock));
        if (coversWholeInternet(blocks)) {
            report(`${describe(args)} authorizes ${blocks.join(", ")}, which together cover every IPv4 address: the control plane would be open to the whole internet.`);
        }
        if (man.gcpPublicCidrsAccessEnabled === true) {
            report(`${describe(args)} admits all of Google Cloud's public IPs to the control plane (gcpPublicCidrsAccessEnabled).`);
        }
    }),
};

export const cloudSqlPrivate: ResourceValidationPolicy = {
    name: "cloudsql-private-ssl-backups",
    description: "Cloud SQL has no public IP, enforces TLS and takes backups.",
    validateResource: forTypes([T.sqlInstance], (props, args, report) => {
        const ip = props.settings?.ipConfiguration ?? {};
        if (ip.ipv4Enabled !== false) {
            report(`${describe(args)} has a public IP (settings.ipConfiguration.ipv4Enabled must be false; use private IP through Private Service Access).`);
        }
        const sslEnforced = ["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"].includes(ip.sslMode) || ip.requireSsl === true;
        if (!sslEnforced) {
            report(`${describe(args)} accepts unencrypted connections (set settings.ipConfiguration.sslMode = "ENCRYPTED_ONLY").`);
        }
        if (props.settings?.backupConfiguration?.enabled !== true) {
            report(`${describe(args)} takes no automated backups (settings.backupConfiguration.enabled).`);
        }
    }),
};

export const bucketPrivate: ResourceValidationPolicy = {
    name: "bucket-uniform-private",
    description: "Buckets use uniform bucket-level access and enforce public access prevention.",
    validateResource: forTypes([T.bucket], (props, args, report) => {
        if (props.uniformBucketLevelAccess !== true) {
            report(`${describe(args)} must set uniformBucketLevelAccess = true (no per-object ACLs).`);
        }
        if (props.publicAccessPrevention !== "enforced") {
            report(`${describe(args)} must set publicAccessPrevention = "enforced"; found ${props.publicAccessPrevention ?? "inherited"}.`);
        }
    }),
};

export const noServiceAccountKeys: ResourceValidationPolicy = {
    name: "no-service-account-keys",
    description: "No service-account keys: workloads use Workload Identity.",
    validateResource: forTypes([T.serviceAccountKey], (_props, args, report) => {
        report(`${describe(args)} creates a long-lived service-account key; use Workload Identity instead.`);
    }),
};

export const noPrimitiveRoles: ResourceValidationPolicy = {
    name: "no-primitive-roles",
    description: "No owner, editor or viewer roles are granted.",
    validateResource: forTypes(IAM_GRANT_TYPES, (props, args, report) => {
        if (["roles/owner", "roles/editor", "roles/viewer"].includes(props.role)) {
            report(`${describe(args)} grants the primitive role ${props.role}; grant a predefined least-privilege role.`);
        }
    }),
};

export const noIngressFromInternet: ResourceValidationPolicy = {
    name: "no-ingress-from-internet",
    description: "No firewall rule admits traffic from the whole internet: 0.0.0.0/0, ::/0, or source ranges that together cover every address.",
    validateResource: forTypes([T.firewall], (props, args, report) => {
        const sources = (props.sourceRanges ?? []) as string[];
        if ((props.direction ?? "INGRESS") === "INGRESS" && (sources.includes("::/0") || coversWholeInternet(sources))) {
            const ports = (props.allows ?? []).map((a: any) => `${a.protocol}${a.ports ? ":" + a.ports.join(",") : ""}`).join(" ");
            report(`${describe(args)} admits ${ports || "traffic"} from the whole internet (${sources.join(", ")}); use IAP (${IAP_TCP_FORWARDING_RANGE}) for SSH.`);
        }
    }),
};

export const gpuPoolTaintAndDriver: ResourceValidationPolicy = {
    name: "gpu-pool-taint-and-driver",
    description: `GPU pools carry the ${GPU_TAINT.key} NoSchedule taint (CPU pods stay off) and install the driver.`,
    validateResource: forTypes([T.nodePool], (props, args, report) => {
        const accelerators: any[] = props.nodeConfig?.guestAccelerators ?? [];
        if (accelerators.length === 0) {
            return;
        }
        const tainted = (props.nodeConfig?.taints ?? []).some((t: any) => t.key === GPU_TAINT.key && t.effect === GPU_TAINT.effect);
        if (!tainted) {
            report(`${describe(args)} has GPUs but no ${GPU_TAINT.key} NoSchedule taint: CPU pods can land on expensive GPU nodes.`);
        }
        for (const a of accelerators) {
            if (!a.gpuDriverInstallationConfig?.gpuDriverVersion || a.gpuDriverInstallationConfig.gpuDriverVersion === "INSTALLATION_DISABLED") {
                report(`${describe(args)} installs no NVIDIA driver for ${a.type}; set gpuDriverInstallationConfig.gpuDriverVersion to DEFAULT or LATEST.`);
            }
        }
    }),
};

export const securityPolicies = [
    gkePrivateNodes,
    gkeWorkloadIdentity,
    gkeSecureBoot,
    gkeNoLegacyAuth,
    gkeControlPlaneNotPublic,
    cloudSqlPrivate,
    bucketPrivate,
    noServiceAccountKeys,
    noPrimitiveRoles,
    noIngressFromInternet,
    gpuPoolTaintAndDriver,
];
