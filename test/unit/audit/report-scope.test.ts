// The words a report opens with (what it covers) and the table's signature column, from the summary alone.
import { describe, expect, it } from "vitest";
import { tableColumns, TABLE_COLUMNS } from "../../../src/core/audit/columns.js";
import { renderHtml } from "../../../src/core/audit/render-html.js";
import { renderMarkdown, scopeLines } from "../../../src/core/audit/render-text.js";
import type { AuditResult, AuditRow, AuditSummary } from "../../../src/core/audit/types.js";

const summary = (extra: Partial<AuditSummary> = {}): AuditSummary => ({ branch: "main", rows: 1, byKind: { promotion: 1 }, findings: 0, findingsByKind: {}, environments: ["prod"], services: ["api"], warnings: [], ...extra });
const tick = (text: string) => `\`${text}\``;
const scope = { ref: "refs/remotes/origin/main", commit: "a".repeat(40), tool: "stagegate 0.1.0" };

describe("scopeLines", () => {
  it("names the ref, its commit, the notes (or their absence) and the tool", () => {
    expect(scopeLines(summary({ scope }), tick)).toEqual([`Audited \`refs/remotes/origin/main\` at \`${"a".repeat(40)}\`, without evidence notes (no refs/notes/stagegate), by stagegate 0.1.0.`]);
    expect(scopeLines(summary({ scope: { ...scope, notes: "b".repeat(40) } }), tick)[0]).toContain(`evidence notes at \`${"b".repeat(40)}\``);
    expect(scopeLines(summary(), tick)).toEqual([]);
  });

  it.each([
    [{ service: "api" }, "Only changes of service `api`."],
    [{ since: "2024-01-01T00:00:00.000Z" }, "Only changes landed at or after 2024-01-01T00:00:00.000Z."],
    [{ until: "2024-02-01T00:00:00.000Z" }, "Only changes landed before 2024-02-01T00:00:00.000Z."],
    [{ environment: "prod", service: "api", since: "2024-01-01T00:00:00.000Z", until: "2024-02-01T00:00:00.000Z" }, "Only changes of environment `prod`, service `api`, landed at or after 2024-01-01T00:00:00.000Z and before 2024-02-01T00:00:00.000Z."],
  ])("says the filters %j", (filters, line) => {
    expect(scopeLines(summary({ scope: { ...scope, ...filters } }), tick)[1]).toBe(line);
  });
});

describe("the signature column", () => {
  const row: AuditRow = { time: "2024-01-01T00:00:00Z", environment: "prod", service: "api", kind: "promotion", commit: "c".repeat(40), authoredAt: "2024-01-01T00:00:00Z", approvedBy: [], duties: "none", dutiesViolations: [], gates: [], overrides: [], hasNote: true, signature: "B" };
  const result = (extra: Partial<AuditSummary>): AuditResult => ({ rows: [row], findings: [], summary: summary(extra) });

  it("is in the tables only when signatures were checked", () => {
    expect(tableColumns(summary())).toBe(TABLE_COLUMNS);
    expect(tableColumns(summary({ signatures: "github" })).map((c) => c.key)).toEqual([...TABLE_COLUMNS.map((c) => c.key), "signature"]);
    expect(renderMarkdown(result({}))).not.toContain("| signature |");
    const md = renderMarkdown(result({ signatures: "github" }));
    expect(md).toContain("| commit | signature |");
    expect(md).toContain(`| \`${"c".repeat(12)}\` | B |`);
    expect(md).toContain("Signatures checked by GitHub (its Verified badge).");
    const html = renderHtml(result({ signatures: "git" }), undefined);
    expect(html).toContain(`<th scope="col">signature</th>`);
    expect(html).toContain("Signatures checked by git on this clone");
    expect(renderHtml(result({}), undefined)).not.toContain(`<th scope="col">signature</th>`);
  });
});
