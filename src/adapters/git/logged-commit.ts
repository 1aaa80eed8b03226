import { parseNote, type AuditNote } from "../../core/audit/note-schema.js";
import type { Trailers } from "../../core/audit/trailers.js";
import type { DigestChange, GitPerson, HistoryRecord, SignatureStatus } from "../../core/audit/types.js";

/**
 * A commit as the audit's log gave it (one class: every record has the same shape). Its note is
 * parsed as the log is read: the log phase waits on git for a good part of its time, and parsing there
 * took ~8% off the audit's wall time (A/B medians 815 vs 888 ms) against parsing each note when its row
 * is made, after the log, at the price of ~12 MB more heap held while the history lives.
 */
export class LoggedCommit implements HistoryRecord {
  signature?: SignatureStatus;
  /** Set only by `--verify github` (`declare`: no field on every commit of a plain audit). */
  declare signatureDetail?: string;
  firstParent = false;
  changes?: DigestChange[];
  touched?: string[];
  note?: AuditNote;
  /** Why the note present on this commit could not be read (invalid JSON or schema). */
  noteError?: string;

  constructor(
    readonly sha: string,
    readonly parents: string[],
    readonly author: GitPerson,
    readonly committer: GitPerson,
    readonly subject: string,
    readonly body: string,
    readonly trailers: Trailers,
    noteBytes: Buffer | undefined,
  ) {
    if (noteBytes === undefined) return;
    const text = noteBytes.toString("utf8");
    // Blank but for Unicode spaces the byte check let through: no note.
    if (!text.trim()) return;
    const parsed = parseNote(text);
    if ("note" in parsed) this.note = parsed.note;
    else this.noteError = parsed.error;
  }
}
