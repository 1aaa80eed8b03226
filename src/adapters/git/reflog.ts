/**
 * The branch's reflogs, for the audit's history-rewrite findings (force pushes, resets, amends of
 * pushed commits), read from `.git/logs/…` and settled against the history already read.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HistoryRecord, ReflogEntry } from "../../core/audit/types.js";
import { type GitCli, isZeroOid } from "./git-cli.js";

/**
 * Reflogs of the branch (local and remote-tracking), newest first. An entry whose old tip is not an
 * ancestor of its new tip is a history rewrite (force push, reset, amend of a pushed commit).
 *
 * Most entries are settled from the history already read: a new tip whose parent is the old one, or
 * two tips both on the branch's first-parent chain (the old one is an ancestor exactly when it comes
 * later in the chain, i.e. is older). Only the others (a tip the history does not hold, or one off the
 * chain) ask git, one process each: a long-lived clone's reflog holds thousands of fetches, and a
 * process per entry took 34 s for 2,000 of them.
 */
export async function readReflogs(git: GitCli, gitDir: string, branch: string, history: { bySha: ReadonlyMap<string, HistoryRecord>; chain: readonly HistoryRecord[] }, limit: number): Promise<ReflogEntry[]> {
  const entries: ReflogEntry[] = [];
  let position: Map<string, number> | undefined;
  for (const ref of [`refs/heads/${branch}`, `refs/remotes/origin/${branch}`]) {
    let text: string;
    try {
      text = await readFile(join(gitDir, "logs", ref), "utf8");
    } catch {
      continue; // no reflog for this ref (bare mirror, reflogs disabled, ref absent)
    }
    const lines = text.split("\n").filter(Boolean).slice(-limit);
    for (const line of lines) {
      const match = /^([0-9a-f]{40,64}) ([0-9a-f]{40,64}) (.*?) (\d+) ([+-]\d{4})\t?(.*)$/.exec(line);
      if (!match) continue;
      const [, old = "", next = "", , seconds = "0", , message = ""] = match;
      const entry: ReflogEntry = { ref, old, new: next, message, date: new Date(Number(seconds) * 1000).toISOString() };
      position ??= new Map(history.chain.map((record, index) => [record.sha, index]));
      const oldAt = position.get(old);
      const nextAt = position.get(next);
      if (isZeroOid(old) || old === next || history.bySha.get(next)?.parents.includes(old)) entry.fastForward = true;
      else if (oldAt !== undefined && nextAt !== undefined) entry.fastForward = oldAt > nextAt; // the chain is newest first
      else if (/forced-update/.test(message)) entry.fastForward = false;
      else entry.fastForward = await isAncestor(git, old, next);
      entries.push(entry);
    }
  }
  return entries.reverse();
}

/** True when `old` is an ancestor of `next` (no commit of `old` is missing from `next`); undefined when unknown (gc'd). */
async function isAncestor(git: GitCli, old: string, next: string): Promise<boolean | undefined> {
  const out = await git.run(["rev-list", "--count", `${next}..${old}`]).catch(() => "");
  const count = Number.parseInt(out.trim(), 10);
  return Number.isNaN(count) ? undefined : count === 0;
}
