/**
 * Names and identifiers the stack config passes to Google Cloud and Kubernetes, checked against
 * the rules those systems apply, so a value they would refuse halfway through `pulumi up` is
 * refused before anything is created. Each rule cites where it comes from.
 */

/**
 * A DNS-1123 label, what Kubernetes accepts as a namespace name: lowercase letters, digits and
 * `-`, starting and ending with a letter or digit, at most 63 characters
 * (kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go,
 * `IsDNS1123Label`). Ours is stricter (3-32, starting with a letter), as the schema says.
 */
export const NAMESPACE_PATTERN = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

/**
 * Namespaces that exist in every GKE cluster or that GKE manages. Kubernetes creates `default`,
 * `kube-system`, `kube-public` and `kube-node-lease`, and reserves the `kube-` prefix for itself
 * ("Avoid creating namespaces with the prefix kube-", kubernetes.io, concepts/overview/
 * working-with-objects/namespaces). GKE runs its own components in `gke-*` namespaces
 * (gke-gmp-system, gke-managed-system, gke-managed-cim, gke-managed-filestorecsi, ... the list
 * grows with add-ons) and in `gmp-system`/`gmp-public` (Managed Service for Prometheus); GKE
 * Warden denies writes there in Autopilot ("GKE Warden authz [denied by
 * managed-namespaces-limitation]: the namespace "kube-system" is managed", GKE Autopilot
 * security, "managed namespaces"; ClusterPolicyConfig.noSystemMutation in the GKE API), and in
 * Standard our namespace would share them with Google's add-ons: deleting the environment
 * deletes the namespace and everything in it.
 */
const SYSTEM_NAMESPACES = ["default", "gmp-system", "gmp-public", "config-management-system", "config-management-monitoring", "istio-system", "asm-system"];
const SYSTEM_NAMESPACE_PREFIXES = ["kube-", "gke-"];

/** Why `namespace` cannot hold the environment's services, or undefined when it can. */
export function reservedNamespaceReason(namespace: string): string | undefined {
    const prefix = SYSTEM_NAMESPACE_PREFIXES.find((p) => namespace.startsWith(p));
    if (prefix === "kube-") {
        return "the kube- prefix is Kubernetes' own (kube-system, kube-public, kube-node-lease)";
    }
    if (prefix === "gke-") {
        return "gke-* namespaces are GKE's own (GKE manages and, in Autopilot, locks them)";
    }
    if (namespace === "default") {
        return "default is every cluster's catch-all namespace; deleting the environment would delete the namespace with everything anyone put there";
    }
    if (SYSTEM_NAMESPACES.includes(namespace)) {
        return `${namespace} belongs to a GKE add-on`;
    }
    return undefined;
}

/**
 * Why Cloud Storage refuses `name` as a bucket name, or undefined when it accepts it. From
 * "Bucket naming guidelines" (cloud.google.com/storage/docs/buckets#naming, as of 2026): only
 * lowercase letters, digits, `-`, `_` and `.`; starting and ending with a letter or digit; 3-63
 * characters; not an IP address in dotted-decimal notation; not beginning with "goog"; not
 * containing "google" or close misspellings such as "g00gle". Names with dots are refused here
 * too: Cloud Storage creates them only for a domain whose ownership the deploying account has
 * verified (same page), which a first `pulumi up` cannot count on.
 */
export function bucketNameProblem(name: string): string | undefined {
    if (name.length < 3 || name.length > 63) {
        return `is ${name.length} characters; Cloud Storage bucket names are 3-63 characters`;
    }
    if (!/^[a-z0-9][a-z0-9_.-]*[a-z0-9]$/.test(name)) {
        return "Cloud Storage bucket names hold only lowercase letters, digits, dashes and underscores, and start and end with a letter or digit";
    }
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) {
        return "Cloud Storage refuses bucket names written as an IP address";
    }
    if (name.includes(".")) {
        return "Cloud Storage creates bucket names with dots only for a domain you have verified you own; use dashes instead";
    }
    if (name.startsWith("goog")) {
        return 'Cloud Storage refuses bucket names that begin with "goog"';
    }
    if (looksLikeGoogle(name)) {
        return 'Cloud Storage refuses bucket names that contain "google" or a close misspelling of it (such as "g00gle")';
    }
    return undefined;
}

/**
 * "google" or a close misspelling: digits that stand for letters (0 for o, 1 for l, 3 for e, 9
 * for g) and doubled or dropped letters ("gooogle", "gogle"). Google does not publish its list,
 * so this refuses the spellings its own example names and their obvious relatives.
 */
function looksLikeGoogle(name: string): boolean {
    const letters = name.replace(/0/g, "o").replace(/1/g, "l").replace(/3/g, "e").replace(/9/g, "g");
    return /go{1,}gl+e/.test(letters) || /g{2,}o+gle/.test(letters);
}

/**
 * An email address as IAM takes one: a dot-atom local part (RFC 5322 3.2.3: letters, digits and
 * !#$%&'*+/=?^_`{|}~-, dots between them) and a domain of DNS labels with a letter-only top-level
 * label. Anything after the domain (`ada@example.com:x`) is not an address.
 */
const LOCAL_PART = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
const DOMAIN = "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,63}";
export const EMAIL = new RegExp(`^${LOCAL_PART}@${DOMAIN}$`);
const EMAIL_PREFIX = new RegExp(`^${LOCAL_PART}@${DOMAIN}`);

/**
 * The principal kinds a member may be and their identifiers in IAM allow policies
 * (cloud.google.com/iam/docs/principal-identifiers, "Principal identifiers for allow policies",
 * as of 2026): `user:USER_EMAIL_ADDRESS`, `group:GROUP_EMAIL_ADDRESS`,
 * `serviceAccount:SA_EMAIL_ADDRESS` (an address of a `gserviceaccount.com` domain). The prefixes
 * are case-sensitive. `domain:` and `principal://` identifiers exist too, but a member is also a
 * Kubernetes RBAC subject (User or Group by email), which they cannot be.
 */
const PRINCIPAL_KINDS = ["user", "group", "serviceAccount"] as const;

/** Why IAM or this platform cannot take `member`, or undefined when it can. */
export function principalProblem(member: string): string | undefined {
    const colon = member.indexOf(":");
    const kind = colon < 0 ? "" : member.slice(0, colon);
    const email = colon < 0 ? member : member.slice(colon + 1);
    const allowed = 'must be "user:<email>", "group:<email>" or "serviceAccount:<name>@<project>.iam.gserviceaccount.com"';
    if (!PRINCIPAL_KINDS.includes(kind as (typeof PRINCIPAL_KINDS)[number])) {
        const sameLetters = PRINCIPAL_KINDS.find((k) => k.toLowerCase() === kind.toLowerCase());
        if (sameLetters) {
            return `IAM's principal prefixes are case-sensitive: write "${sameLetters}:"`;
        }
        if (kind === "domain" || member.startsWith("principal")) {
            return `${allowed}: a member is also a Kubernetes RBAC subject, which a whole domain or a federated identity cannot be; list its people or a group`;
        }
        return allowed;
    }
    if (!EMAIL.test(email)) {
        const prefix = EMAIL_PREFIX.exec(email);
        return prefix ? `has "${email.slice(prefix[0].length)}" after the address ${prefix[0]}; ${allowed}` : `${allowed}; "${email}" is not an email address`;
    }
    if (kind === "serviceAccount" && !/\.gserviceaccount\.com$/i.test(email)) {
        return `a service account's address ends in .gserviceaccount.com (<name>@<project>.iam.gserviceaccount.com); list a person as user:${email}`;
    }
    return undefined;
}

/** The principal without what follows its address, when that makes it valid (for a fix). */
export function principalWithoutTrailingText(member: string): string | undefined {
    const colon = member.indexOf(":");
    const prefix = EMAIL_PREFIX.exec(member.slice(colon + 1));
    const trimmed = prefix ? `${member.slice(0, colon + 1)}${prefix[0]}` : undefined;
    return trimmed && trimmed !== member && principalProblem(trimmed) === undefined ? trimmed : undefined;
}

/**
 * Google Cloud label keys and values ("Requirements for labels", cloud.google.com/
 * resource-manager/docs/labels-overview, as of 2026): keys 1-63 characters, starting with a
 * lowercase letter or an international character; keys and values only lowercase letters,
 * digits, `_` and `-` (international characters allowed); values 0-63 characters; at most 64
 * labels on a resource.
 */
export const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{Nd}_-]{0,62}$/u;
export const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{Nd}_-]{0,63}$/u;
export const MAX_LABELS_PER_RESOURCE = 64;
