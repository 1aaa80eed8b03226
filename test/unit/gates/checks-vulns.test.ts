import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SourceCheckFact } from "../../../src/core/gates/facts.js";
import { matchGlob } from "../../../src/core/gates/glob.js";
import { evaluateSourceChecks } from "../../../src/core/gates/source-checks.js";
import { evaluateVulnerabilities } from "../../../src/core/gates/vulnerabilities.js";
import { parseCodeScanningAlerts, parseReport, parseSarif, parseTrivy, ReportFormatError } from "../../../src/core/gates/vulnerability-reports.js";
import { ctx, facts, gate } from "./helpers.js";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
const sourceCommit = { repo: "acme/checkout", sha: "1".repeat(40) };

describe("matchGlob", () => {
  it.each([
    ["build", "build", true],
    ["build", "build ", false],
    ["ci / *", "ci / test", true],
    ["ci / *", "ci / ", true],
    ["*", "", true],
    ["*test*", "unit tests", true],
    ["a*b*c", "abxbc", true],
    ["a*b*c", "acb", false],
    ["a.b", "axb", false],
    ["(x)+", "(x)+", true],
    ["lint", "LINT", false],
  ])("%s ~ %s = %s", (pattern, text, expected) => {
    expect(matchGlob(pattern, text)).toBe(expected);
  });

  it("stays fast on adversarial patterns", () => {
    const started = performance.now();
    expect(matchGlob("*a*a*a*a*a*a*a*a*a*a*a*a*b", "a".repeat(5000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe("source-checks gate", () => {
  const spec = gate({ gate: "source-checks", checks: ["build", "test / *"] });
  const check = (name: string, status: SourceCheckFact["status"], conclusion?: SourceCheckFact["conclusion"], startedAt?: string): SourceCheckFact => ({ name, status, ...(conclusion ? { conclusion } : {}), ...(startedAt ? { startedAt } : {}) });
  it.each<[string, SourceCheckFact[], string]>([
    ["all green", [check("build", "completed", "success"), check("test / unit", "completed", "success"), check("test / e2e", "completed", "success")], "success"],
    ["skipped counts as pass", [check("build", "completed", "success"), check("test / e2e", "completed", "skipped")], "success"],
    ["one failed", [check("build", "completed", "success"), check("test / unit", "completed", "failure")], "failure"],
    ["cancelled", [check("build", "completed", "cancelled"), check("test / unit", "completed", "success")], "failure"],
    ["timed out", [check("build", "completed", "success"), check("test / unit", "completed", "timed_out")], "failure"],
    ["still running", [check("build", "in_progress"), check("test / unit", "completed", "success")], "pending"],
    ["queued", [check("build", "completed", "success"), check("test / unit", "queued")], "pending"],
    ["pattern not reported yet", [check("build", "completed", "success")], "pending"],
    ["failure wins over pending", [check("build", "in_progress"), check("test / unit", "completed", "failure")], "failure"],
    ["re-run fixed it (latest by startedAt)", [check("build", "completed", "failure", "2024-06-03T08:00:00Z"), check("build", "completed", "success", "2024-06-03T09:00:00Z"), check("test / a", "completed", "success")], "success"],
    ["unrelated checks are ignored", [check("build", "completed", "success"), check("test / a", "completed", "success"), check("lint", "completed", "failure")], "success"],
  ])("%s", (_name, sourceChecks, conclusion) => {
    expect(evaluateSourceChecks(spec, facts({ sourceCommit, sourceChecks }), ctx()).conclusion).toBe(conclusion);
  });

  it("treats neutral as failing when allowNeutral is false", () => {
    const strict = gate({ gate: "source-checks", checks: ["build"], allowNeutral: false });
    expect(evaluateSourceChecks(strict, facts({ sourceCommit, sourceChecks: [check("build", "completed", "neutral")] }), ctx()).conclusion).toBe("failure");
  });

  it("fails without a source commit and waits until checks are collected", () => {
    expect(evaluateSourceChecks(spec, facts(), ctx()).conclusion).toBe("failure");
    expect(evaluateSourceChecks(spec, facts({ sourceCommit }), ctx()).conclusion).toBe("pending");
  });
});

describe("vulnerability report parsers", () => {
  it("reads SARIF severities from security-severity, tags and level", () => {
    const findings = parseSarif(fixture("scan.sarif.json"));
    expect(findings.map((f) => [f.id, f.severity])).toEqual([
      ["CVE-2024-0001", "critical"],
      ["CVE-2024-0002", "high"],
      ["CVE-2024-0002", "high"],
      ["CVE-2024-0003", "medium"],
      ["STYLE-1", "low"],
      ["CVE-2024-0004", "none"],
      ["UNKNOWN-RULE", "medium"],
    ]);
    expect(findings[0]).toMatchObject({ where: "usr/lib/libexample.so", title: "libexample 1.2.3 is vulnerable" });
  });

  it("reads Trivy JSON", () => {
    const findings = parseTrivy(fixture("trivy.json"));
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual(["CVE-2023-1111:critical", "CVE-2023-2222:high", "CVE-2023-3333:low", "CVE-2023-4444:none", "GHSA-xxxx-yyyy-zzzz:high"]);
    expect(findings[0]!.where).toBe("ghcr.io/acme/checkout (debian 12.5) openssl@3.0.11");
  });

  it("detects the format and refuses others", () => {
    expect(parseReport(fixture("trivy.json")).format).toBe("trivy");
    expect(parseReport(fixture("scan.sarif.json")).format).toBe("sarif");
    expect(() => parseReport({ hello: 1 })).toThrow(ReportFormatError);
    expect(() => parseReport(null)).toThrow(ReportFormatError);
  });

  it("counts open code scanning alerts only", () => {
    const findings = parseCodeScanningAlerts([
      { number: 1, state: "open", rule: { id: "js/sql-injection", security_severity_level: "high" } },
      { number: 2, state: "dismissed", rule: { id: "js/xss", security_severity_level: "critical" } },
      { number: 3, state: "open", rule: { id: "js/unused", severity: "note" } },
    ]);
    expect(findings.map((f) => `${f.id}:${f.severity}`)).toEqual(["js/sql-injection:high", "js/unused:low"]);
  });
});

describe("vulnerabilities gate", () => {
  const sarif = { reports: [{ source: "https://example.test/scan.sarif", document: fixture("scan.sarif.json") }] };
  const trivy = { reports: [{ source: "trivy.json", document: fixture("trivy.json") }] };
  it.each<[string, Record<string, unknown>, unknown, string, string]>([
    ["SARIF within limits", { max: { critical: 1, high: 2 } }, sarif, "success", "within limits: 1 critical, 2 high, 2 medium, 1 low"],
    ["SARIF too many high", { max: { critical: 1, high: 1 } }, sarif, "failure", "over the limit: 2 high (max 1)"],
    ["SARIF no critical allowed", { max: { critical: 0 } }, sarif, "failure", "1 critical (max 0)"],
    ["SARIF critical ignored", { max: { critical: 0 }, ignore: ["cve-2024-0001"] }, sarif, "success", "0 critical"],
    ["Trivy no high", { max: { critical: 1, high: 0 } }, trivy, "failure", "2 high (max 0)"],
    ["Trivy ignore list", { max: { critical: 1, high: 0 }, ignore: ["CVE-2023-2222", "GHSA-xxxx-yyyy-zzzz"] }, trivy, "success", "1 critical, 0 high, 0 medium, 1 low"],
    ["absent severity is unlimited", { max: {} }, trivy, "success", "within limits"],
    ["no report, required", { max: { critical: 0 } }, {}, "failure", "no vulnerability data"],
    ["no report, optional", { max: { critical: 0 }, requireReport: false }, {}, "neutral", "no vulnerability data"],
    ["unreadable report", { max: { critical: 0 } }, { reports: [{ source: "x.json", document: { nope: true } }] }, "failure", "cannot be read"],
    ["code scanning", { max: { high: 0 }, source: "code-scanning" }, { codeScanningAlerts: [{ state: "open", rule: { id: "r", security_severity_level: "high" } }] }, "failure", "1 high (max 0)"],
    ["any falls back to code scanning", { max: { high: 1 } }, { codeScanningAlerts: [{ state: "open", rule: { id: "r", security_severity_level: "high" } }] }, "success", "1 high"],
  ])("%s → %s", (_name, params, vulnerabilities, conclusion, summary) => {
    const r = evaluateVulnerabilities(gate({ gate: "vulnerabilities", ...params }), facts({ vulnerabilities: vulnerabilities as never }), ctx());
    expect(r.conclusion).toBe(conclusion);
    expect(r.summary).toContain(summary);
  });
});
