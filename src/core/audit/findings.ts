/**
 * Findings: what an auditor must look at. Every finding names the commit (or reflog entry) and why;
 * nothing is dropped because it is common (a hundred bypasses are a hundred findings).
 */
import type { AuditOptions } from "./build-audit.js";
import { hasTrailer, trailer, TRAILER } from "./trailers.js";
import type { AuditRow, ChangeKind, Finding, HistoryRecord, ReflogEntry, Severity, SignatureStatus } from "./types.js";

const BYPASS_SEVERITY: Partial<Record<ChangeKind, Severity>> = {
  "direct-push": "high",
  "hand-made": "medium",
  revert: "medium",
  removal: "medium",
  initial: "low",
};

const BYPASS_WHAT: Partial<Record<ChangeKind, string>> = {
  "direct-push": "direct push to the default branch",
  "hand-made": "hand-made change (PR not made by Stagegate)",
  revert: "revert made outside Stagegate",
  removal: "image reference removed outside Stagegate",
  initial: "image reference added outside Stagegate",
};

const SIGNATURE_WHAT: Record<Exclude<SignatureStatus, "G" | "U" | "N">, string> = {
  B: "bad signature",
  X: "good signature that has expired",
  Y: "good signature made by an expired key",
  R: "good signature made by a revoked key",
  E: "signature that cannot be checked (missing key)",
};

/**
 * All findings of an audit: from the rows, from the records (notes, signatures) and from the reflog.
 * `bySha` indexes `records` by sha; pass it when you have it (buildAudit does) to save building it again.
 */
export function collectFindings(
  records: readonly HistoryRecord[],
  rows: readonly AuditRow[],
  options: AuditOptions,
  bySha: ReadonlyMap<string, HistoryRecord> = new Map(records.map((r) => [r.sha, r])),
): Finding[] {
  const findings: Finding[] = [];
  for (const row of rows) pushRowFindings(findings, row, bySha);
  for (const record of records) {
    if (record.noteError) {
      findings.push({ kind: "invalid-note", severity: "medium", commit: record.sha, time: record.committer.date, message: `evidence note on ${short(record.sha)} cannot be read: ${record.noteError}` });
    }
  }
  if (options.signaturesRead) findings.push(...signatureFindings(records));
  findings.push(...reflogFindings(options.reflog ?? []));
  for (const edit of options.noteEdits ?? []) {
    findings.push({
      kind: "note-edited",
      severity: "high",
      commit: edit.commit,
      time: edit.time,
      message: `evidence note of ${short(edit.commit)} ${edit.kind === "removed" ? "removed" : "changed other than by appending"} in notes commit ${short(edit.notesCommit)} by ${edit.by}`,
    });
  }
  const diverged = options.notesDivergence;
  if (diverged) {
    findings.push({
      kind: "notes-rewritten",
      severity: "high",
      commit: diverged.local,
      message: `refs/notes/stagegate on ${diverged.remote} (${short(diverged.fetched)}) no longer contains this clone's (${short(diverged.local)}): ${diverged.localOnly} notes commit${diverged.localOnly === 1 ? "" : "s"} only here, ${diverged.remoteOnly} only on ${diverged.remote}. Evidence notes were rewritten or deleted there, or this clone holds notes never pushed; this audit read the clone's notes (${diverged.remote}'s are in ${diverged.fetchedInto})`,
    });
  }
  return findings.sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""));
}

function pushRowFindings(out: Finding[], row: AuditRow, bySha: ReadonlyMap<string, HistoryRecord>): void {
  // The row's commit record is looked up only by the checks that need it: a recorded promotion with
  // its note (most rows) needs none.
  const severity = BYPASS_SEVERITY[row.kind];
  if (severity && !(row.kind === "initial" && bySha.get(row.commit)?.parents.length === 0)) {
    const by = bySha.get(row.commit)?.author;
    out.push({
      kind: "bypass",
      severity,
      ...at(row),
      message: `${BYPASS_WHAT[row.kind]}: ${row.service} in ${row.environment} ${row.previous ? `${shortDigest(row.previous)} → ` : ""}${row.digest ? shortDigest(row.digest) : "(removed)"} by ${by ? `${by.name} <${by.email}>` : "unknown"} in ${short(row.commit)} without Stagegate evidence`,
    });
  }
  // An unreadable note is reported as invalid-note; do not report it twice.
  if ((row.kind === "promotion" || row.kind === "rollback") && !row.hasNote && !bySha.get(row.commit)?.noteError) {
    out.push({ kind: "missing-note", severity: "low", ...at(row), message: `${row.kind} of ${row.service} to ${row.environment} in ${short(row.commit)} has no evidence note (refs/notes/stagegate); fetch the notes or check the merge` });
  }
  if (row.duties === "violated") {
    out.push({ kind: "separation-of-duties", severity: "high", ...at(row), message: `separation of duties violated on ${row.service} in ${row.environment} (${short(row.commit)}): ${row.dutiesViolations.join("; ")}` });
  }
  for (const override of row.overrides) {
    out.push({ kind: "override", severity: "medium", ...at(row), message: `gate ${override.gate} overridden by ${override.by} on ${row.service} in ${row.environment} (${short(row.commit)}): ${override.reason || "no reason given"}` });
  }
}

/** Where a row's finding points (built per finding: most rows have none). */
function at(row: AuditRow): Pick<Finding, "commit" | "environment" | "service" | "time"> {
  return { commit: row.commit, environment: row.environment, service: row.service, time: row.time };
}

/** Promotion commits (those carrying Stagegate-Service) must be signed: G or U. */
function signatureFindings(records: readonly HistoryRecord[]): Finding[] {
  const out: Finding[] = [];
  for (const record of records) {
    if (record.signature === undefined || !hasTrailer(record.trailers, TRAILER.service)) continue;
    const status = record.signature;
    if (status === "G" || status === "U") continue;
    const service = trailer(record.trailers, TRAILER.service);
    const environment = trailer(record.trailers, TRAILER.environment);
    const at = { commit: record.sha, time: record.committer.date, service, environment };
    // GitHub's reason (`--verify github`) when the source gave one.
    const why = record.signatureDetail ? `: ${record.signatureDetail}` : "";
    if (status === "N") out.push({ kind: "unsigned", severity: "medium", ...at, message: `promotion commit ${short(record.sha)} (${service} → ${environment}) is not signed` });
    else out.push({ kind: "bad-signature", severity: status === "B" ? "high" : "medium", ...at, message: `promotion commit ${short(record.sha)} (${service} → ${environment}) has a ${SIGNATURE_WHAT[status]}${why}` });
  }
  return out;
}

/** Reflog entries of the default branch that rewrote history (not fast-forwards). */
function reflogFindings(reflog: readonly ReflogEntry[]): Finding[] {
  const findings: Finding[] = [];
  for (const entry of reflog) {
    const at = { kind: "force-push" as const, commit: entry.new, time: entry.date };
    if (entry.fastForward === false || /forced-update/.test(entry.message)) {
      findings.push({ ...at, severity: "high", message: `${entry.ref} moved from ${short(entry.old)} to ${short(entry.new)} without a fast-forward (${entry.message || "no message"}): history was rewritten` });
    } else if (entry.fastForward === undefined) {
      // The old tip cannot be read: a tip the branch moved on from normally stays in its history, so
      // one that is gone was most likely dropped by a rewrite and pruned since. Said, not assumed away.
      findings.push({ ...at, severity: "medium", message: `${entry.ref} moved from ${short(entry.old)} to ${short(entry.new)} (${entry.message || "no message"}), and ${short(entry.old)} is no longer in the clone: a rewritten history pruned since, or objects lost; whether it was a fast-forward cannot be checked` });
    }
  }
  return findings;
}

export function short(sha: string): string {
  return sha.slice(0, 12);
}

export function shortDigest(digest: string): string {
  return digest.startsWith("sha256:") ? digest.slice(7, 19) : digest.slice(0, 12);
}
