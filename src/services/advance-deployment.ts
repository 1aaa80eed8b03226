import { silentLogger } from "../core/logger.js";
import type { Deployment } from "../core/ports/deployments.js";
import { ensureNextStages, ensureRollback, type NextStageOutcome, type RollbackOutcome } from "./after-verdict.js";
import { loadSnapshotConfig, type LifecycleDeps } from "./lifecycle-deps.js";
import { ensureVerdictNoted, noteVerdict } from "./tick.js";
import { verifyDeployment, type VerifyOutcome } from "./verify.js";

export interface AdvanceOutcome {
  verification: VerifyOutcome;
  nextStages?: NextStageOutcome[];
  rollback?: RollbackOutcome;
}

/**
 * Moves ONE deployment on, as the tick does for every lane: verification (from the statuses the deployer
 * posted), the verdict noted on the commit, then next-stage PRs when verified or the rollback when failed.
 * For event handlers (a deployment or commit status just arrived); idempotent like the tick.
 */
export async function advanceDeployment(deps: LifecycleDeps, deployment: Deployment): Promise<AdvanceOutcome> {
  const snapshot = await deps.repo.readSnapshot();
  const loaded = loadSnapshotConfig(snapshot);
  const verification = await verifyDeployment(deps, deployment, loaded);
  if (verification.changed) await noteVerdict(deps, deployment, verification);
  else await ensureVerdictNoted(deps, deployment, verification);
  (deps.log ?? silentLogger).info({ deployment: deployment.id, verdict: verification.verdict, changed: verification.changed }, "deployment advanced");
  if (verification.verdict === "verified") return { verification, nextStages: await ensureNextStages(deps, deployment, loaded, snapshot) };
  if (verification.verdict === "failed") return { verification, rollback: await ensureRollback(deps, deployment, loaded, snapshot) };
  return { verification };
}
