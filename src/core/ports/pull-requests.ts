import type { PromotionPullRequest } from "./environments-repo.js";

/** A review as GitHub reports it; `commitSha` is the head the review was given on (stale-approval dismissal). */
export interface PullRequestReview {
  id: string;
  user: string;
  state: "approved" | "changes_requested" | "commented" | "dismissed";
  commitSha: string;
  submittedAt: string;
  body?: string;
  /** The reviewer's association with the repository (counts when an approvals gate names no one). */
  authorAssociation?: "OWNER" | "MEMBER" | "COLLABORATOR" | "CONTRIBUTOR" | "FIRST_TIME_CONTRIBUTOR" | "FIRST_TIMER" | "MANNEQUIN" | "NONE";
}

/** A conversation comment on a pull request. */
export interface PullRequestComment {
  id: string;
  user: string;
  body: string;
  createdAt: string;
  /** Edited since it was posted (by its author or anyone with write access): its commands no longer count. */
  edited?: boolean;
}

export type MergeMethod = "merge" | "squash" | "rebase";

/** How to merge: the head is pinned so a push between evaluation and merge cannot sneak in ungated. */
export interface MergeRequest {
  expectedHeadSha: string;
  method: MergeMethod;
  commitTitle: string;
  /** Body of the merge commit (evidence trailers included). */
  commitMessage: string;
  /** Login merging (local mode records it; on GitHub the app merges). */
  mergedBy: string;
}

/**
 * Pull requests beyond what EnvironmentsRepoPort opens and closes: reading, reviews, comments, merge.
 * GitHub: pulls/reviews/issues comments REST endpoints. Local mode: metadata under `refs/stagegate/pulls/<n>`.
 */
export interface PullRequestsPort {
  /** Throws NotFoundError when the PR does not exist. */
  getPullRequest(number: number): Promise<PromotionPullRequest>;
  /** Every PR (any state) whose head branch is `branch`, newest first. */
  findPullRequestsByBranch(branch: string): Promise<PromotionPullRequest[]>;
  listReviews(number: number): Promise<PullRequestReview[]>;
  listComments(number: number): Promise<PullRequestComment[]>;
  requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void>;
  /** Dismisses a review (it then shows as dismissed, as GitHub's own stale-review dismissal does); a review already dismissed is left as it is. */
  dismissReview(number: number, reviewId: string, message: string): Promise<void>;
  /**
   * Merges into the base branch. Throws ConflictError when the head is no longer `expectedHeadSha`
   * or the base moved in a way that conflicts; returns the resulting commit on the base branch.
   */
  merge(number: number, request: MergeRequest): Promise<{ sha: string }>;
}
