import type { MeasurementFact } from "../../core/gates/facts.js";
import type { MetricSpec } from "../../core/gates/metric-spec.js";
import { fetchGuarded, type FetchFn } from "./fetch-limited.js";
import type { LookupFn } from "./ssrf.js";

/** The query failed: Prometheus refused it, answered an error, or could not be reached. */
export class PrometheusQueryError extends Error {
  override name = "PrometheusQueryError";
}

export interface PrometheusOptions {
  fetch?: FetchFn;
  lookup?: LookupFn;
  /** Default 30 s, as Argo Rollouts. */
  timeoutMs?: number;
  /** Evaluation time of the instant query (default: Prometheus' now). */
  now?: Date;
  /** Prometheus usually lives in the cluster network, so private addresses are allowed by default; link-local/metadata never are. */
  allowPrivateNetwork?: boolean;
  maxBytes?: number;
}

/** Prometheus sample values are strings: "1.5", "NaN", "+Inf", "-Inf". */
function sampleValue(raw: unknown): number {
  if (raw === "+Inf" || raw === "Inf") return Infinity;
  if (raw === "-Inf") return -Infinity;
  if (raw === "NaN") return Number.NaN;
  const n = typeof raw === "string" ? Number(raw) : Number.NaN;
  if (Number.isNaN(n)) throw new PrometheusQueryError(`unexpected sample value ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Runs an instant query (`GET /api/v1/query`) and returns the result as Argo Rollouts' `result`:
 * a vector as a list of numbers (one per series), a scalar as a number. Range vectors and strings
 * are refused, as Argo does. Throws {@link PrometheusQueryError}, or UnsafeUrlError for a refused address.
 */
export async function queryPrometheus(address: string, query: string, options: PrometheusOptions = {}): Promise<number | number[]> {
  const url = new URL("api/v1/query", address.endsWith("/") ? address : `${address}/`);
  url.searchParams.set("query", query);
  if (options.now) url.searchParams.set("time", (options.now.getTime() / 1000).toFixed(3));
  let response: Awaited<ReturnType<typeof fetchGuarded>>;
  try {
    response = await fetchGuarded(url.toString(), {
      timeoutMs: options.timeoutMs ?? 30_000,
      maxBytes: options.maxBytes ?? 10 * 1024 * 1024,
      allowPrivateNetwork: options.allowPrivateNetwork ?? true,
      headers: { accept: "application/json" },
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
  } catch (error) {
    if (error instanceof Error && error.name === "HttpFetchError") throw new PrometheusQueryError(`Prometheus at ${address}: ${error.message}`, { cause: error });
    throw error;
  }
  let body: { status?: string; error?: string; errorType?: string; data?: { resultType?: string; result?: unknown } };
  try {
    body = JSON.parse(response.text) as typeof body;
  } catch {
    throw new PrometheusQueryError(`Prometheus at ${address} answered ${response.status} with a non-JSON body`);
  }
  if (body.status !== "success") throw new PrometheusQueryError(`Prometheus query failed (${response.status} ${body.errorType ?? ""}): ${body.error ?? "no error message"}`.replace("  ", " "));
  const data = body.data ?? {};
  switch (data.resultType) {
    case "vector":
      return (Array.isArray(data.result) ? data.result : []).map((series: { value?: [number, string] }) => sampleValue(series.value?.[1]));
    case "scalar":
      return sampleValue((data.result as [number, string] | undefined)?.[1]);
    default:
      throw new PrometheusQueryError(`Prometheus returned a ${data.resultType ?? "missing"} result; use a query returning an instant vector or a scalar`);
  }
}

/** JSON cannot hold NaN/±Inf: stored measurements keep them as Prometheus writes them. */
function toJsonSafe(value: number | number[]): number | string | (number | string)[] {
  const one = (n: number) => (Number.isFinite(n) ? n : Number.isNaN(n) ? "NaN" : n > 0 ? "+Inf" : "-Inf");
  return Array.isArray(value) ? value.map(one) : one(value);
}

/**
 * Takes one measurement of a resolved metric: the query's result, or an error measurement with the
 * reason (never throws). The result is JSON-safe so callers can store it (check run output, git notes).
 */
export async function measurePrometheus(spec: MetricSpec, options: PrometheusOptions & { now: Date }): Promise<MeasurementFact> {
  const at = options.now.toISOString();
  if (!spec.prometheus) return { at, phase: "error", message: "the metric has no prometheus address and query" };
  try {
    return { at, value: toJsonSafe(await queryPrometheus(spec.prometheus.address, spec.prometheus.query, options)) };
  } catch (error) {
    return { at, phase: "error", message: error instanceof Error ? error.message : String(error) };
  }
}
