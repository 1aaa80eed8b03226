/**
 * How the lifecycle services feed the app's Prometheus metrics (docs/observability.md). Services call
 * these helpers with their deps; without `deps.metrics` (CLI, local mode, tests) nothing is recorded.
 */
import type { GateResult } from "../core/gates/types.js";
import type { CheckReport } from "../core/ports/checks.js";
import type { Deployment } from "../core/ports/deployments.js";
import { noopMetrics, type PromotionOutcome, type StagegateMetrics } from "../observability/metrics.js";
import type { PromoteStatus } from "./promote.js";

/** The deps' metrics, or the no-op facade. */
export function metricsOf(deps: { metrics?: StagegateMetrics | undefined }): StagegateMetrics {
  return deps.metrics ?? noopMetrics;
}

const PROMOTION_LABEL: Partial<Record<PromoteStatus, PromotionOutcome>> = { opened: "opened", exists: "exists", superseded: "superseded", "already-promoted": "already_promoted" };

/** Counts a promote() outcome; `not-referenced` (nothing to promote there) is not a promotion attempt worth a series. */
export function recordPromoteOutcome(deps: { metrics?: StagegateMetrics | undefined }, environment: string, status: PromoteStatus): void {
  const outcome = PROMOTION_LABEL[status];
  if (outcome) metricsOf(deps).recordPromotion({ environment, outcome });
}

/**
 * Counts gate evaluations whose check was actually written (created or changed) by this evaluation, so
 * the counter reads "verdicts reported", not "times a tick looked": an unchanged check is not counted.
 * `checkName` maps a result to its check name; the summary `stagegate` check is not a gate.
 */
export function recordWrittenGates(deps: { metrics?: StagegateMetrics | undefined }, results: readonly GateResult[], written: readonly CheckReport[], checkName: (r: GateResult) => string): void {
  const names = new Set(written.map((c) => c.name));
  for (const r of results) {
    if (!names.has(checkName(r))) continue;
    metricsOf(deps).recordGateEvaluation({ gate: r.gate, conclusion: r.conclusion === "pending" ? "in_progress" : r.conclusion });
  }
}

/**
 * Seconds from the artifact's source commit (else its build time) to `at`, when the deployment's
 * artifact says when that was; undefined when unknown or negative (clock skew).
 */
export function leadTimeSeconds(deployment: Pick<Deployment, "payload">, at: Date): number | undefined {
  const artifact = deployment.payload.artifact;
  const start = Date.parse(artifact?.source?.committedAt ?? artifact?.createdAt ?? "");
  if (Number.isNaN(start)) return undefined;
  const seconds = (at.getTime() - start) / 1000;
  return seconds >= 0 ? seconds : undefined;
}
