import { getEnvironment, getService } from "../core/config/index.js";
import { parseSealedBody } from "../core/evidence/body.js";
import type { Evidence } from "../core/evidence/schema.js";
import { parseTrailers, getTrailer } from "../core/evidence/trailers.js";
import { diffDeployedDigests, readDeployedDigests, getDeployed } from "../core/lifecycle/digests.js";
import { recognizeRollback } from "../core/lifecycle/revert.js";
import { silentLogger } from "../core/logger.js";
import { parsePromotionTrailers, shortDigest } from "../core/plan/index.js";
import type { Artifact } from "../core/artifact.js";
import type { CommitInfo } from "../core/ports/commits.js";
import type { Deployment } from "../core/ports/deployments.js";
import type { LoadedConfig } from "../core/config/index.js";
import { isStagegateMerge, repairEvidenceNote, type MergedPullRequest } from "./evidence-note.js";
import { deploymentEvent, emitNotification } from "./notify-event.js";
import { botOf, loadSnapshotConfig, VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";
import { metricsOf } from "./lifecycle-metrics.js";
import type { RollbackReason } from "../observability/metrics.js";

/** One deployment a push created (or found already created). */
export interface RecordedDeployment {
  deployment: Deployment;
  created: boolean;
  /** Why it counts as a rollback, when it does. */
  rollbackReason?: string;
}

/** `#12` → 12. */
function prNumberOf(message: string): number | undefined {
  const value = getTrailer(parseTrailers(message), "Stagegate-PR");
  const match = /^#?(\d+)$/.exec(value?.trim() ?? "");
  return match ? Number(match[1]) : undefined;
}

/**
 * Records the deployments a push to the default branch implies: one per (environment, service)
 * whose digest changed between `before` and `after` (DESIGN.md §2 step 5). Idempotent: the
 * deployments port keys them on (environment, service, commit), so a redelivered push records nothing twice.
 * A change that moves a digest back (a Stagegate rollback, a revert by a person, or any return to a
 * digest the environment ran before) is recorded as a rollback deployment and noted on the PR that
 * brought the digest being replaced. Older deployments of the same lane are marked inactive.
 * When `after` is a Stagegate merge commit without its evidence note (a fault between the merge and the
 * note write), the note is rebuilt and appended (repairEvidenceNote); `repairNote: false` is for
 * mergePromotion, which writes the complete note itself right after.
 */
export async function recordPush(deps: LifecycleDeps, push: { before: string; after: string }, options: { repairNote?: boolean } = {}): Promise<RecordedDeployment[]> {
  const { out, commit, merged, loaded } = await recordDeployments(deps, push);
  // A Stagegate merge whose note was lost to a fault after the merge gets it back here (level-triggered).
  if (options.repairNote !== false && merged && isStagegateMerge(commit)) await repairEvidenceNote(deps, commit, merged, loaded, out);
  return out;
}

async function recordDeployments(deps: LifecycleDeps, push: { before: string; after: string }): Promise<{ out: RecordedDeployment[]; commit: CommitInfo; merged: MergedPullRequest | undefined; loaded: LoadedConfig }> {
  const log = (deps.log ?? silentLogger).child({ before: push.before, after: push.after });
  const [beforeSnap, afterSnap, commit] = await Promise.all([deps.commits.readSnapshotAt(push.before), deps.commits.readSnapshotAt(push.after), deps.commits.getCommit(push.after)]);
  const loaded = loadSnapshotConfig(afterSnap);
  const afterDigests = readDeployedDigests(afterSnap, loaded);
  const changes = diffDeployedDigests(readDeployedDigests(beforeSnap, loaded), afterDigests).filter((c) => c.digest !== undefined);
  const pullRequest = prNumberOf(commit.message);
  const out: RecordedDeployment[] = [];
  // The merged PR's evidence knows more about the artifact than the trailers (source author, build time) and who asked.
  const merged = pullRequest !== undefined && (changes.length > 0 || isStagegateMerge(commit)) ? await readMerged(deps, pullRequest) : undefined;
  if (changes.length === 0) return { out, commit, merged, loaded };
  const changedFiles = new Set(await deps.commits.changedFiles(push.before, push.after));
  const trailers = parsePromotionTrailers(parseTrailers(commit.message));
  const prEvidence = merged?.evidence;
  for (const change of changes) {
    const digest = change.digest!;
    const env = getEnvironment(loaded, change.environment)!;
    const service = getService(loaded, change.service)!;
    const history = await deps.deployments.listDeployments({ environment: env.name, service: service.name });
    const earlier = new Set(history.map((d) => d.digest).filter((d) => d !== change.previous));
    const recognition = recognizeRollback(commit.message, digest, earlier);
    const ours = trailers && trailers.service === service.name && trailers.environment === env.name && trailers.digest === digest ? trailers : undefined;
    const knownArtifact = history.find((d) => d.digest === digest)?.payload.artifact;
    const fromPr = prEvidence && prEvidence.environment === env.name && prEvidence.artifact.digest === digest ? prEvidence : undefined;
    const requestedBy = fromPr?.requestedBy;
    const previousTag = fromPr?.previous.find((p) => p.digest === change.previous)?.tag;
    const artifact: Artifact = fromPr
      ? fromPr.artifact
      : ours
      ? { service: service.name, image: service.image, digest, ...(ours.tag ? { tag: ours.tag } : {}), ...(ours.source ? { source: ours.source } : {}) }
      : (knownArtifact ?? { service: service.name, image: service.image, digest });
    const files = (getDeployed(afterDigests, env.name, service.name)?.files ?? []).filter((f) => changedFiles.has(f));
    const replaced = history.find((d) => d.digest === change.previous);
    const { deployment, created } = await deps.deployments.createDeployment({
      environment: env.name,
      ref: push.after,
      payload: {
        service: service.name,
        digest,
        kind: recognition.rollback ? "rollback" : "promotion",
        ...(change.previous ? { previousDigest: change.previous } : {}),
        ...(previousTag ? { previousTag } : {}),
        artifact,
        ...(pullRequest !== undefined ? { pullRequest } : {}),
        files,
        ...(recognition.rollback && replaced ? { rollbackOf: replaced.id } : {}),
        ...(recognition.rollback ? { reason: recognition.reason } : {}),
        ...(requestedBy ? { requestedBy } : {}),
      },
    });
    out.push({ deployment, created, ...(recognition.rollback ? { rollbackReason: recognition.reason } : {}) });
    if (!created) continue;
    log.info({ deployment: deployment.id, kind: deployment.kind }, "deployment recorded");
    metricsOf(deps).recordDeployment({ environment: env.name, result: "created" });
    if (recognition.rollback) metricsOf(deps).recordRollback({ environment: env.name, reason: rollbackReason(fromPr, replaced) });
    emitNotification(deps, loaded, deploymentEvent(deps, recognition.rollback ? "rolled-back" : "deployed", deployment, { summary: recognition.rollback ? `rolled back to sha256:${shortDigest(digest)}: ${recognition.reason}` : `deployment ${deployment.id} created from ${push.after.slice(0, 12)}`, actor: commit.author.name }));
    for (const older of history) {
      const last = older.statuses.at(-1)?.state;
      if (older.id !== deployment.id && last !== "inactive") {
        await deps.deployments.addDeploymentStatus(older.id, { state: "inactive", description: `superseded by ${deployment.id}`, creator: botOf(deps) });
        metricsOf(deps).recordDeployment({ environment: env.name, result: "inactive" });
      }
    }
    if (recognition.rollback && replaced?.payload.pullRequest !== undefined && replaced.payload.pullRequest !== pullRequest) {
      const by = pullRequest !== undefined ? `#${pullRequest}` : `${commit.sha.slice(0, 12)} by ${commit.author.name}`;
      await deps.repo.comment(
        replaced.payload.pullRequest,
        `Rolled back in ${env.name}: ${service.name} moved from \`sha256:${shortDigest(replaced.digest)}\` back to \`sha256:${shortDigest(digest)}\` (${recognition.reason}) by ${by}. Recorded as rollback deployment \`${deployment.id}\`.`,
      );
    }
  }
  return { out, commit, merged, loaded };
}

/**
 * Why a rollback deployment happened, for stagegate_rollbacks_total: a commit that is not Stagegate's
 * rollback PR is a person's revert; Stagegate's rollback follows a deployer-reported failure of the
 * replaced deployment, else its own verification (timeout, health, metrics).
 */
function rollbackReason(fromPr: Evidence | undefined, replaced: Deployment | undefined): RollbackReason {
  if (fromPr?.kind !== "rollback") return "manual_revert";
  const deployerFailed = replaced?.statuses.some((s) => s.creator !== VERIFIER && (s.state === "failure" || s.state === "error"));
  return deployerFailed ? "deployment_failed" : "verification_failed";
}

async function readMerged(deps: LifecycleDeps, number: number): Promise<MergedPullRequest | undefined> {
  try {
    const pr = await deps.pulls.getPullRequest(number);
    // A block Stagegate did not seal vouches for nothing (who asked, the artifact's author): the trailers speak instead.
    const parsed = parseSealedBody(pr.body, deps.seal, pr);
    if (parsed.ok) return { pr, evidence: parsed.evidence };
    if (parsed.error === "unsealed") deps.log?.warn({ pr: number, reason: parsed.message }, "merged PR's evidence is not sealed by this Stagegate: recorded from the commit's trailers");
    return undefined;
  } catch {
    return undefined; // a PR number in a hand-written trailer that does not exist: fall back to the trailers
  }
}
