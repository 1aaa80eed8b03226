/**
 * SourcePort on GitHub: the source commit's check runs and commit statuses (any app but Stagegate) and
 * team members. Served from the delivery's facts query when it asked for them; otherwise one GraphQL
 * query each (the installation must cover the source repository; without access the list is empty and
 * the source-checks gate says which checks it is waiting for).
 */
import type { CodeScanningAlert, SourceCheckFact } from "../../core/gates/facts.js";
import type { CodeScanningResult, SourceCheck, SourcePort } from "../../core/ports/source.js";
import { NotFoundError, PermissionError } from "../../core/errors.js";
import { parseRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";
import type { FactsSession } from "./facts-session.js";
import type { SnapshotCache } from "./lifecycle.js";
import { parseSourceChecks, type RawGateFacts } from "./gate-facts-query.js";

const SOURCE_QUERY = `query StagegateSourceChecks($owner: String!, $name: String!, $sha: GitObjectID!) {
  source: repository(owner: $owner, name: $name) { object(oid: $sha) { ... on Commit {
    author { user { login } }
    checkSuites(first: 50) { nodes { app { databaseId slug } checkRuns(first: 100) { nodes { name status conclusion startedAt detailsUrl } } } }
    status { contexts { context state createdAt targetUrl } } } } }
}`;

const TEAM_QUERY = `query StagegateTeam($org: String!, $slug: String!, $after: String) {
  organization(login: $org) { team(slug: $slug) { members(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { login } } } }
}`;

/** Pages of 100 team members read at most (10,000 members). */
const MAX_TEAM_PAGES = 100;

/** Analyses looked through for the source commit's (newest first): a commit built long ago falls back to the default branch. */
const ANALYSES_SCANNED = 100;

/** Pages of 100 open alerts read at most; more is reported as unreadable rather than counted short. */
const MAX_ALERT_PAGES = 30;

interface RawAlert {
  number?: number;
  state?: string;
  html_url?: string;
  rule?: { id?: string | null; name?: string; security_severity_level?: "critical" | "high" | "medium" | "low" | null; severity?: "error" | "warning" | "note" | "none" | null };
}

/** Facts from the source repositories and the organisation. */
export class GitHubSource implements SourcePort {
  #session: FactsSession;
  /** Alerts per `repo@sha`, for the session (a delivery evaluates several gates and PRs of the same artifact). */
  #alerts = new Map<string, Promise<CodeScanningResult>>();

  /** The process's cache (code scanning alerts kept a few minutes) and its clock. */
  #cache: SnapshotCache | undefined;
  #now: () => number;

  constructor(session: FactsSession, options: { cache?: SnapshotCache; now?: () => number } = {}) {
    this.#session = session;
    this.#cache = options.cache;
    this.#now = options.now ?? Date.now;
  }

  async listCommitChecks(repo: string, sha: string): Promise<SourceCheck[]> {
    return (await this.#readSource(repo, sha)).checks;
  }

  /** The login GitHub ties the source commit's author to (the facts query read it with the checks). */
  async sourceCommitAuthor(repo: string, sha: string): Promise<string | undefined> {
    return (await this.#readSource(repo, sha)).author;
  }

  async #readSource(repo: string, sha: string): Promise<{ checks: SourceCheckFact[]; author: string | undefined }> {
    const known = this.#session.source(repo, sha);
    if (known) return known;
    const ref = parseRepoRef(repo);
    if (!ref) return { checks: [], author: undefined };
    let read: { checks: SourceCheckFact[]; author: string | undefined };
    try {
      const raw = await callGitHub({ operation: "listCommitChecks", repo, sha }, () => this.#session.client.graphql<Pick<RawGateFacts, "source">>(SOURCE_QUERY, { owner: ref.owner, name: ref.repo, sha }));
      read = { checks: parseSourceChecks(raw.source, this.#session.identity.appId), author: raw.source?.object?.author?.user?.login.toLowerCase() };
    } catch (error) {
      if (!(error instanceof NotFoundError || error instanceof PermissionError)) throw error;
      this.#session.log.warn({ repo, sha }, "source repository not readable by the installation");
      read = { checks: [], author: undefined };
    }
    this.#session.rememberSource(repo, sha, read.checks, read.author);
    return read;
  }

  /**
   * The open code scanning alerts of the ref the source commit was analysed on (GitHub lists alerts
   * per ref, as of the ref's latest analysis): the newest analyses are searched for the commit; when
   * none is of it, the default branch's alerts are read and the source says so. Needs `security_events:
   * read` on the source repository; without it, or without code scanning, the alerts are unavailable.
   */
  listCodeScanningAlerts(repo: string, sha: string): Promise<CodeScanningResult> {
    const key = `${repo}@${sha}`;
    let known = this.#alerts.get(key);
    if (!known) {
      const cache = this.#cache;
      const recent = cache?.recentCodeScanning(key, this.#now());
      known = recent ? Promise.resolve(recent) : this.#readAlerts(repo, sha);
      if (!recent && cache) void known.then((result) => cache.rememberCodeScanning(key, this.#now(), result), () => undefined);
      this.#alerts.set(key, known);
    }
    return known;
  }

  async #readAlerts(repo: string, sha: string): Promise<CodeScanningResult> {
    const ref = parseRepoRef(repo);
    if (!ref) return { unavailable: `${repo} is not a repository name` };
    const { client } = this.#session;
    try {
      const analyses = await callGitHub({ operation: "listCodeScanningAnalyses", repo }, () => client.request("GET /repos/{owner}/{repo}/code-scanning/analyses", { ...ref, per_page: ANALYSES_SCANNED }));
      const analysis = (analyses.data as { commit_sha?: string; ref?: string }[]).find((a) => a.commit_sha === sha);
      const alerts: CodeScanningAlert[] = [];
      for (let page = 1; ; page++) {
        if (page > MAX_ALERT_PAGES) return { unavailable: `${repo} has more than ${MAX_ALERT_PAGES * 100} open code scanning alerts` };
        const { data } = await callGitHub({ operation: "listCodeScanningAlerts", repo }, () =>
          client.request("GET /repos/{owner}/{repo}/code-scanning/alerts", { ...ref, ...(analysis?.ref ? { ref: analysis.ref } : {}), state: "open", per_page: 100, page }),
        );
        for (const raw of data as RawAlert[]) alerts.push(toAlert(raw));
        if (data.length < 100) break;
      }
      return { source: analysis?.ref ? `${repo} at ${analysis.ref}` : `${repo}'s default branch (no analysis of ${sha.slice(0, 12)} among its latest ${ANALYSES_SCANNED})`, alerts };
    } catch (error) {
      // 404: code scanning never ran there; 403: not enabled, or the App lacks security_events: read.
      if (!(error instanceof NotFoundError || error instanceof PermissionError)) throw error;
      this.#session.log.warn({ repo, sha }, "code scanning alerts not readable");
      return { unavailable: `the code scanning alerts of ${repo} cannot be read (${error instanceof NotFoundError ? "no analysis: is code scanning set up?" : "code scanning is not enabled, or the App lacks security_events: read"})` };
    }
  }

  async listTeamMembers(team: string): Promise<string[]> {
    const known = this.#session.team(team);
    if (known) return known;
    const [org, slug] = team.replace(/^@/, "").toLowerCase().split("/");
    if (!org || !slug) return [];
    const members: string[] = [];
    try {
      // Every page: an approver past the first 100 members is a member all the same.
      let after: string | null = null;
      for (let page = 0; page < MAX_TEAM_PAGES; page++) {
        const raw: { organization: { team: { members: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { login: string }[] } } | null } | null } = await callGitHub({ operation: "listTeamMembers", team }, () =>
          this.#session.client.graphql(TEAM_QUERY, { org, slug, after }),
        );
        const connection = raw.organization?.team?.members;
        members.push(...(connection?.nodes ?? []).map((m) => m.login.toLowerCase()));
        if (!connection?.pageInfo.hasNextPage || !connection.pageInfo.endCursor) break;
        after = connection.pageInfo.endCursor;
      }
    } catch (error) {
      // A team the app cannot see has no members as far as the gates know (they say who is missing).
      if (!(error instanceof NotFoundError || error instanceof PermissionError)) throw error;
    }
    this.#session.rememberTeam(team, members);
    return members;
  }
}

function toAlert(raw: RawAlert): CodeScanningAlert {
  const rule = raw.rule ?? {};
  return {
    ...(raw.number !== undefined ? { number: raw.number } : {}),
    ...(raw.state !== undefined ? { state: raw.state } : {}),
    ...(raw.html_url !== undefined ? { html_url: raw.html_url } : {}),
    rule: { ...(rule.id ? { id: rule.id } : {}), ...(rule.name ? { name: rule.name } : {}), security_severity_level: rule.security_severity_level ?? null, severity: rule.severity ?? null },
  };
}
