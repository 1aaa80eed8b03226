/**
 * The columns of the audit table, shared by the Markdown, CSV and HTML renderers so the three
 * formats always say the same thing in the same order.
 */
import type { AuditRow, AuditSummary } from "./types.js";

export interface Column {
  key: string;
  header: string;
  value: (row: AuditRow) => string;
}

/** Short form of a digest for tables (the JSON output keeps full values). */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return "";
  return digest.startsWith("sha256:") ? digest.slice(7, 19) : digest.slice(0, 12);
}

/** `owner/repo@<sha>` with the sha cut to 12 characters (when longer and all lowercase hex). */
function shortSource(source: string | undefined): string {
  if (!source) return "";
  // Same as replace(/@([0-9a-f]{12})[0-9a-f]+$/, "@$1") without a regex per row: only the last `@`
  // can start the match, since everything after it must be hex.
  const at = source.lastIndexOf("@");
  if (at < 0 || source.length - at - 1 <= 12) return source;
  for (let i = at + 1; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return source;
  }
  return source.slice(0, at + 13);
}

/** Items rendered with `format` and joined by `separator` (one string, no intermediate array). */
function joinWith<T>(items: readonly T[], separator: string, format: (item: T) => string): string {
  let out = "";
  for (let i = 0; i < items.length; i++) out += i === 0 ? format(items[i] as T) : separator + format(items[i] as T);
  return out;
}

function duties(row: AuditRow): string {
  if (row.duties === "violated") return `violated (${row.dutiesViolations.join("; ")})`;
  return row.duties === "none" ? "" : row.duties;
}

/** Full columns (CSV keeps full digests and shas: it is for machines and spreadsheets). */
export const CSV_COLUMNS: Column[] = [
  { key: "time", header: "time", value: (r) => r.time },
  { key: "environment", header: "environment", value: (r) => r.environment },
  { key: "service", header: "service", value: (r) => r.service },
  { key: "kind", header: "kind", value: (r) => r.kind },
  { key: "image", header: "image", value: (r) => r.image ?? "" },
  { key: "digest", header: "digest", value: (r) => r.digest ?? "" },
  { key: "previous", header: "previous", value: (r) => r.previous ?? "" },
  { key: "source", header: "source", value: (r) => r.source ?? "" },
  { key: "pr", header: "pr", value: (r) => (r.pr === undefined ? "" : `#${r.pr}`) },
  { key: "approvedBy", header: "approved_by", value: (r) => r.approvedBy.join(" ") },
  { key: "duties", header: "separation_of_duties", value: duties },
  { key: "gates", header: "gates", value: (r) => joinWith(r.gates, ", ", (g) => `${g.name}=${g.result}`) },
  { key: "overrides", header: "overrides", value: (r) => joinWith(r.overrides, "; ", (o) => `${o.gate} by ${o.by}: ${o.reason}`) },
  { key: "mergedBy", header: "merged_by", value: (r) => r.mergedBy ?? "" },
  { key: "deployment", header: "deployment", value: (r) => r.deployment ?? "" },
  { key: "commit", header: "commit", value: (r) => r.commit },
  { key: "note", header: "note", value: (r) => (r.hasNote ? "yes" : "no") },
  { key: "signature", header: "signature", value: (r) => r.signature ?? "" },
];

/** Columns for human tables: short digests and shas. */
export const TABLE_COLUMNS: Column[] = CSV_COLUMNS.filter((c) => c.key !== "image" && c.key !== "note" && c.key !== "signature").map((c) => {
  if (c.key === "digest") return { ...c, value: (r: AuditRow) => shortDigest(r.digest) };
  if (c.key === "previous") return { ...c, value: (r: AuditRow) => shortDigest(r.previous) };
  if (c.key === "commit") return { ...c, value: (r: AuditRow) => r.commit.slice(0, 12) };
  if (c.key === "source") return { ...c, value: (r: AuditRow) => shortSource(r.source) };
  return c;
});

const SIGNATURE_COLUMN = CSV_COLUMNS.find((c) => c.key === "signature")!;

/** The human table's columns for a report: with a `signature` column when signatures were checked (`--verify`). */
export function tableColumns(summary: Pick<AuditSummary, "signatures">): Column[] {
  return summary.signatures ? [...TABLE_COLUMNS, SIGNATURE_COLUMN] : TABLE_COLUMNS;
}
