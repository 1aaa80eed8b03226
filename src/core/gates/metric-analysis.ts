import { compileExpression, type CompiledExpression } from "../expr/index.js";
import type { MeasurementFact } from "./facts.js";
import type { MetricSpec } from "./metric-spec.js";

/** Argo Rollouts' measurement phases. */
export type MeasurementPhase = "successful" | "failed" | "inconclusive" | "error";

/** Argo Rollouts' metric phases: running until a limit is crossed or `count` measurements are done. */
export type MetricPhase = "running" | "successful" | "failed" | "inconclusive" | "error";

export interface AssessedMeasurement {
  at: string;
  phase: MeasurementPhase;
  value?: unknown;
  message?: string;
}

export interface MetricAssessment {
  phase: MetricPhase;
  /** Why the phase was reached, one line. */
  reason: string;
  counts: { successful: number; failed: number; inconclusive: number; error: number; consecutiveError: number; count: number };
  /** The measurements that decided (those after a terminal phase are ignored, as Argo stops measuring). */
  measurements: AssessedMeasurement[];
  /** Running only: when the next measurement is due (ISO 8601). */
  nextMeasurementAt?: string;
}

const SPECIAL: Record<string, number> = { NaN: Number.NaN, "+Inf": Infinity, Inf: Infinity, "-Inf": -Infinity };

/**
 * Prometheus sends NaN and ±Inf as strings and JSON cannot carry them as numbers, so stored
 * measurements may hold "NaN"/"+Inf"/"-Inf" (or numeric strings): turn them back into numbers.
 */
export function normalizeMetricValue(value: unknown): unknown {
  if (typeof value === "string") {
    if (Object.hasOwn(SPECIAL, value)) return SPECIAL[value];
    const n = Number(value);
    return value.trim() !== "" && !Number.isNaN(n) ? n : value;
  }
  if (Array.isArray(value)) return value.map(normalizeMetricValue);
  return value;
}

/**
 * Argo's evaluate.EvaluateResult: with both conditions, failure wins, then success, else
 * inconclusive; with only successCondition, not-success is failed; with only failureCondition,
 * not-failed is successful; with neither, every measurement succeeds. An expression error is an error.
 */
export function evaluateMeasurement(conditions: { success?: CompiledExpression; failure?: CompiledExpression }, value: unknown): { phase: MeasurementPhase; message?: string } {
  const env = { result: normalizeMetricValue(value) };
  const check = (expr: CompiledExpression): boolean => {
    const out = expr.evaluate(env);
    if (typeof out !== "boolean") throw new Error(`condition "${expr.source}" returned ${JSON.stringify(out)}, not a bool`);
    return out;
  };
  try {
    let success = conditions.success ? check(conditions.success) : false;
    let failure = conditions.failure ? check(conditions.failure) : false;
    if (!conditions.success && !conditions.failure) return { phase: "successful" };
    if (conditions.success && !conditions.failure) failure = !success;
    if (!conditions.success && conditions.failure) success = !failure;
    if (failure) return { phase: "failed" };
    return success ? { phase: "successful" } : { phase: "inconclusive" };
  } catch (error) {
    return { phase: "error", message: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Replays Argo Rollouts' assessMetricStatus over the measurements taken so far (oldest first),
 * stopping at the first terminal phase. Condition syntax errors throw ExpressionError (terminal: the
 * policy is wrong); evaluation errors of one measurement make that measurement an error.
 */
export function assessMetric(spec: MetricSpec, measurements: readonly MeasurementFact[]): MetricAssessment {
  const conditions = {
    ...(spec.successCondition !== undefined ? { success: compileExpression(spec.successCondition) } : {}),
    ...(spec.failureCondition !== undefined ? { failure: compileExpression(spec.failureCondition) } : {}),
  };
  const counts = { successful: 0, failed: 0, inconclusive: 0, error: 0, consecutiveError: 0, count: 0 };
  const assessed: AssessedMeasurement[] = [];
  const sorted = [...measurements].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const m of sorted) {
    const outcome = m.phase === "error" ? { phase: "error" as const, message: m.message ?? "measurement failed" } : evaluateMeasurement(conditions, m.value);
    assessed.push({ at: m.at, phase: outcome.phase, ...(m.value !== undefined ? { value: m.value } : {}), ...(outcome.message ? { message: outcome.message } : {}) });
    if (outcome.phase === "error") {
      counts.error++;
      counts.consecutiveError++;
    } else {
      counts[outcome.phase]++;
      counts.count++;
      counts.consecutiveError = 0;
    }
    const terminal = terminalPhase(spec, counts);
    if (terminal) return { ...terminal, counts, measurements: assessed };
  }
  const last = assessed.at(-1);
  const reason = last ? `${counts.count} of ${spec.count} measurements taken` : "no measurement taken yet";
  const nextMeasurementAt = last ? new Date(Date.parse(last.at) + spec.intervalMs).toISOString() : undefined;
  return { phase: "running", reason, counts, measurements: assessed, ...(nextMeasurementAt ? { nextMeasurementAt } : {}) };
}

function terminalPhase(spec: MetricSpec, c: MetricAssessment["counts"]): { phase: MetricPhase; reason: string } | undefined {
  if (c.failed > spec.failureLimit) return { phase: "failed", reason: `${c.failed} failed measurement${c.failed === 1 ? "" : "s"} > failureLimit ${spec.failureLimit}` };
  if (c.inconclusive > spec.inconclusiveLimit) return { phase: "inconclusive", reason: `${c.inconclusive} inconclusive measurement${c.inconclusive === 1 ? "" : "s"} > inconclusiveLimit ${spec.inconclusiveLimit}` };
  if (c.consecutiveError > spec.consecutiveErrorLimit) return { phase: "error", reason: `${c.consecutiveError} consecutive errors > consecutiveErrorLimit ${spec.consecutiveErrorLimit}` };
  if (c.count >= spec.count) return { phase: "successful", reason: `${c.count} measurements done (${c.successful} successful, ${c.failed} failed, ${c.inconclusive} inconclusive)` };
  return undefined;
}

/** True when the caller should take a measurement now: the metric is still running and the interval has passed. */
export function isMeasurementDue(spec: MetricSpec, measurements: readonly MeasurementFact[], now: Date): boolean {
  const assessment = assessMetric(spec, measurements);
  if (assessment.phase !== "running") return false;
  return assessment.nextMeasurementAt === undefined || now.getTime() >= Date.parse(assessment.nextMeasurementAt);
}
