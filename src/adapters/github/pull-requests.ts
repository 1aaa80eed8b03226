/**
 * PullRequestsPort on GitHub. Reads come from the delivery's facts session (one GraphQL query per PR);
 * writes are REST: review requests and the merge, with the head sha pinned so a push between
 * evaluation and merge cannot slip in ungated.
 */
import { ConflictError, StagegateError } from "../../core/errors.js";
import type { PromotionPullRequest } from "../../core/ports/environments-repo.js";
import type { MergeRequest, PullRequestComment, PullRequestReview, PullRequestsPort } from "../../core/ports/pull-requests.js";
import { formatRepoRef } from "./client.js";
import { callGitHub, translateGitHubError } from "./errors.js";
import type { FactsSession } from "./facts-session.js";
import { PR_FIELDS, toPullRequest, type RawPullRequest } from "./snapshot-query.js";

const BY_BRANCH_QUERY = `query StagegatePullsByBranch($owner: String!, $name: String!, $branch: String!) {
  repository(owner: $owner, name: $name) { pullRequests(headRefName: $branch, first: 20, orderBy: { field: CREATED_AT, direction: DESC }) { nodes { ${PR_FIELDS} mergeCommit { oid } } } }
}`;

/** Pull requests of the environments repository on GitHub. */
export class GitHubPullRequests implements PullRequestsPort {
  #session: FactsSession;

  constructor(session: FactsSession) {
    this.#session = session;
  }

  async getPullRequest(number: number): Promise<PromotionPullRequest> {
    const { id: _id, isDraft: _draft, baseSha: _base, files: _files, ...pr } = (await this.#session.pullOrLoad(number)).pr!;
    return pr;
  }

  async findPullRequestsByBranch(branch: string): Promise<PromotionPullRequest[]> {
    const { client, repo } = this.#session;
    const raw = await callGitHub({ operation: "findPullRequestsByBranch", repo: formatRepoRef(repo), branch }, () =>
      client.graphql<{ repository: { pullRequests: { nodes: (RawPullRequest & { mergeCommit: { oid: string } | null })[] } } | null }>(BY_BRANCH_QUERY, { owner: repo.owner, name: repo.repo, branch }),
    );
    return (raw.repository?.pullRequests.nodes ?? []).map((node) => {
      const { id: _id, ...pr } = toPullRequest(node);
      return node.mergeCommit ? { ...pr, mergeCommitSha: node.mergeCommit.oid } : pr;
    });
  }

  async listReviews(number: number): Promise<PullRequestReview[]> {
    return (await this.#session.pullOrLoad(number)).reviews;
  }

  async listComments(number: number): Promise<PullRequestComment[]> {
    return (await this.#session.pullOrLoad(number)).comments.map(({ url: _url, ...c }) => c);
  }

  async requestReviewers(number: number, reviewers: { users: string[]; teams: string[] }): Promise<void> {
    const { client, repo } = this.#session;
    // The REST API takes team slugs of the repository's organisation; `org/slug` of another org cannot be requested.
    const teams = reviewers.teams.map((t) => t.replace(/^@/, "")).filter((t) => !t.includes("/") || t.split("/")[0]!.toLowerCase() === repo.owner.toLowerCase()).map((t) => t.split("/").pop()!);
    const users = reviewers.users.map((u) => u.replace(/^@/, ""));
    if (users.length + teams.length === 0) return;
    await callGitHub({ operation: "requestReviewers", repo: formatRepoRef(repo), pr: number }, () =>
      client.request("POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", { owner: repo.owner, repo: repo.repo, pull_number: number, reviewers: users, team_reviewers: teams }),
    );
  }

  async dismissReview(number: number, reviewId: string, message: string): Promise<void> {
    const { client, repo } = this.#session;
    try {
      await callGitHub({ operation: "dismissReview", repo: formatRepoRef(repo), pr: number }, () =>
        client.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/dismissals", { owner: repo.owner, repo: repo.repo, pull_number: number, review_id: Number(reviewId), message, event: "DISMISS" }),
      );
    } catch (error) {
      // 422: already dismissed (or no longer dismissable): what was wanted.
      if (!(error instanceof StagegateError && (error.context as { status?: number }).status === 422)) throw error;
    }
  }

  async merge(number: number, request: MergeRequest): Promise<{ sha: string }> {
    const { client, repo } = this.#session;
    const context = { operation: "merge", repo: formatRepoRef(repo), pr: number, sha: request.expectedHeadSha };
    try {
      const response = await client.request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", {
        owner: repo.owner,
        repo: repo.repo,
        pull_number: number,
        sha: request.expectedHeadSha,
        merge_method: request.method,
        commit_title: request.commitTitle,
        commit_message: request.commitMessage,
      });
      this.#session.forgetPull(number);
      return { sha: response.data.sha };
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      // 409: the head moved (sha pinned); 405: not mergeable now (checks, conflicts). Both resolve on a later event.
      if (status === 409 || status === 405) throw new ConflictError(`GitHub refused to merge #${number}: ${(error as Error).message}`, { ...context, status }, { cause: error });
      throw error instanceof StagegateError ? error : translateGitHubError(error, context);
    }
  }
}
