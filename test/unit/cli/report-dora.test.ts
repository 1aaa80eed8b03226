// The DORA figures of the HTML audit report and of `stagegate dora`: the window takes in the oldest
// row, a history of any length is read without spreading it into a call, and a zero window is refused.
import { describe, expect, it } from "vitest";
import { reportDora } from "../../../src/cli/commands/audit.js";
import { doraRepository, formatDora } from "../../../src/cli/commands/dora.js";
import { computeDora } from "../../../src/core/audit/dora.js";
import { formatMs } from "../../../src/core/audit/render-html.js";
import type { AuditResult, AuditRow, HistoryInput } from "../../../src/core/audit/types.js";

const DAY = 86_400_000;
const row = (at: number, i: number): AuditRow => ({
  time: new Date(at).toISOString(),
  environment: "prod",
  service: "api",
  kind: "promotion",
  commit: `c${i}`,
  authoredAt: new Date(at - 3_600_000).toISOString(),
  approvedBy: [],
  duties: "none",
  dutiesViolations: [],
  gates: [],
  overrides: [],
  hasNote: true,
  digest: `sha256:${String(i).padStart(64, "0")}`,
});
const result = (rows: AuditRow[]) => ({ rows, findings: [], summary: {} }) as unknown as AuditResult;
const history = { environments: [{ name: "prod" }] } as unknown as HistoryInput;

describe("the HTML report's DORA figures", () => {
  it("count the oldest deployment: two, ten days apart, are 1.4 a week", () => {
    const t0 = Date.UTC(2024, 2, 1);
    const dora = reportDora(result([row(t0, 1), row(t0 + 10 * DAY, 2)]), history, {});
    expect(dora.deploymentFrequency.deployments).toBe(2);
    expect(dora.deploymentFrequency.perWeek).toBeCloseTo(1.4, 2);
  });

  it("read 200,000 rows (Math.max(...times) overflowed the call stack at about 130,000)", () => {
    const t0 = Date.UTC(2020, 0, 1);
    const rows = Array.from({ length: 200_000 }, (_, i) => row(t0 + i * 600_000, i));
    expect(reportDora(result(rows), history, {}).deploymentFrequency.deployments).toBe(200_000);
  });
});

describe("stagegate dora --window", () => {
  it("refuses a window of zero (0 deployments over 0 days printed NaN)", async () => {
    await expect(doraRepository({ repo: ".", window: "0d" })).rejects.toThrow(/not a duration longer than zero/);
  });
});

describe("durations and the window in the text report", () => {
  it("formatMs: seconds under a minute (a 20 s restore read 0m), then minutes, hours, days", () => {
    expect([undefined, 0, 20_000, 31_000, 59_400, 59_600, 90_000, 5_400_000, 2 * DAY].map(formatMs)).toEqual(["–", "0s", "20s", "31s", "59s", "1m", "2m", "1.5h", "2.0d"]);
  });

  it("says 1 day, not 1 days; and 30 days", () => {
    const t0 = Date.UTC(2024, 2, 1);
    const rows = [row(t0, 1)];
    expect(formatDora(computeDora(rows, { window: DAY, now: new Date(t0 + 1000), environments: ["prod"] }))).toMatch(/\(1 day\)\n/);
    expect(formatDora(computeDora(rows, { window: 30 * DAY, now: new Date(t0 + 1000), environments: ["prod"] }))).toMatch(/\(30 days\)\n/);
  });
});
