/**
 * The identity the Google provider (@pulumi/gcp, which wraps terraform-provider-google) calls
 * Google APIs with, found the same way, for the calls our dynamic providers make themselves (the
 * peering removal at destroy). Without it, destroy would run as whatever Application Default
 * Credentials the machine has, or fail after the database is already gone.
 *
 * Precedence, from terraform-provider-google v7.45.0 (the version @pulumi/gcp 9.x wraps):
 * - google/provider/provider.go (ProviderConfigure, l. 1197-1218): `access_token` and
 *   `credentials` from the provider config; only when neither is set, the environment:
 *   credentials from GOOGLE_CREDENTIALS, GOOGLE_CLOUD_KEYFILE_JSON, GCLOUD_KEYFILE_JSON (first
 *   non-empty, envvar.MultiEnvSearch) and the token from GOOGLE_OAUTH_ACCESS_TOKEN. Config beats
 *   the environment in all cases.
 * - google/transport/config.go (HandleSDKDefaults, l. 258-263): `impersonate_service_account`
 *   from GOOGLE_IMPERSONATE_SERVICE_ACCOUNT when the config does not set it.
 * - google/transport/config.go (GetCredentials, l. 554-670): an access token first, else the
 *   credentials, else Application Default Credentials; each may be a value or a path to a file
 *   (google/verify/path_or_contents.go: `~` expanded, an existing file is read); impersonation,
 *   with its delegates, applies on top of whichever source was found.
 * - google/transport/config.go DefaultClientScopes: cloud-platform.
 * - google/services/compute/product.go: the Compute base URL, overridden by
 *   `compute_custom_endpoint` / GOOGLE_COMPUTE_CUSTOM_ENDPOINT.
 * Pulumi hands a dynamic provider the whole stack config with namespaced keys (`gcp:credentials`;
 * pulumi/pulumi v3.248.0 pkg/resource/deploy/target.go GetPackageConfig), through `configure`
 * (@pulumi/pulumi 3.248.0 cmd/dynamic-provider/index.js getProvider); @pulumi/gcp's own config
 * adds no environment defaults for these keys (config/vars.js), so the provider's are the ones.
 *
 * The functions are self-contained (no imports; `require` inside): Pulumi serializes them into
 * the state with the provider that calls them. The identity is held in memory only; nothing of
 * it is ever put in a resource's inputs or outputs.
 */

/** How to reach Google, as the provider config and environment say. Values may be secrets. */
export interface GoogleIdentity {
    /** An OAuth access token, or a path to a file holding one. */
    readonly accessToken?: string;
    /** Credentials JSON (service account key, authorized user, external account), or a path to it. */
    readonly credentials?: string;
    /** Service account to impersonate, with the delegation chain. */
    readonly impersonateServiceAccount?: string;
    readonly impersonateServiceAccountDelegates: string[];
    /** Compute Engine API base, ending in `/compute/v1/`. */
    readonly computeEndpoint: string;
    /**
     * IAM Credentials API base for impersonation (`gcp:iamCredentialsCustomEndpoint`). The
     * provider's own impersonation always uses the default host; ours honours the override so a
     * test or a restricted network can point it elsewhere.
     */
    readonly iamCredentialsEndpoint?: string;
}

/** Scopes the provider asks for (transport/config.go DefaultClientScopes). */
export const GOOGLE_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

/** Reads the identity from the stack config (`gcp:*` keys) and the environment, in the provider's order. */
export function googleIdentity(config: (key: string) => string | undefined, env: Record<string, string | undefined>): GoogleIdentity {
    const first = (...values: Array<string | undefined>): string | undefined => values.find((v) => typeof v === "string" && v !== "");
    let accessToken = first(config("gcp:accessToken"));
    let credentials = first(config("gcp:credentials"));
    if (!accessToken && !credentials) {
        credentials = first(env.GOOGLE_CREDENTIALS, env.GOOGLE_CLOUD_KEYFILE_JSON, env.GCLOUD_KEYFILE_JSON);
        accessToken = first(env.GOOGLE_OAUTH_ACCESS_TOKEN);
    }
    const delegatesText = first(config("gcp:impersonateServiceAccountDelegates"));
    let delegates: unknown = [];
    if (delegatesText) {
        try {
            delegates = JSON.parse(delegatesText);
        } catch {
            delegates = undefined;
        }
        if (!Array.isArray(delegates) || !delegates.every((d) => typeof d === "string")) {
            throw new Error("gcp:impersonateServiceAccountDelegates must be a list of service account emails");
        }
    }
    const iamBase = first(config("gcp:iamCredentialsCustomEndpoint"), env.GOOGLE_IAM_CREDENTIALS_CUSTOM_ENDPOINT);
    return {
        accessToken,
        credentials,
        impersonateServiceAccount: first(config("gcp:impersonateServiceAccount"), env.GOOGLE_IMPERSONATE_SERVICE_ACCOUNT),
        impersonateServiceAccountDelegates: delegates as string[],
        computeEndpoint: first(config("gcp:computeCustomEndpoint"), env.GOOGLE_COMPUTE_CUSTOM_ENDPOINT) ?? "https://compute.googleapis.com/compute/v1/",
        // The provider's base ends in /v1/; google-auth-library's Impersonated appends /v1/... itself.
        iamCredentialsEndpoint: iamBase?.replace(/\/v1\/?$/, "").replace(/\/$/, ""),
    };
}

/**
 * The identity from the config a dynamic provider's `configure` receives (the host's Config:
 * `get` throws when the engine sent none), and the environment.
 */
export function configuredIdentity(config: { get(key: string): string | undefined }): GoogleIdentity {
    const get = (key: string): string | undefined => {
        try {
            return config.get(key);
        } catch {
            return undefined;
        }
    };
    return googleIdentity(get, process.env);
}

/**
 * The value itself, or the contents of the file it names (`~` expanded), as the provider's
 * verify.PathOrContents does. Never echoes the value in an error.
 */
export function pathOrContents(value: string): string {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs");
    const file = value.startsWith("~") ? `${process.env.HOME ?? ""}${value.slice(1)}` : value;
    try {
        if (fs.statSync(file).isFile()) {
            return fs.readFileSync(file, "utf8");
        }
    } catch {
        // Not a file: the value is the contents.
    }
    return value;
}

/**
 * What a dynamic provider's `delete` acts as: the identity `configure` found or, when the host
 * sent no config, the environment's; and a client acting as it.
 */
export async function identityAndClient(configured: GoogleIdentity | undefined): Promise<{ identity: GoogleIdentity; client: GoogleRequester }> {
    const identity = configured ?? googleIdentity(() => undefined, process.env);
    return { identity, client: await googleClient(identity) };
}

/** Waits `ms` of wall-clock time (the dynamic providers' retries). */
export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The part of a google-auth-library client that is used: authorized HTTP requests. */
export interface GoogleRequester {
    request(options: unknown): Promise<{ data: unknown }>;
}

/** A google-auth-library client acting as the identity. */
export async function googleClient(identity: GoogleIdentity): Promise<GoogleRequester> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { GoogleAuth, OAuth2Client, Impersonated } = require("google-auth-library");
    const scopes = GOOGLE_SCOPES;
    let source: GoogleRequester;
    if (identity.accessToken) {
        const client = new OAuth2Client();
        client.setCredentials({ access_token: pathOrContents(identity.accessToken).trim() });
        source = client;
    } else if (identity.credentials) {
        let json: unknown;
        try {
            json = JSON.parse(pathOrContents(identity.credentials));
        } catch {
            // Like the provider, refuse; unlike its message, do not print the credentials.
            throw new Error("the Google credentials (gcp:credentials, GOOGLE_CREDENTIALS or GOOGLE_CLOUD_KEYFILE_JSON) are neither JSON nor a path to a JSON file");
        }
        source = await new GoogleAuth({ credentials: json, scopes }).getClient();
    } else {
        source = await new GoogleAuth({ scopes }).getClient();
    }
    if (!identity.impersonateServiceAccount) {
        return source;
    }
    return new Impersonated({
        sourceClient: source,
        targetPrincipal: identity.impersonateServiceAccount,
        delegates: identity.impersonateServiceAccountDelegates,
        targetScopes: scopes,
        lifetime: 3600,
        ...(identity.iamCredentialsEndpoint ? { endpoint: identity.iamCredentialsEndpoint } : {}),
    });
}
