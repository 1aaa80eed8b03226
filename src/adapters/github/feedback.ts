/**
 * The small GitHub calls intake needs around a promotion: replies (comments, reactions, the
 * `stagegate/intake` check run), team membership for `promoters`, and the cheap probe that finds which
 * repository holds stagegate.yaml. All errors are translated by errors.ts.
 */
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { callGitHub, translateGitHubError } from "./errors.js";
import { NotFoundError } from "../../core/errors.js";

/** Name of the check run that reports intake failures where no PR exists yet. */
export const INTAKE_CHECK_NAME = "stagegate/intake";

const PROBE_QUERY = `query StagegateProbe($owner: String!, $name: String!) {
  repository(owner: $owner, name: $name) { defaultBranchRef { target { oid } } config: object(expression: "HEAD:stagegate.yaml") { __typename } }
}`;

/** Whether a repository has stagegate.yaml on its default branch, and that branch's head. */
export async function probeRepository(client: GitHubClient, repo: RepoRef): Promise<{ exists: boolean; hasConfig: boolean; headOid?: string }> {
  const data = await callGitHub({ operation: "probeRepository", repo: formatRepoRef(repo) }, () =>
    client.graphql<{ repository: { defaultBranchRef: { target: { oid: string } } | null; config: { __typename: string } | null } | null }>(PROBE_QUERY, { owner: repo.owner, name: repo.repo }),
  );
  if (!data.repository) return { exists: false, hasConfig: false };
  const headOid = data.repository.defaultBranchRef?.target.oid;
  return { exists: true, hasConfig: data.repository.config?.__typename === "Blob", ...(headOid ? { headOid } : {}) };
}

/** Comments on an issue or PR. */
export async function postComment(client: GitHubClient, repo: RepoRef, issueNumber: number, body: string): Promise<void> {
  await callGitHub({ operation: "postComment", repo: formatRepoRef(repo), issueNumber }, () =>
    client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { ...repo, issue_number: issueNumber, body }),
  );
}

/** Reacts to an issue comment (👀 received, 🚀 done, 😕 refused). */
export async function reactToComment(client: GitHubClient, repo: RepoRef, commentId: number, content: "eyes" | "rocket" | "confused"): Promise<void> {
  await callGitHub({ operation: "reactToComment", repo: formatRepoRef(repo), commentId }, () =>
    client.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", { ...repo, comment_id: commentId, content }),
  );
}

/** Creates the completed `stagegate/intake` check run that tells a CI sender why its artifact was refused. */
export async function reportIntakeCheck(client: GitHubClient, repo: RepoRef, input: { headSha: string; conclusion: "failure" | "neutral" | "success"; title: string; summary: string; detailsUrl?: string }): Promise<void> {
  await callGitHub({ operation: "reportIntakeCheck", repo: formatRepoRef(repo) }, () =>
    client.request("POST /repos/{owner}/{repo}/check-runs", {
      ...repo,
      name: INTAKE_CHECK_NAME,
      head_sha: input.headSha,
      status: "completed",
      conclusion: input.conclusion,
      output: { title: input.title.slice(0, 255), summary: input.summary.slice(0, 65_000) },
      ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    }),
  );
}

/** True when `username` is an active member of `org/teamSlug`. 404 means "not a member" (or no such team). */
export async function isTeamMember(client: GitHubClient, org: string, teamSlug: string, username: string): Promise<boolean> {
  try {
    const response = await client.request("GET /orgs/{org}/teams/{team_slug}/memberships/{username}", { org, team_slug: teamSlug, username });
    return (response.data as { state?: string }).state === "active";
  } catch (error) {
    const translated = translateGitHubError(error, { operation: "isTeamMember", org, teamSlug });
    if (translated instanceof NotFoundError) return false;
    throw translated;
  }
}
