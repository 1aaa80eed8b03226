import { readHistory } from "../adapters/git/history.js";
import { auditOf, computeDora, productionEnvironments, type AuditRow } from "../core/audit/index.js";
import { formatDuration } from "../core/config/index.js";
import { findImageReferences } from "../editors/index.js";
import type { Narrator } from "./narrator.js";

/** Audit rows of the demo repository, read back from git history, trailers and notes only. */
export async function readAuditRows(dir: string): Promise<{ rows: AuditRow[]; findings: string[]; environments: { name: string; from: string[] }[] }> {
  const history = await readHistory(dir, { extract: findImageReferences });
  const audit = auditOf(history, { branch: history.branch, reflog: history.reflog, warnings: history.warnings });
  return { rows: audit.rows, findings: audit.findings.map((f) => `${f.kind}: ${f.message}`), environments: history.environments };
}

function pad(cells: string[][]): string[] {
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? "").length)));
  return cells.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
}

/** Prints what ran where (oldest first) and DORA headline figures for production. */
export async function printAudit(dir: string, now: Date, narrator: Narrator): Promise<AuditRow[]> {
  const { rows, findings, environments } = await readAuditRows(dir);
  // The initial commit's digests are where the story starts, not changes: left out of the table.
  const ordered = rows.filter((r) => r.kind !== "initial").sort((a, b) => a.time.localeCompare(b.time));
  const header = ["time (UTC)", "environment", "service", "digest", "kind", "PR", "approved by", "merged by", "deployment"];
  const table = ordered.map((r) => [
    r.time.slice(5, 16).replace("T", " "),
    r.environment,
    r.service,
    (r.digest ?? "").replace("sha256:", "").slice(0, 12),
    r.kind,
    r.pr !== undefined ? `#${r.pr}` : "",
    r.approvedBy.join(",") || "-",
    r.mergedBy ?? "",
    r.deployment ?? "",
  ]);
  const lines = pad([header, ...table]);
  narrator.say(narrator.bold(lines[0]!));
  for (const line of lines.slice(1)) narrator.say(line);
  // Every environment whose name says production (prod-eu and prod-us here), else the pipeline's last stage.
  const named = environments.map((e) => e.name).filter((n) => /^prod/.test(n));
  const prod = named.length > 0 ? named : productionEnvironments(environments);
  const dora = computeDora(rows, { window: 30 * 86_400_000, now, environments: prod });
  const lead = dora.leadTime.medianMs !== undefined ? formatDuration(dora.leadTime.medianMs) : "n/a";
  const restore = dora.timeToRestore.medianMs !== undefined ? formatDuration(dora.timeToRestore.medianMs) : "n/a";
  const rate = dora.changeFailureRate.rate !== undefined ? `${Math.round(dora.changeFailureRate.rate * 100)}%` : "n/a";
  narrator.say("");
  narrator.say(`DORA (${prod.join(", ")}): ${dora.deploymentFrequency.deployments} deployments · lead time (median) ${lead} · change failure rate ${rate} (${dora.changeFailureRate.failed}/${dora.changeFailureRate.changes}) · time to restore (median) ${restore}`);
  if (findings.length > 0) narrator.say(`Audit findings: ${findings.length} (run \`stagegate audit --repo ${dir}\`)`);
  return rows;
}
