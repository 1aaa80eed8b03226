import { ExpressionError } from "../expr/index.js";
import { assessMetric, type MetricAssessment } from "./metric-analysis.js";
import { MetricSpecError, resolveMetricSpec, type MetricSpec } from "./metric-spec.js";
import { gateName, result, type GateEvaluator } from "./types.js";

function table(assessment: MetricAssessment): string {
  const rows = assessment.measurements.slice(-20).map((m) => `| ${m.at} | \`${JSON.stringify(m.value ?? null)}\` | ${m.phase}${m.message ? `: ${m.message.replaceAll("|", "\\|")}` : ""} |`);
  return rows.length === 0 ? "No measurement yet." : ["| at | result | phase |", "|---|---|---|", ...rows].join("\n");
}

function describe(spec: MetricSpec): string {
  const lines = [`Metric \`${spec.name}\`: ${spec.count} measurement${spec.count === 1 ? "" : "s"} every ${spec.interval}.`];
  if (spec.prometheus) lines.push("", "```promql", spec.prometheus.query, "```");
  if (spec.successCondition) lines.push(`successCondition: \`${spec.successCondition}\``);
  if (spec.failureCondition) lines.push(`failureCondition: \`${spec.failureCondition}\``);
  lines.push(`Limits: failure ${spec.failureLimit}, inconclusive ${spec.inconclusiveLimit}, consecutive errors ${spec.consecutiveErrorLimit}.`);
  return lines.join("\n");
}

/**
 * `metrics`: Argo Rollouts AnalysisRun semantics over the measurements the tick has taken
 * (facts.metrics[gate name]). Inconclusive is reported as neutral with the reason.
 */
export const evaluateMetrics: GateEvaluator<"metrics"> = (spec, facts, ctx) => {
  const metricFacts = facts.metrics?.[gateName(spec)];
  let metric: MetricSpec;
  let assessment: MetricAssessment;
  try {
    metric = resolveMetricSpec(spec, ctx, metricFacts?.analysisTemplate);
    assessment = assessMetric(metric, metricFacts?.measurements ?? []);
  } catch (error) {
    if (error instanceof MetricSpecError || error instanceof ExpressionError) {
      return result(spec, { conclusion: "failure", summary: `metrics gate misconfigured: ${error.message}`, details: "Fix the gate or its AnalysisTemplate in the default branch; the gate is re-evaluated on the next change." });
    }
    throw error;
  }
  const details = `${describe(metric)}\n\n${table(assessment)}`;
  const evidence = { metric: metric.name, counts: assessment.counts, measurements: assessment.measurements.slice(-20) };
  switch (assessment.phase) {
    case "successful":
      return result(spec, { conclusion: "success", summary: assessment.reason, details, evidence });
    case "failed":
      return result(spec, { conclusion: "failure", summary: assessment.reason, details, evidence });
    case "error":
      return result(spec, { conclusion: "failure", summary: `error: ${assessment.reason}`, details, evidence });
    case "inconclusive":
      return result(spec, { conclusion: "neutral", summary: `inconclusive: ${assessment.reason}`, details, evidence });
    case "running":
      return result(spec, { conclusion: "pending", summary: assessment.reason, details, evidence, nextEvaluationAt: assessment.nextMeasurementAt ?? ctx.now.toISOString() });
  }
};
