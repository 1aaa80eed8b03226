import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { digestSchema, imageSchema, loadConfiguration } from "../../../src/core/config/index.js";
import { buildJsonSchemas, findUndescribedFields } from "../../../src/core/config/json-schema.js";
import { generatedFiles } from "../../../scripts/generate-schema.js";
import { ROOT, readTree, repo, BASE_CONFIG, TEMPLATE_DIR } from "./helpers.js";

const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

describe("generated JSON Schemas and docs", () => {
  it.each([...generatedFiles(read).entries()].map(([path, content]) => [path, content] as const))("%s is up to date", (path, expected) => {
    // Compare whole files; on failure the message says how to fix it.
    expect(read(path) === expected, `${path} is stale: run \`npm run schema\` and commit the result`).toBe(true);
  });

  it.each(Object.entries(buildJsonSchemas()))("every field of %s has a description", (_name, schema) => {
    expect(findUndescribedFields(schema)).toEqual([]);
  });

  it("flags a field without a description", () => {
    expect(findUndescribedFields({ properties: { a: { type: "string" }, b: { description: "ok", properties: { c: {} } } } })).toEqual(["/a", "/b/c"]);
  });

  it("carries $id and title", () => {
    const schemas = buildJsonSchemas();
    expect(schemas["policy.schema.json"].$id).toBe("https://raw.githubusercontent.com/stagegate/stagegate/main/policies/policy.schema.json");
    expect(schemas["stagegate.schema.json"].title).toBe("Stagegate configuration (stagegate.yaml)");
  });

  it("accepts the template's files and rejects an unknown key (ajv, the schema as editors use it)", () => {
    const ajv = new Ajv2020.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const schemas = buildJsonSchemas();
    const config = ajv.compile(schemas["stagegate.schema.json"]);
    const policy = ajv.compile(schemas["policy.schema.json"]);
    const files = readTree(TEMPLATE_DIR);
    expect(config(parse(files.get("stagegate.yaml")!)), JSON.stringify(config.errors)).toBe(true);
    for (const name of ["dev", "staging", "prod"]) expect(policy(parse(files.get(`policies/${name}.yaml`)!)), `${name}: ${JSON.stringify(policy.errors)}`).toBe(true);
    expect(config({ version: 1, environments: [{ name: "dev", path: "environments/dev", polcy: "x" }] })).toBe(false);
    expect(config({ version: 1, environments: [{ name: "dev", path: "../x" }] })).toBe(false);
    expect(policy({ gates: [{ gate: "soak", duration: "30 minutes" }] })).toBe(false);
  });
});

describe("policies shipped with Stagegate", () => {
  it.each(["default", "continuous", "soak", "production"])("policies/%s.yaml validates, starts with its $schema line and is usable", (name) => {
    const content = read(`policies/${name}.yaml`);
    expect(content.split("\n", 1)[0]).toBe("# yaml-language-server: $schema=./policy.schema.json");
    const config = BASE_CONFIG.replace("    from: [dev]", `    from: [dev]\n    policy: ${name}`);
    const result = loadConfiguration(repo(config, { "policies/default.yaml": read("policies/default.yaml"), [`policies/${name}.yaml`]: content }));
    expect(result.ok ? result.warnings : result.diagnostics).toEqual([]);
  });

  it("default.yaml is the upstream gate with manual merge", () => {
    const result = loadConfiguration(repo(BASE_CONFIG, { "policies/default.yaml": read("policies/default.yaml") }));
    expect(result.ok && result.loaded.policies.get("default")).toMatchObject({ gates: [{ gate: "upstream" }], merge: { mode: "manual" } });
  });

  it("the template's YAML files start with a yaml-language-server $schema line", () => {
    const files = readTree(TEMPLATE_DIR);
    expect(files.get("stagegate.yaml")?.split("\n", 1)[0]).toBe("# yaml-language-server: $schema=https://raw.githubusercontent.com/stagegate/stagegate/main/policies/stagegate.schema.json");
    for (const name of ["dev", "staging", "prod"]) {
      expect(files.get(`policies/${name}.yaml`)?.split("\n", 1)[0]).toBe("# yaml-language-server: $schema=https://raw.githubusercontent.com/stagegate/stagegate/main/policies/policy.schema.json");
    }
  });
});

describe("shared formats", () => {
  it.each([
    ["sha256:" + "a".repeat(64), true],
    ["sha256:" + "A".repeat(64), false],
    ["sha256:" + "a".repeat(63), false],
    ["sha512:" + "a".repeat(64), false],
    ["a".repeat(64), false],
  ])("digest %s valid: %s", (digest, valid) => {
    expect(digestSchema.safeParse(digest).success).toBe(valid);
  });

  it.each([
    ["ghcr.io/acme/checkout", true],
    ["registry.example.com:5000/team/app", true],
    ["nginx", true],
    ["ghcr.io/acme/checkout:1.0", false],
    ["ghcr.io/acme/checkout@sha256:" + "a".repeat(64), false],
    ["GHCR.io/acme/checkout", false],
  ])("image %s valid: %s", (image, valid) => {
    expect(imageSchema.safeParse(image).success).toBe(valid);
  });
});
