import { ConflictError, NotFoundError, TerminalError } from "../../core/errors.js";
import type { PromotionPullRequest } from "../../core/ports/environments-repo.js";
import type { MergeRequest, PullRequestComment, PullRequestReview, PullRequestsPort } from "../../core/ports/pull-requests.js";
import type { PromotionPlan } from "../../core/plan-types.js";
import { ZERO_OID, type RefUpdate } from "./git-cli.js";
import type { LocalRepository } from "./local-repository.js";
import type { MetaFiles, MetaStore } from "./meta-store.js";

/** The login Stagegate acts as in local mode (the GitHub App's bot on GitHub). */
export const LOCAL_BOT = "stagegate";

export const PULLS_PREFIX = "refs/stagegate/pulls/";
/** Keeps each PR's head commit reachable after its branch is deleted, like GitHub's refs/pull/<n>/head. */
export const PULL_HEADS_PREFIX = "refs/stagegate/pull-heads/";
const FILES = ["pr.json", "reviews.json", "comments.json"];

/** A local pull request: the PR fields plus what GitHub keeps alongside. */
export interface StoredPullRequest extends PromotionPullRequest {
  reviewers: { users: string[]; teams: string[] };
  closedAt?: string;
  mergedBy?: string;
}

interface PullState {
  pr: StoredPullRequest;
  reviews: PullRequestReview[];
  comments: PullRequestComment[];
}

function toState(files: MetaFiles): PullState {
  return { pr: files["pr.json"] as StoredPullRequest, reviews: (files["reviews.json"] ?? []) as PullRequestReview[], comments: (files["comments.json"] ?? []) as PullRequestComment[] };
}

function toFiles(state: PullState): MetaFiles {
  return { "pr.json": state.pr, "reviews.json": state.reviews, "comments.json": state.comments };
}

/**
 * Pull requests of a local repository. A PR is its branch (`refs/heads/stagegate/…`) plus its metadata
 * commit chain at `refs/stagegate/pulls/<n>` (pr.json, reviews.json, comments.json): all of it in git.
 */
export class LocalPulls implements PullRequestsPort {
  constructor(
    private readonly repo: LocalRepository,
    private readonly meta: MetaStore,
  ) {}

  #ref(number: number): string {
    return `${PULLS_PREFIX}${number}`;
  }

  async #all(): Promise<PullState[]> {
    const states = await this.meta.readPrefix(PULLS_PREFIX, FILES);
    return [...states.values()].map(toState).sort((a, b) => b.pr.number - a.pr.number);
  }

  async #state(number: number): Promise<PullState> {
    const current = await this.meta.read(this.#ref(number), FILES);
    if (!current) throw new NotFoundError(`pull request #${number} does not exist`, { number });
    return toState(current.files);
  }

  async #change(number: number, message: string, actor: string, change: (state: PullState) => PullState | undefined): Promise<PullState> {
    const files = await this.meta.update(this.#ref(number), FILES, message, actor, (current) => {
      if (!current) throw new NotFoundError(`pull request #${number} does not exist`, { number });
      const next = change(toState(structuredClone(current)));
      return next && toFiles(next);
    });
    return toState(files!);
  }

  async getPullRequest(number: number): Promise<StoredPullRequest> {
    return (await this.#state(number)).pr;
  }

  async findPullRequestsByBranch(branch: string): Promise<PromotionPullRequest[]> {
    return (await this.#all()).filter((s) => s.pr.branch === branch).map((s) => s.pr);
  }

  async listOpen(): Promise<StoredPullRequest[]> {
    return (await this.#all()).filter((s) => s.pr.state === "open").map((s) => s.pr);
  }

  /** Every PR, newest first (status, audit). */
  async listAll(): Promise<StoredPullRequest[]> {
    return (await this.#all()).map((s) => s.pr);
  }

  async listReviews(number: number): Promise<PullRequestReview[]> {
    return (await this.#state(number)).reviews;
  }

  async listComments(number: number): Promise<PullRequestComment[]> {
    return (await this.#state(number)).comments;
  }

  /**
   * Opens the PR of a plan: branch + commit + metadata. Returns the open PR of the branch when there is
   * one. The branch, the PR's metadata ref and its head ref are created in ONE `update-ref --stdin`
   * transaction whose branch and PR refs must not exist yet (or, for a branch left behind without an
   * open PR, must still be where it was read): of two processes opening the same branch at the same
   * moment exactly one succeeds, and the other, re-reading, returns the winner's PR. A process that
   * only lost the PR number to another branch takes the next number.
   */
  async open(plan: PromotionPlan): Promise<{ pr: StoredPullRequest; created: boolean }> {
    if (plan.status !== "changed") throw new TerminalError(`nothing to open: ${plan.message ?? plan.status}`, { branch: plan.branch });
    const identity = this.meta.identity(LOCAL_BOT);
    const branchRef = `refs/heads/${plan.branch}`;
    let head: string | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      const all = await this.#all();
      const existing = all.find((s) => s.pr.branch === plan.branch && s.pr.state === "open");
      if (existing) return { pr: existing.pr, created: false };
      head ??= await this.repo.commitFiles(plan.baseOid, plan.files.map((f) => ({ path: f.path, content: f.after })), plan.commitMessage, identity);
      // A branch without an open PR is a leftover (its PR closed or merged before the branch was deleted): taken over.
      const leftover = await this.repo.git.resolve(branchRef);
      const number = Math.max(0, ...all.map((s) => s.pr.number)) + 1;
      const pr: StoredPullRequest = {
        number,
        url: this.#ref(number),
        branch: plan.branch,
        headSha: head,
        baseRef: plan.baseRef,
        title: plan.title,
        body: plan.body,
        state: "open",
        author: LOCAL_BOT,
        labels: plan.labels,
        createdAt: identity.date.toISOString(),
        reviewers: plan.reviewers,
      };
      const state = await this.meta.writeCommit(toFiles({ pr, reviews: [], comments: [] }), `open #${number}: ${plan.title}`, LOCAL_BOT);
      const updates: RefUpdate[] = [
        { ref: branchRef, newOid: head, oldOid: leftover ?? ZERO_OID },
        { ref: this.#ref(number), newOid: state, oldOid: ZERO_OID },
        { ref: `${PULL_HEADS_PREFIX}${number}`, newOid: head },
      ];
      if (await this.repo.git.updateRefs(updates, `stagegate: open #${number}: ${plan.title}`, identity)) return { pr, created: true };
    }
    throw new ConflictError("could not allocate a pull request number", { branch: plan.branch });
  }

  async comment(number: number, body: string, actor = LOCAL_BOT): Promise<void> {
    const at = this.meta.identity(actor).date.toISOString();
    await this.#change(number, `comment on #${number}`, actor, (s) => {
      s.comments.push({ id: String(s.comments.length + 1), user: actor, body, createdAt: at });
      return s;
    });
  }

  /** Replaces an open PR's body (a fresh, sealed evidence block). */
  async replaceBody(number: number, body: string, actor = LOCAL_BOT): Promise<void> {
    await this.#change(number, `body of #${number}`, actor, (s) => {
      if (s.pr.state !== "open") return undefined;
      s.pr.body = body;
      return s;
    });
  }

  async close(number: number, comment: string, actor = LOCAL_BOT): Promise<void> {
    const at = this.meta.identity(actor).date.toISOString();
    const state = await this.#change(number, `close #${number}`, actor, (s) => {
      if (s.pr.state !== "open") return undefined;
      s.comments.push({ id: String(s.comments.length + 1), user: actor, body: comment, createdAt: at });
      s.pr.state = "closed";
      s.pr.closedAt = at;
      return s;
    });
    await this.repo.deleteBranch(state.pr.branch);
  }

  async requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    await this.#change(number, `request reviewers on #${number}`, LOCAL_BOT, (s) => {
      const users = [...new Set([...s.pr.reviewers.users, ...reviewers.users])];
      const teams = [...new Set([...s.pr.reviewers.teams, ...reviewers.teams])];
      if (users.length === s.pr.reviewers.users.length && teams.length === s.pr.reviewers.teams.length) return undefined;
      s.pr.reviewers = { users, teams };
      return s;
    });
  }

  async dismissReview(number: number, reviewId: string, message: string, actor = LOCAL_BOT): Promise<void> {
    await this.#change(number, `dismiss review ${reviewId} on #${number}: ${message}`, actor, (s) => {
      const review = s.reviews.find((r) => r.id === reviewId);
      if (!review || review.state === "dismissed") return undefined;
      review.state = "dismissed";
      return s;
    });
  }

  /** Records a review by `user` on the current head (what a person does in GitHub's UI). */
  async submitReview(number: number, user: string, state: PullRequestReview["state"], body?: string): Promise<PullRequestReview> {
    const at = this.meta.identity(user).date.toISOString();
    let review: PullRequestReview | undefined;
    await this.#change(number, `${state} #${number} by ${user}`, user, (s) => {
      if (s.pr.state !== "open") throw new TerminalError(`pull request #${number} is ${s.pr.state}`, { number });
      // Whoever can write to a local repository is a collaborator of it.
      review = { id: String(s.reviews.length + 1), user, state, commitSha: s.pr.headSha, submittedAt: at, authorAssociation: "COLLABORATOR", ...(body ? { body } : {}) };
      s.reviews.push(review);
      return s;
    });
    return review!;
  }

  async merge(number: number, request: MergeRequest): Promise<{ sha: string }> {
    const { pr } = await this.#state(number);
    if (pr.state !== "open") throw new TerminalError(`pull request #${number} is ${pr.state}`, { number });
    const branchHead = await this.repo.git.resolve(`refs/heads/${pr.branch}`);
    if (pr.headSha !== request.expectedHeadSha || branchHead !== request.expectedHeadSha) {
      throw new ConflictError(`head of #${number} moved (expected ${request.expectedHeadSha.slice(0, 12)})`, { number });
    }
    const identity = this.meta.identity(request.mergedBy);
    const base = await this.repo.getDefaultHead();
    const tree = await this.repo.mergeTree(base, pr.headSha);
    const parents = request.method === "merge" ? [base, pr.headSha] : [base];
    const sha = await this.repo.commitTree(tree, parents, `${request.commitTitle}\n\n${request.commitMessage}`.trimEnd() + "\n", identity);
    await this.repo.advanceDefaultBranch(sha, base, `stagegate: merge #${number}`, identity);
    await this.#change(number, `merge #${number}`, request.mergedBy, (s) => {
      s.pr.state = "merged";
      s.pr.mergedAt = identity.date.toISOString();
      s.pr.mergeCommitSha = sha;
      s.pr.mergedBy = request.mergedBy;
      return s;
    });
    await this.repo.deleteBranch(pr.branch);
    return { sha };
  }
}
