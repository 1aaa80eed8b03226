import type { PromotionRequestInput } from "../core/artifact.js";
import { formatDiagnostic, loadConfiguration, type LoadedConfig } from "../core/config/index.js";
import { ConfigError } from "../core/errors.js";
import { parsePromotionBody, parseSealedBody } from "../core/evidence/body.js";
import type { EvidenceSeal } from "../core/evidence/seal.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { isSameLane, parsePromotionBranch, planPromotion, shortDigest, type PlanContext } from "../core/plan/index.js";
import type { PromotionPlan } from "../core/plan-types.js";
import type { EnvironmentsRepoPort, PromotionPullRequest } from "../core/ports/environments-repo.js";
import type { RepoSnapshot } from "../core/snapshot.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import { recordPromoteOutcome } from "./lifecycle-metrics.js";

export interface PromoteDeps {
  repo: EnvironmentsRepoPort;
  log?: Logger;
  /** The app's metrics: each outcome is counted (stagegate_promotions_total); default none. */
  metrics?: StagegateMetrics;
  /** Seals the evidence block of the PRs it opens, and makes unsealed blocks of other PRs count for nothing (core/evidence/seal.ts). */
  seal?: EvidenceSeal;
}

export interface PromoteOptions {
  /** Already validated configuration (skips loading it from the snapshot). */
  loaded?: LoadedConfig;
  /** Already read snapshot (skips readSnapshot). */
  snapshot?: RepoSnapshot;
  /** Facts about previous digests and the server URL, passed to the planner. */
  context?: PlanContext;
}

/**
 * - `opened`: this call opened the PR.
 * - `exists`: the PR for this exact artifact was already open (duplicate or concurrent call).
 * - `already-promoted` / `not-referenced`: nothing to change (see plan.message); no writes.
 * - `superseded`: an open PR in the same lane carries a newer artifact (by `createdAt`); this
 *   older one is not opened and `pr` is the newer PR. Protects against late redeliveries.
 */
export type PromoteStatus = "opened" | "exists" | "already-promoted" | "not-referenced" | "superseded";

export interface PromoteOutcome {
  status: PromoteStatus;
  plan: PromotionPlan;
  pr?: PromotionPullRequest;
  /** Older PRs of the same lane this call closed. */
  superseded: number[];
}

/**
 * Opens (or finds) the promotion PR for one artifact in one environment, then closes older open PRs
 * of the same lane (environment + service + kind). Shared by the GitHub App and local mode.
 *
 * Level-triggered and idempotent: the branch is deterministic, the adapter's openPromotion returns an
 * existing PR, and supersede only closes PRs numbered below the surviving one, so duplicate or
 * concurrent calls leave exactly one PR and a retry after a crash repairs what was left undone.
 * Throws ConfigError for invalid configuration and TerminalError for bad requests.
 */
export async function promote(deps: PromoteDeps, request: PromotionRequestInput, options: PromoteOptions = {}): Promise<PromoteOutcome> {
  const log = (deps.log ?? silentLogger).child({ service: request.artifact?.service, environment: request.environment, kind: request.kind ?? "promotion" });
  const snapshot = options.snapshot ?? (await deps.repo.readSnapshot());
  const loaded = options.loaded ?? loadOrThrow(snapshot);
  const plan = planPromotion(snapshot, request, loaded, deps.seal ? { ...options.context, seal: deps.seal } : options.context);
  if (plan.status !== "changed") {
    log.info({ status: plan.status, reason: plan.message, baseOid: plan.baseOid }, "promotion not needed");
    recordPromoteOutcome(deps, request.environment, plan.status);
    return { status: plan.status, plan, superseded: [] };
  }

  const open = await deps.repo.listOpenPromotions();
  const newer = findNewerInLane(plan, open, deps.seal);
  if (newer) {
    log.info({ newer: newer.number, branch: plan.branch }, "promotion skipped: a newer artifact is already proposed");
    recordPromoteOutcome(deps, request.environment, "superseded");
    return { status: "superseded", plan, pr: newer, superseded: [] };
  }
  let pr = open.find((p) => p.branch === plan.branch);
  let status: PromoteStatus = "exists";
  let view = open;
  if (!pr) {
    const opened = await deps.repo.openPromotion(plan);
    pr = opened.pr;
    status = opened.created ? "opened" : "exists";
    if (opened.lane) {
      // Fresh view of the lane from the opening itself: concurrent deliveries of other artifacts see each other.
      view = opened.lane;
      const racer = findNewerInLane(plan, view, deps.seal);
      if (racer) {
        log.info({ newer: racer.number, pr: pr.number }, "a newer artifact was proposed concurrently; closing this promotion");
        await deps.repo.closePromotion(pr.number, supersedeComment(plan, racer));
        recordPromoteOutcome(deps, request.environment, "superseded");
        return { status: "superseded", plan, pr: racer, superseded: [] };
      }
    }
  }
  // A redelivery after a crash between opening and decorating finds the PR open: finish its labels and reviewers.
  if (status === "exists") await deps.repo.ensureDecorated?.(plan, pr);
  // Asked again for the same artifact, an open PR whose block this Stagegate did not seal (opened before
  // the seal existed, or edited) gets the plan's sealed block: who asked is this request's requester.
  if (status === "exists" && deps.seal && deps.repo.replaceBody) {
    const current = parseSealedBody(pr.body, deps.seal, pr);
    if (!current.ok) {
      log.warn({ pr: pr.number, reason: current.message }, "open promotion PR's evidence block is not sealed: replaced with a sealed one");
      await deps.repo.replaceBody(pr, plan.body);
      pr = { ...pr, body: plan.body };
    }
  }
  log.info({ status, pr: pr.number, branch: plan.branch, files: plan.files.length }, status === "opened" ? "promotion opened" : "promotion already open");

  recordPromoteOutcome(deps, request.environment, status);
  const superseded = await supersedeOlder(deps.repo, plan, pr, view, log);
  return { status, plan, pr, superseded };
}

/** The comment on a PR that gives way to `newer` (whose artifact is read from its evidence block). */
function supersedeComment(plan: PromotionPlan, newer: PromotionPullRequest): string {
  const evidence = parsePromotionBody(newer.body);
  const artifact = evidence.ok ? evidence.evidence.artifact : undefined;
  const what = artifact ? ` \`sha256:${shortDigest(artifact.digest)}\`${artifact.tag ? ` (${artifact.tag})` : ""}` : " a newer artifact";
  return `Superseded by #${newer.number} (${newer.url}), which ${plan.request.kind === "rollback" ? "rolls back to" : "promotes"}${what}.`;
}

function loadOrThrow(snapshot: RepoSnapshot): LoadedConfig {
  const result = loadConfiguration(snapshot.files);
  if (result.ok) return result.loaded;
  throw new ConfigError(result.diagnostics.map(formatDiagnostic), { oid: snapshot.oid });
}

/**
 * Open PRs of the same lane whose evidence shows an artifact created after ours (both dates known).
 * With a seal, only sealed evidence counts: a block rewritten with a later date must not hold back a
 * real promotion.
 */
function findNewerInLane(plan: PromotionPlan, open: readonly PromotionPullRequest[], seal: EvidenceSeal | undefined): PromotionPullRequest | undefined {
  const ours = Date.parse(plan.request.artifact.createdAt ?? "");
  if (Number.isNaN(ours)) return undefined;
  return sameLane(plan, open).find((p) => {
    const evidence = parseSealedBody(p.body, seal, p);
    const theirs = evidence.ok ? Date.parse(evidence.evidence.artifact.createdAt ?? "") : Number.NaN;
    return theirs > ours && evidence.ok && evidence.evidence.artifact.digest !== plan.request.artifact.digest;
  });
}

function sameLane(plan: PromotionPlan, open: readonly PromotionPullRequest[]): PromotionPullRequest[] {
  const lane = parsePromotionBranch(plan.branch);
  if (!lane) return [];
  return open.filter((p) => {
    const other = parsePromotionBranch(p.branch);
    return other !== undefined && p.branch !== plan.branch && isSameLane(lane, other);
  });
}

/**
 * Closes open PRs of the same lane numbered below `pr` (the newest PR wins, so two concurrent calls
 * never close each other). A failure to close one is logged and left for the next call to repair.
 */
async function supersedeOlder(repo: EnvironmentsRepoPort, plan: PromotionPlan, pr: PromotionPullRequest, open: readonly PromotionPullRequest[], log: Logger): Promise<number[]> {
  const closed: number[] = [];
  const { artifact } = plan.request;
  const comment = `Superseded by #${pr.number} (${pr.url}), which ${plan.request.kind === "rollback" ? "rolls back to" : "promotes"} \`sha256:${shortDigest(artifact.digest)}\`${artifact.tag ? ` (${artifact.tag})` : ""}.`;
  for (const older of sameLane(plan, open).filter((p) => p.number < pr.number)) {
    try {
      await repo.closePromotion(older.number, comment);
      closed.push(older.number);
      log.info({ closed: older.number, by: pr.number }, "older promotion superseded");
    } catch (error) {
      log.warn({ err: error, pr: older.number }, "could not close superseded promotion; the next promote call retries");
    }
  }
  return closed;
}
