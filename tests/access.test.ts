import { componentType } from "../components/model/typeTokens";
import { strict as assert } from "assert";
import { ConfigError, parsePlatformConfig } from "../components/config/config";
import { MEMBER_BUCKET_ROLE, MEMBER_PROJECT_ROLES, MEMBER_RBAC_RULES, MEMBER_REGISTRY_ROLE, memberSlug, rbacSubject } from "../components/model/memberAccess";
import { ofType, one } from "../offline/query";
import { type RenderedStack } from "../offline/render";
import { fixtureStack, renderFixture } from "./harness/fixtures";

// Reserved example domains (RFC 2606): no real person's address.
const ALICE = "user:alice@example.com";
const TEAM = "group:ml-team@example.com";
const CI = "serviceAccount:ci@acme-ml.iam.gserviceaccount.com";
const SECURITY_GROUP = "gke-security-groups@example.com";
const base = { project: "acme-ml-dev", region: "us-central1", environment: "dev" };

function problemsOf(access: Record<string, unknown>): string[] {
    try {
        parsePlatformConfig({ ...base, access });
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.problems;
    }
    assert.fail("config was accepted but should have been rejected");
}

/** Every resource that names `member` in its IAM inputs or RBAC subjects. */
function grantsTo(stack: RenderedStack, member: string) {
    const email = member.split(":")[1];
    return stack.resources.filter(
        (r) =>
            r.inputs.member === member ||
            (Array.isArray(r.inputs.members) && r.inputs.members.includes(member)) ||
            (Array.isArray(r.inputs.subjects) && r.inputs.subjects.some((s: any) => s.name === email)),
    );
}

describe("access.members: people who run and schedule flows", () => {
    describe("validation", () => {
        it("refuses allUsers and allAuthenticatedUsers with their own reason", () => {
            for (const member of ["allUsers", "allAuthenticatedUsers", "user:allUsers"]) {
                const problems = problemsOf({ members: [member] });
                assert.ok(problems.some((p) => p.startsWith("metaflow-gcp:access.members[0]") && p.includes("public principals are never granted")), problems.join("\n"));
            }
        });

        it("refuses a bare email or an unknown principal type, saying what is allowed", () => {
            for (const member of ["alice@example.com", "domain:example.com", "user:alice"]) {
                const problems = problemsOf({ members: [member] });
                assert.ok(problems.some((p) => p.includes(JSON.stringify(member)) && p.includes('"user:<email>", "group:<email>" or "serviceAccount:<name>@<project>.iam.gserviceaccount.com"')), problems.join("\n"));
            }
        });

        it("refuses a principal listed twice (IAM emails are case-insensitive)", () => {
            const problems = problemsOf({ members: [ALICE, CI, "user:Alice@Example.com"] });
            assert.ok(problems.some((p) => p.startsWith("metaflow-gcp:access.members[2]") && p.includes("listed twice (also access.members[0])")), problems.join("\n"));
        });

        it("refuses groups without access.securityGroup, naming the key and the fix", () => {
            const problems = problemsOf({ members: [ALICE, TEAM] });
            assert.ok(
                problems.some((p) => p.startsWith(`metaflow-gcp:access.members[1] = "${TEAM}"`) && p.includes("set access.securityGroup") && p.includes("gke-security-groups@")),
                problems.join("\n"),
            );
            assert.doesNotThrow(() => parsePlatformConfig({ ...base, access: { members: [ALICE, TEAM], securityGroup: SECURITY_GROUP } }));
        });

        it("the security group must be GKE's gke-security-groups@<domain>", () => {
            const problems = problemsOf({ members: [TEAM], securityGroup: "ml-team@example.com" });
            assert.ok(problems.some((p) => p.startsWith("metaflow-gcp:access.securityGroup") && p.includes("gke-security-groups@")), problems.join("\n"));
        });
    });

    describe("grants on a stack with members", () => {
        let stack: RenderedStack;
        let bucket: string;
        before(async () => {
            stack = await renderFixture("dev", { config: { "metaflow-gcp:access": { members: [ALICE, TEAM, CI], securityGroup: SECURITY_GROUP } } });
            bucket = one(stack, "gcp:storage/bucket:Bucket").inputs.name;
        });

        it("each member gets object read/write on this environment's bucket (bucket-level IAM)", () => {
            for (const member of [ALICE, TEAM, CI]) {
                const grants = ofType(stack, "gcp:storage/bucketIAMMember:BucketIAMMember").filter((r) => r.inputs.member === member);
                assert.equal(grants.length, 1, member);
                assert.equal(grants[0].inputs.role, MEMBER_BUCKET_ROLE);
                assert.equal(grants[0].inputs.bucket, bucket);
            }
        });

        it("each member gets pull and push on this environment's registry (repository-level IAM)", () => {
            const registry = one(stack, "gcp:artifactregistry/repository:Repository").inputs;
            for (const member of [ALICE, TEAM, CI]) {
                const grants = ofType(stack, "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").filter((r) => r.inputs.member === member);
                assert.equal(grants.length, 1, member);
                assert.equal(grants[0].inputs.role, MEMBER_REGISTRY_ROLE);
                assert.equal(grants[0].inputs.repository, registry.repositoryId);
                assert.equal(grants[0].inputs.location, registry.location);
            }
        });

        it("nothing broader: every IAM grant to a member is bucket, repository, or an allowed project role", () => {
            const allowedTypes = new Set([
                "gcp:storage/bucketIAMMember:BucketIAMMember",
                "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
                "gcp:projects/iAMMember:IAMMember",
                "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
            ]);
            for (const member of [ALICE, TEAM, CI]) {
                const grants = grantsTo(stack, member);
                assert.equal(grants.length, 2 + MEMBER_PROJECT_ROLES.length + 1, `${member}: ${grants.map((g) => g.type).join(", ")}`);
                for (const grant of grants) {
                    assert.ok(allowedTypes.has(grant.type), `${member} is granted through ${grant.type}`);
                    if (grant.type === "gcp:projects/iAMMember:IAMMember") {
                        assert.ok(MEMBER_PROJECT_ROLES.includes(grant.inputs.role), `${member} gets project role ${grant.inputs.role}`);
                    }
                }
            }
            // The allowed project roles: the viewer that fetching credentials needs, and using the
            // project as ADC's quota project; nothing that writes.
            assert.deepEqual(MEMBER_PROJECT_ROLES, ["roles/container.clusterViewer", "roles/serviceusage.serviceUsageConsumer"]);
        });

        it("RBAC: one Role and RoleBinding in the Metaflow namespace; users and service accounts as User, groups as Group", () => {
            const roleResource = one(stack, "kubernetes:rbac.authorization.k8s.io/v1:Role", "members-role");
            assert.match(roleResource.provider, /pulumi:providers:kubernetes::gke::/, "created through the cluster's own provider");
            const role = roleResource.inputs;
            assert.equal(role.metadata.namespace, "metaflow-dev");
            assert.deepEqual(role.rules, MEMBER_RBAC_RULES);
            const binding = one(stack, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "members-binding").inputs;
            assert.equal(binding.metadata.namespace, "metaflow-dev");
            assert.deepEqual(binding.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name });
            assert.deepEqual(binding.subjects, [
                { kind: "User", name: "alice@example.com", apiGroup: "rbac.authorization.k8s.io" },
                { kind: "Group", name: "ml-team@example.com", apiGroup: "rbac.authorization.k8s.io" },
                { kind: "User", name: "ci@acme-ml.iam.gserviceaccount.com", apiGroup: "rbac.authorization.k8s.io" },
            ]);
            assert.equal(ofType(stack, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").length, 0);
            assert.equal(ofType(stack, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
        });

        it("RBAC rules: no wildcards, nothing that escalates (secrets, RBAC objects, bind/escalate/impersonate), writes only on Metaflow's objects", () => {
            const escalating = ["secrets", "configmaps", "serviceaccounts", "roles", "rolebindings", "serviceaccounts/token", "pods/attach", "deployments"];
            const writes = ["create", "update", "patch", "delete", "deletecollection"];
            const writable = new Set(["jobs", "pods/exec", "pods/portforward", "workflowtemplates", "cronworkflows", "workflows", "sensors"]);
            for (const rule of MEMBER_RBAC_RULES as Array<{ apiGroups: string[]; resources: string[]; verbs: string[] }>) {
                for (const list of [rule.apiGroups, rule.resources, rule.verbs]) {
                    assert.ok(!list.includes("*"), JSON.stringify(rule));
                }
                assert.ok(!rule.verbs.some((v) => ["bind", "escalate", "impersonate", "deletecollection"].includes(v)), JSON.stringify(rule));
                assert.ok(!rule.resources.some((r) => escalating.includes(r)), JSON.stringify(rule));
                if (rule.verbs.some((v) => writes.includes(v))) {
                    assert.ok(rule.resources.every((r) => writable.has(r)), `writes on ${rule.resources}`);
                }
            }
        });

        it("groups work through Google Groups for RBAC: the cluster names the security group", () => {
            const cluster = one(stack, "gcp:container/cluster:Cluster").inputs;
            assert.deepEqual(cluster.authenticatorGroupsConfig, { securityGroup: SECURITY_GROUP });
        });
    });

    it("committed stacks list no members: no member grants, no member Role, Google Groups for RBAC off", async () => {
        for (const name of ["dev", "prod"]) {
            const stack = await fixtureStack(name);
            assert.equal(ofType(stack, componentType("MemberGrants")).length, 0);
            assert.equal(ofType(stack, componentType("MemberRbac")).length, 0);
            assert.equal(one(stack, "gcp:container/cluster:Cluster").inputs.authenticatorGroupsConfig, undefined);
        }
    });

    it("without the Kubernetes half, members still get bucket and registry access but no Role", async () => {
        const stack = await renderFixture("dev", { config: { "metaflow-gcp:access": { members: [ALICE] }, "metaflow-gcp:services": { enabled: false } } });
        assert.equal(grantsTo(stack, ALICE).length, 2 + MEMBER_PROJECT_ROLES.length);
        assert.equal(ofType(stack, "kubernetes:rbac.authorization.k8s.io/v1:Role").length, 0);
    });

    it("helpers: principal to RBAC subject, and stable distinct resource names", () => {
        assert.deepEqual(rbacSubject(TEAM), { kind: "Group", name: "ml-team@example.com", apiGroup: "rbac.authorization.k8s.io" });
        assert.equal(rbacSubject(CI).kind, "User");
        assert.equal(memberSlug(ALICE), memberSlug(ALICE));
        assert.notEqual(memberSlug("user:a.b@example.com"), memberSlug("user:a-b@example.com"));
        assert.match(memberSlug(ALICE), /^user-alice-example-com-[0-9a-f]{6}$/);
    });
});
