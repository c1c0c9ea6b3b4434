/** The services on the cluster: no plaintext secrets in env values, everything pinned. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, forTypes } from "./helpers";
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
                if (SECRET_NAME.test(env.name) && env.value !== undefined) {
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

export const kubernetesPolicies = [noPlaintextSecrets, pinnedDeployments];
