/**
 * Turns the evidence of one landed change (trailers of the merge and promotion commits, plus the
 * note) into the evidence columns of an audit row. Trailers win over the note for what both carry:
 * they are part of the commit (signed with it), the note can be rewritten.
 */
import type { AuditNote } from "./note-schema.js";
import { hasTrailer, normaliseLogin, overlayTrailers, parseGates, parseOverride, parsePrNumber, splitImage, toGateResult, trailer, TRAILER, trailerValues, type Trailers } from "./trailers.js";
import type { AuditRow, DutiesStatus, HistoryRecord } from "./types.js";
import { append } from "../tight-list.js";

/** The Stagegate identity of a change: which service in which environment it sets, and to what. */
export interface ChangeIdentity {
  environment: string;
  service: string;
  image?: string;
  digest?: string;
  previous?: string;
  /** The release tag declared beside the digest (`Stagegate-Tag`, or the note's), if any. */
  tag?: string;
  kind: "promotion" | "rollback";
}

/** Most updates from the default branch followed down a PR branch (see {@link headCommits}). */
export const MAX_BASE_UPDATES = 20;

/**
 * True for a merge of the default branch into a PR branch (GitHub's "Update branch", `git merge main`):
 * two parents, the second a commit of the default branch's own history, and no Stagegate trailers.
 */
export function isBaseUpdate(commit: HistoryRecord, bySha: ReadonlyMap<string, HistoryRecord>): boolean {
  return commit.parents.length === 2 && !hasTrailer(commit.trailers, TRAILER.service) && bySha.get(commit.parents[1]!)?.firstParent === true;
}

/**
 * The commits a merged branch head stands for: the head and, while it is an update from the default
 * branch ({@link isBaseUpdate}), the PR branch's commit before it, down to the promotion commit that
 * carries the trailers. Commits already landed (`isLanded`) end the walk: they bring no evidence.
 */
export function headCommits(head: HistoryRecord, bySha: ReadonlyMap<string, HistoryRecord>, isLanded: (sha: string) => boolean): HistoryRecord[] {
  const out = [head];
  let current = head;
  for (let i = 0; i < MAX_BASE_UPDATES && isBaseUpdate(current, bySha); i++) {
    const next = bySha.get(current.parents[0]!);
    if (!next || isLanded(next.sha) || next.firstParent) break;
    out.push(next);
    current = next;
  }
  return out;
}

/**
 * The commits a merge commit's branch heads (its parents after the first, those in the history and not
 * `isLanded`) stand for, each expanded by {@link headCommits}: the evidence the merge brings.
 */
export function mergedCommits(commit: HistoryRecord, bySha: ReadonlyMap<string, HistoryRecord>, isLanded: (sha: string) => boolean): HistoryRecord[] {
  const out: HistoryRecord[] = [];
  for (let i = 1; i < commit.parents.length; i++) {
    const head = bySha.get(commit.parents[i]!);
    if (head && !isLanded(head.sha)) out.push(...headCommits(head, bySha, isLanded));
  }
  return out;
}

/** Merged trailers of a first-parent commit and the branch head(s) it merged (first-parent commit wins). */
export function mergedTrailers(commit: HistoryRecord, merged: readonly HistoryRecord[]): Trailers {
  // The commit itself, then the first merged head, and so on: the first holding a key gives its values.
  return overlayTrailers([commit.trailers, ...merged.map((m) => m.trailers)]);
}

/** The change a set of trailers (or, failing them, a note) declares; undefined for commits Stagegate did not make. */
export function identityOf(trailers: Trailers, note: AuditNote | undefined): ChangeIdentity | undefined {
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
    tag: trailer(trailers, TRAILER.tag) ?? note?.artifact.tag,
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

/**
 * Reads the evidence columns from trailers and note; `commit` is the first-parent commit (merge or squash).
 * Runs once per row of histories tens of thousands of promotions long, hence loops rather than
 * `map`/`filter` chains, and no throwaway arrays.
 */
export function evidenceColumns(commit: HistoryRecord, trailers: Trailers, note: AuditNote | undefined, environment: string): EvidenceColumns {
  const noteSource = note?.artifact.source;
  const source = trailer(trailers, TRAILER.source) ?? (noteSource?.repo && noteSource.sha ? `${noteSource.repo}@${noteSource.sha}` : undefined);
  const approvers = new Approvers();
  for (const login of trailerValues(trailers, TRAILER.approvedBy)) approvers.add(login);
  for (const approval of note?.approvals ?? NONE) {
    const login = approval.reviewer ?? approval.user;
    if (login) approvers.add(login);
  }
  const pr = parsePrNumber(trailer(trailers, TRAILER.pr)) ?? note?.pullRequest?.number ?? parsePrNumber(commit.subject);
  const lastDeployment = lastDeploymentTo(note, environment);
  const sourceAuthor = noteSource?.author;
  const prAuthor = note?.pullRequest?.author;
  const requestedBy = note?.requestedBy;
  const duties = sourceAuthor || prAuthor || requestedBy ? dutiesOf(approvers.logins, approvers.keys, { "source author": sourceAuthor, "PR author": prAuthor, requester: requestedBy }) : noParties(approvers.logins);
  return {
    source,
    sourceCommittedAt: noteSource?.committedAt,
    sourceAuthor,
    pr,
    prAuthor,
    requestedBy,
    from: trailer(trailers, TRAILER.from) ?? note?.from,
    tag: trailer(trailers, TRAILER.tag) ?? note?.artifact.tag,
    approvedBy: approvers.logins,
    duties: duties.status,
    dutiesViolations: duties.violations,
    gates: gatesOf(trailers, note),
    overrides: overridesOf(trailers, note),
    mergedBy: trailer(trailers, TRAILER.mergedBy) ?? note?.mergedBy ?? (commit.parents.length > 1 || pr !== undefined ? commit.author.name : undefined),
    deployment: lastDeployment ? (lastDeployment.state ?? lastDeployment.result) : undefined,
    deployedAt: lastDeployment?.at,
  };
}

const NONE: readonly never[] = [];

/** Trailer gates win; the note's gate results otherwise. */
function gatesOf(trailers: Trailers, note: AuditNote | undefined): AuditRow["gates"] {
  const gateTrailers = trailerValues(trailers, TRAILER.gates);
  if (gateTrailers.length > 0) return parseGates(gateTrailers);
  const gates: AuditRow["gates"] = [];
  for (const gate of note?.gates ?? NONE) gates.push({ name: gate.name, result: toGateResult(gate.result ?? gate.conclusion) });
  return gates;
}

/** Well-formed override trailers win; the note's overrides otherwise. */
function overridesOf(trailers: Trailers, note: AuditNote | undefined): AuditRow["overrides"] {
  const overrides: AuditRow["overrides"] = [];
  for (const value of trailerValues(trailers, TRAILER.override)) {
    const override = parseOverride(value);
    if (override) overrides.push(override);
  }
  if (overrides.length > 0) return overrides;
  for (const override of note?.overrides ?? NONE) overrides.push({ gate: override.gate, by: override.by, reason: override.reason });
  return overrides;
}

/** The last deployment the note records for this environment (or for no environment in particular). */
function lastDeploymentTo(note: AuditNote | undefined, environment: string): NonNullable<AuditNote["deployments"]>[number] | undefined {
  const deployments = note?.deployments ?? NONE;
  for (let i = deployments.length - 1; i >= 0; i--) {
    const deployment = deployments[i];
    if (deployment && (!deployment.environment || deployment.environment === environment)) return deployment;
  }
  return undefined;
}

/** Approver logins in order, without repeats (compared as {@link normaliseLogin} does), with their normal forms. */
class Approvers {
  logins: string[] = [];
  keys: string[] = [];
  /** Made only for a long list (a hand-written note): a row has a handful of approvers, which a scan checks faster. */
  private seen: Set<string> | undefined;

  add(login: string): void {
    const key = normaliseLogin(login);
    if (this.keys.length < 16 ? this.keys.includes(key) : (this.seen ??= new Set(this.keys)).has(key)) return;
    this.seen?.add(key);
    // The logins are the row's approvers: a list of their size from the first (tight-list.ts).
    this.logins = append(this.logins.length === 0 ? undefined : this.logins, login);
    this.keys = append(this.keys.length === 0 ? undefined : this.keys, key);
  }
}

/** {@link checkDuties} when no party is known: nothing to compare the approvers with. */
function noParties(approvers: readonly string[]): { status: DutiesStatus; violations: string[] } {
  return { status: approvers.length === 0 ? "none" : "unknown", violations: [] };
}

/**
 * Separation of duties (DESIGN.md §3, approvals gate): no approver may be the artifact's source
 * author, the PR's author or the requester. Decidable only when some of those identities are known.
 */
export function checkDuties(approvers: readonly string[], parties: Record<string, string | undefined>): { status: DutiesStatus; violations: string[] } {
  return dutiesOf(approvers, approvers.map(normaliseLogin), parties);
}

/** {@link checkDuties} with the approvers' normal forms given (evidenceColumns has them already). */
function dutiesOf(approvers: readonly string[], approverKeys: readonly string[], parties: Record<string, string | undefined>): { status: DutiesStatus; violations: string[] } {
  if (approvers.length === 0) return { status: "none", violations: [] };
  const roles: string[] = [];
  const whos: string[] = [];
  for (const [role, who] of Object.entries(parties)) {
    if (!who) continue;
    roles.push(role);
    whos.push(normaliseLogin(who));
  }
  if (roles.length === 0) return { status: "unknown", violations: [] };
  const violations: string[] = [];
  for (let a = 0; a < approvers.length; a++) {
    for (let p = 0; p < roles.length; p++) {
      if (approverKeys[a] === whos[p]) violations.push(`${approvers[a]} approved as ${roles[p]}`);
    }
  }
  return { status: violations.length > 0 ? "violated" : "held", violations };
}
