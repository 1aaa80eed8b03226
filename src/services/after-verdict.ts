import { getEnvironment, type LoadedConfig } from "../core/config/index.js";
import { toDeploymentFact } from "../core/gates/deployment-facts.js";
import { getDeployed, readDeployedDigests } from "../core/lifecycle/digests.js";
import { getDownstreamClosure, planNextStages } from "../core/lifecycle/next-stage.js";
import { planRollback, restrictToFiles, type RollbackDecision } from "../core/lifecycle/rollback.js";
import { silentLogger } from "../core/logger.js";
import { parsePromotionBranch, promotionBranch, shortDigest } from "../core/plan/index.js";
import type { Deployment } from "../core/ports/deployments.js";
import type { RepoSnapshot } from "../core/snapshot.js";
import { VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";
import { promote, type PromoteDeps, type PromoteOutcome } from "./promote.js";
import { deploymentEvent, emitNotification } from "./notify-event.js";

/** Check reported on the failed deployment's commit when a rollback is refused. */
export const ROLLBACK_CHECK = "stagegate/rollback";

export interface NextStageOutcome {
  environment: string;
  /** opened/exists/…: what promote() did; waiting: upstreams not verified yet; closed-before: a person or Stagegate closed that PR. */
  status: PromoteOutcome["status"] | "waiting" | "closed-before" | "manual";
  pr?: number;
  waitingFor?: string[];
}

/**
 * After `deployment` is verified: opens promotion PRs into each downstream environment whose `auto`
 * is pr or merge and whose every upstream has the digest verified (DESIGN.md §2 step 6). Idempotent:
 * promote() finds the open PR; a PR of the same branch that was closed unmerged is not reopened.
 */
export async function ensureNextStages(deps: LifecycleDeps, deployment: Deployment, loaded: LoadedConfig, snapshot: RepoSnapshot, known?: readonly Deployment[]): Promise<NextStageOutcome[]> {
  const log = (deps.log ?? silentLogger).child({ deployment: deployment.id });
  const all = (known ?? (await deps.deployments.listDeployments({ service: deployment.service }))).filter((d) => d.service === deployment.service);
  const facts = all.map((d) => toDeploymentFact(d, { verifier: VERIFIER }));
  const running = readDeployedDigests(snapshot, loaded);
  const out: NextStageOutcome[] = [];
  for (const stage of planNextStages(loaded, deployment.environment, deployment.digest, facts)) {
    // Already there (merged, or put there by hand), or it was there once and was rolled back or
    // replaced: never propose it again automatically (a person can still promote it by hand).
    const wasThere = all.some((d) => d.environment === stage.environment && d.digest === deployment.digest);
    if (wasThere || getDeployed(running, stage.environment, deployment.service)?.digests.includes(deployment.digest)) {
      out.push({ environment: stage.environment, status: "already-promoted" });
      continue;
    }
    if (stage.auto === "none") {
      out.push({ environment: stage.environment, status: "manual" });
      continue;
    }
    if (!stage.ready) {
      out.push({ environment: stage.environment, status: "waiting", waitingFor: stage.waitingFor });
      continue;
    }
    const branch = promotionBranch("promotion", stage.environment, deployment.service, deployment.digest);
    const earlier = await deps.pulls.findPullRequestsByBranch(branch);
    const closed = earlier.find((p) => p.state === "closed");
    if (closed && !earlier.some((p) => p.state === "open")) {
      out.push({ environment: stage.environment, status: "closed-before", pr: closed.number });
      continue;
    }
    const artifact = deployment.payload.artifact ?? { service: deployment.service, image: loaded.config.services.find((s) => s.name === deployment.service)!.image, digest: deployment.digest };
    const outcome = await promote(
      promoteDeps(deps),
      { artifact, environment: stage.environment, from: deployment.environment, ...(deployment.payload.requestedBy ? { requestedBy: deployment.payload.requestedBy } : {}) },
      { snapshot, loaded },
    );
    log.info({ environment: stage.environment, status: outcome.status, pr: outcome.pr?.number }, "next stage");
    if (outcome.status === "opened" && outcome.pr) {
      const event = deploymentEvent(deps, "opened", { ...deployment, environment: stage.environment }, { summary: `verified in ${deployment.environment}; promotion PR opened`, pullRequest: { number: outcome.pr.number, url: outcome.pr.url } });
      emitNotification(deps, loaded, event);
    }
    out.push({ environment: stage.environment, status: outcome.status, ...(outcome.pr ? { pr: outcome.pr.number } : {}) });
  }
  return out;
}

export interface RollbackOutcome {
  decision: RollbackDecision;
  pr?: number;
  /** Downstream PRs of the failed digest closed by this call. */
  closed: number[];
}

/**
 * After `deployment` failed verification (DESIGN.md §2 step 7): closes the open downstream PRs of
 * that digest, then opens a rollback PR that sets the previous digest back in exactly the files the
 * failed change touched — or, when the rollback is refused (forward-only migrations, nothing to go
 * back to, a failed rollback), reports a failing `stagegate/rollback` check on the commit and says why
 * on the promotion PR. Idempotent: once the environment no longer runs the digest, nothing is done.
 */
export async function ensureRollback(deps: LifecycleDeps, deployment: Deployment, loaded: LoadedConfig, snapshot: RepoSnapshot): Promise<RollbackOutcome> {
  const closed = await closeDownstream(deps, deployment, loaded);
  const running = getDeployed(readDeployedDigests(snapshot, loaded), deployment.environment, deployment.service)?.digests ?? [];
  const decision = planRollback(loaded, deployment, running);
  if (decision.action === "none") return { decision, closed };
  const original = deployment.payload.pullRequest;
  if (decision.action === "refuse") {
    const existing = (await deps.checks.listChecks(deployment.ref)).find((c) => c.name === ROLLBACK_CHECK);
    if (existing?.conclusion !== "failure") {
      await deps.checks.writeChecks(deployment.ref, [{ name: ROLLBACK_CHECK, status: "completed", conclusion: "failure", title: "Automatic rollback refused", summary: decision.reason }]);
      if (original !== undefined) await deps.repo.comment(original, `Verification of \`sha256:${shortDigest(deployment.digest)}\` failed in ${deployment.environment}, and Stagegate did **not** open a rollback: ${decision.reason}`);
      emitNotification(deps, loaded, deploymentEvent(deps, "verification-failed", deployment, { summary: `verification failed; automatic rollback refused: ${decision.reason}` }));
    }
    return { decision, closed };
  }
  const env = getEnvironment(loaded, decision.environment)!;
  const previous = (await deps.deployments.listDeployments({ environment: env.name, service: decision.service })).find((d) => d.digest === decision.digest);
  const service = loaded.config.services.find((s) => s.name === decision.service)!;
  const tag = previous?.payload.artifact?.tag ?? deployment.payload.previousTag;
  const artifact = previous?.payload.artifact ?? { service: service.name, image: service.image, digest: decision.digest, ...(tag ? { tag } : {}) };
  const outcome = await promote(
    promoteDeps(deps),
    { artifact, environment: env.name, kind: "rollback", reason: decision.reason, requestedBy: VERIFIER },
    { snapshot: restrictToFiles(snapshot, env.path, decision.files), loaded },
  );
  // Once per failed deployment: the rollback PR is opened once (deterministic branch).
  if (outcome.status === "opened" && outcome.pr) emitNotification(deps, loaded, deploymentEvent(deps, "verification-failed", deployment, { summary: `verification failed; rollback PR #${outcome.pr.number} opened: ${decision.reason}`, mustAct: [] }));
  if (outcome.status === "opened" && outcome.pr && original !== undefined) {
    await deps.repo.comment(original, `Verification of \`sha256:${shortDigest(deployment.digest)}\` failed in ${env.name}: rollback PR #${outcome.pr.number} sets \`sha256:${shortDigest(decision.digest)}\` back in ${decision.files.map((f) => `\`${f}\``).join(", ") || "the files this PR changed"}.`);
  }
  return { decision, ...(outcome.pr ? { pr: outcome.pr.number } : {}), closed };
}

/** Closes open promotion PRs of the failed digest into environments downstream of where it failed. */
async function closeDownstream(deps: LifecycleDeps, deployment: Deployment, loaded: LoadedConfig): Promise<number[]> {
  const downstream = new Set(getDownstreamClosure(loaded, deployment.environment));
  const closed: number[] = [];
  for (const pr of await deps.repo.listOpenPromotions()) {
    const lane = parsePromotionBranch(pr.branch);
    if (!lane || lane.kind !== "promotion" || lane.service !== deployment.service || !downstream.has(lane.environment)) continue;
    if (lane.digest12 !== shortDigest(deployment.digest)) continue;
    await deps.repo.closePromotion(pr.number, `Closed: \`sha256:${shortDigest(deployment.digest)}\` failed verification in ${deployment.environment} (deployment \`${deployment.id}\`), so it must not move on.`);
    closed.push(pr.number);
  }
  return closed;
}

/** What promote() needs of the lifecycle's dependencies: the repository, and the log, metrics and seal when set. */
function promoteDeps(deps: LifecycleDeps): PromoteDeps {
  return { repo: deps.repo, ...(deps.log ? { log: deps.log } : {}), ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.seal ? { seal: deps.seal } : {}) };
}
