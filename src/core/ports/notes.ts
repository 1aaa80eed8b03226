/**
 * Evidence attached to commits under `refs/notes/stagegate`. GitHub: Git Data API on the notes ref.
 * Notes are appended, never rewritten: the audit trail only grows.
 */
/** The ref Stagegate's evidence notes live on. */
export const NOTES_REF = "refs/notes/stagegate";

export interface NotesPort {
  /**
   * Appends `text` to the commit's note. With `ifAbsent`, writes only when the commit has no note yet
   * (checked by the same read the append makes, so it costs no extra request) and returns whether it wrote.
   */
  appendNote(commitSha: string, text: string, options?: { ifAbsent?: boolean }): Promise<void | boolean>;
  /** The note of a commit (all appended parts), or undefined. */
  readNote(commitSha: string): Promise<string | undefined>;
}
