/**
 * Turns the evidence of one landed change (trailers of the merge and promotion commits, plus the
 * note) into the evidence columns of an audit row. Trailers win over the note for what both carry:
 * they are part of the commit (signed with it), the note can be rewritten.
 */
import type { AuditNote } from "./note-schema.js";
import { normaliseLogin, parseGates, parseOverride, parsePrNumber, splitImage, toGateResult, trailer, TRAILER } from "./trailers.js";
import type { AuditRow, DutiesStatus, HistoryRecord } from "./types.js";

/** The Stagegate identity of a change: which service in which environment it sets, and to what. */
export interface ChangeIdentity {
  environment: string;
  service: string;
  image?: string;
  digest?: string;
  previous?: string;
  kind: "promotion" | "rollback";
}

/** Merged trailers of a first-parent commit and the branch head(s) it merged (first-parent commit wins). */
export function mergedTrailers(commit: HistoryRecord, merged: readonly HistoryRecord[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const record of [...merged].reverse()) Object.assign(out, record.trailers);
  Object.assign(out, commit.trailers);
  return out;
}

/** The change a set of trailers (or, failing them, a note) declares; undefined for commits Stagegate did not make. */
export function identityOf(trailers: Record<string, string[]>, note: AuditNote | undefined): ChangeIdentity | undefined {
  const service = trailer(trailers, TRAILER.service) ?? note?.service;
  const environment = trailer(trailers, TRAILER.environment) ?? note?.environment;
  if (!service || !environment) return undefined;
  const imageTrailer = trailer(trailers, TRAILER.image);
  const split = imageTrailer ? splitImage(imageTrailer) : undefined;
  const kindWord = (trailer(trailers, TRAILER.kind) ?? note?.kind ?? "promotion").toLowerCase();
  return {
    environment,
    service,
    image: split?.image ?? note?.artifact.image,
    digest: split?.digest ?? note?.artifact.digest,
    previous: trailer(trailers, TRAILER.previous) ?? note?.previous?.[0]?.digest,
    kind: kindWord === "rollback" ? "rollback" : "promotion",
  };
}

/** The evidence columns of a row recorded by Stagegate. */
export type EvidenceColumns = Pick<
  AuditRow,
  | "source"
  | "sourceCommittedAt"
  | "sourceAuthor"
  | "pr"
  | "prAuthor"
  | "requestedBy"
  | "from"
  | "tag"
  | "approvedBy"
  | "duties"
  | "dutiesViolations"
  | "gates"
  | "overrides"
  | "mergedBy"
  | "deployment"
  | "deployedAt"
>;

/** Reads the evidence columns from trailers and note; `commit` is the first-parent commit (merge or squash). */
export function evidenceColumns(commit: HistoryRecord, trailers: Record<string, string[]>, note: AuditNote | undefined, environment: string): EvidenceColumns {
  const noteSource = note?.artifact.source;
  const source = trailer(trailers, TRAILER.source) ?? (noteSource?.repo && noteSource.sha ? `${noteSource.repo}@${noteSource.sha}` : undefined);
  const approvedBy = unique([
    ...(trailers[TRAILER.approvedBy] ?? []),
    ...(note?.approvals ?? []).map((a) => a.reviewer ?? a.user).filter((x): x is string => Boolean(x)),
  ]);
  const gateTrailers = trailers[TRAILER.gates];
  const gates = gateTrailers ? parseGates(gateTrailers) : (note?.gates ?? []).map((g) => ({ name: g.name, result: toGateResult(g.result ?? g.conclusion) }));
  const fromTrailers = (trailers[TRAILER.override] ?? []).map(parseOverride).filter((o) => o !== undefined);
  const overrides = fromTrailers.length > 0 ? fromTrailers : (note?.overrides ?? []).map((o) => ({ gate: o.gate, by: o.by, reason: o.reason }));
  const pr = parsePrNumber(trailer(trailers, TRAILER.pr)) ?? note?.pullRequest?.number ?? parsePrNumber(commit.subject);
  const deployments = (note?.deployments ?? []).filter((d) => !d.environment || d.environment === environment);
  const lastDeployment = deployments.at(-1);
  const sourceAuthor = noteSource?.author;
  const prAuthor = note?.pullRequest?.author;
  const requestedBy = note?.requestedBy;
  const duties = checkDuties(approvedBy, { "source author": sourceAuthor, "PR author": prAuthor, requester: requestedBy });
  return {
    source,
    sourceCommittedAt: noteSource?.committedAt,
    sourceAuthor,
    pr,
    prAuthor,
    requestedBy,
    from: trailer(trailers, TRAILER.from) ?? note?.from,
    tag: trailer(trailers, TRAILER.tag) ?? note?.artifact.tag,
    approvedBy,
    duties: duties.status,
    dutiesViolations: duties.violations,
    gates,
    overrides,
    mergedBy: trailer(trailers, TRAILER.mergedBy) ?? note?.mergedBy ?? (commit.parents.length > 1 || pr !== undefined ? commit.author.name : undefined),
    deployment: lastDeployment ? (lastDeployment.state ?? lastDeployment.result) : undefined,
    deployedAt: lastDeployment?.at,
  };
}

/**
 * Separation of duties (DESIGN.md §3, approvals gate): no approver may be the artifact's source
 * author, the PR's author or the requester. Decidable only when some of those identities are known.
 */
export function checkDuties(approvers: readonly string[], parties: Record<string, string | undefined>): { status: DutiesStatus; violations: string[] } {
  if (approvers.length === 0) return { status: "none", violations: [] };
  const known = Object.entries(parties).filter((entry): entry is [string, string] => Boolean(entry[1]));
  if (known.length === 0) return { status: "unknown", violations: [] };
  const violations: string[] = [];
  for (const approver of approvers) {
    for (const [role, who] of known) {
      if (normaliseLogin(approver) === normaliseLogin(who)) violations.push(`${approver} approved as ${role}`);
    }
  }
  return { status: violations.length > 0 ? "violated" : "held", violations };
}

function unique(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const value of values) {
    const key = normaliseLogin(value);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(value);
    }
  }
  return out;
}
