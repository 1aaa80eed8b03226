import type { GateSpecOf, GateType } from "../config/gate-schemas.js";
import type { GateFacts } from "./facts.js";

/** A gate's verdict. `pending` is reported as an in_progress check run without conclusion. */
export type GateConclusion = "success" | "failure" | "neutral" | "pending";

/** Where and what is being gated. */
export interface GateContext {
  now: Date;
  /** Environment the PR promotes into. */
  environment: string;
  service: string;
  /** Digest being promoted (sha256:…). */
  digest: string;
  /** The environment's `from` list: its upstream environments. */
  upstream: string[];
}

/** The result of one gate, reported as the check run `stagegate/<gate>`. */
export interface GateResult {
  /** Check name suffix: the gate's `name`, or its type. */
  gate: string;
  type: GateType;
  conclusion: GateConclusion;
  /** One line (check run title). */
  summary: string;
  /** Markdown (check run summary). */
  details: string;
  /** When the gate should be evaluated again (ISO 8601); set when time alone can change the verdict. */
  nextEvaluationAt?: string;
  /** Machine-readable facts behind the verdict; recorded in the audit evidence. */
  evidence?: Record<string, unknown>;
}

/** A gate evaluator: pure, total (never throws for bad facts: it reports failure with the reason). */
export type GateEvaluator<T extends GateType> = (spec: GateSpecOf<T>, facts: GateFacts, ctx: GateContext) => GateResult;

/** The check-run name suffix of a gate: its `name` or its type. */
export function gateName(spec: { gate: GateType; name?: string | undefined }): string {
  return spec.name ?? spec.gate;
}

/** Builds a result for `spec` (fills gate and type). */
export function result(spec: { gate: GateType; name?: string | undefined }, fields: Omit<GateResult, "gate" | "type">): GateResult {
  return { gate: gateName(spec), type: spec.gate, ...fields };
}
