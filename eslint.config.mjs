// Lint for the whole program, policy pack, tests and scripts (part of `npm test`).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "bin/**", "policy/node_modules/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        languageOptions: { ecmaVersion: 2022, sourceType: "module" },
        rules: {
            eqeqeq: ["error", "always"],
            "no-console": "off",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
        },
    },
    {
        // Tests and the offline preview read mocked resource inputs, which are untyped by nature.
        files: ["tests/**/*.ts", "scripts/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
);
