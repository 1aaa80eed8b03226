import type { DashboardIssuesPort } from "../core/dashboard/port.js";
import { silentLogger } from "../core/logger.js";
import type { Deployment } from "../core/ports/deployments.js";
import { ensureNextStages, ensureRollback, type NextStageOutcome, type RollbackOutcome } from "./after-verdict.js";
import { refreshDashboard, type DashboardOutcome } from "./dashboard.js";
import { evaluatePromotion, type EvaluateOutcome } from "./evaluate-promotion.js";
import { splitJsonValues } from "../core/audit/note-schema.js";
import { loadSnapshotConfig, VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";
import { isStagegateMerge } from "./evidence-note.js";
import { recordPush, type RecordedDeployment } from "./record-push.js";
import { verifyDeployment, type VerifyOutcome } from "./verify.js";

/** What one reconcile pass found and did. */
export interface TickReport {
  recorded: RecordedDeployment[];
  verifications: VerifyOutcome[];
  nextStages: { deployment: string; stages: NextStageOutcome[] }[];
  rollbacks: { deployment: string; outcome: RollbackOutcome }[];
  evaluations: EvaluateOutcome[];
  /** Present when a dashboard port was given. */
  dashboard?: DashboardOutcome;
}

/** How far back a tick looks for pushes without deployments (the push handler normally records them). */
const PUSH_WINDOW = 50;

/**
 * Reconciles everything (DESIGN.md "events are hints, state is in git"): records deployments for
 * pushes nobody recorded, advances the verification of the latest deployment of every
 * (environment, service), opens next-stage PRs for verified ones and rollbacks for failed ones,
 * and re-evaluates every open promotion PR (which may merge it). Level-triggered and idempotent:
 * running it twice in a row does nothing the second time.
 */
export async function tick(deps: LifecycleDeps & { dashboard?: DashboardIssuesPort; repoName?: string }): Promise<TickReport> {
  const log = (deps.log ?? silentLogger).child({ op: "tick" });
  const report: TickReport = { recorded: [], verifications: [], nextStages: [], rollbacks: [], evaluations: [] };
  report.recorded = await reconcilePushes(deps);

  const snapshot = await deps.repo.readSnapshot();
  const loaded = loadSnapshotConfig(snapshot);
  const deployments = await deps.deployments.listDeployments();
  for (const deployment of latestPerLane(deployments)) {
    const outcome = await verifyDeployment(deps, deployment, loaded);
    report.verifications.push(outcome);
    if (outcome.changed) await noteVerdict(deps, deployment, outcome);
    // A verdict posted just now is not in `deployments` yet: let ensureNextStages read them again then.
    const known = outcome.changed ? undefined : deployments;
    if (outcome.verdict === "verified") report.nextStages.push({ deployment: deployment.id, stages: await ensureNextStages(deps, deployment, loaded, snapshot, known) });
    if (outcome.verdict === "failed") report.rollbacks.push({ deployment: deployment.id, outcome: await ensureRollback(deps, deployment, loaded, snapshot) });
  }

  for (const pr of await deps.repo.listOpenPromotions()) {
    try {
      report.evaluations.push(await evaluatePromotion(deps, pr.number));
    } catch (error) {
      // One broken PR must not stop the others; the next tick tries again.
      log.warn({ err: error, pr: pr.number }, "evaluation failed");
    }
  }
  // Last, so the dashboard shows what this pass did; a failure here must not fail the reconcile.
  if (deps.dashboard) {
    try {
      report.dashboard = await refreshDashboard({ ...deps, issues: deps.dashboard });
    } catch (error) {
      log.warn({ err: error }, "dashboard refresh failed");
    }
  }
  return report;
}

/** The newest deployment of each (environment, service): the one whose health matters now. */
function latestPerLane(deployments: readonly Deployment[]): Deployment[] {
  const seen = new Map<string, Deployment>();
  for (const d of deployments) {
    const key = `${d.environment}\u0000${d.service}`;
    const current = seen.get(key);
    if (!current || d.createdAt > current.createdAt) seen.set(key, d);
  }
  return [...seen.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
}

/** Records deployments of first-parent commits newer than the newest commit that has one (a lost push event). */
async function reconcilePushes(deps: LifecycleDeps): Promise<RecordedDeployment[]> {
  const head = await deps.commits.getDefaultHead();
  const history = await deps.commits.listFirstParent(head, PUSH_WINDOW);
  const deployed = new Set((await deps.deployments.listDeployments()).map((d) => d.ref));
  const cut = history.findIndex((c) => deployed.has(c.sha));
  const pending = (cut === -1 ? history : history.slice(0, cut)).filter((c) => c.parents[0] !== undefined).reverse();
  const out: RecordedDeployment[] = [];
  for (const commit of pending) out.push(...(await recordPush(deps, { before: commit.parents[0]!, after: commit.sha })).filter((r) => r.created));
  return out;
}

/** Appends the verdict to the evidence note of the deployment's commit (notes only grow). */
export async function noteVerdict(deps: LifecycleDeps, deployment: Deployment, outcome: VerifyOutcome): Promise<void> {
  // Only commits Stagegate merged carry an evidence note; a part without one would read as an invalid note.
  if ((await deps.notes.readNote(deployment.ref)) === undefined && !(await repairNoteOf(deps, deployment.ref))) return;
  await deps.notes.appendNote(deployment.ref, verdictPart(deployment, outcome.verdict === "verified" ? "success" : "failure", deps.clock.now().toISOString(), outcome.detail));
}

/** The note part recording a verdict: `result` tells it from the merge's own deployments list. */
function verdictPart(deployment: Deployment, state: "success" | "failure", at: string, description: string): string {
  return JSON.stringify({ deployments: [{ id: deployment.id, environment: deployment.environment, service: deployment.service, kind: deployment.kind, state, result: state, at, description }] });
}

/**
 * Level-triggered twin of noteVerdict for a verdict posted earlier (`outcome.changed` false): when the
 * process died between posting the verdict status and noting it, the next event about that deployment
 * appends the part, from the verdict status itself (its time and description). One note read per call:
 * for event handlers of one deployment, not for every lane of every tick.
 */
export async function ensureVerdictNoted(deps: LifecycleDeps, deployment: Deployment, outcome: VerifyOutcome): Promise<boolean> {
  if (outcome.changed || (outcome.verdict !== "verified" && outcome.verdict !== "failed")) return false;
  const state = outcome.verdict === "verified" ? "success" : "failure";
  const status = deployment.statuses.find((s) => s.creator === VERIFIER && (state === "success" ? s.state === "success" : s.state === "failure" || s.state === "error"));
  if (!status) return false;
  const note = (await deps.notes.readNote(deployment.ref)) ?? ((await repairNoteOf(deps, deployment.ref)) ? await deps.notes.readNote(deployment.ref) : undefined);
  if (note === undefined || hasVerdictPart(note, deployment.id)) return false;
  await deps.notes.appendNote(deployment.ref, verdictPart(deployment, state, status.createdAt, status.description));
  return true;
}

function hasVerdictPart(note: string, id: Deployment["id"]): boolean {
  return splitJsonValues(note).some((part) => {
    try {
      const value = JSON.parse(part) as { deployments?: { id?: unknown; result?: unknown }[] };
      return value.deployments?.some((d) => d.id === id && d.result !== undefined) ?? false;
    } catch {
      return false;
    }
  });
}

/**
 * A Stagegate merge whose note a fault lost and no push event repaired (local mode has no push events;
 * the merge had recorded its deployments, so the push reconcile skips it): rebuilt now, before its
 * verdict is appended. Only reached when the note is missing, so it costs nothing on the common path.
 */
async function repairNoteOf(deps: LifecycleDeps, sha: string): Promise<boolean> {
  const commit = await deps.commits.getCommit(sha);
  if (!isStagegateMerge(commit) || commit.parents[0] === undefined) return false;
  await recordPush(deps, { before: commit.parents[0], after: sha });
  return (await deps.notes.readNote(sha)) !== undefined;
}
