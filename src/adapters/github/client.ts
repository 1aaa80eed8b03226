import type { Octokit } from "@octokit/rest";

/**
 * The slice of an Octokit instance the GitHub adapter uses. Probot's `context.octokit`, an
 * `@octokit/rest` client built from a token (CLI) and test doubles all fit.
 */
export interface GitHubClient {
  graphql: Octokit["graphql"];
  request: Octokit["request"];
}

/** A repository as `owner` + `repo`, the shape Octokit's REST parameters take. */
export interface RepoRef {
  owner: string;
  repo: string;
}

/** Parses `owner/name`; undefined when malformed. */
export function parseRepoRef(fullName: string): RepoRef | undefined {
  const match = /^([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})$/.exec(fullName);
  return match ? { owner: match[1]!, repo: match[2]! } : undefined;
}

/** `owner/name` of a repository reference. */
export function formatRepoRef(ref: RepoRef): string {
  return `${ref.owner}/${ref.repo}`;
}
