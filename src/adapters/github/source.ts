/**
 * SourcePort on GitHub: the source commit's check runs and commit statuses (any app but Stagegate) and
 * team members. Served from the delivery's facts query when it asked for them; otherwise one GraphQL
 * query each (the installation must cover the source repository; without access the list is empty and
 * the source-checks gate says which checks it is waiting for).
 */
import type { SourceCheckFact } from "../../core/gates/facts.js";
import type { SourceCheck, SourcePort } from "../../core/ports/source.js";
import { NotFoundError, PermissionError } from "../../core/errors.js";
import { parseRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";
import type { FactsSession } from "./facts-session.js";
import { parseSourceChecks, type RawGateFacts } from "./gate-facts-query.js";

const SOURCE_QUERY = `query StagegateSourceChecks($owner: String!, $name: String!, $sha: GitObjectID!) {
  source: repository(owner: $owner, name: $name) { object(oid: $sha) { ... on Commit {
    checkSuites(first: 50) { nodes { app { databaseId slug } checkRuns(first: 100) { nodes { name status conclusion startedAt detailsUrl } } } }
    status { contexts { context state createdAt targetUrl } } } } }
}`;

const TEAM_QUERY = `query StagegateTeam($org: String!, $slug: String!) {
  organization(login: $org) { team(slug: $slug) { members(first: 100) { nodes { login } } } }
}`;

/** Facts from the source repositories and the organisation. */
export class GitHubSource implements SourcePort {
  #session: FactsSession;

  constructor(session: FactsSession) {
    this.#session = session;
  }

  async listCommitChecks(repo: string, sha: string): Promise<SourceCheck[]> {
    const known = this.#session.source(repo, sha);
    if (known) return known;
    const ref = parseRepoRef(repo);
    if (!ref) return [];
    let checks: SourceCheckFact[];
    try {
      const raw = await callGitHub({ operation: "listCommitChecks", repo, sha }, () => this.#session.client.graphql<Pick<RawGateFacts, "source">>(SOURCE_QUERY, { owner: ref.owner, name: ref.repo, sha }));
      checks = parseSourceChecks(raw.source, this.#session.identity.appId);
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof PermissionError)) throw error;
      this.#session.log.warn({ repo, sha }, "source repository not readable by the installation");
      checks = [];
    }
    this.#session.rememberSource(repo, sha, checks);
    return checks;
  }

  async listTeamMembers(team: string): Promise<string[]> {
    const known = this.#session.team(team);
    if (known) return known;
    const [org, slug] = team.replace(/^@/, "").toLowerCase().split("/");
    if (!org || !slug) return [];
    let members: string[] = [];
    try {
      const raw = await callGitHub({ operation: "listTeamMembers", team }, () =>
        this.#session.client.graphql<{ organization: { team: { members: { nodes: { login: string }[] } } | null } | null }>(TEAM_QUERY, { org, slug }),
      );
      members = (raw.organization?.team?.members.nodes ?? []).map((m) => m.login.toLowerCase());
    } catch (error) {
      // A team the app cannot see has no members as far as the gates know (they say who is missing).
      if (!(error instanceof NotFoundError || error instanceof PermissionError)) throw error;
    }
    this.#session.rememberTeam(team, members);
    return members;
  }
}
