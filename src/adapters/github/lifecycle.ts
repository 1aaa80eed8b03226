/**
 * The lifecycle services' dependencies on GitHub for one delivery: every port over one installation
 * client and one facts session. `prepare` reads what one gate evaluation needs in ONE GraphQL query:
 * the snapshot of the default branch comes from a process-wide cache, validated by the default head
 * the facts query returns (a stale cache costs one more query, never a wrong answer).
 */
import { loadConfiguration, type LoadedConfig } from "../../core/config/index.js";
import { parsePromotionBody } from "../../core/evidence/body.js";
import type { Logger } from "../../core/logger.js";
import { silentLogger } from "../../core/logger.js";
import type { Clock } from "../../core/ports/clock.js";
import { systemClock } from "../../core/ports/clock.js";
import type { EnvironmentsRepoPort, PromotionPullRequest } from "../../core/ports/environments-repo.js";
import type { PromotionPlan } from "../../core/plan-types.js";
import type { CodeScanningResult } from "../../core/ports/source.js";
import type { RepoSnapshot } from "../../core/snapshot.js";
import { VERIFIER, type HealthProbe, type LifecycleDeps } from "../../services/lifecycle-deps.js";
import type { Probes } from "../../services/probes.js";
import type { StagegateMetrics } from "../../observability/metrics.js";
import type { EvidenceSeal } from "../../core/evidence/seal.js";
import type { Notifier } from "../../core/ports/notifier.js";
import { createProvenanceProbe, githubAttestations, type ProvenanceTrust } from "../sigstore/index.js";
import { GitHubChecks } from "./checks.js";
import type { GitHubClient, RepoRef } from "./client.js";
import { formatRepoRef } from "./client.js";
import { GitHubCommits } from "./commits.js";
import { GitHubDeployments } from "./deployments.js";
import { GitHubEnvironmentsRepo } from "./environments-repo.js";
import { FactsSession } from "./facts-session.js";
import type { GateFactsResult } from "./gate-facts-query.js";
import { GitHubNotes } from "./notes.js";
import { GitHubPullRequests } from "./pull-requests.js";
import { GitHubSource } from "./source.js";

/** Default-branch snapshots by repository, shared by the deliveries of one process (bounded). */
/** How long code scanning alerts read for a source commit are used again (5 minutes). */
export const CODE_SCANNING_TTL_MS = 5 * 60_000;

export class SnapshotCache {
  #entries = new Map<string, RepoSnapshot>();
  /**
   * Merge bases by `owner/name:base...head` (a PR's head and its base branch): the merge base changes
   * only with the head, so a PR evaluated on every event and tick asks for it once per head.
   */
  readonly mergeBases = new Map<string, string>();
  /**
   * Code scanning alerts by `owner/name@sha` with when they were read: a PR's gates are evaluated on
   * every event and tick, and alerts change slowly (kept {@link CODE_SCANNING_TTL_MS}).
   */
  readonly codeScanning = new Map<string, { at: number; result: CodeScanningResult }>();
  readonly max: number;

  constructor(max = 50) {
    this.max = max;
  }

  get(key: string): RepoSnapshot | undefined {
    const hit = this.#entries.get(key);
    if (hit) {
      this.#entries.delete(key);
      this.#entries.set(key, hit);
    }
    return hit;
  }

  set(key: string, snapshot: RepoSnapshot): void {
    this.#entries.delete(key);
    this.#entries.set(key, snapshot);
    while (this.#entries.size > this.max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Code scanning alerts read less than {@link CODE_SCANNING_TTL_MS} before `now`. */
  recentCodeScanning(key: string, now: number): CodeScanningResult | undefined {
    const hit = this.codeScanning.get(key);
    return hit && now - hit.at < CODE_SCANNING_TTL_MS ? hit.result : undefined;
  }

  rememberCodeScanning(key: string, now: number, result: CodeScanningResult): void {
    this.codeScanning.delete(key);
    this.codeScanning.set(key, { at: now, result });
    while (this.codeScanning.size > this.max * 10) this.codeScanning.delete(this.codeScanning.keys().next().value!);
  }

  /** Remembers a merge base (bounded like the snapshots, ten times as many). */
  rememberMergeBase(key: string, sha: string): void {
    this.mergeBases.set(key, sha);
    while (this.mergeBases.size > this.max * 10) this.mergeBases.delete(this.mergeBases.keys().next().value!);
  }
}

/** Who the app is and how a delivery runs. */
export interface GitHubLifecycleOptions {
  /** The GitHub App's id: its check suites are the only ones read, and the ruleset pins it. */
  appId: number;
  /** The app's slug; its bot (`<slug>[bot]`) authors promotion PRs and Stagegate's deployment statuses. */
  appSlug: string;
  clock?: Clock;
  log?: Logger;
  health?: HealthProbe;
  snapshots?: SnapshotCache;
  /** Prometheus/http probes of metrics and http gates (default: the real adapters). */
  probes?: Probes;
  /** The app's Prometheus metrics (default none). */
  metrics?: StagegateMetrics;
  /** Sigstore trust material for provenance gates (STAGEGATE_SIGSTORE_TRUSTED_ROOT); without it those gates fail closed. */
  provenance?: ProvenanceTrust;
  /** Policy-driven notifications (Slack, Teams, signed webhook); default none. */
  notifier?: Notifier;
  /** Seals evidence blocks and requires the seal of those read (core/evidence/seal.ts). */
  seal?: EvidenceSeal;
}

/** Teams (`org/slug`, lowercase) named by any policy: asked for in the facts query whatever the environment. */
export function getPolicyTeams(loaded: LoadedConfig | undefined): string[] {
  const out = new Set<string>();
  for (const policy of loaded?.policies.values() ?? []) {
    const principals = [...(policy.overrides?.teams ?? []), ...(policy.overrides?.users ?? [])];
    for (const gate of [...policy.gates, ...policy.rollback.gates]) if (gate.gate === "approvals") principals.push(...gate.teams, ...gate.users);
    for (const p of principals) if (p.includes("/")) out.add(p.replace(/^@/, "").toLowerCase());
  }
  return [...out].sort();
}

/** Reads the snapshot through the session (cached, validated) and delegates everything else to the GitHub repo. */
class SessionRepo implements EnvironmentsRepoPort {
  constructor(private readonly lifecycle: GitHubLifecycle) {}
  readSnapshot(): Promise<RepoSnapshot> {
    return this.lifecycle.snapshot();
  }
  listOpenPromotions(): Promise<PromotionPullRequest[]> {
    return this.lifecycle.environments.listOpenPromotions();
  }
  openPromotion(plan: PromotionPlan): Promise<{ pr: PromotionPullRequest; created: boolean }> {
    return this.lifecycle.environments.openPromotion(plan);
  }
  ensureDecorated(plan: PromotionPlan, pr: PromotionPullRequest): Promise<void> {
    return this.lifecycle.environments.ensureDecorated(plan, pr);
  }
  closePromotion(number: number, comment: string): Promise<void> {
    return this.lifecycle.environments.closePromotion(number, comment);
  }
  comment(number: number, body: string): Promise<void> {
    return this.lifecycle.environments.comment(number, body);
  }
}

/** Every port of one environments repository for one delivery. */
export class GitHubLifecycle {
  readonly repo: RepoRef;
  readonly session: FactsSession;
  readonly environments: GitHubEnvironmentsRepo;
  readonly checks: GitHubChecks;
  readonly deps: LifecycleDeps;
  readonly options: GitHubLifecycleOptions;
  #snapshot: RepoSnapshot | undefined;
  #cache: SnapshotCache;

  constructor(client: GitHubClient, repo: RepoRef, options: GitHubLifecycleOptions) {
    const log = (options.log ?? silentLogger).child({ repo: formatRepoRef(repo) });
    const clock = options.clock ?? systemClock;
    this.repo = repo;
    this.options = options;
    this.#cache = options.snapshots ?? new SnapshotCache();
    this.session = new FactsSession(client, repo, { appId: options.appId, botLogin: `${options.appSlug}[bot]`, verifier: VERIFIER }, log);
    this.environments = new GitHubEnvironmentsRepo(client, repo, log);
    this.checks = new GitHubChecks(this.session, clock);
    this.deps = {
      repo: new SessionRepo(this),
      commits: new GitHubCommits(this.session, this.#cache),
      pulls: new GitHubPullRequests(this.session),
      checks: this.checks,
      deployments: new GitHubDeployments(this.session, { clock, isProduction: (env) => this.#isProduction(env) }),
      notes: new GitHubNotes(client, repo),
      source: new GitHubSource(this.session, { cache: this.#cache, now: () => clock.now().getTime() }),
      clock,
      log,
      bot: `${options.appSlug}[bot]`,
      ...(options.health ? { health: options.health } : {}),
      ...(options.probes ? { probes: options.probes } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.notifier ? { notifier: options.notifier } : {}),
      // Bound to this repository: a block sealed for another one does not verify here.
      ...(options.seal ? { seal: options.seal.bind(formatRepoRef(repo)) } : {}),
      // Attestations are listed with this installation's token (the source repo is in the same installation).
      ...(options.provenance ? { provenance: createProvenanceProbe({ attestations: githubAttestations(client), ...options.provenance }) } : {}),
    };
  }

  /** The bot login of the app (`<slug>[bot]`). */
  get botLogin(): string {
    return `${this.options.appSlug}[bot]`;
  }

  /** The default branch snapshot of this delivery: the validated cached one after prepare, else a fresh read. */
  async snapshot(): Promise<RepoSnapshot> {
    if (!this.#snapshot) await this.refreshSnapshot();
    return this.#snapshot!;
  }

  /** A snapshot good enough to decide whether the repository is gated at all: cached when possible. */
  async cachedSnapshot(): Promise<RepoSnapshot> {
    return this.#snapshot ?? this.#cache.get(this.#key) ?? (await this.refreshSnapshot());
  }

  /** Reads the default branch again (after a push, or when the cache was stale). */
  async refreshSnapshot(): Promise<RepoSnapshot> {
    this.#snapshot = await this.environments.readSnapshot();
    this.#cache.set(this.#key, this.#snapshot);
    return this.#snapshot;
  }

  /**
   * Loads everything one evaluation of PR `number` reads, in one query when the cached snapshot is
   * current: the PR, reviews, comments, Stagegate's checks on its head, deployments, the artifact's
   * source checks (from the PR body, when `body` is known from the event) and the policies' teams.
   */
  async prepare(number: number, hint: { body?: string } = {}): Promise<GateFactsResult> {
    let snapshot = this.#snapshot ?? this.#cache.get(this.#key) ?? (await this.refreshSnapshot());
    const loaded = loadConfiguration(snapshot.files);
    const parsed = hint.body !== undefined ? parsePromotionBody(hint.body) : undefined;
    const source = parsed?.ok ? parsed.evidence.artifact.source : undefined;
    const facts = await this.session.load({ number, teams: getPolicyTeams(loaded.ok ? loaded.loaded : undefined), ...(source ? { source: { repo: source.repo, sha: source.sha } } : {}) });
    if (facts.defaultHeadOid !== undefined && facts.defaultHeadOid !== snapshot.oid) snapshot = await this.refreshSnapshot();
    this.#snapshot = snapshot;
    return facts;
  }

  get #key(): string {
    return formatRepoRef(this.repo).toLowerCase();
  }

  async #isProduction(environment: string): Promise<boolean> {
    const loaded = loadConfiguration((await this.snapshot()).files);
    if (!loaded.ok) return false;
    return !loaded.loaded.config.environments.some((e) => e.from.includes(environment));
  }
}
