import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { loadConfiguration } from "../../../src/core/config/index.js";
import { BASE_CONFIG, BASE_POLICY } from "./helpers.js";

/** Runs the loader and returns how long it took; the assertion is that it returns at all, and fast. */
function timedLoad(files: Map<string, string>): number {
  const started = performance.now();
  const result = loadConfiguration(files);
  // Either a valid configuration or located, non-empty diagnostics: never an exception.
  if (!result.ok) {
    expect(result.diagnostics.length).toBeGreaterThan(0);
    for (const d of result.diagnostics) {
      expect(d.line).toBeGreaterThanOrEqual(1);
      expect(d.column).toBeGreaterThanOrEqual(1);
      expect(d.message).not.toMatch(/\n\s+at /); // no stack traces
    }
  }
  return performance.now() - started;
}

const yamlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: fc.constantFrom("a", ":", " ", "\n", "-", "[", "]", "{", "}", "&", "*", "!", "#", "'", '"', "|", ">", "?", ",", "\t", "1"), maxLength: 300 }),
);

describe("loadConfiguration never throws", () => {
  it("on arbitrary text in stagegate.yaml and a policy", () => {
    fc.assert(
      fc.property(yamlish, yamlish, (config, policy) => {
        expect(timedLoad(new Map([["stagegate.yaml", config], ["policies/default.yaml", policy]]))).toBeLessThan(1000);
      }),
      { numRuns: 300 },
    );
  });

  it("on arbitrary YAML values (any shape, any keys)", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.jsonValue({ maxDepth: 5 }), (config, policy) => {
        const files = new Map([["stagegate.yaml", stringify(config)], ["policies/default.yaml", stringify(policy)]]);
        expect(timedLoad(files)).toBeLessThan(1000);
      }),
      { numRuns: 300 },
    );
  });

  it("on random mutations of a valid configuration", () => {
    const base = { config: BASE_CONFIG, policy: BASE_POLICY };
    fc.assert(
      fc.property(fc.nat({ max: BASE_CONFIG.length }), fc.string({ maxLength: 20 }), fc.nat({ max: BASE_POLICY.length }), fc.string({ maxLength: 20 }), (i, insert, j, insert2) => {
        const files = new Map([
          ["stagegate.yaml", base.config.slice(0, i) + insert + base.config.slice(i)],
          ["policies/default.yaml", base.policy.slice(0, j) + insert2 + base.policy.slice(j)],
        ]);
        expect(timedLoad(files)).toBeLessThan(1000);
      }),
      { numRuns: 300 },
    );
  });

  it("on structurally plausible but semantically random configurations", () => {
    const name = fc.constantFrom("dev", "staging", "prod", "qa", "Dev", "");
    const environment = fc.record({ name, path: fc.constantFrom("environments/dev", "environments", "../x", ".", "environments/dev/eu", "policies"), from: fc.array(name, { maxLength: 3 }) }, { requiredKeys: ["name"] });
    fc.assert(
      fc.property(fc.array(environment, { maxLength: 6 }), (environments) => {
        const files = new Map([["stagegate.yaml", stringify({ version: 1, environments })], ["policies/default.yaml", BASE_POLICY]]);
        expect(timedLoad(files)).toBeLessThan(1000);
      }),
      { numRuns: 300 },
    );
  });
});
