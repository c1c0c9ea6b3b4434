/** Production safety: only for stacks whose policy config says `production: true`. */
import type { PolicyConfigSchema, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";
import { describe, forTypes } from "./helpers";
import { T } from "./types";

const productionSchema: PolicyConfigSchema = { properties: { production: { type: "boolean", default: false } } };

function isProduction(args: ResourceValidationArgs): boolean {
    return args.getConfig<{ production?: boolean }>().production === true;
}

export const prodDatabase: ResourceValidationPolicy = {
    name: "prod-database-ha-pitr-protected",
    description: "Production Cloud SQL is regional, has point-in-time recovery and deletion protection (API flag and Pulumi).",
    configSchema: productionSchema,
    validateResource: forTypes([T.sqlInstance], (props, args, report) => {
        if (!isProduction(args)) {
            return;
        }
        const s = props.settings ?? {};
        if (s.availabilityType !== "REGIONAL") {
            report(`${describe(args)} must be REGIONAL (high availability) in production, found ${s.availabilityType ?? "ZONAL"}.`);
        }
        if (s.backupConfiguration?.pointInTimeRecoveryEnabled !== true) {
            report(`${describe(args)} must enable point-in-time recovery in production.`);
        }
        if (props.deletionProtection !== true || s.deletionProtectionEnabled !== true) {
            report(`${describe(args)} must set both deletionProtection and settings.deletionProtectionEnabled in production.`);
        }
    }),
};

export const prodClusterProtected: ResourceValidationPolicy = {
    name: "prod-cluster-deletion-protection",
    description: "Production GKE clusters have deletion protection.",
    configSchema: productionSchema,
    validateResource: forTypes([T.cluster], (props, args, report) => {
        if (isProduction(args) && props.deletionProtection !== true) {
            report(`${describe(args)} must set deletionProtection = true in production.`);
        }
    }),
};

export const prodBucketRecoverable: ResourceValidationPolicy = {
    name: "prod-bucket-recoverable",
    description: "Production buckets keep versions or soft-deleted objects and are never force-destroyed.",
    configSchema: productionSchema,
    validateResource: forTypes([T.bucket], (props, args, report) => {
        if (!isProduction(args)) {
            return;
        }
        const versioned = props.versioning?.enabled === true;
        const softDelete = Number(props.softDeletePolicy?.retentionDurationSeconds ?? 0) > 0;
        if (!versioned && !softDelete) {
            report(`${describe(args)} keeps neither versions nor soft-deleted objects: a deleted artifact is gone for good.`);
        }
        if (props.forceDestroy === true) {
            report(`${describe(args)} sets forceDestroy: \`pulumi destroy\` would delete every object in production.`);
        }
    }),
};

export const productionPolicies = [prodDatabase, prodClusterProtected, prodBucketRecoverable];
