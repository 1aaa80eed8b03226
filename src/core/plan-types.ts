import type { Operation } from "rfc6902";
import type { PromotionRequest } from "./artifact.js";

/** One file a promotion changes. */
export interface FileChange {
  path: string;
  before: string;
  after: string;
  /** RFC 6902 patch (test + replace/add) the splice is proven against. */
  patch: Operation[];
  editor: string;
  /** Digests the changed references held before (empty when they were tag-only). */
  previousDigests: string[];
  /** 1-based lines changed, with old and new values. */
  lines: { line: number; pointer: string; before: string; after: string }[];
}

/** A file under the environment path that references the image but was not edited, and why. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export type PlanStatus = "changed" | "already-promoted" | "not-referenced";

/**
 * Everything needed to open a promotion PR, computed purely from a snapshot.
 * Adapters apply it; `stagegate plan --json` prints it.
 */
export interface PromotionPlan {
  status: PlanStatus;
  request: PromotionRequest;
  environment: string;
  service: string;
  policy: string;
  /** Deterministic: `stagegate/<env>/<service>/<digest12>`. */
  branch: string;
  /** Commit of the default branch the plan was computed at. */
  baseOid: string;
  baseRef: string;
  title: string;
  /** PR body: human-readable evidence plus the machine-readable block. */
  body: string;
  /** Full commit message: headline, blank line, body, blank line, trailers. */
  commitMessage: string;
  files: FileChange[];
  skipped: SkippedFile[];
  /** Distinct digests running before this promotion (usually one). */
  previousDigests: string[];
  labels: string[];
  reviewers: { users: string[]; teams: string[] };
  /** Check names the PR will carry: `stagegate/<gate>` and `stagegate`. */
  checks: string[];
  /** Human explanation when status is not `changed`. */
  message?: string;
}
