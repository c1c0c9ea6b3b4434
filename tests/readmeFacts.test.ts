/**
 * What the README states as fact, checked: the repository paths it names exist, the `npm run`
 * commands it shows are scripts, and the numbers and names it states are what the code computes
 * for the stacks as shipped (tests/fixtures/stacks). Numbers checked elsewhere: the idle bills
 * and the personal preset's (tests/cost.test.ts), the quota table (tests/quotas.test.ts), the
 * largest steps (tests/sizing.test.ts), the config reference (tests/configReference.test.ts).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { platformConfigFrom, parsePlatformConfig } from "../components/config/config";
import { GPU_TYPES, REGION_ZONES, gpuZones } from "../components/model/catalog";
import { footprintFromConfig } from "../components/config/estimate";
import { estimateCost } from "../components/estimate/cost";
import { readStackFile } from "../offline/stackFiles";
import { commandsOf, replayCommand, sectionOf, type ReplayState } from "../scripts/readmeReplay";
import { readLimits } from "../scripts/policyConfig";
import { FIXTURE_STACKS, fixtureStack, readFixture } from "./harness/fixtures";
import { output } from "../offline/query";
import { REPO_ROOT } from "../offline/render";

const README = fs.readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
/** The README's prose, its line breaks as spaces. */
const PROSE = README.replace(/\s+/g, " ");

/** Every `code span` of the README, code blocks left out. */
function codeSpans(): string[] {
    return [...README.replace(/^ *```[\s\S]*?^ *```/gm, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
}

/** Every file git would list (the work tree, without dependencies and build output). */
function repositoryFiles(dir = REPO_ROOT, prefix = ""): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        if (["node_modules", ".git", ".venv", ".venv-image", ".venv-airflow", "bin"].includes(e.name)) {
            return [];
        }
        const rel = prefix + e.name;
        return e.isDirectory() ? [`${rel}/`, ...repositoryFiles(path.join(dir, e.name), `${rel}/`)] : [rel];
    });
}

/** The figures of a fixture stack's estimate. */
async function estimateOf(stack: string) {
    const { values, secretKeys } = readFixture(stack);
    const rendered = await fixtureStack(stack);
    return estimateCost(footprintFromConfig(platformConfigFrom({ ...values, "gcp:project": rendered.config["gcp:project"] }, stack, new Set(secretKeys))));
}

describe("the README's facts", () => {
    const files = repositoryFiles();
    const topLevel = new Set(files.map((f) => f.split("/")[0]));

    it("every repository path it names exists, is a file for the user to add to an existing folder, or is output git ignores", () => {
        const ignored = fs.readFileSync(path.join(REPO_ROOT, ".gitignore"), "utf8").split("\n").filter((l) => l.endsWith("/"));
        const named = codeSpans().filter((s) => /^[\w.-]+(\/[\w.<>*-]*)+$/.test(s) && topLevel.has(s.split("/")[0]));
        assert.ok(named.length > 40, `found ${named.length} paths`);
        const folderOf = (p: string) => p.replace(/\/[^/]*$/, "/");
        const missing = named.filter((p) => {
            if (ignored.some((dir) => p.startsWith(dir))) {
                return false;
            }
            const exact = !/[<*]/.test(p);
            return !(exact && (files.includes(p) || files.includes(`${p}/`))) && !files.includes(folderOf(p));
        });
        assert.deepEqual(missing, []);
    });

    it("every TypeScript file it names by its name alone exists somewhere in the repository", () => {
        const names = codeSpans().filter((s) => /^[\w.-]+\.ts$/.test(s));
        assert.ok(names.length > 10, `found ${names.length}`);
        assert.deepEqual(
            names.filter((n) => !files.some((f) => f === n || f.endsWith(`/${n}`))),
            [],
        );
    });

    it("every `npm run <script>` it shows is a script of package.json", () => {
        const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")).scripts);
        const used = [...new Set([...README.matchAll(/npm run (?:-s )?([\w-]+)/g)].map((m) => m[1]))];
        assert.ok(used.length >= 8, used.join(", "));
        assert.deepEqual(used.filter((s) => !scripts.includes(s)), []);
    });

    it("one step per hour: the GPU and CPU step prices of dev and prod as the estimate computes them", async () => {
        const step = /One step per hour: dev's L4 pool \([^)]*\) \$([\d.]+), prod's on-demand \$([\d.]+); a CPU node \$([\d.]+) \(dev, spot\) \/ \$([\d.]+) \(prod\)/.exec(PROSE);
        assert.ok(step, "the README states the step prices");
        const [dev, prod] = [await estimateOf("dev"), await estimateOf("prod")];
        const price = (estimate: typeof dev, pool: string, kind: "spot" | "on-demand") => {
            const s = estimate.steps.find((x) => x.pool === pool)!;
            assert.equal(s.configured, kind, `${pool} is ${kind} as shipped`);
            return (kind === "spot" ? s.spotUsdPerHour! : s.onDemandUsdPerHour!).toFixed(2);
        };
        assert.deepEqual(step.slice(1), [price(dev, "gpu-l4", "spot"), price(prod, "gpu-l4", "on-demand"), price(dev, "cpu", "spot"), price(prod, "cpu", "on-demand")]);
    });

    it("the cost-budget limits it states are the shipped limits files'", () => {
        const stated = /\(dev: \$(\d+) and \$([\d.]+)[^;]*; prod: \$(\d+) and \$([\d.]+), in `policy\/limits\/<stack>\.json`/.exec(PROSE);
        assert.ok(stated);
        const budget = (stack: string) => readLimits(stack, FIXTURE_STACKS)["cost-budget"] as { maxIdleMonthlyUsd: number; maxGpuHourUsd: number };
        assert.deepEqual(stated.slice(1).map(Number), [budget("dev").maxIdleMonthlyUsd, budget("dev").maxGpuHourUsd, budget("prod").maxIdleMonthlyUsd, budget("prod").maxGpuHourUsd]);
    });

    it("Airflow in dev: its commands, applied to dev as shipped, give the idle bill it states", () => {
        const section = sectionOf(README, "Airflow instead of Argo Workflows (`services.airflow`)");
        const stated = /In dev that lifts the idle bill to about \$(\d+)\/month/.exec(section.replace(/\s+/g, " "));
        assert.ok(stated);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-airflow-"));
        try {
            fs.copyFileSync(path.join(FIXTURE_STACKS, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.dev.yaml"));
            const state: ReplayState = { dir, selected: "dev", log: [] };
            const sets = commandsOf(section).filter((c) => c.startsWith("pulumi config set"));
            assert.equal(sets.length, 4, sets.join("\n"));
            sets.forEach((c) => replayCommand(state, c));
            const { values } = readStackFile("dev", dir);
            const idle = estimateCost(footprintFromConfig(platformConfigFrom({ ...values, "gcp:project": "acme-ml" }, "dev"))).idleMonthlyUsd;
            assert.equal(Math.round(idle), Number(stated[1]), `idle ${idle}`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the kube context `npm run profile` adds is metaflow-<environment>, not the stack's name", async () => {
        const renamed = await fixtureStack("dev", { config: { "metaflow-gcp:environment": "qa", "metaflow-gcp:network": { subnetCidr: "10.40.0.0/20", podsCidr: "10.41.0.0/16", servicesCidr: "10.42.0.0/20", privateServiceAccessCidr: "10.43.0.0/20" } } });
        assert.equal(output(renamed, "kubeContext").name, "metaflow-qa");
        assert.match(PROSE, /the `metaflow-<env>` kube context \(`<env>`: the stack's `environment`\)/);
        assert.doesNotMatch(README, /metaflow-<stack>/);
    });

    it("GPU pool zones are required exactly where the catalog has none for the GPU in the region (what the config reference says)", () => {
        for (const gpuType of GPU_TYPES) {
            for (const region of Object.keys(REGION_ZONES)) {
                const pool = { name: "gpu", gpuType, machineType: gpuType === "nvidia-l4" ? "g2-standard-8" : gpuType === "nvidia-tesla-t4" ? "n1-standard-8" : gpuType === "nvidia-h100-80gb" ? "a3-highgpu-1g" : gpuType === "nvidia-a100-80gb" ? "a2-ultragpu-1g" : "a2-highgpu-1g" };
                let message = "";
                try {
                    parsePlatformConfig({ project: "my-project-1", region, environment: "dev", gpuPools: [pool] });
                } catch (err) {
                    message = (err as Error).message;
                }
                assert.equal(/gpuPools\[0\]\.zones.*no zone data/.test(message), gpuZones(gpuType, region) === undefined, `${gpuType} in ${region}: ${message}`);
            }
        }
    });
});
