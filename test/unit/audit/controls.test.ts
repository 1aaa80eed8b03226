// `stagegate audit --by-control` on a real history built with git fast-import (overrides, a direct
// push, a hand-made PR, a change without gate evidence) and policies committed at the tip.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRepository, runAudit } from "../../../src/cli/commands/audit.js";
import { readConfigAtBranch } from "../../../src/adapters/git/config-at-ref.js";
import { buildControlCatalog, groupByControl, type ControlReport } from "../../../src/core/audit/controls.js";
import { digestOf, HistoryBuilder } from "../../support/history-builder.js";
import { renderControlsCsv, renderControlsMarkdown } from "../../../src/core/audit/controls-render.js";
import type { Finding } from "../../../src/core/audit/types.js";

const POLICY = `gates:
  - gate: approvals
    controls: [SOC2-CC8.1]
  - gate: source-checks
    checks: [ci]
    controls: [SOC2-CC8.1, ISO27001-A.8.32]
  - gate: window
    controls: [CHG-FREEZE]
controls:
  SOC2-CC8.1:
    description: Changes are authorised, tested and approved before they reach production.
    environments: [prod]
  ISO27001-A.8.32:
    description: Changes to information processing facilities follow change management.
`;

let dir: string;
let builder: HistoryBuilder;
let report: ControlReport;
const t0 = Date.parse("2024-06-03T00:00:00Z");
const at = (h: number) => new Date(t0 + h * 3_600_000);
const iso = (h: number) => at(h).toISOString().replace(".000Z", "+00:00");
const git = (args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-controls-"));
  builder = new HistoryBuilder([{ name: "staging" }, { name: "prod", from: ["staging"] }], [{ name: "api", image: "ghcr.io/acme/api" }, { name: "web", image: "ghcr.io/acme/web" }]);
  builder.init(at(0), { staging: { api: digestOf(1), web: digestOf(2) }, prod: { api: digestOf(1) } });
  const ok = { approvals: "success", "source-checks": "success", window: "success" };
  builder
    .promote({ env: "staging", service: "api", digest: digestOf(10), at: at(1), pr: 1, approvers: ["alice"], gates: ok })
    .promote({ env: "prod", service: "api", digest: digestOf(10), at: at(2), pr: 2, gates: { ...ok, approvals: "overridden" }, overrides: [{ gate: "approvals", by: "rm-bob", reason: "sev1 hotfix" }] })
    .manual("direct-push", { env: "prod", service: "api", digest: digestOf(11), at: at(3), who: "Mallory" })
    .manual("hand-made", { env: "staging", service: "api", digest: digestOf(12), at: at(4), pr: 9001 })
    .promote({ env: "prod", service: "api", digest: digestOf(13), at: at(5), pr: 3, approvers: ["alice", "carol"], gates: { ...ok, window: "overridden" }, overrides: [{ gate: "window", by: "carol", reason: "freeze exception" }], style: "squash" })
    .promote({ env: "staging", service: "web", digest: digestOf(20), at: at(6), pr: 4 });
  builder.write(dir);
  mkdirSync(join(dir, "policies"));
  writeFileSync(join(dir, "policies/default.yaml"), POLICY);
  git(["add", "policies"]);
  git(["-c", "user.name=Admin", "-c", "user.email=admin@example.com", "commit", "-q", "-m", "policies", "--date", at(7).toISOString()]);
  const { result, history } = await auditRepository({ repo: dir, since: at(0.5).toISOString() });
  report = groupByControl(result, buildControlCatalog(await readConfigAtBranch(dir, history.branch)));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (i: number) => builder.shaOf(builder.expected[i]!);
const rowsOf = (id: string) => report.controls.find((c) => c.id === id)!.promotions.map((p) => [p.time, p.environment, p.service, p.kind, p.gates.map((g) => `${g.name}=${g.result}`).join(" "), p.status]).sort();

describe("evidence by control", () => {
  it("lists every control the policies describe or the gates name, with the environments each covers", () => {
    expect(report.controls.map((c) => [c.id, c.description ?? null, c.environments])).toEqual([
      ["CHG-FREEZE", null, ["prod", "staging"]],
      ["ISO27001-A.8.32", "Changes to information processing facilities follow change management.", ["prod", "staging"]],
      ["SOC2-CC8.1", "Changes are authorised, tested and approved before they reach production.", ["prod"]],
    ]);
  });

  it("SOC2-CC8.1: prod changes, the gates that satisfied it, the override and the bypass apart", () => {
    expect(rowsOf("SOC2-CC8.1")).toEqual([
      [iso(2), "prod", "api", "promotion", "approvals=overridden source-checks=success", "exception"],
      [iso(3), "prod", "api", "direct-push", "", "exception"],
      [iso(5), "prod", "api", "promotion", "approvals=success source-checks=success", "satisfied"],
    ].sort());
    const section = report.controls.find((c) => c.id === "SOC2-CC8.1")!;
    expect(section.exceptions).toEqual([
      { type: "override", time: iso(2), environment: "prod", service: "api", commit: sha(1), pr: 2, gate: "approvals", by: "rm-bob", reason: "sev1 hotfix" },
      { type: "bypass", time: iso(3), environment: "prod", service: "api", commit: sha(2), reason: "pushed directly to the branch; no gate evidence" },
    ]);
    expect(section.counts).toEqual({ satisfied: 1, exception: 2, failed: 0, "no-evidence": 0 });
  });

  it("ISO27001-A.8.32 covers staging too: the hand-made PR is a bypass, a change without gate evidence is reported as such", () => {
    expect(rowsOf("ISO27001-A.8.32")).toEqual([
      [iso(1), "staging", "api", "promotion", "source-checks=success", "satisfied"],
      [iso(2), "prod", "api", "promotion", "source-checks=success", "satisfied"],
      [iso(3), "prod", "api", "direct-push", "", "exception"],
      [iso(4), "staging", "api", "hand-made", "", "exception"],
      [iso(5), "prod", "api", "promotion", "source-checks=success", "satisfied"],
      [iso(6), "staging", "web", "promotion", "", "no-evidence"],
    ].sort());
    expect(report.controls.find((c) => c.id === "ISO27001-A.8.32")!.exceptions.map((e) => [e.type, e.environment, e.pr ?? null])).toEqual([
      ["bypass", "prod", null],
      ["bypass", "staging", 9001],
    ]);
  });

  it("CHG-FREEZE: only the window override is an exception of it", () => {
    expect(report.controls.find((c) => c.id === "CHG-FREEZE")!.exceptions.filter((e) => e.type === "override")).toEqual([
      { type: "override", time: iso(5), environment: "prod", service: "api", commit: sha(4), pr: 3, gate: "window", by: "carol", reason: "freeze exception" },
    ]);
  });
});

describe("stagegate audit --by-control formats", () => {
  const render = async (format: string) => {
    let text = "";
    expect(await runAudit({ repo: dir, byControl: true, format, since: at(0.5).toISOString() }, (s) => (text += s), () => undefined)).toBe(0);
    return text;
  };

  it("json is the report", async () => {
    expect(JSON.parse(await render("json"))).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it("md has a section per control with its exceptions", async () => {
    const md = await render("md");
    expect(md).toContain("## SOC2-CC8.1");
    expect(md).toContain("Environments: `prod`. 3 changes: 1 satisfied, 2 exceptions, 0 failed, 0 without evidence.");
    expect(md).toContain("### Exceptions (2)");
    expect(md).toMatch(/\*\*override\*\* api in prod \(`[0-9a-f]{12}`, #2\) gate `approvals` by rm-bob: sev1 hotfix/);
  });

  it("csv has one line per (control, change) and per (control, exception)", async () => {
    const lines = (await render("csv")).trimEnd().split("\r\n");
    const total = report.controls.reduce((n, c) => n + c.promotions.length + c.exceptions.length, 0);
    expect(lines).toHaveLength(total + 1);
    expect(lines).toContain(`SOC2-CC8.1,override,${iso(2)},prod,api,,,${sha(1)},2,,,exception,approvals,rm-bob,sev1 hotfix`);
  });

  it("html adds the section to the self-contained report", async () => {
    const html = await render("html");
    expect(html).toContain(`<section id="controls"><h2>Evidence by control</h2>`);
    expect(html.indexOf(`<section id="controls">`)).toBeGreaterThan(html.indexOf("<h2>Findings</h2>"));
    expect(html).not.toMatch(/<(script|link)\b/);
  });
});

describe("history and evidence integrity in the report by control", () => {
  const finding = (kind: Finding["kind"], severity: Finding["severity"], message: string): Finding => ({ kind, severity, message, commit: "c".repeat(40), time: iso(3) });
  const findings = [finding("bypass", "high", "direct push"), finding("force-push", "high", "refs/heads/main moved"), finding("note-edited", "high", "note changed"), finding("override", "medium", "gate overridden")];
  const summary = { branch: "main", rows: 0, byKind: {}, findings: findings.length, findingsByKind: {}, environments: [], services: [], warnings: [] };
  const grouped = groupByControl({ rows: [], findings, summary }, { controls: new Map(), gateControls: new Map() });

  it("keeps the findings no control owns, and only those", () => {
    expect(grouped.integrity.map((f) => f.kind)).toEqual(["force-push", "note-edited"]);
  });
  it("lists them in Markdown and CSV", () => {
    expect(renderControlsMarkdown(grouped)).toContain("## History and evidence integrity (2)\n\n- **high** force-push: refs/heads/main moved\n- **high** note-edited: note changed");
    expect(renderControlsCsv(grouped).trimEnd().split("\r\n").slice(1)).toEqual([`,integrity,${iso(3)},,,,force-push,${"c".repeat(40)},,,,high,,,refs/heads/main moved`, `,integrity,${iso(3)},,,,note-edited,${"c".repeat(40)},,,,high,,,note changed`]);
    expect(renderControlsMarkdown({ ...grouped, integrity: [] })).toContain("## History and evidence integrity (0)\n\nNo finding.");
  });
});
