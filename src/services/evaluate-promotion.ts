import { getEnvironment, getPolicy, type LoadedConfig, type Policy } from "../core/config/index.js";
import { TerminalError } from "../core/errors.js";
import { parseSealedBody } from "../core/evidence/body.js";
import type { Evidence } from "../core/evidence/schema.js";
import { evaluateGates, type GateResult, type OverrideFact, type SummaryResult } from "../core/gates/index.js";
import { changedChecks, isGreen } from "../core/lifecycle/checks.js";
import { silentLogger, type Logger } from "../core/logger.js";
import { BRANCH_PREFIX, gatesFor, promotionBranch, SUMMARY_CHECK } from "../core/plan/index.js";
import type { CheckReport } from "../core/ports/checks.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import type { PullRequestComment } from "../core/ports/pull-requests.js";
import { evaluateChange } from "./evaluate-change.js";
import { gatherGateFacts } from "./gate-facts.js";
import { promotionIntegrityProblem } from "./promotion-integrity.js";
import { recordWrittenGates } from "./lifecycle-metrics.js";
import { keepStableHttpChecks, probeGates, withMeasurementBlocks } from "./probes.js";
import { botOf, isStagegateLogin, loadSnapshotConfig, type LifecycleDeps } from "./lifecycle-deps.js";
import { mergePromotion, type MergeOutcome } from "./merge-promotion.js";
import { emitNotification, gateEvents, promotionEvent } from "./notify-event.js";

/** `untrusted`: the PR changes more than its evidence declares, so it was evaluated as a hand-made change (promotion-integrity.ts). */
export type EvaluateStatus = "not-open" | "not-stagegate" | "untrusted" | "evaluated" | "merged";

export interface EvaluateOutcome {
  status: EvaluateStatus;
  pr: PromotionPullRequest;
  evidence?: Evidence;
  results: GateResult[];
  summary?: SummaryResult;
  /** Check names written by this call (only those that changed). */
  written: string[];
  merged?: MergeOutcome;
  /** Gates whose review SLA escalation this call posted. */
  escalated: string[];
  /** Why an auto-merge did not happen, when it was due. */
  note?: string;
}

export interface EvaluateOptions {
  /** `policy` (default): merge when the policy or the environment's auto says so and every gate passed. `never`: only report. */
  merge?: "policy" | "never";
}

/** A gate result as a check run. */
export function toCheckReport(name: string, r: { conclusion: GateResult["conclusion"]; summary: string; details: string; nextEvaluationAt?: string }): CheckReport {
  const report: CheckReport =
    r.conclusion === "pending"
      ? { name, status: "in_progress", title: r.summary, summary: r.details }
      : { name, status: "completed", conclusion: r.conclusion, title: r.summary, summary: r.details };
  if (r.nextEvaluationAt && r.conclusion === "pending") report.nextEvaluationAt = r.nextEvaluationAt;
  return report;
}

/** The gates a PR of `evidence.kind` must pass under `policy` (rollbacks take the fast path). */
function gatePolicy(policy: Policy, kind: Evidence["kind"]): Pick<Policy, "gates" | "overrides"> {
  return { gates: gatesFor(policy, kind), ...(policy.overrides ? { overrides: policy.overrides } : {}) };
}

/** Whether Stagegate merges this PR itself once green. */
function mergesItself(loaded: LoadedConfig, evidence: Evidence, policy: Policy): boolean {
  if (evidence.kind === "rollback") return policy.rollback.merge === "auto";
  const env = getEnvironment(loaded, evidence.environment);
  // The environment's own `auto`, else `defaults.auto` (as next-stage.ts reads it).
  return policy.merge.mode === "auto" || (env?.auto ?? loaded.config.defaults.auto) === "merge";
}

/**
 * Evaluates the gates of one promotion or rollback PR (DESIGN.md §2 steps 3–4): gathers facts through
 * the ports, evaluates them with the environment's policy read from the DEFAULT branch (a PR cannot
 * weaken its own gates), writes `stagegate/<gate>` and `stagegate` checks on the head when they
 * changed, escalates breached review SLAs once, and merges with the head pinned when the policy says so
 * and every gate passed. Level-triggered: safe to call on every event and every tick.
 */
export async function evaluatePromotion(deps: LifecycleDeps, number: number, options: EvaluateOptions = {}): Promise<EvaluateOutcome> {
  const log = (deps.log ?? silentLogger).child({ pr: number });
  const pr = await deps.pulls.getPullRequest(number);
  const base: EvaluateOutcome = { status: "not-open", pr, results: [], written: [], escalated: [] };
  if (pr.state !== "open") return base;
  // Only Stagegate's own PRs on its branches are judged by an evidence block: one copied into a PR
  // someone else opened (even sealed) makes it no promotion. Those are changes (evaluateChange).
  if (!pr.branch.startsWith(BRANCH_PREFIX) || !isStagegateLogin(deps, pr.author)) return { ...base, status: "not-stagegate" };
  // Stagegate's PR whose block was deleted, mangled, or not sealed by this Stagegate (rewritten, or from
  // elsewhere) vouches for nothing, not even who asked: refused, never judged as a change.
  const parsed = parseSealedBody(pr.body, deps.seal, pr);
  if (!parsed.ok) return refuseEvidence(deps, base, parsed.message, log);
  const evidence = parsed.evidence;
  // A sealed block pasted from another lane's PR (another environment, kind or artifact) declares a branch that is not this one.
  const declared = promotionBranch(evidence.kind, evidence.environment, evidence.service, evidence.artifact.digest);
  if (declared !== pr.branch) return refuseEvidence(deps, base, `its evidence block declares the change of branch ${declared}, not of ${pr.branch}`, log);
  const snapshot = await deps.repo.readSnapshot();
  const loaded = loadSnapshotConfig(snapshot);
  const env = getEnvironment(loaded, evidence.environment);
  if (!env) throw new TerminalError(`PR #${number} promotes into "${evidence.environment}", which stagegate.yaml no longer defines`, { pr: number });
  // The evidence chooses the gates only for a PR that changes what it declares, and nothing else.
  const untrusted = await promotionIntegrityProblem(deps, pr, evidence, env, loaded);
  if (untrusted) {
    log.warn({ reason: untrusted }, "promotion PR changes more than its evidence declares: evaluated as a change");
    const change = await evaluateChange(deps, number);
    return { ...base, status: "untrusted", results: change.results, ...(change.summary ? { summary: change.summary } : {}), written: change.written, note: `evaluated as a hand-made change: ${untrusted}` };
  }
  const policy = getPolicy(loaded, env);
  const gates = gatePolicy(policy, evidence.kind);
  const facts = await gatherGateFacts(deps, pr, evidence, gates.gates, policy, loaded);
  const comments = await deps.pulls.listComments(number);
  facts.overrides = readOverrides(comments);
  // Metrics and http gates: measurements kept in their own checks (services/probes.ts), read before evaluating.
  const probing = gates.gates.some((g) => g.gate === "metrics" || g.gate === "http");
  const existing = probing ? await deps.checks.listChecks(pr.headSha) : undefined;
  const target = { environment: env.name, service: evidence.service, digest: evidence.artifact.digest };
  const probed = existing ? await probeGates(deps, { gates: gates.gates, target, key: pr.headSha, files: snapshot.files, existing, checkName: (g) => `${SUMMARY_CHECK}/${g}` }) : undefined;
  if (probed) Object.assign(facts, { metrics: probed.metrics, http: probed.http });
  const now = deps.clock.now();
  const evaluated = evaluateGates(gates, facts, { now, ...target, upstream: env.from });
  const results = probed ? withMeasurementBlocks(evaluated.results, probed.blocks) : evaluated.results;
  const summary = evaluated.summary;

  const desired = [...results.map((r) => toCheckReport(`${SUMMARY_CHECK}/${r.gate}`, r)), toCheckReport(SUMMARY_CHECK, summary)];
  const current = existing ?? (await deps.checks.listChecks(pr.headSha));
  const httpChecks = new Set([...(probed?.httpGates ?? [])].map((g) => `${SUMMARY_CHECK}/${g}`));
  const changed = changedChecks(current, keepStableHttpChecks(current, desired, httpChecks));
  if (changed.length > 0) await deps.checks.writeChecks(pr.headSha, changed);
  recordWrittenGates(deps, results, changed, (r) => `${SUMMARY_CHECK}/${r.gate}`);
  const escalated = await escalate(deps, pr, results, comments);
  await dismissStaleApprovals(deps, pr, results);
  const outcome: EvaluateOutcome = { status: "evaluated", pr, evidence, results, summary, written: changed.map((c) => c.name), escalated };
  log.info({ summary: summary.conclusion, written: outcome.written }, "gates evaluated");
  for (const event of gateEvents(deps, evidence, pr, gates.gates, results, outcome.written, escalated, SUMMARY_CHECK)) emitNotification(deps, loaded, event);

  if (options.merge === "never" || summary.conclusion !== "success" || !mergesItself(loaded, evidence, policy)) return outcome;
  const merged = await mergePromotion(deps, { pr, evidence, results, summary, mergedBy: botOf(deps), method: policy.merge.method });
  emitNotification(deps, loaded, promotionEvent(deps, "merged", evidence, pr, { summary: `merged by ${botOf(deps)} (all gates passed)`, actor: botOf(deps) }));
  return { ...outcome, status: "merged", merged };
}

/**
 * A Stagegate PR whose evidence block is missing, unreadable, not sealed by this Stagegate or declares
 * another branch's change: no gate is evaluated (the block may lie about the environment, the kind or
 * who asked, and the PR's own author is Stagegate, so a change evaluation could not exclude the
 * requester either). The required `stagegate` check fails and says why and what to do.
 */
async function refuseEvidence(deps: LifecycleDeps, base: EvaluateOutcome, problem: string, log: Logger): Promise<EvaluateOutcome> {
  const summary: SummaryResult = {
    gate: "stagegate",
    conclusion: "failure",
    summary: "evidence block not as Stagegate wrote it: refused",
    details: [
      `This pull request is refused: ${problem}.`,
      "",
      "The hidden evidence block says what is promoted, where, and who asked; Stagegate seals it when it opens the pull request, so that it cannot be edited to pick weaker gates or to let the requester approve their own promotion. Edit the text around it, never the block.",
      "",
      "To go on: promote this artifact again (the intake, or `/stagegate promote <service> <digest> to <environment>`): Stagegate replaces the block with a sealed one, with the new request's requester. Or close this pull request.",
    ].join("\n"),
    evidence: { gates: {} },
  };
  const changed = changedChecks(await deps.checks.listChecks(base.pr.headSha), [toCheckReport(SUMMARY_CHECK, summary)]);
  if (changed.length > 0) await deps.checks.writeChecks(base.pr.headSha, changed);
  log.warn({ reason: problem }, "promotion PR's evidence block is not as Stagegate wrote it: refused");
  return { ...base, status: "untrusted", summary, written: changed.map((c) => c.name), note: `its evidence is refused: ${problem}` };
}

/**
 * Merges a PR for a person (`stagegate merge`), as branch protection would allow it: only when the
 * freshly evaluated `stagegate` check is green on the current head.
 */
export async function mergeAsPerson(deps: LifecycleDeps, number: number, mergedBy: string): Promise<EvaluateOutcome> {
  const outcome = await evaluatePromotion(deps, number, { merge: "never" });
  if (outcome.status === "not-open") throw new TerminalError(`pull request #${number} is ${outcome.pr.state}`, { pr: number });
  if (outcome.status === "not-stagegate") throw new TerminalError(`pull request #${number} carries no Stagegate evidence block`, { pr: number });
  if (outcome.status === "untrusted") throw new TerminalError(`refusing to merge #${number} as a promotion: ${outcome.note}`, { pr: number });
  const summaryCheck = (await deps.checks.listChecks(outcome.pr.headSha)).find((c) => c.name === SUMMARY_CHECK);
  if (!isGreen(summaryCheck)) {
    throw new TerminalError(`refusing to merge #${number}: the required check \`${SUMMARY_CHECK}\` is ${summaryCheck?.conclusion ?? summaryCheck?.status ?? "missing"} (${summaryCheck?.title ?? "not reported"})`, { pr: number });
  }
  const snapshot = await deps.repo.readSnapshot();
  const loaded = loadSnapshotConfig(snapshot);
  const policy = getPolicy(loaded, getEnvironment(loaded, outcome.evidence!.environment)!);
  const merged = await mergePromotion(deps, { pr: outcome.pr, evidence: outcome.evidence!, results: outcome.results, summary: outcome.summary!, mergedBy, method: policy.merge.method });
  emitNotification(deps, loaded, promotionEvent(deps, "merged", outcome.evidence!, outcome.pr, { summary: `merged by ${mergedBy}`, actor: mergedBy }));
  return { ...outcome, status: "merged", merged };
}

const OVERRIDE = /^\/stagegate override ([a-z0-9-]+)\s+reason:\s*(.+)$/m;
const CONFIRM = /^\/stagegate approve-override ([a-z0-9-]+)/m;

/**
 * `/stagegate override <gate> reason: …` comments and their `/stagegate approve-override <gate>`
 * confirmations. Whether the author may override is the gates' decision (applyOverrides), not ours.
 */
export function readOverrides(comments: readonly PullRequestComment[]): OverrideFact[] {
  const out: OverrideFact[] = [];
  for (const comment of comments) {
    // An edited comment is no command: anyone with write access can edit anyone's comment, and it would still be credited to its author.
    if (comment.edited) continue;
    const override = OVERRIDE.exec(comment.body);
    if (override?.[1] && override[2]) out.push({ gate: override[1], by: comment.user, reason: override[2].trim(), at: comment.createdAt });
    const confirm = CONFIRM.exec(comment.body);
    const target = confirm?.[1] ? [...out].reverse().find((o) => o.gate === confirm[1] && o.by !== comment.user && !o.confirmedBy) : undefined;
    if (target) Object.assign(target, { confirmedBy: comment.user, confirmedAt: comment.createdAt });
  }
  return out;
}

const ESCALATED = (gate: string) => `<!-- stagegate:escalated:${gate} -->`;

/** Posts the review-SLA escalation of each breached approvals gate once (a marker in the comment makes it idempotent). */
async function escalate(deps: LifecycleDeps, pr: PromotionPullRequest, results: readonly GateResult[], comments: readonly PullRequestComment[]): Promise<string[]> {
  const due = results.filter((r) => r.type === "approvals" && r.evidence?.["escalate"]);
  if (due.length === 0) return [];
  const done: string[] = [];
  for (const result of due) {
    if (comments.some((c) => c.body.includes(ESCALATED(result.gate)))) continue;
    const { mention, requestReviewFrom } = result.evidence!["escalate"] as { mention: string[]; requestReviewFrom: string[] };
    const names = mention.map((m) => `@${m.replace(/^@/, "")}`).join(" ");
    await deps.repo.comment(pr.number, `${ESCALATED(result.gate)}\n${names} the review SLA of \`stagegate/${result.gate}\` has passed: ${result.summary}. Please review.`);
    const teams = requestReviewFrom.filter((p) => p.includes("/")).map((p) => p.replace(/^@/, ""));
    const users = requestReviewFrom.filter((p) => !p.includes("/")).map((p) => p.replace(/^@/, ""));
    if (teams.length + users.length > 0) await deps.pulls.requestReviewers(pr.number, { users, teams });
    done.push(result.gate);
  }
  return done;
}

/**
 * Dismisses the approvals the approvals gates found given on an older head (`dismissStale`, the
 * default): the gate already does not count them, and dismissed they stop showing the PR as approved.
 * Level-triggered: a dismissed review is no longer a standing approval, so nothing is dismissed twice.
 */
async function dismissStaleApprovals(deps: LifecycleDeps, pr: PromotionPullRequest, results: readonly GateResult[]): Promise<void> {
  const stale = new Map<string, { user: string; commitSha: string }>();
  for (const result of results) {
    if (result.type !== "approvals") continue;
    for (const review of (result.evidence?.["stale"] ?? []) as { id: string; user: string; commitSha: string }[]) stale.set(review.id, review);
  }
  for (const [id, review] of stale) {
    await deps.pulls.dismissReview(pr.number, id, `Stagegate: @${review.user} approved ${review.commitSha.slice(0, 7)}; the head is now ${pr.headSha.slice(0, 7)}, so the approval no longer counts. Review the new head.`);
  }
}
