/**
 * What `stagegate audit --fetch` brings into the clone before reading it: the remote's evidence notes
 * (never overwriting the clone's own) and the history a shallow clone lacks.
 */
import type { NotesDivergence } from "../../core/audit/types.js";
import { NOTES_REF } from "../../core/ports/notes.js";
import { GitCli } from "./git-cli.js";

/** Where `fetchNotes` keeps the remote's notes when they do not contain the clone's (never the clone's own ref). */
export const REMOTE_NOTES_REF = "refs/stagegate-audit/origin-notes";

/** What fetching the notes gave: nothing to report, a warning, or notes histories that diverged. */
export interface NotesFetch {
  warning?: string;
  diverged?: NotesDivergence;
}

/**
 * `git fetch origin refs/notes/stagegate:refs/notes/stagegate` (a fast-forward only: the clone's notes
 * are never overwritten). When that is refused, the remote's notes are fetched into
 * {@link REMOTE_NOTES_REF} and the two histories compared: notes the clone holds that the remote no
 * longer does mean evidence rewritten or deleted on the server (or notes this clone never pushed),
 * which the audit reports as a finding. Anything else that fails is a warning, not an error.
 */
export async function fetchNotes(dir: string, remote = "origin"): Promise<NotesFetch> {
  const git = new GitCli(dir);
  const reason = (error: unknown) => String(error instanceof Error ? error.message : error).split("\n")[0];
  try {
    await git.run(["fetch", "--quiet", remote, `${NOTES_REF}:${NOTES_REF}`]);
    return {};
  } catch (error) {
    const failure = `could not fetch ${NOTES_REF} from ${remote}: ${reason(error)}`;
    try {
      await git.run(["fetch", "--quiet", remote, `+${NOTES_REF}:${REMOTE_NOTES_REF}`]);
      const [local = "", fetched = ""] = (await git.run(["rev-parse", NOTES_REF, REMOTE_NOTES_REF])).split("\n");
      const [localOnly = 0, remoteOnly = 0] = (await git.run(["rev-list", "--left-right", "--count", `${local}...${fetched}`])).trim().split(/\s+/).map(Number);
      return localOnly > 0 ? { diverged: { remote, local, fetched, fetchedInto: REMOTE_NOTES_REF, localOnly, remoteOnly } } : { warning: failure };
    } catch {
      return { warning: failure };
    }
  }
}

/**
 * Fetches the history a shallow clone lacks (`git fetch --unshallow origin`), so the audit covers every
 * commit; a warning when that fails. Nothing to do on a full clone.
 */
export async function fetchHistory(dir: string, remote = "origin"): Promise<string | undefined> {
  const git = new GitCli(dir);
  if ((await git.run(["rev-parse", "--is-shallow-repository"])).trim() !== "true") return undefined;
  try {
    await git.run(["fetch", "--quiet", "--unshallow", remote]);
    return undefined;
  } catch (error) {
    return `could not fetch the full history from ${remote} (the clone is shallow): ${String(error instanceof Error ? error.message : error).split("\n")[0]}`;
  }
}
