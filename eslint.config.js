// Lint: typescript-eslint's recommended rules over sources, tests, benchmarks and scripts, and
// eslint-plugin-regexp's checks for regular expressions whose run time can grow faster than
// linearly with their input (catastrophic backtracking): one such expression in a rule can
// hang an audit on a single crafted or unlucky Dockerfile.
import js from "@eslint/js";
import regexp from "eslint-plugin-regexp";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", ".tools/", "node_modules/", "examples/", "bench/.corpus/", "test/fixtures/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", Buffer: "readonly", URL: "readonly", TextDecoder: "readonly", TextEncoder: "readonly", setTimeout: "readonly", clearTimeout: "readonly", performance: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    plugins: { regexp },
    rules: {
      // Exponential or polynomial backtracking within one match attempt (nested or adjacent
      // quantifiers that can split the same text many ways).
      "regexp/no-super-linear-backtracking": "error",
      // Quadratic work over the input as a whole: an unanchored pattern that can fail after
      // scanning far, retried from every start position (matters for /g, split, replace).
      "regexp/no-super-linear-move": "error",
      // A capturing group that a neighbouring quantifier silently starves.
      "regexp/no-misleading-capturing-group": "error",
    },
  },
);
