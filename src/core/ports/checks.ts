/** Conclusions Stagegate reports (a gate's `pending` is an `in_progress` check without conclusion). */
export type CheckConclusion = "success" | "failure" | "neutral";

/** A located message shown on a file of the checked commit (the `stagegate/config` check). */
export interface CheckAnnotation {
  path: string;
  line: number;
  column: number;
  level: "notice" | "warning" | "failure";
  message: string;
}

/** One check run Stagegate owns: `stagegate/<gate>` or the summary `stagegate`. */
export interface CheckReport {
  name: string;
  status: "in_progress" | "completed";
  conclusion?: CheckConclusion;
  /** One line shown next to the check. */
  title: string;
  /** Markdown explaining the result. */
  summary: string;
  /** When the gate will be looked at again (in_progress only), ISO 8601. */
  nextEvaluationAt?: string;
  /** File annotations (GitHub shows them on the diff); not compared, the summary lists them too. */
  annotations?: CheckAnnotation[];
}

/**
 * Check runs on a commit. GitHub: checks API pinned to the app. Local mode: `refs/stagegate/checks/<sha>`.
 * Only Stagegate's own checks are read and written here; the caller writes only those that changed.
 */
export interface ChecksPort {
  /** Stagegate's checks on `headSha` (latest run per name). */
  listChecks(headSha: string): Promise<CheckReport[]>;
  /** Creates or replaces the named checks on `headSha`; other checks are left alone. */
  writeChecks(headSha: string, checks: CheckReport[]): Promise<void>;
}
