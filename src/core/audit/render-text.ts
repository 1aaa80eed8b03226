/**
 * Text renderers of an audit: Markdown (table + findings), JSON (rows + findings + summary) and CSV
 * (RFC 4180, with spreadsheet formula injection defused).
 */
import { cell, code, escapeText } from "../evidence/markdown.js";
import { CSV_COLUMNS, TABLE_COLUMNS, tableColumns, type Column } from "./columns.js";
import type { AuditResult, AuditSummary, Finding } from "./types.js";

/**
 * What the report covers, in words (Markdown and HTML say the same): the ref and commit read, the
 * notes' commit, the filters, and the tool. Undefined for a summary without a scope.
 */
export function scopeLines(summary: AuditSummary, code: (text: string) => string): string[] {
  const scope = summary.scope;
  if (!scope) return [];
  const read = `Audited ${code(scope.ref)}${scope.commit ? ` at ${code(scope.commit)}` : ""}, ${scope.notes ? `evidence notes at ${code(scope.notes)}` : "without evidence notes (no refs/notes/stagegate)"}, by ${scope.tool}.`;
  const of = [scope.environment !== undefined ? `environment ${code(scope.environment)}` : "", scope.service !== undefined ? `service ${code(scope.service)}` : ""].filter(Boolean);
  const landed = [scope.since ? `at or after ${scope.since}` : "", scope.until ? `before ${scope.until}` : ""].filter(Boolean);
  if (of.length === 0 && landed.length === 0) return [read];
  return [read, `Only changes${of.length > 0 ? ` of ${of.join(", ")}` : ""}${landed.length > 0 ? `${of.length > 0 ? "," : ""} landed ${landed.join(" and ")}` : ""}.`];
}

/** Who checked the promotion commits' signatures, as the reports say it; undefined when nobody did (no `--verify`). */
export function signaturesLine(summary: AuditSummary): string | undefined {
  if (!summary.signatures) return undefined;
  return summary.signatures === "github" ? "Signatures checked by GitHub (its Verified badge)." : "Signatures checked by git on this clone (%G?, with the keys it trusts).";
}

/** Markdown: summary line, one table row per change, then the findings. */
export function renderMarkdown(result: AuditResult): string {
  const { rows, findings, summary } = result;
  const lines: string[] = [];
  lines.push(`# Stagegate audit${summary.branch ? ` of ${escapeText(summary.branch)}` : ""}`, "");
  for (const line of scopeLines(summary, code)) lines.push(line, "");
  lines.push(`${summary.rows} changes, ${summary.findings} findings${summary.from ? `, from ${summary.from} to ${summary.to}` : ""}.`, "");
  const signatures = signaturesLine(summary);
  if (signatures) lines.push(signatures, "");
  for (const warning of summary.warnings) lines.push(`> warning: ${escapeText(warning)}`, "");
  lines.push("## Changes", "");
  if (rows.length === 0) lines.push("No change in the selected range.", "");
  else {
    const columns = tableColumns(summary);
    const cells = columns === TABLE_COLUMNS ? MARKDOWN_COLUMNS : markdownColumns(columns);
    lines.push(`| ${columns.map((c) => c.header).join(" | ")} |`);
    lines.push(`|${columns.map(() => "---").join("|")}|`);
    for (const row of rows) lines.push(`| ${cells.map((c) => mdCell(c.code, c.value(row))).join(" | ")} |`);
    lines.push("");
  }
  lines.push("## Findings", "");
  if (findings.length === 0) lines.push("No findings.");
  for (const finding of findings) lines.push(`- **${finding.severity}** ${finding.kind}: ${escapeText(finding.message)}`);
  return `${lines.join("\n")}\n`;
}

/** Identifiers and times go in code spans (copyable, never rendered as links or mentions); free text is escaped. */
const CODE_COLUMNS = new Set(["time", "digest", "previous", "source", "commit"]);

/** Columns with their cell style (code span or escaped text) decided once, not per cell. */
function markdownColumns(columns: readonly Column[]): { value: Column["value"]; code: boolean }[] {
  return columns.map((c) => ({ value: c.value, code: CODE_COLUMNS.has(c.key) }));
}

const MARKDOWN_COLUMNS = markdownColumns(TABLE_COLUMNS);

/** Characters code(), escapeText() or cell() would rewrite (controls included: visible-text.ts); a value without any is used as is. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const MARKDOWN_SPECIAL = /[\r\n`|\\*_{}[\]()<>#+!~&@\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/**
 * What code() or cell() would rewrite in a code span: backticks, line breaks, pipes and controls. Markdown
 * syntax (`+` of a time's offset, `@` of a source) is literal inside one.
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CODE_SPECIAL = /[\r\n`|\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function mdCell(inCode: boolean, value: string): string {
  if (value === "") return "";
  // Most cells (times, digests, logins, kinds) hold nothing to escape: skip the three rewrites.
  if (inCode ? !CODE_SPECIAL.test(value) : !MARKDOWN_SPECIAL.test(value)) return inCode ? `\`${value}\`` : value;
  return cell(inCode ? code(value) : escapeText(value));
}

/** JSON: the whole result, stable key order, for scripts. */
export function renderJson(result: AuditResult): string {
  return `${JSON.stringify({ summary: result.summary, rows: result.rows, findings: result.findings }, null, 2)}\n`;
}

/**
 * One CSV field: quoted when it holds a quote, comma or line break (RFC 4180), and prefixed with
 * `'` when it starts with = + - @ (or tab/CR), which spreadsheets would run as a formula (OWASP).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV of the rows (CRLF line ends per RFC 4180). */
export function renderCsv(result: AuditResult): string {
  const lines = [CSV_COLUMNS.map((c) => csvField(c.header)).join(",")];
  for (const row of result.rows) lines.push(CSV_COLUMNS.map((c) => csvField(c.value(row))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** One line per finding, for terminals. */
export function formatFinding(finding: Finding): string {
  return `${finding.severity}: ${finding.kind}: ${finding.message}`;
}
