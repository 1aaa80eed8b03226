import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadAnalysisTemplate } from "../../../src/core/gates/analysis-template.js";
import type { MeasurementFact } from "../../../src/core/gates/facts.js";
import { assessMetric, isMeasurementDue } from "../../../src/core/gates/metric-analysis.js";
import { MetricSpecError, parseGoDuration, resolveMetricSpec } from "../../../src/core/gates/metric-spec.js";
import { evaluateMetrics } from "../../../src/core/gates/metrics.js";
import { ctx, DIGEST, facts, gate } from "./helpers.js";

const TEMPLATE = readFileSync(new URL("./fixtures/analysis-template.yaml", import.meta.url), "utf8");
const target = { environment: "prod", service: "checkout", digest: DIGEST };
const T0 = Date.parse("2024-06-03T09:00:00Z");
/** Measurements one minute apart; a value of "error" makes an error measurement. */
const series = (...values: unknown[]): MeasurementFact[] =>
  values.map((value, i) => (value === "error" ? { at: new Date(T0 + i * 60_000).toISOString(), phase: "error", message: "connection refused" } : { at: new Date(T0 + i * 60_000).toISOString(), value }));
const prometheus = { address: "http://prometheus.example.test:9090", query: "up" };

describe("metrics gate (Argo Rollouts semantics)", () => {
  const run = (params: Record<string, unknown>, measurements: MeasurementFact[]) =>
    evaluateMetrics(gate({ gate: "metrics", prometheus, successCondition: "result[0] >= 0.99", count: 3, interval: "1m", ...params }), facts({ metrics: { metrics: { measurements } } }), ctx());

  it.each<[string, Record<string, unknown>, unknown[], string, string]>([
    ["no measurement yet", {}, [], "pending", "no measurement taken yet"],
    ["one of three", {}, [[0.995]], "pending", "1 of 3 measurements taken"],
    ["three successes", {}, [[0.995], [0.999], [1]], "success", "3 measurements done (3 successful"],
    ["a failure over failureLimit 0", {}, [[0.995], [0.5]], "failure", "1 failed measurement > failureLimit 0"],
    ["a failure within failureLimit 1", { failureLimit: 1 }, [[0.5], [0.999], [0.999]], "success", "1 failed"],
    ["two failures over failureLimit 1", { failureLimit: 1 }, [[0.5], [0.999], [0.4]], "failure", "2 failed measurements > failureLimit 1"],
    ["inconclusive with both conditions", { failureCondition: "result[0] < 0.9" }, [[0.95]], "neutral", "inconclusive: 1 inconclusive measurement > inconclusiveLimit 0"],
    ["failure wins when both conditions hold", { successCondition: "result[0] > 0", failureCondition: "result[0] < 0.9" }, [[0.5]], "failure", "failed"],
    ["inconclusive within limit", { failureCondition: "result[0] < 0.9", inconclusiveLimit: 1, count: 2 }, [[0.95], [0.999]], "success", "1 inconclusive"],
    ["four errors are tolerated by default", {}, ["error", "error", "error", "error"], "pending", "0 of 3"],
    ["five consecutive errors fail", {}, ["error", "error", "error", "error", "error"], "failure", "error: 5 consecutive errors > consecutiveErrorLimit 4"],
    ["errors do not count towards count", { consecutiveErrorLimit: 1 }, [[0.999], "error", [0.999], "error", [0.999]], "success", "3 measurements done"],
    ["a good measurement resets consecutive errors", { consecutiveErrorLimit: 2 }, ["error", "error", [0.999], "error", "error"], "pending", "1 of 3"],
    ["an empty vector is an error measurement", { consecutiveErrorLimit: 0 }, [[]], "failure", "1 consecutive errors > consecutiveErrorLimit 0"],
    ["only failureCondition: not failed is success", { successCondition: undefined, failureCondition: "result[0] > 0.05", count: 1 }, [[0.01]], "success", "1 measurements done"],
    ["only failureCondition: failed", { successCondition: undefined, failureCondition: "result[0] > 0.05", count: 1 }, [[0.2]], "failure", "failed"],
    ["no condition: every measurement succeeds", { successCondition: undefined, count: 1 }, [[42]], "success", "done"],
    ["scalar results", { successCondition: "result < 5", count: 1 }, [3], "success", "done"],
    ["NaN and Inf as Prometheus sends them", { successCondition: undefined, failureCondition: "isNaN(result[0]) || isInf(result[1])", count: 1 }, [["NaN", "1"]], "failure", "failed"],
    ["stops at the first terminal phase", { failureCondition: "result[0] < 0.9" }, [[0.95], [0.1], [0.1]], "neutral", "inconclusive"],
  ])("%s", (_name, params, values, conclusion, summary) => {
    const r = run(params, series(...values));
    expect(r.conclusion).toBe(conclusion);
    expect(r.summary).toContain(summary);
  });

  it("schedules the next measurement one interval after the last, and measures at once when none exists", () => {
    expect(run({}, series([0.999], [0.999])).nextEvaluationAt).toBe("2024-06-03T09:02:00.000Z");
    expect(run({}, []).nextEvaluationAt).toBe(ctx().now.toISOString());
  });

  it("sorts measurements by time", () => {
    const [a, b] = series([0.5], [0.999]);
    const assessed = assessMetric(resolveMetricSpec(gate({ gate: "metrics", prometheus, successCondition: "result[0] > 0.9", failureLimit: 5, count: 2 }), target), [b!, a!]);
    expect(assessed.measurements.map((m) => m.phase)).toEqual(["failed", "successful"]);
  });

  it("reports a broken condition as misconfiguration", () => {
    const r = run({ successCondition: "result[0] >=" }, series([1]));
    expect(r.conclusion).toBe("failure");
    expect(r.summary).toContain("misconfigured");
  });

  it("tells the caller when a measurement is due", () => {
    const spec = resolveMetricSpec(gate({ gate: "metrics", prometheus, successCondition: "result[0] > 0", count: 2, interval: "5m" }), target);
    expect(isMeasurementDue(spec, [], new Date(T0))).toBe(true);
    expect(isMeasurementDue(spec, series([1]), new Date(T0 + 4 * 60_000))).toBe(false);
    expect(isMeasurementDue(spec, series([1]), new Date(T0 + 5 * 60_000))).toBe(true);
    expect(isMeasurementDue(spec, series([1], [1]), new Date(T0 + 60 * 60_000))).toBe(false);
  });
});

describe("AnalysisTemplate", () => {
  it("loads the first metric with its args", () => {
    const loaded = loadAnalysisTemplate(TEMPLATE);
    expect(loaded.name).toBe("success-rate");
    expect(loaded.args).toEqual({ "service-name": undefined, "prometheus-port": "9090" });
    expect(loaded.metric).toMatchObject({ name: "success-rate", interval: "30s", count: "5", failureLimit: 2, successCondition: "result[0] >= 0.95" });
  });

  it("merges a gate over its template: gate fields win, template values beat defaults, args are substituted", () => {
    const spec = resolveMetricSpec(gate({ gate: "metrics", analysisTemplate: "policies/analysis/success-rate.yaml", args: { "service-name": "{{service}}-{{env}}" }, count: 2 }), target, TEMPLATE);
    expect(spec).toMatchObject({ name: "success-rate", count: 2, interval: "30s", intervalMs: 30_000, failureLimit: 2, inconclusiveLimit: 0, consecutiveErrorLimit: 4, successCondition: "result[0] >= 0.95" });
    expect(spec.prometheus?.address).toBe("http://prometheus.monitoring:9090");
    expect(spec.prometheus?.query).toContain('service="checkout-prod",code!~"5.."');
    expect(spec.prometheus?.query).not.toContain("{{");
  });

  it("picks a metric by name", () => {
    const spec = resolveMetricSpec(gate({ gate: "metrics", analysisTemplate: "t.yaml", metric: "latency", args: { "service-name": "checkout" } }), target, TEMPLATE);
    expect(spec).toMatchObject({ name: "latency", intervalMs: 90_000, count: 1, inconclusiveLimit: 1, consecutiveErrorLimit: 2, failureCondition: "any(result, {# > 1})" });
    const assessment = assessMetric(spec, series([0.2, 0.25]));
    expect(assessment.phase).toBe("successful");
  });

  it.each([
    ["a missing arg", { analysisTemplate: "t.yaml" }, TEMPLATE, "{{args.service-name}} has no value"],
    ["an unknown metric", { analysisTemplate: "t.yaml", metric: "nope" }, TEMPLATE, 'no metric named "nope" (has: success-rate, latency)'],
    ["a missing file", { analysisTemplate: "t.yaml" }, undefined, "was not found"],
    ["another provider", { analysisTemplate: "t.yaml" }, "kind: AnalysisTemplate\nspec:\n  metrics:\n    - name: web\n      provider:\n        web:\n          url: http://x\n", "uses the web provider"],
    ["not a template", { analysisTemplate: "t.yaml" }, "kind: ConfigMap\n", "no document of kind AnalysisTemplate"],
    ["broken YAML", { analysisTemplate: "t.yaml" }, "kind: [\n", "invalid YAML"],
  ])("refuses %s", (_name, params, text, message) => {
    expect(() => resolveMetricSpec(gate({ gate: "metrics", ...params }), target, text)).toThrow(MetricSpecError);
    expect(() => resolveMetricSpec(gate({ gate: "metrics", ...params }), target, text)).toThrow(message);
  });

  it("reports template problems as a failed gate", () => {
    const r = evaluateMetrics(gate({ gate: "metrics", analysisTemplate: "t.yaml" }), facts({ metrics: { metrics: { measurements: [], analysisTemplate: TEMPLATE } } }), ctx());
    expect(r.conclusion).toBe("failure");
    expect(r.summary).toContain("has no value");
  });

  it.each([
    ["30s", 30_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["500ms", 500],
    ["2d", 172_800_000],
  ])("parses the Go duration %s", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
  it("refuses a duration without unit", () => expect(() => parseGoDuration("30")).toThrow("needs a unit"));
});
