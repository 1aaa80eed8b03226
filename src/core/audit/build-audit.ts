/**
 * The audit proper: from the commits of a clone (HistoryRecord[]) to one row per change of what
 * runs in an environment, plus findings. Pure: the git adapter reads, this decides.
 *
 * A change "lands" when a first-parent commit of the default branch changes an environment's
 * digest for a service. Its evidence is on that commit (squash merge, Stagegate merge trailers,
 * the note) or on the promotion commit it merged (second parent).
 */
import { evidenceColumns, identityOf, mergedCommits, mergedTrailers, type ChangeIdentity, type EvidenceColumns } from "./evidence.js";
import { collectFindings, short, shortDigest } from "./findings.js";
import type { AuditNote } from "./note-schema.js";
import { hasTrailer, TRAILER, type Trailers } from "./trailers.js";
import { VERSION } from "../../version.js";
import type { AuditResult, AuditRow, AuditScope, AuditSummary, ChangeKind, DigestChange, Finding, HistoryInput, HistoryRecord, NoteEdit, NotesDivergence, ReflogEntry, SignatureSource } from "./types.js";

export interface AuditOptions {
  /** Tip of the audited branch; defaults to the first record (git log prints the tip first). */
  tip?: string;
  branch?: string;
  /** The ref read (the report's scope; defaults to the branch) and the notes ref's commit. */
  ref?: string;
  notes?: string;
  reflog?: readonly ReflogEntry[];
  /** Set when `--fetch` found the remote's notes no longer containing the clone's (a notes-rewritten finding). */
  notesDivergence?: NotesDivergence;
  /** Notes edited after the fact, read from the notes ref's history (`--notes-history`): note-edited findings. */
  noteEdits?: readonly NoteEdit[];
  /** Whether signatures were read (`--verify`): unsigned promotion commits become findings. */
  signaturesRead?: boolean;
  /** Who checked them (the report says so); git when signatures were read and this is absent. */
  signatureSource?: SignatureSource;
  /** Keep only rows (and findings) of this environment / service. */
  environment?: string;
  service?: string;
  /** Keep only rows (and findings) landed at or after / before these instants. */
  since?: Date;
  until?: Date;
  warnings?: readonly string[];
}

/** Builds audit rows, findings and a summary from history records. */
export function buildAudit(records: readonly HistoryRecord[], options: AuditOptions = {}): AuditResult {
  const bySha = new Map<string, HistoryRecord>();
  for (const record of records) bySha.set(record.sha, record);
  const audit = new AuditAccumulator(bySha);
  for (const commit of firstParentChain(bySha, options.tip ?? records[0]?.sha)) audit.add(commit);
  return audit.finish(records, options);
}

/**
 * The audit of a history read (readHistory): the rows its digest replay built, finished with `options`,
 * or buildAudit's walk over the records when it has none. The same result either way (the replay's walk
 * is buildAudit's); `options.tip` must be the tip the history was read at, as it is by default.
 */
export function auditOf(history: Pick<HistoryInput, "records" | "audit">, options: AuditOptions = {}): AuditResult {
  return history.audit ? history.audit.finish(history.records, options) : buildAudit(history.records, options);
}

/** What a first-parent commit brings as evidence: its trailers with those of the heads it merged under them, the note, the change they declare. */
export interface CommitEvidence {
  trailers: Trailers;
  note: AuditNote | undefined;
  identity: ChangeIdentity | undefined;
  /** The commit that carries the Stagegate trailers of the change: a merged head, or the commit itself. */
  promotionCommit: HistoryRecord | undefined;
}

/**
 * The audit's walk of the first-parent chain, one commit at a time, oldest first: {@link evidence} then
 * {@link add} for each commit, then {@link finish}. The digest replay (src/adapters/git/replay.ts) walks
 * the same chain: it takes each commit's evidence from here (the change declared proposes its fast
 * path) and adds the commits once it knows their changes, so each identity is computed once and the
 * chain is not walked again to build the rows. Nothing here reads the options: filters, findings and
 * the summary come in `finish`.
 */
export class AuditAccumulator {
  private readonly rows: AuditRow[] = [];
  private readonly mismatches: Finding[] = [];
  private readonly seenDigests = new Map<string, DigestsSeen>();
  // Commits already in the branch (its own and the heads merged so far): merged again, a head brings no
  // evidence (re-merging an old promotion commit must not lend its trailers and note to a new change).
  private readonly landed = new Set<string>();
  private readonly isLanded = (sha: string): boolean => this.landed.has(sha);
  /** The last commit added: the oldest-first chain's end, the tip. */
  private tip: string | undefined;

  /** `bySha`: every record (first-parent commits and merged heads), by sha. */
  constructor(private readonly bySha: ReadonlyMap<string, HistoryRecord>) {}

  /** The evidence of the next commit of the chain; call it once per commit, in order (it marks what the commit lands). */
  evidence(commit: HistoryRecord): CommitEvidence {
    // A head updated from the default branch stands for the PR branch's promotion commit below it.
    const merged = commit.parents.length > 1 ? mergedCommits(commit, this.bySha, this.isLanded) : NO_RECORDS;
    this.landed.add(commit.sha);
    for (const head of merged) this.landed.add(head.sha);
    const trailers = merged.length > 0 ? mergedTrailers(commit, merged) : commit.trailers;
    const note = commit.note ?? merged.find((m) => m.note)?.note;
    const promotionCommit = merged.find((m) => hasTrailer(m.trailers, TRAILER.service)) ?? (hasTrailer(commit.trailers, TRAILER.service) ? commit : undefined);
    return { trailers, note, identity: identityOf(trailers, note), promotionCommit };
  }

  /** The rows of the next commit of the chain, from its changes (`commit.changes`) and `evidence` (taken here when not given). */
  add(commit: HistoryRecord, evidence: CommitEvidence = this.evidence(commit)): void {
    const { trailers, note, identity, promotionCommit } = evidence;
    const changes = commit.changes ?? (identity ? [identityChange(identity)] : NO_CHANGES);
    let identityUsed = false;
    this.tip = commit.sha;

    for (const change of changes) {
      const key = `${change.environment}\u0000${change.service}`;
      let history = this.seenDigests.get(key);
      if (!history) this.seenDigests.set(key, (history = new DigestsSeen()));
      if (change.previous) history.add(change.previous);
      const sameTarget = identity !== undefined && identity.environment === change.environment && identity.service === change.service;
      if (sameTarget) identityUsed = true;
      if (sameTarget && declares(identity, change)) {
        this.rows.push(recordedRow(commit, promotionCommit, trailers, note, identity, change));
      } else {
        // Evidence that declares another digest than the files got (trailers or a note copied from
        // another change) is no evidence for this one: the change is listed as made outside Stagegate.
        this.rows.push(unrecordedRow(commit, change, classify(commit, change, history)));
        if (sameTarget) this.mismatches.push(mismatchFinding(commit, change, identity));
      }
      if (change.digest) history.add(change.digest);
    }
    // A Stagegate change whose digest the file scan did not see (unknown file format, no-op) is still a
    // recorded promotion: list it rather than lose it. Unless the commit changed files of other
    // environments only: evidence for a change that did not happen here was copied from elsewhere.
    if (identity && !identityUsed) {
      if (commit.touched && commit.touched.length > 0 && !commit.touched.includes(identity.environment)) this.mismatches.push(mismatchFinding(commit, undefined, identity));
      else this.rows.push(recordedRow(commit, promotionCommit, trailers, note, identity, identityChange(identity)));
    }
  }

  /** The audit of the commits added: rows and findings kept by the options' filters, and the summary. `records` as given to the constructor's `bySha`. */
  finish(records: readonly HistoryRecord[], options: AuditOptions = {}): AuditResult {
    const filtered = options.environment !== undefined || options.service !== undefined || options.since !== undefined || options.until !== undefined;
    // A copy either way: a caller that sorts or edits its rows must not change what a later finish gives.
    const kept = filtered ? this.rows.filter((row) => keep(row, options)) : this.rows.slice();
    const found = [...collectFindings(records, kept, options, this.bySha), ...this.mismatches].sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""));
    const findings = filtered ? found.filter((f) => keepFinding(f, options)) : found;
    return { rows: kept, findings, summary: summarise(kept, findings, options, this.tip) };
  }
}

const NO_RECORDS: readonly HistoryRecord[] = [];
const NO_CHANGES: readonly DigestChange[] = [];

/** Walks parents[0] from the tip: the commits that are the default branch's own history, oldest first. */
export function firstParentChain(bySha: ReadonlyMap<string, HistoryRecord>, tip: string | undefined): HistoryRecord[] {
  const chain: HistoryRecord[] = [];
  let current = tip ? bySha.get(tip) : undefined;
  // Git history has no cycles, so counting steps replaces a set of every sha seen: a walk longer than
  // the history has looped (hand-made records), and is redone stopping at the first repeat.
  while (current) {
    if (chain.length === bySha.size) return walkUntilRepeat(bySha, tip);
    chain.push(current);
    const parent = current.parents[0];
    current = parent ? bySha.get(parent) : undefined;
  }
  return chain.reverse();
}

function walkUntilRepeat(bySha: ReadonlyMap<string, HistoryRecord>, tip: string | undefined): HistoryRecord[] {
  const chain: HistoryRecord[] = [];
  const seen = new Set<string>();
  let current = tip ? bySha.get(tip) : undefined;
  while (current && !seen.has(current.sha)) {
    seen.add(current.sha);
    chain.push(current);
    const parent = current.parents[0];
    current = parent ? bySha.get(parent) : undefined;
  }
  return chain.reverse();
}

/** Whether the change is the one the evidence declares (its digest among the files' digests; any, when it declares none). */
function declares(identity: ChangeIdentity, change: DigestChange): boolean {
  if (identity.digest === undefined) return true;
  return change.digest !== undefined && (change.digest === identity.digest || change.digest.split("+").includes(identity.digest));
}

/** Evidence declaring a change the files did not make: `change` is what they made, undefined when they left the environment alone. */
function mismatchFinding(commit: HistoryRecord, change: DigestChange | undefined, identity: ChangeIdentity): Finding {
  const made = change ? `its files changed it to ${change.digest ? shortDigest(change.digest) : "(removed)"}` : `no file of ${identity.environment} changed`;
  return {
    kind: "evidence-mismatch",
    severity: "high",
    commit: commit.sha,
    time: commit.committer.date,
    environment: identity.environment,
    service: identity.service,
    message: `${short(commit.sha)} carries Stagegate evidence for ${identity.service} in ${identity.environment} → ${identity.digest ? shortDigest(identity.digest) : "?"}, but ${made}: evidence copied from another change is not evidence for this one`,
  };
}

function identityChange(identity: ChangeIdentity): DigestChange {
  return { environment: identity.environment, service: identity.service, image: identity.image ?? "", digest: identity.digest, previous: identity.previous };
}

function recordedRow(
  commit: HistoryRecord,
  promotionCommit: HistoryRecord | undefined,
  trailers: Trailers,
  note: AuditNote | undefined,
  identity: ChangeIdentity,
  change: DigestChange,
): AuditRow {
  const author = promotionCommit ?? commit;
  return row(commit, change, evidenceColumns(commit, trailers, note, change.environment), {
    image: change.image || identity.image,
    digest: change.digest ?? identity.digest,
    previous: change.previous ?? identity.previous,
    kind: identity.kind,
    authoredAt: author.author.date,
    promotionCommit: promotionCommit && promotionCommit.sha !== commit.sha ? promotionCommit.sha : undefined,
    hasNote: note !== undefined,
    signature: author.signature,
  });
}

/** A change without Stagegate evidence: no promotion commit, no note. */
function unrecordedRow(commit: HistoryRecord, change: DigestChange, kind: ChangeKind): AuditRow {
  return row(commit, change, evidenceColumns(commit, NO_TRAILERS, undefined, change.environment), {
    image: change.image,
    digest: change.digest,
    previous: change.previous,
    kind,
    authoredAt: commit.author.date,
    promotionCommit: undefined,
    hasNote: false,
    signature: commit.signature,
  });
}

/** The columns that differ between recorded and unrecorded rows. */
type RowHead = Pick<AuditRow, "image" | "digest" | "previous" | "kind" | "authoredAt" | "promotionCommit" | "hasNote" | "signature">;

/**
 * One audit row. The evidence columns are listed, not spread: a spread copies key by key at run time
 * (it was a tenth of the audit's time). The key order is the JSON output's; an undefined
 * `promotionCommit` is left out of JSON like any undefined column.
 */
function row(commit: HistoryRecord, change: DigestChange, e: EvidenceColumns, head: RowHead): AuditRow {
  return {
    time: commit.committer.date,
    environment: change.environment,
    service: change.service,
    image: head.image,
    digest: head.digest,
    previous: head.previous,
    kind: head.kind,
    commit: commit.sha,
    authoredAt: head.authoredAt,
    promotionCommit: head.promotionCommit,
    source: e.source,
    sourceCommittedAt: e.sourceCommittedAt,
    sourceAuthor: e.sourceAuthor,
    pr: e.pr,
    prAuthor: e.prAuthor,
    requestedBy: e.requestedBy,
    from: e.from,
    tag: e.tag,
    approvedBy: e.approvedBy,
    duties: e.duties,
    dutiesViolations: e.dutiesViolations,
    gates: e.gates,
    overrides: e.overrides,
    mergedBy: e.mergedBy,
    deployment: e.deployment,
    deployedAt: e.deployedAt,
    hasNote: head.hasNote,
    signature: head.signature,
  };
}

const NO_TRAILERS: Trailers = Object.freeze([]);

/**
 * The digests an (environment, service) has run so far. Only changes Stagegate did not record ask
 * (to tell a revert); a history of recorded promotions never does, so the set is built on first ask.
 */
export class DigestsSeen {
  private readonly added: string[] = [];
  private readonly set = new Set<string>();
  private indexed = 0;

  add(digest: string): void {
    this.added.push(digest);
  }

  /** How many digests were added (with repeats): 0 when the service never ran in the environment. */
  get size(): number {
    return this.added.length;
  }

  has(digest: string): boolean {
    for (; this.indexed < this.added.length; this.indexed++) this.set.add(this.added[this.indexed] as string);
    return this.set.has(digest);
  }
}

/**
 * How a change Stagegate did not record got in. Order matters: a GitHub revert is a revert even
 * when it came through a PR; a move back to a digest the environment already ran is a revert too.
 */
export function classify(commit: HistoryRecord, change: DigestChange, earlierDigests: Pick<DigestsSeen, "has" | "size">): ChangeKind {
  if (change.digest === undefined) return "removal";
  // Initial only when the service never ran there: pinned again after a removal, it is a change like any other.
  if (change.previous === undefined && earlierDigests.size === 0) return "initial";
  // A revert goes back to a digest the environment ran; a "Revert …" message alone proves nothing.
  if (earlierDigests.has(change.digest)) return "revert";
  // A merge, or a squash GitHub committed: a PR Stagegate did not open. A "(#12)" subject on a commit
  // someone else committed is a direct push dressed as one.
  if (commit.parents.length > 1 || (isGitHubCommit(commit) && (/\(#\d+\)\s*$/.test(commit.subject) || /^Merge pull request #\d+/.test(commit.subject)))) return "hand-made";
  return "direct-push";
}

/** Committed by GitHub (web merges, squashes, reverts by the button): `GitHub <noreply@github.com>`. */
function isGitHubCommit(commit: HistoryRecord): boolean {
  return commit.committer.email.toLowerCase() === "noreply@github.com";
}

function keep(row: AuditRow, options: AuditOptions): boolean {
  if (options.environment && row.environment !== options.environment) return false;
  if (options.service && row.service !== options.service) return false;
  return inRange(row.time, options);
}

function keepFinding(finding: Finding, options: AuditOptions): boolean {
  if (options.environment && finding.environment && finding.environment !== options.environment) return false;
  if (options.service && finding.service && finding.service !== options.service) return false;
  return finding.time === undefined || inRange(finding.time, options);
}

function inRange(time: string, options: AuditOptions): boolean {
  if (!options.since && !options.until) return true;
  const t = Date.parse(time);
  if (options.since && t < options.since.getTime()) return false;
  if (options.until && t >= options.until.getTime()) return false;
  return true;
}

/** The report's scope: what was read, at which commits, with which filters. */
function scopeOf(options: AuditOptions, tip: string | undefined): AuditScope {
  return {
    ref: options.ref ?? options.branch ?? "",
    ...(tip ? { commit: tip } : {}),
    ...(options.notes ? { notes: options.notes } : {}),
    ...(options.environment !== undefined ? { environment: options.environment } : {}),
    ...(options.service !== undefined ? { service: options.service } : {}),
    ...(options.since ? { since: options.since.toISOString() } : {}),
    ...(options.until ? { until: options.until.toISOString() } : {}),
    tool: `stagegate ${VERSION}`,
  };
}

function summarise(rows: readonly AuditRow[], findings: readonly Finding[], options: AuditOptions, tip: string | undefined): AuditSummary {
  const byKind: AuditSummary["byKind"] = {};
  const environments = new Set<string>();
  const services = new Set<string>();
  for (const row of rows) {
    byKind[row.kind] = (byKind[row.kind] ?? 0) + 1;
    environments.add(row.environment);
    services.add(row.service);
  }
  const findingsByKind: AuditSummary["findingsByKind"] = {};
  for (const finding of findings) findingsByKind[finding.kind] = (findingsByKind[finding.kind] ?? 0) + 1;
  return {
    branch: options.branch ?? "",
    scope: scopeOf(options, tip),
    rows: rows.length,
    byKind,
    findings: findings.length,
    findingsByKind,
    environments: [...environments].sort(),
    services: [...services].sort(),
    from: rows[0]?.time,
    to: rows.at(-1)?.time,
    ...(options.signaturesRead ? { signatures: options.signatureSource ?? "git" } : {}),
    warnings: [...(options.warnings ?? [])],
  };
}
