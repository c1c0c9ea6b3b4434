/**
 * Which project the laptop's Application Default Credentials bill Google API calls to (their
 * "quota project"), read the way google-auth 2.63.0 reads it, and what to do when it is not the
 * platform's project. The client extension mints the endpoint's ID tokens with ADC
 * (impersonated_credentials.IDTokenCredentials.refresh calls IAM Credentials' generateIdToken
 * through an AuthorizedSession of the user's credentials, which sends their quota project as
 * `x-goog-user-project`), and Metaflow's gs datastore calls Cloud Storage with them: the quota
 * project must have those APIs enabled and let you use it (`serviceusage.services.use`, which
 * access.members get on the platform's project). `gcloud auth application-default login` writes
 * whatever project gcloud had at that moment.
 */
import * as fs from "fs";
import * as path from "path";

/** What the ADC file says, as google-auth would load it. */
export interface AdcQuota {
    /** The file google-auth reads (whether or not it exists). */
    readonly file: string;
    readonly exists: boolean;
    /** `type` in the file: `authorized_user` is what `gcloud auth application-default login` writes. */
    readonly type?: string;
    /** The quota project in effect, and where it comes from. */
    readonly quotaProject?: string;
    readonly from?: "GOOGLE_CLOUD_QUOTA_PROJECT" | "file";
}

/**
 * The ADC file google-auth loads (google-auth 2.63.0 `google/auth/_default.py`: first
 * GOOGLE_APPLICATION_CREDENTIALS, then `_cloud_sdk.get_application_default_credentials_path()`:
 * `$CLOUDSDK_CONFIG`, else `~/.config/gcloud`, or `%APPDATA%\gcloud` on Windows, plus
 * `application_default_credentials.json`).
 */
export function adcFile(env: NodeJS.ProcessEnv, homedir: string, platform: NodeJS.Platform = process.platform): string {
    if (env.GOOGLE_APPLICATION_CREDENTIALS) {
        return env.GOOGLE_APPLICATION_CREDENTIALS;
    }
    const configDir = env.CLOUDSDK_CONFIG ?? (platform === "win32" ? path.join(env.APPDATA ?? `${env.SystemDrive ?? "C:"}\\`, "gcloud") : path.join(homedir, ".config", "gcloud"));
    return path.join(configDir, "application_default_credentials.json");
}

/**
 * The quota project of ADC: `GOOGLE_CLOUD_QUOTA_PROJECT` when set (google-auth
 * `_apply_quota_project_id` -> `with_quota_project_from_environment`, which replaces the file's),
 * else the file's `quota_project_id` (google/oauth2/credentials.py `from_authorized_user_info`).
 */
export function readAdcQuota(env: NodeJS.ProcessEnv, homedir: string, platform: NodeJS.Platform = process.platform): AdcQuota {
    const file = adcFile(env, homedir, platform);
    if (!fs.existsSync(file)) {
        return { file, exists: false };
    }
    let info: Record<string, unknown>;
    try {
        info = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch {
        return { file, exists: true, type: "unreadable" };
    }
    const type = typeof info.type === "string" ? info.type : undefined;
    if (env.GOOGLE_CLOUD_QUOTA_PROJECT) {
        return { file, exists: true, type, quotaProject: env.GOOGLE_CLOUD_QUOTA_PROJECT, from: "GOOGLE_CLOUD_QUOTA_PROJECT" };
    }
    return typeof info.quota_project_id === "string" && info.quota_project_id !== ""
        ? { file, exists: true, type, quotaProject: info.quota_project_id, from: "file" }
        : { file, exists: true, type };
}

/** The command that makes the platform's project ADC's quota project. */
export function setQuotaProjectCommand(project: string): string {
    return `gcloud auth application-default set-quota-project ${project}`;
}

/**
 * A warning when ADC would not bill the platform's `project`, with the exact command; undefined
 * when it does. Only user credentials are judged: a service account (key file, impersonation,
 * workload identity federation) bills its own project, which gcloud does not decide.
 */
export function quotaProjectWarning(adc: AdcQuota, project: string): string | undefined {
    const fix = setQuotaProjectCommand(project);
    if (!adc.exists) {
        return `no Application Default Credentials at ${adc.file}: Metaflow (and the endpoint's client extension) cannot call Google APIs from this laptop. Run \`gcloud auth application-default login\`, then \`${fix}\`.`;
    }
    if (adc.type !== "authorized_user") {
        return adc.type === "unreadable" ? `${adc.file} is not valid JSON; run \`gcloud auth application-default login\`, then \`${fix}\`.` : undefined;
    }
    if (adc.quotaProject === project) {
        return undefined;
    }
    const why = "Google API calls made with your Application Default Credentials (the endpoint's ID tokens, the datastore bucket) are billed to, and need their APIs enabled in, the quota project";
    if (adc.quotaProject === undefined) {
        return `${adc.file} has no quota project. ${why}; without one they fall back to gcloud's shared project or fail (cloud.google.com/docs/quotas/set-quota-project). Run \`${fix}\`.`;
    }
    const change = adc.from === "GOOGLE_CLOUD_QUOTA_PROJECT" ? `unset GOOGLE_CLOUD_QUOTA_PROJECT (or set it to ${project})` : `run \`${fix}\``;
    return `Application Default Credentials bill project ${adc.quotaProject} (from ${adc.from === "file" ? adc.file : "GOOGLE_CLOUD_QUOTA_PROJECT"}), not this platform's project ${project}. ${why}. To use the platform's: ${change}.`;
}
