/**
 * Evidence attached to commits under `refs/notes/stagegate`. GitHub: Git Data API on the notes ref.
 * Notes are appended, never rewritten: the audit trail only grows.
 */
export interface NotesPort {
  appendNote(commitSha: string, text: string): Promise<void>;
  /** The note of a commit (all appended parts), or undefined. */
  readNote(commitSha: string): Promise<string | undefined>;
}
