import type { RepoSnapshot } from "../snapshot.js";

export interface CommitInfo {
  sha: string;
  parents: string[];
  /** Full message: subject, body and trailers. */
  message: string;
  author: { name: string; email: string; date: string };
  committer: { name: string; email: string; date: string };
}

/**
 * History of the default branch: what a push changed, and the repo at any commit.
 * GitHub: Git Data API / compare. Local mode: git plumbing.
 */
export interface CommitsPort {
  /** Current head of the default branch. */
  getDefaultHead(): Promise<string>;
  getCommit(sha: string): Promise<CommitInfo>;
  /** Same content rules as EnvironmentsRepoPort.readSnapshot, at any commit. */
  readSnapshotAt(sha: string): Promise<RepoSnapshot>;
  /** First-parent history from `head` (inclusive), newest first, at most `limit`. */
  listFirstParent(head: string, limit: number): Promise<CommitInfo[]>;
  /** Paths changed between `base` and `head`: the three-dot diff a pull request shows (from their merge base). */
  changedFiles(base: string, head: string): Promise<string[]>;
  /** The merge base of `base` and `head` (what a pull request's diff starts from). */
  mergeBase(base: string, head: string): Promise<string>;
}
