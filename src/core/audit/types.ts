/**
 * Types of the audit: what the git adapter reads from a clone (HistoryRecord, ReflogEntry), and what
 * the pure audit produces from it (AuditRow, Finding, AuditSummary). Kept free of I/O so the audit
 * and DORA figures can be computed, tested and rendered without a repository.
 */
import type { AuditAccumulator } from "./build-audit.js";
import type { AuditNote } from "./note-schema.js";
import type { Trailers } from "./trailers.js";

/** A person as git records them. */
export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601 with offset, as git prints `%aI`/`%cI`. */
  date: string;
}

/** Who checked the signatures of an audit: git on the clone (`%G?`) or GitHub (`--verify github`). */
export type SignatureSource = "git" | "github";

/** `%G?` of git log: G good, U good but untrusted key, N none, B bad, X/Y expired, R revoked, E cannot check. */
export type SignatureStatus = "G" | "U" | "N" | "B" | "X" | "Y" | "R" | "E";

/** One (environment, service) whose digest a first-parent commit of the default branch changed. */
export interface DigestChange {
  environment: string;
  service: string;
  image: string;
  /** Digest after the commit; undefined when the reference was removed. */
  digest?: string;
  /** Digest before the commit; undefined when the reference is new. */
  previous?: string;
}

/** One commit, with everything the audit needs from it. */
export interface HistoryRecord {
  sha: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  subject: string;
  /** Full message body after the subject (used to recognise GitHub reverts). */
  body: string;
  /** Trailers, lowercase key and value pairs in message order (see {@link Trailers}). */
  trailers: Trailers;
  /** Parsed `refs/notes/stagegate` note, when present and valid. */
  note?: AuditNote;
  /** Why the note present on this commit could not be read (invalid JSON or schema). */
  noteError?: string;
  /** Present only when signatures were read (`--verify`). */
  signature?: SignatureStatus;
  /** Why the signature does not pass, as its source says it (GitHub's state with `--verify github`). */
  signatureDetail?: string;
  /** True when the commit is on the first-parent chain of the default branch. */
  firstParent: boolean;
  /** Digest changes against the first parent; present on first-parent commits when digests were computed. */
  changes?: DigestChange[];
  /** Environments whose files the commit changed (with `changes`): a change declared for another one did not happen here. */
  touched?: string[];
}

/** One entry of the default branch's reflog (local branch or remote-tracking ref). */
export interface ReflogEntry {
  ref: string;
  /** Old and new tip; old is all zeros for creation. */
  old: string;
  new: string;
  message: string;
  date: string;
  /** False when `old` is not an ancestor of `new` (history was rewritten); undefined when unknown. */
  fastForward?: boolean;
}

/** What `stagegate audit` reads from a clone. */
export interface HistoryInput {
  records: HistoryRecord[];
  reflog: ReflogEntry[];
  /** Name of the branch audited (e.g. main). */
  branch: string;
  /** Environments by name with their upstreams, from stagegate.yaml at the tip of the branch. */
  environments: { name: string; from: string[] }[];
  /** Whether signatures were read (so unsigned commits can be reported). */
  signaturesRead: boolean;
  /** Who checked them: git (`%G?`, the clone's keys) or GitHub (its "Verified" badge, `--verify github`). */
  signatureSource?: SignatureSource;
  /** Whether digests were computed from files (false when stagegate.yaml could not be read). */
  digestsComputed: boolean;
  /** The ref whose history was read (`refs/remotes/origin/main`), its commit, and the notes ref's commit (absent: no notes). */
  ref?: string;
  tip?: string;
  notes?: string;
  /**
   * The audit's rows, built as the digest replay went over the chain (set when digests were computed):
   * `auditOf` finishes it instead of walking the records again. Records changed after the read (signatures
   * from GitHub) need that walk: unset it then.
   */
  audit?: AuditAccumulator;
  /** Non-fatal problems met while reading (shown as warnings). */
  warnings: string[];
}

/** How a change reached the default branch. */
export type ChangeKind = "promotion" | "rollback" | "revert" | "hand-made" | "direct-push" | "initial" | "removal";

export type GateResult = "success" | "failure" | "neutral" | "in_progress" | "overridden" | "skipped" | "unknown";

/** Separation of duties: held, violated, or not decidable (no approvals recorded, or no identities). */
export type DutiesStatus = "held" | "violated" | "unknown" | "none";

/** One change to what runs in one environment. */
export interface AuditRow {
  /** Commit time (committer date) of the first-parent commit that landed the change, ISO 8601. */
  time: string;
  environment: string;
  service: string;
  image?: string;
  digest?: string;
  previous?: string;
  kind: ChangeKind;
  /** First-parent commit on the default branch that landed the change. */
  commit: string;
  /** Author date of the promotion commit (lead-time fallback when the source commit time is unknown). */
  authoredAt: string;
  /** Promotion commit (branch commit) carrying the Stagegate trailers, when not the same commit. */
  promotionCommit?: string;
  /** `owner/repo@sha` of the source commit of the artifact. */
  source?: string;
  /** Time of the source commit (evidence note), when known. */
  sourceCommittedAt?: string;
  sourceAuthor?: string;
  pr?: number;
  prAuthor?: string;
  requestedBy?: string;
  from?: string;
  tag?: string;
  approvedBy: string[];
  duties: DutiesStatus;
  /** Why separation of duties failed (who approved their own change). */
  dutiesViolations: string[];
  gates: { name: string; result: GateResult }[];
  overrides: { gate: string; by: string; reason: string }[];
  /** Who merged (Stagegate-Merged-By trailer, note, or the committer of a merge). */
  mergedBy?: string;
  /** Result of the deployment(s) recorded in the note: success, failure, error, pending… */
  deployment?: string;
  /** Time the deployment reached its result, when recorded. */
  deployedAt?: string;
  hasNote: boolean;
  signature?: SignatureStatus;
}

export type FindingKind =
  | "bypass"
  | "missing-note"
  | "evidence-mismatch"
  | "invalid-note"
  | "separation-of-duties"
  | "override"
  | "force-push"
  | "notes-rewritten"
  | "note-edited"
  | "unsigned"
  | "bad-signature";

export type Severity = "high" | "medium" | "low";

/** An evidence note changed other than by appending, or removed, in a commit of the notes ref (`--notes-history`). */
export interface NoteEdit {
  kind: "changed" | "removed";
  /** The commit the note is about. */
  commit: string;
  /** The notes commit that made the edit, when, and by whom (its author, as recorded). */
  notesCommit: string;
  time: string;
  by: string;
}

/** The clone's evidence notes and the remote's, when the remote's no longer contain the clone's. */
export interface NotesDivergence {
  remote: string;
  /** Tips of the clone's `refs/notes/stagegate` and of the remote's (as fetched). */
  local: string;
  fetched: string;
  /** The ref the remote's notes were fetched into. */
  fetchedInto: string;
  /** Notes commits only in the clone's history, and only in the remote's. */
  localOnly: number;
  remoteOnly: number;
}

/** Something an auditor must look at. Findings are listed, never filtered away silently. */
export interface Finding {
  kind: FindingKind;
  severity: Severity;
  message: string;
  commit?: string;
  environment?: string;
  service?: string;
  time?: string;
}

/**
 * What a report covers, so that it can be reproduced: the same clone state and flags give the same
 * report, byte for byte (no time of generation is written).
 */
export interface AuditScope {
  /** The ref audited and the commit it pointed at. */
  ref: string;
  commit?: string;
  /** The commit of refs/notes/stagegate whose notes were read; absent when the clone had none. */
  notes?: string;
  /** The filters that selected rows and findings. */
  environment?: string;
  service?: string;
  since?: string;
  until?: string;
  /** What produced the report: `stagegate <version>`. */
  tool: string;
}

export interface AuditSummary {
  branch: string;
  /** What the report covers (see {@link AuditScope}); absent in summaries built by hand. */
  scope?: AuditScope;
  rows: number;
  byKind: Partial<Record<ChangeKind, number>>;
  findings: number;
  findingsByKind: Partial<Record<FindingKind, number>>;
  environments: string[];
  services: string[];
  from?: string;
  to?: string;
  /** Who checked the promotion commits' signatures (`--verify`); absent when nobody did. */
  signatures?: SignatureSource;
  warnings: string[];
}

export interface AuditResult {
  rows: AuditRow[];
  findings: Finding[];
  summary: AuditSummary;
}
