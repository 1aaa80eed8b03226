/**
 * The memory of one delivery (webhook, tick pass, CLI run): what the facts query returned, shared by
 * the pull request, checks, deployments and source adapters so one evaluation reads GitHub once.
 * Writes made through the adapters are folded in, so a later read in the same delivery sees them
 * without asking GitHub again. A new delivery starts a new session: nothing here outlives it.
 */
import type { SourceCheckFact } from "../../core/gates/facts.js";
import type { Logger } from "../../core/logger.js";
import { silentLogger } from "../../core/logger.js";
import type { CheckReport } from "../../core/ports/checks.js";
import type { Deployment } from "../../core/ports/deployments.js";
import { NotFoundError } from "../../core/errors.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { callGitHub } from "./errors.js";
import type { GateFactsPlan, GateFactsResult, IdentityOptions, RawGateFacts } from "./gate-facts-query.js";
import { buildGateFactsQuery, parseGateFacts } from "./gate-facts-query.js";
import { earlierCursors, readEarlierActivity } from "./earlier-activity.js";

/** Everything the adapters of one delivery share. */
export class FactsSession {
  readonly client: GitHubClient;
  readonly repo: RepoRef;
  readonly identity: IdentityOptions;
  readonly log: Logger;
  #pulls = new Map<number, GateFactsResult>();
  #checks = new Map<string, (CheckReport & { id?: number })[]>();
  /** Source commits read: their checks and author login (undefined: GitHub ties the author to no account). */
  #sources = new Map<string, { checks: SourceCheckFact[]; author: string | undefined }>();
  #teams = new Map<string, string[]>();
  #deployments: Deployment[] | undefined;
  #defaultHeadOid: string | undefined;

  constructor(client: GitHubClient, repo: RepoRef, identity: IdentityOptions, log: Logger = silentLogger) {
    this.client = client;
    this.repo = repo;
    this.identity = identity;
    this.log = log;
  }

  /** Runs the facts query for a plan and remembers what it returned. */
  async load(plan: Omit<GateFactsPlan, "appId">): Promise<GateFactsResult> {
    const full: GateFactsPlan = { ...plan, appId: this.identity.appId, deployments: plan.deployments ?? this.#deployments === undefined };
    const { query, variables } = buildGateFactsQuery(this.repo.owner, this.repo.repo, full);
    const raw = await callGitHub({ operation: "gateFacts", repo: formatRepoRef(this.repo), pr: plan.number }, () => this.client.graphql<RawGateFacts>(query, variables));
    const facts = parseGateFacts(raw, this.identity);
    if (!facts.pr) throw new NotFoundError(`pull request #${plan.number} not found in ${formatRepoRef(this.repo)}`, { pr: plan.number });
    // A busy PR: the reviews and comments before the last 100 of each, in follow-up queries.
    const cursors = earlierCursors(raw.repository?.pullRequest);
    if (cursors.reviews || cursors.comments) {
      const earlier = await readEarlierActivity(this.client, this.repo, plan.number, cursors);
      facts.reviews = [...earlier.reviews, ...facts.reviews];
      facts.comments = [...earlier.comments, ...facts.comments];
      if (earlier.truncated) this.log.warn({ pr: plan.number, reviews: facts.reviews.length, comments: facts.comments.length }, "pull request has more reviews or comments than are read: the oldest are left out");
    }
    this.#pulls.set(plan.number, facts);
    this.#checks.set(facts.pr.headSha, facts.checks);
    if (facts.deployments) this.#deployments = facts.deployments;
    if (facts.sourceChecks && plan.source) this.#sources.set(sourceKey(plan.source.repo, plan.source.sha), { checks: facts.sourceChecks, author: facts.sourceAuthor });
    for (const [team, members] of Object.entries(facts.teams)) this.#teams.set(team, members);
    this.#defaultHeadOid = facts.defaultHeadOid;
    this.log.debug({ pr: plan.number, reviews: facts.reviews.length, checks: facts.checks.length, deployments: facts.deployments?.length }, "gate facts read");
    return facts;
  }

  /** Facts of a PR loaded in this session. */
  pull(number: number): GateFactsResult | undefined {
    return this.#pulls.get(number);
  }

  /** The facts of a PR, loading them (without source or teams) when not loaded yet. */
  async pullOrLoad(number: number): Promise<GateFactsResult> {
    return this.#pulls.get(number) ?? (await this.load({ number }));
  }

  /** A PR of this session whose head is `sha`. */
  pullByHead(sha: string): GateFactsResult | undefined {
    return [...this.#pulls.values()].find((f) => f.pr?.headSha === sha);
  }

  /** Forgets a PR (after a merge or close changed it). */
  forgetPull(number: number): void {
    this.#pulls.delete(number);
  }

  get defaultHeadOid(): string | undefined {
    return this.#defaultHeadOid;
  }

  checks(headSha: string): (CheckReport & { id?: number })[] | undefined {
    return this.#checks.get(headSha);
  }

  /** Records checks written on a commit (they replace earlier runs of the same name). */
  rememberChecks(headSha: string, written: CheckReport[], known: (CheckReport & { id?: number })[] = this.#checks.get(headSha) ?? []): void {
    const byName = new Map(known.map((c) => [c.name, c]));
    for (const check of written) byName.set(check.name, check);
    this.#checks.set(headSha, [...byName.values()]);
  }

  get deployments(): Deployment[] | undefined {
    return this.#deployments;
  }

  set deployments(value: Deployment[] | undefined) {
    this.#deployments = value;
  }

  /** What this session read of a source commit: its checks and its author's login. */
  source(repo: string, sha: string): { checks: SourceCheckFact[]; author: string | undefined } | undefined {
    return this.#sources.get(sourceKey(repo, sha));
  }

  rememberSource(repo: string, sha: string, checks: SourceCheckFact[], author: string | undefined): void {
    this.#sources.set(sourceKey(repo, sha), { checks, author });
  }

  team(team: string): string[] | undefined {
    return this.#teams.get(team.replace(/^@/, "").toLowerCase());
  }

  rememberTeam(team: string, members: string[]): void {
    this.#teams.set(team.replace(/^@/, "").toLowerCase(), members);
  }
}

function sourceKey(repo: string, sha: string): string {
  return `${repo.toLowerCase()}@${sha}`;
}
