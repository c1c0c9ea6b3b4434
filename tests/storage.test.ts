import { strict as assert } from "assert";
import { ofType, one, output } from "../offline/query";
import type { RenderedStack } from "../offline/render";
import { fixtureStack } from "./harness/fixtures";

const BUCKET = "gcp:storage/bucket:Bucket";
const REGISTRY = "gcp:artifactregistry/repository:Repository";

describe("MetaflowStorage and MetaflowIdentity", () => {
    let dev: RenderedStack;
    let prod: RenderedStack;
    before(async () => {
        dev = await fixtureStack("dev");
        prod = await fixtureStack("prod");
    });

    it("bucket: uniform access, public access prevention, tmp/ lifecycle, in the region", () => {
        for (const stack of [dev, prod]) {
            const b = one(stack, BUCKET).inputs;
            assert.equal(b.uniformBucketLevelAccess, true);
            assert.equal(b.publicAccessPrevention, "enforced");
            assert.equal(b.location, "us-central1");
            assert.ok(b.lifecycleRules.some((r: any) => r.action.type === "Delete" && r.condition.matchesPrefixes?.includes("tmp/")));
        }
    });

    it("prod bucket keeps versions and soft-deleted objects, never force-destroys and is protected", () => {
        const p = one(prod, BUCKET);
        assert.equal(p.inputs.versioning.enabled, true);
        assert.equal(p.inputs.softDeletePolicy.retentionDurationSeconds, 7 * 86400);
        assert.equal(p.inputs.forceDestroy, false);
        assert.equal(p.protect, true);
        const d = one(dev, BUCKET);
        assert.equal(d.inputs.forceDestroy, true);
        assert.equal(d.protect, false);
    });

    it("Docker repository per environment with cleanup policies and immutable tags in prod", () => {
        const r = one(prod, REGISTRY).inputs;
        assert.equal(r.format, "DOCKER");
        assert.equal(r.repositoryId, "metaflow-prod");
        assert.equal(r.dockerConfig.immutableTags, true);
        assert.ok(r.cleanupPolicies.some((p: any) => p.condition?.tagState === "UNTAGGED"));
        assert.equal(output(prod, "registryUrl"), "us-central1-docker.pkg.dev/metaflow-offline/metaflow-prod");
    });

    it("task identity is bound only through Workload Identity, for the namespace's service accounts", () => {
        const task = one(dev, "gcp:serviceaccount/account:Account", "identity-task");
        const bindings = ofType(dev, "gcp:serviceaccount/iAMMember:IAMMember");
        assert.deepEqual(
            bindings.map((b) => b.inputs.member).sort(),
            ["metaflow-services", "metaflow-task"].map((k) => `serviceAccount:metaflow-offline.svc.id.goog[metaflow-dev/${k}]`),
        );
        for (const b of bindings) {
            assert.equal(b.inputs.role, "roles/iam.workloadIdentityUser");
            assert.equal(b.inputs.serviceAccountId, task.state.name);
            assert.ok(b.dependencies.includes(one(dev, "gcp:container/cluster:Cluster").urn), "the pool exists once the cluster does");
        }
        assert.equal(ofType(dev, "gcp:serviceaccount/key:Key").length, 0, "no service-account keys");
        assert.equal(output(dev, "taskServiceAccount"), task.state.email);
    });

    it("task identity has object access on this bucket, read on this registry, and on the project only its environment's secrets", () => {
        const task = one(dev, "gcp:serviceaccount/account:Account", "identity-task");
        const member = `serviceAccount:${task.state.email}`;
        const bucketGrant = one(dev, "gcp:storage/bucketIAMMember:BucketIAMMember");
        assert.deepEqual([bucketGrant.inputs.bucket, bucketGrant.inputs.role, bucketGrant.inputs.member], [one(dev, BUCKET).state.name, "roles/storage.objectAdmin", member]);
        const registryGrants = ofType(dev, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").filter((g) => g.inputs.member === member);
        assert.deepEqual(registryGrants.map((g) => [g.inputs.repository, g.inputs.role]), [["metaflow-dev", "roles/artifactregistry.reader"]]);
        const projectGrants = ofType(dev, "gcp:projects/iAMMember:IAMMember").filter((g) => g.inputs.member === member);
        assert.deepEqual(projectGrants.map((g) => g.inputs.role), ["roles/secretmanager.secretAccessor"]);
    });

    it("@secrets: Secret Manager is enabled, and the task identity reads exactly the secrets the profile's prefix names (mf-<env>-*)", () => {
        for (const [stack, environment] of [[dev, "dev"], [prod, "prod"]] as const) {
            assert.ok(ofType(stack, "gcp:projects/service:Service").some((s) => s.inputs.service === "secretmanager.googleapis.com"));
            const profile = output(stack, "metaflowConfig") as Record<string, string>;
            assert.equal(profile.METAFLOW_DEFAULT_SECRETS_BACKEND_TYPE, "gcp-secret-manager");
            // The project number the harness's getProject invoke answers (offline/render.ts).
            const prefix = `projects/123456789012/secrets/mf-${environment}-`;
            assert.equal(profile.METAFLOW_GCP_SECRET_MANAGER_PREFIX, prefix);
            const grant = ofType(stack, "gcp:projects/iAMMember:IAMMember").find((g) => g.inputs.role === "roles/secretmanager.secretAccessor");
            assert.equal(grant?.inputs.member, `serviceAccount:mf-${environment}-task@metaflow-offline.iam.gserviceaccount.com`);
            // IAM sees Secret Manager names with the project number (cloud.google.com/iam/docs/conditions-resource-attributes).
            assert.equal(grant?.inputs.condition.expression, `resource.name.startsWith("${prefix}")`);
        }
    });
});
