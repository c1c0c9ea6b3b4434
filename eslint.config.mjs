// Lint for the whole program, policy pack, tests and scripts (part of `npm test`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const PULUMI_PACKAGES = ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"];

/** `no-restricted-imports` for a folder: provider SDK values, and relative imports matching `regex`. */
function restrict(files, ignores, { sdkValues, regex, message }) {
    const options = {
        paths: sdkValues ? PULUMI_PACKAGES.map((name) => ({ name, allowTypeImports: true, message: sdkValues })) : [],
        patterns: [{ regex, message }],
    };
    return { files, ignores, rules: { "@typescript-eslint/no-restricted-imports": ["error", options] } };
}

function layerRules() {
    const pure = "pure code computes, it never creates resources: import SDK types only (`import type`), or move the code to components/gcp or components/kubernetes.";
    return [
        // Facts and decisions every layer shares: they import nothing of ours outside the folder.
        restrict(["components/model/**/*.ts"], [], {
            sdkValues: `components/model/: ${pure}`,
            regex: "^\\.\\./",
            message: "components/model/ is the bottom layer: it imports only other model modules. Take plain values as arguments (a small interface here), and let the caller map its own types onto them.",
        }),
        // Kubernetes specs and chart values: pure, beside the Kubernetes components that apply them.
        restrict(["components/kubernetes/specs/**/*.ts"], [], {
            sdkValues: `components/kubernetes/specs/: ${pure}`,
            regex: "^\\.\\./(?!\\.\\./model/)",
            message: "components/kubernetes/specs/ builds objects from model facts only: no component, config, estimate or Google Cloud import.",
        }),
        // The estimate (cost, prices, quotas): read by the preview, scripts and the policy pack.
        restrict(["components/estimate/**/*.ts"], [], {
            sdkValues: `components/estimate/: ${pure}`,
            regex: "^\\.\\./(?!model/)",
            message: "components/estimate/ computes over its own shapes and model facts; the config is mapped onto them in components/config/estimate.ts.",
        }),
        // The stack config is pure (plain objects in, validated config or problems out); only
        // load.ts reads the Pulumi runtime.
        restrict(["components/config/**/*.ts"], ["components/config/load.ts"], {
            sdkValues: "components/config/ is pure: read the Pulumi runtime only in components/config/load.ts.",
            regex: "^(\\.\\./)+(gcp|kubernetes|platform|options|tests)(/|$)",
            message: "components/config/ validates the stack config; it never depends on a resource layer.",
        }),
        // Google Cloud and Kubernetes components stand alone: they take their own documented
        // Args, never the parsed stack config (components/platform maps the config onto them),
        // and depend on no other resource layer. Not even types: a config type in an Args
        // interface couples the component to the schema.
        restrict(["components/gcp/**/*.ts"], [], {
            regex: "^(\\.\\./)+(config|platform|kubernetes|estimate|tests)(/|$)",
            message: "components/gcp/ takes its inputs as XxxArgs: map the stack config onto them in components/platform/, and move shared names to components/model/wellKnown.ts.",
        }),
        restrict(["components/kubernetes/**/*.ts"], ["components/kubernetes/specs/**"], {
            regex: "^(\\.\\./)+(config|platform|gcp|estimate|tests)(/|$)",
            message: "components/kubernetes/ takes its inputs as XxxArgs: map the stack config onto them in components/platform/, and move shared names to components/model/wellKnown.ts.",
        }),
        // The product never depends on its tests: the offline renderer and policy runner
        // (offline/), the scripts and the pack import components and each other, never tests/.
        restrict(["components/platform/**/*.ts", "index.ts", "offline/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts", "rehearsal/**/*.ts"], [], {
            regex: "^(\\.\\.?/)+tests(/|$)",
            message: "tests/ holds tests and their helpers only: move what this needs into offline/ (rendering, the policy runner) or components/.",
        }),
    ];
}

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "policy/node_modules/**", ".venv/**", ".venv-image/**", ".venv-airflow/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { ecmaVersion: 2022, sourceType: "module" },
        rules: {
            eqeqeq: ["error", "always"],
            "no-console": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", ignoreRestSiblings: true }],
        },
    },
    {
        // The one CommonJS file: mocha loads its reporter before TypeScript is registered.
        files: ["tests/harness/summaryReporter.js"],
        languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", console: "readonly" } },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
    // The layers (README "Architecture"). Each rule lists what a folder may not import; type
    // imports count too, except the provider SDKs' types, which pure code may describe objects with.
    ...layerRules(),
    {
        // One function, one screen: anything longer is split into named steps. Tests' describe
        // blocks are exempt.
        files: ["index.ts", "components/**/*.ts", "offline/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts"],
        rules: { "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }] },
    },
    {
        // Tests, scripts and policies read resource properties as the engine hands them over:
        // untyped by nature (the policy SDK itself types them Record<string, any>).
        files: ["tests/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts", "offline/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
