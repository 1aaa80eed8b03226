import { parseNote, type AuditNote } from "../../core/audit/note-schema.js";
import type { Trailers } from "../../core/audit/trailers.js";
import type { DigestChange, GitPerson, HistoryRecord, SignatureStatus } from "../../core/audit/types.js";

/**
 * A commit as the audit's log gave it. Its note is kept as the bytes git printed (a view of the log's
 * chunk, outside the JS heap) and parsed each time `note` is read, which the audit does once per
 * commit: the parsed note is garbage as soon as its row is made, instead of ~40 objects per commit kept
 * (and copied by the garbage collector) for as long as the history lives. `noteError` reuses what the
 * last parse found. Assigning `note` replaces the bytes.
 */
export class LoggedCommit implements HistoryRecord {
  signature?: SignatureStatus;
  firstParent = false;
  changes?: DigestChange[];
  touched?: string[];
  #noteBytes: Buffer | undefined;
  #note: AuditNote | undefined;
  /** Why the note cannot be read; null until a parse has told. */
  #noteError: string | undefined | null = null;

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
    this.#noteBytes = noteBytes;
    if (noteBytes === undefined) this.#noteError = undefined;
  }

  get note(): AuditNote | undefined {
    if (this.#noteBytes === undefined) return this.#note;
    const text = this.#noteBytes.toString("utf8");
    // Blank but for Unicode spaces the byte check let through: no note, as before.
    if (!text.trim()) return (this.#noteError = undefined);
    const parsed = parseNote(text);
    this.#noteError = "error" in parsed ? parsed.error : undefined;
    return "note" in parsed ? parsed.note : undefined;
  }

  set note(note: AuditNote | undefined) {
    this.#noteBytes = undefined;
    this.#note = note;
    this.#noteError = undefined;
  }

  get noteError(): string | undefined {
    if (this.#noteError === null) void this.note;
    return this.#noteError ?? undefined;
  }
}
