// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Modules that do I/O: the pure core (src/core, src/editors) must never import them. */
const impure = [
  "probot",
  "octokit",
  "@octokit/*",
  "fs",
  "node:fs",
  "fs/promises",
  "node:fs/promises",
  "child_process",
  "node:child_process",
  "simple-git",
  "isomorphic-git",
  "net",
  "node:net",
  "http",
  "node:http",
  "https",
  "node:https",
];

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "coverage/", "bench/results*", "environments-template/", "policies/*.json"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly", fetch: "readonly", AbortSignal: "readonly", AbortController: "readonly", TextEncoder: "readonly", TextDecoder: "readonly", structuredClone: "readonly", performance: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": ["error", { selector: "TSEnumDeclaration", message: "Use a string union instead of an enum." }],
    },
  },
  {
    files: ["src/core/**/*.ts", "src/editors/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: impure.map((group) => ({ group: [group], message: "src/core and src/editors are pure: do I/O in src/adapters." })) }],
      "no-restricted-properties": ["error", { object: "process", property: "env", message: "Pure core: pass configuration in as a parameter." }],
      "no-restricted-globals": ["error", { name: "fetch", message: "Pure core: I/O belongs in src/adapters." }],
    },
  },
);
