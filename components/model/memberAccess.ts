/**
 * What a person (or CI identity) listed in `access.members` may do in one environment, decided in
 * one place: the GCP roles (bucket, registry, project), the Kubernetes Role in the Metaflow
 * namespace, and how an IAM principal becomes an RBAC subject. Pure: no resources here.
 */
import { createHash } from "crypto";
import type * as k8s from "@pulumi/kubernetes";

/**
 * The only project-level roles a member gets; the policy pack allows no other project-level grant
 * to a member.
 * - `roles/container.clusterViewer` is the smallest predefined role holding
 *   `container.clusters.get` (what `gcloud container clusters get-credentials` calls) and
 *   `container.clusters.connect` (what the IAM-gated DNS endpoint checks); it carries no
 *   Kubernetes object permissions, so RBAC below decides everything inside the cluster. Source:
 *   iann0036/iam-dataset `gcp/roles/container.clusterViewer.json` (commit 9cebc0b3):
 *   container.clusters.{connect,get,list}, resourcemanager.projects.{get,list}.
 * - `roles/serviceusage.serviceUsageConsumer`: `serviceusage.services.use`, so the laptop's
 *   Application Default Credentials can bill the platform's project (its quota project):
 *   `gcloud auth application-default set-quota-project` requires it (gcloud reference), and so
 *   does every API call that names the project in `x-goog-user-project` (the endpoint's ID tokens
 *   through IAM Credentials, the datastore through Cloud Storage). Source: iann0036/iam-dataset
 *   `gcp/roles/serviceusage.serviceUsageConsumer.json` (commit 1818bc70):
 *   serviceusage.services.{use,get,list}, serviceusage.quotas.get, serviceusage.operations.{get,list},
 *   monitoring.timeSeries.list; nothing that changes the project.
 */
export const MEMBER_PROJECT_ROLES: readonly string[] = ["roles/container.clusterViewer", "roles/serviceusage.serviceUsageConsumer"];

/**
 * Object read/write on the environment's bucket (bucket-level IAM): create, get, list, update,
 * delete objects and multipart uploads, no bucket or IAM administration
 * (iann0036/iam-dataset `gcp/roles/storage.objectUser.json`). Metaflow writes code packages and
 * artifacts and reads them back.
 */
export const MEMBER_BUCKET_ROLE = "roles/storage.objectUser";

/**
 * Pull and push on the environment's Docker repository (repository-level IAM): upload and
 * download artifacts, create and move tags, no deletes (iann0036/iam-dataset
 * `gcp/roles/artifactregistry.writer.json`). `npm run push-image` pushes; steps pull.
 */
export const MEMBER_REGISTRY_ROLE = "roles/artifactregistry.writer";

/**
 * With the HTTPS endpoint on: mint OpenID Connect ID tokens (`iam.serviceAccounts.getOpenIdToken`
 * only; no access tokens, no keys) as the endpoint's client service account `mf-<env>-iap`, on
 * that account only. The Metaflow client extension presents them to IAP (MetaflowEndpoint).
 */
export const MEMBER_ENDPOINT_CLIENT_ROLE = "roles/iam.serviceAccountOpenIdTokenCreator";

/** Account ID suffix of the endpoint's client service account (`mf-<env>-<suffix>`). */
export const ENDPOINT_CLIENT_ACCOUNT = "iap";

/** Name of the namespaced Role (and its RoleBinding) members are bound to. */
export const MEMBER_ROLE_NAME = "metaflow-member";

/**
 * What members do through the Kubernetes API, in the Metaflow namespace only. Every write verb
 * is a call Metaflow 2.19.39's client makes (file and line beside each rule; the Python layer
 * re-derives them from the installed Metaflow, tests/python/test_member_rbac.py) or a
 * port-forward of `npm run tunnel`; reads are get/list/watch on the same resources, for a person
 * following a step with kubectl.
 */
export const MEMBER_RBAC_RULES: k8s.types.input.rbac.v1.PolicyRule[] = [
    // `run --with kubernetes`: plugins/kubernetes/kubernetes_job.py create_namespaced_job (L327),
    // read_namespaced_job (L462), delete_namespaced_job (L515) and patch_namespaced_job (L521,
    // also kubernetes_client.py L148) when a run is killed.
    { apiGroups: ["batch"], resources: ["jobs"], verbs: ["create", "get", "list", "watch", "patch", "delete"] },
    // kubernetes_job.py list_namespaced_pod (L478) and kubernetes_client.py (L69) find a step's pods.
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
    // kubernetes_client.py (L128) and kubernetes_job.py (L544) kill a task with
    // connect_get_namespaced_pod_exec: a websocket GET, authorized as `get`, and as `create` once
    // AuthorizePodWebsocketUpgradeCreatePermission is on (KEP-4006, beta in Kubernetes 1.35).
    { apiGroups: [""], resources: ["pods/exec"], verbs: ["get", "create"] },
    // Metaflow reads task logs from the datastore, but a pod that dies before Metaflow's logger
    // starts (image pull, bootstrap) leaves its output only here: `kubectl logs`.
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    // `npm run tunnel`: kubectl port-forward svc/<name> reads the Service, picks a pod (pods list
    // above) and opens pods/portforward (SPDY POST = create; websocket GET = get, or create as above).
    { apiGroups: [""], resources: ["services"], verbs: ["get"] },
    { apiGroups: [""], resources: ["pods/portforward"], verbs: ["get", "create"] },
    // `argo-workflows create/delete`: plugins/argo/argo_client.py get (L51), list (L92),
    // create (L141), replace (L159) and delete (L203) of workflowtemplates.
    { apiGroups: ["argoproj.io"], resources: ["workflowtemplates"], verbs: ["get", "list", "watch", "create", "update", "delete"] },
    // @schedule: argo_client.py get (L68/L365), create (L382), replace (L400), delete (L181).
    { apiGroups: ["argoproj.io"], resources: ["cronworkflows"], verbs: ["get", "list", "watch", "create", "update", "delete"] },
    // `argo-workflows trigger` creates a Workflow (L326); terminate/suspend/unsuspend patch it
    // (L241, L289); status reads it (L33, L219).
    { apiGroups: ["argoproj.io"], resources: ["workflows"], verbs: ["get", "list", "watch", "create", "patch"] },
    // @trigger: argo_client.py get (L428), create (L443), replace (L461), delete (L483) of sensors.
    { apiGroups: ["argoproj.io"], resources: ["sensors"], verbs: ["get", "list", "watch", "create", "update", "delete"] },
];

/** A RoleBinding subject. */
export interface RbacSubject {
    readonly kind: "User" | "Group";
    readonly name: string;
    readonly apiGroup: "rbac.authorization.k8s.io";
}

/**
 * How GKE names an IAM principal to RBAC (cloud.google.com/kubernetes-engine/docs/how-to/
 * role-based-access-control): Google accounts and IAM service accounts are `User` subjects named
 * by their email; Google Groups are `Group` subjects, seen only when the cluster has Google
 * Groups for RBAC (`authenticatorGroupsConfig.securityGroup`) and the group is nested in it.
 */
export function rbacSubject(member: string): RbacSubject {
    const [type, email] = splitMember(member);
    return { kind: type === "group" ? "Group" : "User", name: email, apiGroup: "rbac.authorization.k8s.io" };
}

/** `user:a@b.c` -> ["user", "a@b.c"]. */
export function splitMember(member: string): [string, string] {
    const i = member.indexOf(":");
    if (i <= 0) {
        throw new Error(`"${member}" is not an IAM principal such as user:<email>`);
    }
    return [member.slice(0, i), member.slice(i + 1)];
}

/**
 * A resource-name-safe, stable form of a member: `user:a@b.c` -> `user-a-b-c-<hash>`. The short
 * hash keeps `a.b@x` and `a-b@x` apart; changing it would replace every member's grants.
 */
export function memberSlug(member: string): string {
    return `${readableMemberSlug(member)}-${createHash("sha256").update(member).digest("hex").slice(0, 6)}`;
}

/**
 * `memberSlug` without the hash (`user:a.b@x.com` -> `user-a-b-x-com`): two members can share it.
 * Only for aliases: the endpoint's grants were named with it before 0.3.0.
 */
export function readableMemberSlug(member: string): string {
    return member.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}
