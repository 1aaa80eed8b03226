/**
 * The columns of the audit table, shared by the Markdown, CSV and HTML renderers so the three
 * formats always say the same thing in the same order.
 */
import type { AuditRow } from "./types.js";

export interface Column {
  key: string;
  header: string;
  value: (row: AuditRow) => string;
}

/** Short form of a digest for tables (the JSON output keeps full values). */
export function shortDigest(digest: string | undefined): string {
  return digest ? digest.replace(/^sha256:/, "").slice(0, 12) : "";
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
  { key: "gates", header: "gates", value: (r) => r.gates.map((g) => `${g.name}=${g.result}`).join(", ") },
  { key: "overrides", header: "overrides", value: (r) => r.overrides.map((o) => `${o.gate} by ${o.by}: ${o.reason}`).join("; ") },
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
  if (c.key === "source") return { ...c, value: (r: AuditRow) => (r.source ? r.source.replace(/@([0-9a-f]{12})[0-9a-f]+$/, "@$1") : "") };
  return c;
});
