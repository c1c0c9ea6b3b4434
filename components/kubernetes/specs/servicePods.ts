/**
 * The pods of the Metaflow services (metaflow-service image): the metadata service, the UI
 * backend and the schema-migration Job's pod, as pure builders of plain pod specs. The resource
 * layer (components/kubernetes/services.ts) wraps them in Deployments, Services and a Job.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { POD_SECURITY, RESTRICTED_CONTAINER, httpProbe, type ServedPodSpec } from "./kubernetesObjects";
import { KUBERNETES_IDENTITIES } from "../../model/naming";
import { DB_POOL_MIN } from "../../model/sizing";
import { METADATA_SERVICE_IMAGE } from "./versions";
import { SERVICE_PORTS } from "../../model/wellKnown";
import { CONTAINER_RESOURCES } from "../../model/workloadRequests";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** Kubernetes Secret holding the database password, and its key. */
export const DB_SECRET = { name: "metaflow-db", key: "password" } as const;

/** Python in the metaflow-service image. */
export const SERVICE_PYTHON = "/opt/latest/bin/python3";

/**
 * Name of the migration Job for a metadata-service image: one Job per version
 * (`netflixoss/metaflow_metadata_service:v2.5.0` -> `metaflow-db-migrations-v2-5-0`).
 */
export function migrationJobName(image: string): string {
    const tag = image.slice(image.lastIndexOf(":") + 1).toLowerCase().replace(/[^a-z0-9-]+/g, "-");
    return `metaflow-db-migrations-${tag}`.slice(0, 63).replace(/-+$/, "");
}

/** Where the services find their database; the password comes from the DB_SECRET Secret. */
export interface ServiceDatabase {
    readonly host: pulumi.Input<string>;
    readonly port: number;
    readonly name: pulumi.Input<string>;
    readonly user: pulumi.Input<string>;
}

/**
 * The database environment of a metaflow-service process, with its pool size. Pools are
 * counted against max_connections (serviceConnectionUses in sizing.ts).
 */
export function databaseEnv(db: ServiceDatabase, poolMax: number): EnvVar[] {
    return [
        { name: "MF_METADATA_DB_HOST", value: db.host },
        { name: "MF_METADATA_DB_PORT", value: String(db.port) },
        { name: "MF_METADATA_DB_USER", value: db.user },
        { name: "MF_METADATA_DB_NAME", value: db.name },
        { name: "MF_METADATA_DB_PSWD", valueFrom: { secretKeyRef: { name: DB_SECRET.name, key: DB_SECRET.key } } },
        // Cloud SQL enforces TLS (ENCRYPTED_ONLY); without this the service cannot connect.
        { name: "MF_METADATA_DB_SSL_MODE", value: "require" },
        { name: "MF_METADATA_DB_POOL_MIN", value: String(DB_POOL_MIN) },
        { name: "MF_METADATA_DB_POOL_MAX", value: String(poolMax) },
    ];
}

/**
 * The metadata service. The server module alone starts: the image's default command
 * (run_script.py) would also start the migration service on 8082 with its unauthenticated
 * `PATCH /upgrade`; migrations run in their own Job (migrationPodSpec).
 */
export function metadataPodSpec(db: ServiceDatabase, poolMax: number): ServedPodSpec {
    return {
        serviceAccountName: KUBERNETES_IDENTITIES.services,
        securityContext: POD_SECURITY,
        containers: [
            {
                name: "metadata",
                image: METADATA_SERVICE_IMAGE,
                command: [SERVICE_PYTHON, "-m", "services.metadata_service.server"],
                ports: [{ name: "http", containerPort: SERVICE_PORTS.metadata }],
                env: [...databaseEnv(db, poolMax), { name: "MF_METADATA_PORT", value: String(SERVICE_PORTS.metadata) }],
                readinessProbe: httpProbe("/ping", "http", 5),
                livenessProbe: httpProbe("/ping", "http", 30),
                securityContext: RESTRICTED_CONTAINER,
                resources: CONTAINER_RESOURCES.metadata,
            },
        ],
    };
}

/** What the UI backend needs besides its database. */
export interface UiBackendInput {
    readonly database: ServiceDatabase;
    /** Per pool; the backend opens six (UI_BACKEND_POOLS in sizing.ts). */
    readonly poolMax: number;
    /** `gs://<bucket>/metaflow`: the Metaflow client inside the backend reads artifacts and logs there. */
    readonly datastoreRoot: pulumi.Input<string>;
    /** In-cluster URL of the metadata service. */
    readonly metadataUrl: string;
}

/**
 * The UI backend, serving the UI bundled in its own image: one origin for the UI and its API
 * (v2.5.0 bundles metaflow-ui v1.3.13), so the two versions always agree and the browser never
 * calls another origin. No PATH_PREFIX: the bundle's assets are absolute (`/static/...`) and
 * PATH_PREFIX would mount the UI under the prefix as well, so the UI, its assets and the API all
 * live at the root (ui_server.py, frontend.py, metaflow-service v2.5.0); frontend.py tells the
 * UI its API base through `window.METAFLOW_SERVICE`, default "/": this same origin. One wrinkle:
 * the UI page /notifications and the API's GET /notifications share a path (the API wins), so
 * reloading that one page shows JSON.
 */
export function uiBackendPodSpec(input: UiBackendInput): ServedPodSpec {
    return {
        serviceAccountName: KUBERNETES_IDENTITIES.services,
        securityContext: POD_SECURITY,
        containers: [
            {
                name: "ui-backend",
                image: METADATA_SERVICE_IMAGE,
                command: [SERVICE_PYTHON, "-m", "services.ui_backend_service.ui_server"],
                ports: [{ name: "http", containerPort: SERVICE_PORTS.uiBackend }],
                env: [
                    ...databaseEnv(input.database, input.poolMax),
                    { name: "UI_ENABLED", value: "1" },
                    { name: "METAFLOW_DATASTORE_SYSROOT_GS", value: input.datastoreRoot },
                    { name: "METAFLOW_DEFAULT_DATASTORE", value: "gs" },
                    { name: "METAFLOW_DEFAULT_METADATA", value: "service" },
                    { name: "METAFLOW_SERVICE_URL", value: input.metadataUrl },
                ],
                readinessProbe: httpProbe("/ping", "http", 10),
                livenessProbe: httpProbe("/ping", "http", 60),
                securityContext: RESTRICTED_CONTAINER,
                resources: CONTAINER_RESOURCES.uiBackend,
            },
        ],
    };
}

/**
 * The pod of the schema-migration Job: `goose up` through run_goose.py, once, with no Kubernetes
 * API token. Never an init container: two replicas starting together would run `goose up` twice
 * at once (run_goose.py in metaflow-service v2.5.0 calls the goose v3.9.0 CLI, which takes no
 * lock). Never `--only-if-empty-db` either: newer migrations must reach existing databases.
 */
export function migrationPodSpec(db: ServiceDatabase, poolMax: number): k8s.types.input.core.v1.PodSpec {
    return {
        restartPolicy: "Never",
        automountServiceAccountToken: false,
        securityContext: POD_SECURITY,
        containers: [
            {
                name: "db-migrations",
                image: METADATA_SERVICE_IMAGE,
                command: [SERVICE_PYTHON, "/root/run_goose.py", "--wait", "120"],
                env: databaseEnv(db, poolMax),
                securityContext: RESTRICTED_CONTAINER,
                resources: CONTAINER_RESOURCES.metadataMigrations,
            },
        ],
    };
}
