// A change's status under a control: every gate the control maps must be recorded and must have
// passed. Before, one passing gate of two made the change "satisfied", a skipped gate passed, and an
// approval that broke separation of duties left the control satisfied (and, in the control report's
// md/json/csv, unmentioned).
import { describe, expect, it } from "vitest";
import { groupByControl, type ControlCatalog } from "../../../src/core/audit/controls.js";
import type { AuditResult, AuditRow, Finding } from "../../../src/core/audit/types.js";

const catalog: ControlCatalog = {
  controls: new Map([["SOC2-CC8.1", { environments: new Set(["prod"]) }]]),
  gateControls: new Map([["prod", new Map([["approvals", ["SOC2-CC8.1"]], ["source-checks", ["SOC2-CC8.1"]]])]]),
};
let n = 0;
const row = (gates: AuditRow["gates"], extra: Partial<AuditRow> = {}): AuditRow => ({
  time: `2024-06-03T0${n}:00:00+00:00`,
  environment: "prod",
  service: "api",
  kind: "promotion",
  commit: `${++n}`.padStart(40, "0"),
  authoredAt: "2024-06-03T00:00:00+00:00",
  approvedBy: ["alice"],
  duties: "held",
  dutiesViolations: [],
  gates,
  overrides: [],
  hasNote: true,
  digest: `sha256:${String(n).padStart(64, "0")}`,
  ...extra,
});
const statuses = (rows: AuditRow[], findings: Finding[] = []) => {
  const report = groupByControl({ rows, findings, summary: { branch: "main" } } as unknown as AuditResult, catalog);
  return { statuses: report.controls[0]!.promotions.map((p) => p.status), exceptions: report.controls[0]!.exceptions.map((e) => [e.type, e.reason]), integrity: report.integrity.map((f) => f.kind) };
};

describe("control status", () => {
  it("is satisfied only when every mapped gate is recorded and passed", () => {
    const both = [{ name: "approvals", result: "success" as const }, { name: "source-checks", result: "success" as const }];
    expect(statuses([row(both), row([both[1]!]), row([{ name: "approvals", result: "skipped" }, both[1]!]), row([both[0]!, { name: "source-checks", result: "failure" }])]).statuses).toEqual(["satisfied", "no-evidence", "no-evidence", "failed"]);
  });

  it("fails the approvals control when the approval broke separation of duties, and says so among its exceptions", () => {
    const gates = [{ name: "approvals", result: "success" as const }, { name: "source-checks", result: "success" as const }];
    const violated = row(gates, { duties: "violated", dutiesViolations: ["alice approved as source author"] });
    const missingNote: Finding = { kind: "missing-note", severity: "low", commit: violated.commit, time: violated.time, message: "no note" };
    const report = statuses([violated], [missingNote]);
    expect(report.statuses).toEqual(["failed"]);
    expect(report.exceptions).toEqual([["separation-of-duties", "alice approved as source author"]]);
    // A missing note is about the evidence itself: the report by control keeps it.
    expect(report.integrity).toEqual(["missing-note"]);
  });

  it("lists a service first added outside Stagegate as a bypass, and leaves the root commit's imports out", () => {
    const imported = row([], { kind: "initial" });
    const added = row([], { kind: "initial" });
    const bypass: Finding = { kind: "bypass", severity: "low", commit: added.commit, environment: "prod", service: "api", time: added.time, message: "reference added" };
    const report = statuses([imported, added], [bypass]);
    expect(report.statuses).toEqual(["exception"]);
    expect(report.exceptions).toEqual([["bypass", "image reference added outside Stagegate; no gate evidence"]]);
  });
});
