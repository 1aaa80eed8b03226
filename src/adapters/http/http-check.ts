import type { GateSpecOf } from "../../core/config/gate-schemas.js";
import { headersFromEnv } from "./env-headers.js";
import { parseDuration } from "../../core/config/duration.js";
import type { HttpFact } from "../../core/gates/facts.js";
import { substitutePlaceholders, type MetricTarget } from "../../core/gates/metric-spec.js";
import { fetchGuarded, type FetchFn } from "./fetch-limited.js";
import type { LookupFn } from "./ssrf.js";

export interface HttpCheckDeps {
  fetch?: FetchFn;
  lookup?: LookupFn;
  /** Where headersFromEnv values come from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => Date;
  /** Default 1 MiB. */
  maxBytes?: number;
}

/**
 * Performs an http gate's request and returns the fact the gate evaluates. Never throws: refusals
 * by the SSRF guard, timeouts, oversized bodies and network errors become `error`. A JSON body is
 * parsed (so `body.status` works in successCondition); anything else stays text.
 */
export async function fetchHttpCheck(spec: Pick<GateSpecOf<"http">, "url" | "method" | "headersFromEnv" | "timeout" | "allowPrivateNetwork">, target: MetricTarget, deps: HttpCheckDeps = {}): Promise<HttpFact> {
  const now = deps.now ?? (() => new Date());
  const at = now().toISOString();
  let url = spec.url;
  try {
    url = substitutePlaceholders(spec.url, target);
    const secrets = headersFromEnv(spec.headersFromEnv, deps.env ?? process.env);
    if ("error" in secrets) return { url, at, error: secrets.error };
    const headers: Record<string, string> = { accept: "application/json, text/plain;q=0.9, */*;q=0.1", "user-agent": "stagegate", ...secrets.headers };
    const response = await fetchGuarded(url, {
      method: spec.method,
      headers,
      timeoutMs: parseDuration(spec.timeout),
      maxBytes: deps.maxBytes ?? 1024 * 1024,
      allowPrivateNetwork: spec.allowPrivateNetwork,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      ...(deps.lookup ? { lookup: deps.lookup } : {}),
    });
    let body: unknown = response.text;
    try {
      body = response.text === "" ? null : JSON.parse(response.text);
    } catch {
      // Not JSON: expressions see the text.
    }
    return { url: response.url, at, status: response.status, body };
  } catch (error) {
    return { url, at, error: error instanceof Error ? error.message : String(error) };
  }
}
