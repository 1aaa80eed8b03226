/** One check run or commit status on an artifact's source commit. */
export interface SourceCheck {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "skipped" | "cancelled" | "timed_out" | "action_required" | "stale";
}

/**
 * Facts from outside the environments repo: the source repository's checks and the organisation's teams.
 * GitHub: checks/statuses of the source repo, team membership. Local mode: recorded facts in `refs/stagegate/facts`.
 */
export interface SourcePort {
  listCommitChecks(repo: string, sha: string): Promise<SourceCheck[]>;
  /** Logins of a team `org/slug` (lowercase), empty when unknown. */
  listTeamMembers(team: string): Promise<string[]>;
}
