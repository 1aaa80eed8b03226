import { describe, expect, it } from "vitest";
import { formatDiagnostic, getDownstream, getEntryEnvironments, getPolicy, loadConfiguration } from "../../../src/core/config/index.js";
import { brokenCases } from "./broken-cases.js";
import { BASE_CONFIG, BASE_POLICY, repo, linesOf, readTree, TEMPLATE_DIR } from "./helpers.js";

describe("loadConfiguration: broken configurations", () => {
  it("covers at least 30 cases", () => {
    expect(brokenCases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(brokenCases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    let result: ReturnType<typeof loadConfiguration> | undefined;
    expect(() => {
      result = loadConfiguration(c.files);
    }).not.toThrow();
    const diagnostics = result?.ok ? result.warnings : (result?.diagnostics ?? []);
    expect(diagnostics.map(formatDiagnostic)).toEqual(c.expected);
    // Errors fail the load; warnings alone do not.
    expect(result?.ok).toBe(!c.expected.some((line) => !/^[^:]+:\d+:\d+: warning: /.test(line)));
  });
});

describe("loadConfiguration: limits", () => {
  it("rejects a billion-laughs document quickly", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? "*a" : `*l${i - 1}`).join(", ")}]`);
    const started = performance.now();
    const lines = linesOf(repo(`${levels.join("\n")}\n`));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(lines).toEqual(["stagegate.yaml:1:1: too many YAML alias expansions (more than 100); write the values out instead of nesting aliases"]);
  });

  it("refuses a 10 MB policy before parsing it", () => {
    const started = performance.now();
    const lines = linesOf(repo(BASE_CONFIG, { "policies/default.yaml": `${BASE_POLICY}#${"y".repeat(10_000_000)}\n` }));
    expect(performance.now() - started).toBeLessThan(500);
    expect(lines).toEqual(["policies/default.yaml:1:1: file is larger than 1 MiB (1048576 bytes); configuration files must be small — split it or remove generated content"]);
  });

  it("counts bytes, not characters, against the 1 MiB limit", () => {
    const justOver = `version: 1\n# ${"é".repeat(600_000)}\n`; // 600k characters, 1.2 MB
    expect(linesOf(repo(justOver))).toEqual([expect.stringContaining("file is larger than 1 MiB")]);
  });

  it("accepts a byte-order mark and CRLF line endings, and still locates errors", () => {
    const crlf = `\uFEFF${BASE_CONFIG.replace("from: [dev]", "from: [qa]")}`.replace(/\n/g, "\r\n");
    expect(linesOf(repo(crlf))).toEqual(['stagegate.yaml:7:12: environment "staging": unknown upstream "qa" in from (known: dev)']);
  });
});

describe("loadConfiguration: valid configurations", () => {
  it("loads the environments template with no errors and no warnings", () => {
    const result = loadConfiguration(readTree(TEMPLATE_DIR));
    expect(result.ok ? result.warnings : result.diagnostics).toEqual([]);
    if (!result.ok) return;
    const { loaded } = result;
    expect(loaded.config.environments.map((e) => e.name)).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    expect(getEntryEnvironments(loaded).map((e) => e.name)).toEqual(["dev"]);
    expect(getDownstream(loaded, "prod-eu").map((e) => e.name)).toEqual(["prod-us"]);
    expect([...loaded.policies.keys()].sort()).toEqual(["dev", "prod", "staging"]);
    const prod = getPolicy(loaded, loaded.config.environments[3]!);
    expect(prod.gates.map((g) => g.gate)).toEqual(["upstream", "soak", "source-checks", "approvals", "window", "metrics"]);
    expect(prod.merge.mode).toBe("manual");
  });

  it("applies defaults: policy, auto, from, merge", () => {
    const result = loadConfiguration(repo(BASE_CONFIG));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.loaded.config.defaults).toEqual({ policy: "default", auto: "pr" });
    expect(result.loaded.config.environments[0]?.from).toEqual([]);
    expect(result.loaded.policies.get("default")?.merge).toEqual({ mode: "manual", method: "squash" });
  });

  it("ignores unrelated files and policy subfolders, and resolves analysisTemplate paths in them", () => {
    const files = repo(BASE_CONFIG, {
      "policies/default.yaml": "gates:\n  - gate: metrics\n    analysisTemplate: policies/analysis/rate.yaml\n",
      "policies/analysis/rate.yaml": "kind: AnalysisTemplate\n",
      "policies/README.md": "# not a policy",
      "environments/dev/web.yaml": "image: ghcr.io/acme/web\n",
    });
    const result = loadConfiguration(files);
    expect(result.ok ? result.warnings : result.diagnostics).toEqual([]);
    expect(result.ok && [...result.loaded.policies.keys()]).toEqual(["default"]);
  });

  it("accepts a DAG with a diamond (two upstreams) and no cycle", () => {
    const config = `version: 1
environments:
  - { name: dev, path: environments/dev }
  - { name: qa-a, path: environments/qa-a, from: [dev] }
  - { name: qa-b, path: environments/qa-b, from: [dev] }
  - { name: prod, path: environments/prod, from: [qa-a, qa-b] }
`;
    expect(linesOf(repo(config))).toEqual([]);
  });
});

describe("defaults.baseBranch", () => {
  it("is accepted with a warning where it is set: promotions target the default branch", () => {
    const result = loadConfiguration(repo(BASE_CONFIG.replace("version: 1\n", "version: 1\ndefaults:\n  baseBranch: release\n"), { "policies/default.yaml": "gates: []\n" }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings.map(formatDiagnostic)).toEqual(['stagegate.yaml:3:15: warning: defaults.baseBranch is not supported: promotions always target the repository\'s default branch (make "release" the default branch, or remove this key)']);
  });
});
