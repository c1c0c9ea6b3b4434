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
        // Tests, scripts and policies read resource properties as the engine hands them over:
        // untyped by nature (the policy SDK itself types them Record<string, any>).
        files: ["tests/**/*.ts", "scripts/**/*.ts", "policy/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
