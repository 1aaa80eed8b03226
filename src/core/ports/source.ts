import type { CodeScanningAlert } from "../gates/facts.js";

/** One check run or commit status on an artifact's source commit. */
export interface SourceCheck {
  name: string;
  status: "queued" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "neutral" | "skipped" | "cancelled" | "timed_out" | "action_required" | "stale";
}

/**
 * The open code scanning alerts of a source commit (GitHub keeps alerts per ref: those of the ref the
 * commit was analysed on, as of its latest analysis), or why there are none to read.
 */
export type CodeScanningResult = { /** Repository and ref read, for the gate's details. */ source: string; alerts: CodeScanningAlert[] } | { unavailable: string };

/**
 * Facts from outside the environments repo: the source repository's checks and the organisation's teams.
 * GitHub: checks/statuses of the source repo, team membership. Local mode: recorded facts in `refs/stagegate/facts`.
 */
export interface SourcePort {
  listCommitChecks(repo: string, sha: string): Promise<SourceCheck[]>;
  /** Logins of a team `org/slug` (lowercase), empty when unknown. */
  listTeamMembers(team: string): Promise<string[]>;
  /** Login of the source commit's author (separation of duties), when known: GitHub's account for its email, or what local mode recorded. */
  sourceCommitAuthor(repo: string, sha: string): Promise<string | undefined>;
  /** Open code scanning alerts of the source commit (the vulnerabilities gate's `code-scanning` source). */
  listCodeScanningAlerts(repo: string, sha: string): Promise<CodeScanningResult>;
}
