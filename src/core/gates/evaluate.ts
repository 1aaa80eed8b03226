import type { GateSpec } from "../config/gate-schemas.js";
import type { Policy } from "../config/policy-schema.js";
import type { GateFacts } from "./facts.js";
import { applyOverrides } from "./overrides.js";
import { GATE_EVALUATORS } from "./registry.js";
import { gateName, type GateConclusion, type GateContext, type GateEvaluator, type GateResult } from "./types.js";

/** The `stagegate` check: the AND of every gate. */
export interface SummaryResult {
  gate: "stagegate";
  conclusion: GateConclusion;
  summary: string;
  details: string;
  nextEvaluationAt?: string;
  evidence: { gates: Record<string, GateConclusion> };
}

const ICON: Record<GateConclusion, string> = { success: "✅", failure: "❌", neutral: "⚪", pending: "⏳" };

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function evaluateOne(spec: GateSpec, facts: GateFacts, ctx: GateContext): GateResult {
  const evaluator = GATE_EVALUATORS[spec.gate] as GateEvaluator<typeof spec.gate>;
  try {
    return evaluator(spec as never, facts, ctx);
  } catch (error) {
    // Evaluators are total; should one still throw, that gate fails visibly instead of hiding the others.
    const message = error instanceof Error ? error.message : String(error);
    return { gate: gateName(spec), type: spec.gate, conclusion: "failure", summary: `internal error: ${message}`, details: "Stagegate could not evaluate this gate. This is a bug; please report it." };
  }
}

/** Summarises results: failure if any failed, else pending if any pending, else success (neutral passes). */
export function summarizeGates(results: readonly GateResult[]): SummaryResult {
  const conclusion: GateConclusion = results.some((r) => r.conclusion === "failure") ? "failure" : results.some((r) => r.conclusion === "pending") ? "pending" : "success";
  const names = (c: GateConclusion) => results.filter((r) => r.conclusion === c).map((r) => r.gate);
  const passed = results.length - names("failure").length - names("pending").length;
  const summary =
    results.length === 0
      ? "no gates apply"
      : conclusion === "failure"
        ? `failed: ${names("failure").join(", ")}`
        : conclusion === "pending"
          ? `waiting for ${names("pending").join(", ")} (${passed}/${results.length} passed)`
          : `all ${results.length} gate${results.length === 1 ? "" : "s"} passed`;
  const next = results.map((r) => r.nextEvaluationAt).filter((t): t is string => t !== undefined).sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const rows = results.map((r) => `| ${ICON[r.conclusion]} | \`stagegate/${r.gate}\` | ${r.conclusion} | ${cell(r.summary)} | ${r.nextEvaluationAt ?? ""} |`);
  const details = results.length === 0 ? "No gate applies to this pull request." : ["| | gate | result | why | next evaluation |", "|---|---|---|---|---|", ...rows].join("\n");
  return {
    gate: "stagegate",
    conclusion,
    summary,
    details,
    ...(next !== undefined ? { nextEvaluationAt: next } : {}),
    evidence: { gates: Object.fromEntries(results.map((r) => [r.gate, r.conclusion])) },
  };
}

/**
 * Evaluates every gate of `policy` on pre-collected facts (pure), applies overrides, and summarises
 * them into the `stagegate` check.
 */
export function evaluateGates(policy: Pick<Policy, "gates" | "overrides">, facts: GateFacts, ctx: GateContext): { results: GateResult[]; summary: SummaryResult } {
  const results = policy.gates.map((spec) => applyOverrides(evaluateOne(spec, facts, ctx), policy.overrides, facts, ctx.now));
  return { results, summary: summarizeGates(results) };
}
