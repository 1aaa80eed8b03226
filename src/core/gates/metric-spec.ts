import { parseDuration } from "../config/duration.js";
import type { GateSpecOf } from "../config/gate-schemas.js";
import { AnalysisTemplateError, loadAnalysisTemplate, type TemplateMetric } from "./analysis-template.js";

/** A metrics gate (or verification.metrics) with template values merged in and defaults applied. */
export interface MetricSpec {
  name: string;
  intervalMs: number;
  interval: string;
  count: number;
  successCondition?: string;
  failureCondition?: string;
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** Address and query with {{env}}, {{service}}, {{digest}} and {{args.x}} substituted. */
  prometheus?: { address: string; query: string };
}

/** The metric cannot be resolved (bad template, missing arg, bad duration); the message says why. */
export class MetricSpecError extends Error {
  override name = "MetricSpecError";
}

type MetricsFields = Omit<GateSpecOf<"metrics">, "gate">;

const GO_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a Go duration (`30s`, `1m30s`, `1.5h`, `500ms`) as AnalysisTemplates write them; our own `1d`/`1w` too. */
export function parseGoDuration(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed) && trimmed !== "0") throw new MetricSpecError(`duration "${text}" needs a unit (s, m, h)`);
  if (trimmed === "0") return 0;
  if (/^(\d+[smhdw])+$/.test(trimmed)) return parseDuration(trimmed);
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let index = 0;
  while (index < trimmed.length) {
    part.lastIndex = index;
    const match = part.exec(trimmed);
    if (!match) throw new MetricSpecError(`invalid duration "${text}" (use e.g. 30s, 5m, 1h30m)`);
    total += Number(match[1]) * GO_UNITS[match[2]!]!;
    index = part.lastIndex;
  }
  if (index === 0) throw new MetricSpecError(`invalid duration "${text}"`);
  return total;
}

function toInt(value: number | string | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 0) throw new MetricSpecError(`${field} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

/** Where placeholders come from. */
export interface MetricTarget {
  environment: string;
  service: string;
  digest: string;
}

/** Replaces {{env}}, {{service}}, {{digest}} and {{args.name}}; an unknown {{args.x}} is an error. */
export function substitutePlaceholders(text: string, target: MetricTarget, args: Record<string, string | undefined> = {}): string {
  const builtins: Record<string, string> = { env: target.environment, environment: target.environment, service: target.service, digest: target.digest };
  return text.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (whole, key: string) => {
    if (key.startsWith("args.")) {
      const name = key.slice(5);
      const value = Object.hasOwn(args, name) ? args[name] : undefined;
      if (value === undefined) throw new MetricSpecError(`{{args.${name}}} has no value: set it under the gate's args`);
      return value;
    }
    return Object.hasOwn(builtins, key) ? builtins[key]! : whole;
  });
}

/**
 * Merges a metrics gate with its AnalysisTemplate (text read from the snapshot): gate fields win over
 * the template's, then defaults (count 1, interval 1m, limits 0/0/4) apply. Throws {@link MetricSpecError}.
 */
export function resolveMetricSpec(gate: MetricsFields, target: MetricTarget, templateText?: string): MetricSpec {
  let template: TemplateMetric = { name: gate.name ?? "metrics" };
  let templateArgs: Record<string, string | undefined> = {};
  if (gate.analysisTemplate !== undefined) {
    if (templateText === undefined) throw new MetricSpecError(`AnalysisTemplate ${gate.analysisTemplate} was not found in the repository`);
    try {
      const loaded = loadAnalysisTemplate(templateText, gate.metric);
      template = loaded.metric;
      templateArgs = loaded.args;
    } catch (error) {
      if (error instanceof AnalysisTemplateError) throw new MetricSpecError(`${gate.analysisTemplate}: ${error.message}`);
      throw error;
    }
  }
  const args: Record<string, string | undefined> = { ...templateArgs };
  for (const [k, v] of Object.entries(gate.args ?? {})) args[k] = substitutePlaceholders(v, target);
  const interval = gate.interval ?? template.interval ?? "1m";
  const spec: MetricSpec = {
    name: template.name,
    interval,
    intervalMs: parseGoDuration(interval),
    count: Math.max(1, toInt(gate.count ?? template.count, "count", 1)),
    failureLimit: toInt(gate.failureLimit ?? template.failureLimit, "failureLimit", 0),
    inconclusiveLimit: toInt(gate.inconclusiveLimit ?? template.inconclusiveLimit, "inconclusiveLimit", 0),
    consecutiveErrorLimit: toInt(gate.consecutiveErrorLimit ?? template.consecutiveErrorLimit, "consecutiveErrorLimit", 4),
  };
  const success = gate.successCondition ?? template.successCondition;
  const failure = gate.failureCondition ?? template.failureCondition;
  if (success !== undefined) spec.successCondition = substitutePlaceholders(success, target, args);
  if (failure !== undefined) spec.failureCondition = substitutePlaceholders(failure, target, args);
  const address = gate.prometheus?.address ?? template.prometheus?.address;
  const query = gate.prometheus?.query ?? template.prometheus?.query;
  if (address !== undefined && query !== undefined) spec.prometheus = { address: substitutePlaceholders(address, target, args), query: substitutePlaceholders(query, target, args) };
  else if (address !== undefined || query !== undefined) throw new MetricSpecError(`the metric needs both a prometheus address and a query (missing ${address === undefined ? "address" : "query"})`);
  return spec;
}
