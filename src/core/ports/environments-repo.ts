import type { PromotionPlan } from "../plan-types.js";
import type { RepoSnapshot } from "../snapshot.js";

/** A promotion (or rollback) pull request as the ports see it. */
export interface PromotionPullRequest {
  number: number;
  url: string;
  branch: string;
  headSha: string;
  baseRef: string;
  title: string;
  body: string;
  state: "open" | "closed" | "merged";
  author: string;
  labels: string[];
  createdAt: string;
  mergedAt?: string;
  mergeCommitSha?: string;
}

/**
 * The environments repository, whatever hosts it (GitHub, a local git repo, a test fake).
 * Every write is idempotent: calling it twice with the same input leaves one result.
 */
export interface EnvironmentsRepoPort {
  /** Config, policies and every file under environment paths at the default branch head. */
  readSnapshot(): Promise<RepoSnapshot>;
  /** Open pull requests whose head branch starts with `stagegate/` (promotions and rollbacks). */
  listOpenPromotions(): Promise<PromotionPullRequest[]>;
  /**
   * Creates the branch (from plan.baseOid), the commit (plan.files, plan.commitMessage) and the PR
   * (plan.title, plan.body, labels, reviewers). When the branch or PR already exists, returns the existing PR.
   * `lane` (optional): the open PRs of the plan's lane as seen right after creating this one (fresh, so
   * concurrent deliveries of other artifacts see each other); adapters that cannot tell for free omit it.
   */
  openPromotion(plan: PromotionPlan): Promise<{ pr: PromotionPullRequest; created: boolean; lane?: PromotionPullRequest[] }>;
  /**
   * Optional repair for an already open PR of this plan: applies the labels and review requests an
   * interrupted opening left undone (a crash or failure between opening the PR and decorating it).
   * Must cost nothing when the PR is complete.
   */
  ensureDecorated?(plan: PromotionPlan, pr: PromotionPullRequest): Promise<void>;
  /**
   * Replaces the body of an open promotion PR (its evidence block not sealed by this Stagegate: opened
   * before the seal, or edited) with the plan's, asked again for the same artifact.
   */
  replaceBody?(pr: PromotionPullRequest, body: string): Promise<void>;
  /** Closes a PR with a comment and deletes its branch. No-op when already closed. */
  closePromotion(number: number, comment: string): Promise<void>;
  /** Adds a comment to a PR or issue. */
  comment(number: number, body: string): Promise<void>;
}
