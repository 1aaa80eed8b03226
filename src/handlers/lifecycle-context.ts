/**
 * What the gate and deployment handlers share: who the app is (id + slug, looked up once), a
 * GitHubLifecycle per delivery, the PR evaluation entry point, and the one top-level catch that turns
 * a known failure into a failing `stagegate` check saying how to fix it.
 */
import type { Context, Probot } from "probot";
import type { GitHubClient, RepoRef } from "../adapters/github/client.js";
import { parseRepoRef } from "../adapters/github/client.js";
import { callGitHub } from "../adapters/github/errors.js";
import { GitHubLifecycle, SnapshotCache } from "../adapters/github/lifecycle.js";
import { describeFailure } from "../app/handler-support.js";
import type { Logger } from "../core/logger.js";
import { SUMMARY_CHECK } from "../core/plan/index.js";
import type { Clock } from "../core/ports/clock.js";
import { CONFIG_FILE } from "../core/snapshot.js";
import { parsePromotionBody } from "../core/evidence/body.js";
import { evaluatePullRequest, type ChangeOutcome } from "../services/evaluate-change.js";
import type { EvaluateOutcome } from "../services/evaluate-promotion.js";
import { fetchHealth } from "../services/health-probe.js";
import type { HealthProbe } from "../services/lifecycle-deps.js";
import type { Probes } from "../services/probes.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import type { GitHubLifecycleOptions } from "../adapters/github/lifecycle.js";

/** Options of the lifecycle handlers. */
export interface LifecycleHandlerOptions {
  /** The GitHub App's id and slug; looked up with `GET /app` once when absent. */
  appId?: number;
  appSlug?: string;
  clock?: Clock;
  /** Verification health requests (a policy's `verification.health`); default: fetchHealth, through the SSRF guard. */
  health?: HealthProbe;
  snapshots?: SnapshotCache;
  /** The environments repository for events from other repositories (STAGEGATE_ENVIRONMENTS_REPO); else `<owner>/environments`. */
  environmentsRepo?: RepoRef;
  /** Probes of metrics/http gates (default: the real adapters). */
  probes?: Probes;
  /** The app's Prometheus metrics (default none). */
  metrics?: StagegateMetrics;
  /** Sigstore trust material for provenance gates; without it those gates fail closed. */
  provenance?: GitHubLifecycleOptions["provenance"];
  /** Policy-driven notifications; default none. */
  notifier?: GitHubLifecycleOptions["notifier"];
  /** Seals evidence blocks and requires the seal of those read (core/evidence/seal.ts); server.ts always sets it. */
  seal?: GitHubLifecycleOptions["seal"];
}

/** Who the app is. */
export interface AppIdentity {
  appId: number;
  slug: string;
}

/** Shared state of the lifecycle handlers of one app instance. */
export class LifecycleApp {
  readonly app: Probot;
  readonly options: LifecycleHandlerOptions;
  readonly snapshots: SnapshotCache;
  #identity: Promise<AppIdentity> | undefined;

  constructor(app: Probot, options: LifecycleHandlerOptions) {
    this.app = app;
    this.options = options;
    this.snapshots = options.snapshots ?? new SnapshotCache();
    if (options.appId !== undefined && options.appSlug) this.#identity = Promise.resolve({ appId: options.appId, slug: options.appSlug });
  }

  /** The app's id and slug (its bot is `<slug>[bot]`), from `GET /app` once per process. */
  identity(): Promise<AppIdentity> {
    this.#identity ??= (async () => {
      const client = await this.app.auth();
      const { data } = await callGitHub({ operation: "getApp" }, () => client.request("GET /app"));
      const app = data as { id: number; slug?: string };
      return { appId: this.options.appId ?? app.id, slug: this.options.appSlug ?? app.slug ?? "stagegate" };
    })();
    this.#identity.catch(() => (this.#identity = undefined));
    return this.#identity;
  }

  /** The app's bot login. */
  async botLogin(): Promise<string> {
    return `${(await this.identity()).slug}[bot]`;
  }

  /** Ports of `repo` for this delivery. */
  async open(client: GitHubClient, repo: RepoRef, log: Logger): Promise<GitHubLifecycle> {
    const { clock, health, probes, metrics, provenance, notifier, seal } = this.options;
    const { appId, slug } = await this.identity();
    return new GitHubLifecycle(client, repo, {
      appId,
      appSlug: slug,
      log,
      snapshots: this.snapshots,
      ...(clock ? { clock } : {}),
      // Never absent in the App: without a prober, a policy's health check would wait out its timeout and fail every deployment.
      health: health ?? fetchHealth,
      ...(probes ? { probes } : {}),
      ...(metrics ? { metrics } : {}),
      ...(provenance ? { provenance } : {}),
      ...(notifier ? { notifier } : {}),
      ...(seal ? { seal } : {}),
    });
  }
}

/** Where the promotions of artifacts built in `source` live. */
export function getEnvironmentsRepoFor(shared: LifecycleApp, source: RepoRef): RepoRef {
  return shared.options.environmentsRepo ?? { owner: source.owner, repo: "environments" };
}

/**
 * Re-evaluates the open promotion PRs whose artifact was built from `sha` of `source` (its checks or
 * statuses changed). The PR bodies come with the open-promotion listing, so each evaluation is one query.
 */
export async function reevaluateSourceCommit(shared: LifecycleApp, client: GitHubClient, source: RepoRef, sha: string, log: Logger): Promise<number[]> {
  const lifecycle = await shared.open(client, getEnvironmentsRepoFor(shared, source), log);
  const prs = (await lifecycle.environments.listOpenPromotions()).filter((pr) => {
    const parsed = parsePromotionBody(pr.body);
    return parsed.ok && parsed.evidence.artifact.source?.sha === sha && parsed.evidence.artifact.source.repo.toLowerCase() === `${source.owner}/${source.repo}`.toLowerCase();
  });
  for (const pr of prs) {
    try {
      await evaluatePr(lifecycle, pr.number, pr.body);
    } catch (error) {
      await reportGateFailure(lifecycle, pr.headSha, error, log);
    }
  }
  return prs.map((pr) => pr.number);
}

/** The event's repository. */
export function getEventRepo(context: Context): RepoRef {
  return parseRepoRef((context.payload as { repository: { full_name: string } }).repository.full_name)!;
}

/** True when the repository holds a stagegate.yaml on its default branch (reads the cached snapshot). */
export async function isEnvironmentsRepo(lifecycle: GitHubLifecycle): Promise<boolean> {
  return (await lifecycle.cachedSnapshot()).files.has(CONFIG_FILE);
}

/**
 * Evaluates one PR: one facts query (plus a snapshot read when the cache is cold or stale), then the
 * gates; writes only changed checks. `body` (from the event) lets the query include the artifact's
 * source checks.
 */
export async function evaluatePr(lifecycle: GitHubLifecycle, number: number, body?: string): Promise<EvaluateOutcome | ChangeOutcome> {
  await lifecycle.prepare(number, body !== undefined ? { body } : {});
  return evaluatePullRequest(lifecycle.deps, number);
}

/**
 * The one top-level catch of a gate handler: terminal failures (invalid configuration, unknown
 * environment) become a failing `stagegate` check on `headSha` naming the fix; transient ones are
 * rethrown so GitHub's redelivery or the next tick retries.
 */
export async function reportGateFailure(lifecycle: GitHubLifecycle | undefined, headSha: string | undefined, error: unknown, log: Logger): Promise<void> {
  const failure = describeFailure(error);
  log.warn({ err: error, kind: failure.kind }, "gate evaluation failed");
  if (failure.kind === "retryable" || failure.kind === "conflict" || !lifecycle || !headSha) {
    if (failure.kind !== "conflict") throw error;
    return;
  }
  await lifecycle.checks.writeChecks(headSha, [{ name: SUMMARY_CHECK, status: "completed", conclusion: "failure", title: failure.title, summary: failure.message }]);
  if (failure.kind === "bug") throw error;
}
