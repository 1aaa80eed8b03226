import { getTrailer, parseTrailers } from "../evidence/trailers.js";
import { TRAILER_KEYS } from "../plan/message.js";

/** Why a change that moved a digest counts as a rollback, or why not. */
export interface RollbackRecognition {
  rollback: boolean;
  /** Commit reverted (`This reverts commit <sha>.`), when the message says so. */
  revertOf?: string;
  reason: string;
}

const REVERTS = /This reverts commit ([0-9a-f]{7,40})/;

/**
 * Recognises a rollback among the changes a push made: a Stagegate rollback (trailer), a revert made
 * by a person (GitHub's Revert button or `git revert`), or any commit that moves a digest back to one
 * the environment ran before.
 */
export function recognizeRollback(message: string, digest: string | undefined, earlierDigests: ReadonlySet<string>): RollbackRecognition {
  const revertOf = REVERTS.exec(message)?.[1];
  if (getTrailer(parseTrailers(message), TRAILER_KEYS.kind) === "rollback") {
    return { rollback: true, reason: "Stagegate rollback", ...(revertOf ? { revertOf } : {}) };
  }
  if (revertOf) return { rollback: true, revertOf, reason: `revert of ${revertOf.slice(0, 12)}` };
  if (/^Revert "/.test(message)) return { rollback: true, reason: "revert" };
  if (digest !== undefined && earlierDigests.has(digest)) return { rollback: true, reason: `moves back to ${digest.slice(0, 19)}, which ran here before` };
  return { rollback: false, reason: "forward change" };
}
