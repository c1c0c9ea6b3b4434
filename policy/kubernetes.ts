/** The services on the cluster: no plaintext secrets, everything pinned, RBAC kept in its namespace (exposure: exposure.ts). */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, forTypes, peek, UNKNOWN } from "./helpers";
import { T } from "./types";

const SECRET_NAME = /(PASSWORD|PASSWD|PSWD|SECRET|TOKEN|API_KEY)$/i;

function containersOf(props: Record<string, any>): any[] {
    const spec = props.spec?.template?.spec ?? {};
    return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "k8s-no-plaintext-secrets",
    description: "Secret-looking environment variables come from Kubernetes Secrets, never plain values.",
    validateResource: forTypes([T.deployment], (props, args, report) => {
        for (const c of containersOf(props)) {
            for (const env of c.env ?? []) {
                // `in`, not a read: an inline value built from an output is unknown in a preview,
                // and reading it would only yield "can't run"; inline is wrong whatever it holds.
                if (SECRET_NAME.test(env.name) && "value" in env && peek(() => env.value) !== undefined) {
                    report(`${describe(args)} container ${c.name} sets ${env.name} as a plain value; use valueFrom.secretKeyRef.`);
                }
            }
        }
    }),
};

export const pinnedDeployments: ResourceValidationPolicy = {
    name: "k8s-pinned-versions",
    description: "Container images carry an exact version tag or digest and Helm charts an exact version.",
    validateResource: forTypes([T.deployment, T.helmRelease], (props, args, report) => {
        if (args.type === T.helmRelease) {
            if (!/^\d+\.\d+\.\d+$/.test(String(props.version ?? ""))) {
                report(`${describe(args)} installs chart ${props.chart} at "${props.version ?? "latest"}"; pin an exact chart version.`);
            }
            return;
        }
        for (const c of containersOf(props)) {
            const image: string = c.image ?? "";
            const pinned = image.includes("@sha256:") || /:v?\d+(\.\d+)+[\w.-]*$/.test(image);
            if (!pinned) {
                report(`${describe(args)} container ${c.name} runs ${image || "no image"}; pin a version tag or digest (never latest).`);
            }
        }
    }),
};

/** ClusterRoles that hand out the keys to a namespace, or to the whole cluster when bound cluster-wide. */
const POWERFUL_CLUSTER_ROLES = ["cluster-admin", "admin", "edit"];

export const rbacScoped: ResourceValidationPolicy = {
    name: "k8s-rbac-scoped",
    description: "RBAC stays in the environment's namespace: no cluster-wide binding of cluster-admin, admin or edit, and no Role or binding in (or to subjects of) another namespace.",
    configSchema: { properties: { namespace: { type: "string" } }, required: ["namespace"] },
    validateResource: forTypes([T.clusterRoleBinding, T.roleBinding, T.role], (props, args, report) => {
        const { namespace } = args.getConfig<{ namespace: string }>();
        const name = props.metadata?.name ?? args.name;
        if (args.type === T.clusterRoleBinding) {
            if (props.roleRef?.kind === "ClusterRole" && POWERFUL_CLUSTER_ROLES.includes(props.roleRef?.name)) {
                report(`${describe(args)} binds ClusterRole ${props.roleRef.name} cluster-wide; bind it with a RoleBinding in ${namespace} instead.`);
            }
        } else {
            const where = peek(() => props.metadata?.namespace);
            if (where !== UNKNOWN && where !== namespace) {
                report(`${describe(args)} (${name}) is in namespace ${where ?? "default"}; this environment's RBAC belongs in ${namespace}.`);
            }
        }
        for (const subject of (args.type === T.role ? [] : (props.subjects ?? [])) as any[]) {
            if (subject.kind === "ServiceAccount" && subject.namespace !== undefined && subject.namespace !== namespace) {
                report(`${describe(args)} (${name}) grants to ServiceAccount ${subject.namespace}/${subject.name}, outside this environment's namespace ${namespace}.`);
            }
        }
    }),
};

export const kubernetesPolicies = [noPlaintextSecrets, pinnedDeployments, rbacScoped];
