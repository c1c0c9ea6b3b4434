// Lint for the whole program, policy pack, tests and scripts (part of `npm test`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

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
    {
        // Pure decision modules (catalog, CIDR maths, sizing, naming, prices, the Metaflow
        // profile...) compute; they never create resources. A value import of a provider SDK,
        // the Pulumi runtime or a resource layer is refused; type-only imports are fine.
        files: ["components/pure/**/*.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    paths: ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"].map((name) => ({
                        name,
                        allowTypeImports: true,
                        message: "components/pure/ holds decisions, not resources: import types only (`import type`), or move the code to components/gcp or components/kubernetes.",
                    })),
                    patterns: [
                        {
                            group: ["**/gcp/*", "**/kubernetes/*", "**/platform/*", "**/options"],
                            allowTypeImports: true,
                            message: "components/pure/ must not depend on a resource layer; move shared names to components/pure/wellKnown.ts.",
                        },
                    ],
                },
            ],
        },
    },
    {
        // The config layer is pure (plain objects in, validated config or problems out), so
        // MetaflowPlatform and tools can run it anywhere; only load.ts reads the Pulumi runtime.
        files: ["components/config/**/*.ts"],
        ignores: ["components/config/load.ts"],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    paths: ["@pulumi/pulumi", "@pulumi/gcp", "@pulumi/kubernetes", "@pulumi/random", "@pulumi/policy"].map((name) => ({
                        name,
                        allowTypeImports: true,
                        message: "components/config/ is pure: read the Pulumi runtime only in components/config/load.ts.",
                    })),
                },
            ],
        },
    },
    // Google Cloud and Kubernetes components stand alone: they take their own documented Args,
    // never the parsed stack config (components/platform maps the config onto them), and depend
    // on no other resource layer. Not even types: a config type in an Args interface couples the
    // component to the schema.
    ...[
        ["gcp", "kubernetes"],
        ["kubernetes", "gcp"],
    ].map(([layer, otherLayer]) => ({
        files: [`components/${layer}/**/*.ts`],
        rules: {
            "@typescript-eslint/no-restricted-imports": [
                "error",
                {
                    patterns: [
                        {
                            group: ["**/config/*", "**/config", "**/platform/*", `**/${otherLayer}/*`],
                            message: `components/${layer}/ takes its inputs as XxxArgs: map the stack config onto them in components/platform/, and move shared names to components/pure/wellKnown.ts.`,
                        },
                    ],
                },
            ],
        },
    })),
    {
        // One function, one screen: anything longer is split into named steps. Tests' describe
        // blocks are exempt.
        files: ["index.ts", "components/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts"],
        rules: { "max-lines-per-function": ["error", { max: 80, skipBlankLines: true, skipComments: true }] },
    },
    {
        // Tests, scripts and policies read resource properties as the engine hands them over:
        // untyped by nature (the policy SDK itself types them Record<string, any>).
        files: ["tests/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
