/**
 * ChecksPort on GitHub: Stagegate's check runs on a commit. Reads only the app's own check suites
 * (GraphQL `filterBy: { appId }`), so a `stagegate` check or status from any other app or workflow is
 * invisible to the comparison; writes one `POST /check-runs` per changed check (the newest run of a
 * name is the one GitHub and the ruleset look at).
 */
import type { CheckReport, ChecksPort } from "../../core/ports/checks.js";
import type { Clock } from "../../core/ports/clock.js";
import { systemClock } from "../../core/ports/clock.js";
import { formatRepoRef } from "./client.js";
import { normalizeReport, toCheckRunBody, type RawCheckRun } from "./check-run-format.js";
import { callGitHub } from "./errors.js";
import type { FactsSession } from "./facts-session.js";
import { latestChecks } from "./gate-facts-query.js";

const COMMIT_CHECKS_QUERY = `query StagegateCommitChecks($owner: String!, $name: String!, $sha: GitObjectID!, $appId: Int!) {
  repository(owner: $owner, name: $name) { object(oid: $sha) { ... on Commit { checkSuites(first: 5, filterBy: { appId: $appId }) { nodes { app { databaseId } checkRuns(first: 100, filterBy: { checkType: LATEST }) { nodes { databaseId name status conclusion title summary externalId } } } } } } }
}`;

type RawSuites = { app: { databaseId: number | null } | null; checkRuns: { nodes: RawCheckRun[] } | null }[];

/** Stagegate's check runs in the environments repository. */
export class GitHubChecks implements ChecksPort {
  #session: FactsSession;
  #clock: Clock;

  constructor(session: FactsSession, clock: Clock = systemClock) {
    this.#session = session;
    this.#clock = clock;
  }

  async listChecks(headSha: string): Promise<CheckReport[]> {
    const known = this.#session.checks(headSha);
    if (known) return known.map(({ id: _id, ...c }) => c);
    const { client, repo, identity } = this.#session;
    const raw = await callGitHub({ operation: "listChecks", repo: formatRepoRef(repo), sha: headSha }, () =>
      client.graphql<{ repository: { object: { checkSuites?: { nodes: RawSuites } } | null } | null }>(COMMIT_CHECKS_QUERY, { owner: repo.owner, name: repo.repo, sha: headSha, appId: identity.appId }),
    );
    const checks = latestChecks(raw.repository?.object?.checkSuites?.nodes ?? [], identity.appId);
    this.#session.rememberChecks(headSha, [], checks);
    return checks.map(({ id: _id, ...c }) => c);
  }

  async writeChecks(headSha: string, checks: CheckReport[]): Promise<void> {
    const { client, repo } = this.#session;
    for (const check of checks) {
      const body = toCheckRunBody(headSha, check, this.#clock.now());
      await callGitHub({ operation: "writeCheck", repo: formatRepoRef(repo), sha: headSha, check: check.name }, () =>
        client.request("POST /repos/{owner}/{repo}/check-runs", { owner: repo.owner, repo: repo.repo, ...(body as { name: string; head_sha: string }) }),
      );
    }
    this.#session.rememberChecks(headSha, checks.map(normalizeReport));
  }
}
