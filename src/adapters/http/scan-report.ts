/**
 * The scan report an artifact links (`scanUrl`: SARIF 2.1.0 or Trivy JSON), for the vulnerabilities
 * gate: fetched through the SSRF guard (public addresses only: the URL comes from whoever sent the
 * artifact), at most 32 MiB, parsed as JSON. Never throws: what went wrong is the result. Reports of an
 * immutable artifact do not change, so a report read is kept for 10 minutes (50 at most): a PR's gates
 * are evaluated on every event and tick.
 *
 * A report on an origin the policy names (`report.origins` of a vulnerabilities gate) may be read with
 * headers from STAGEGATE_HTTP_* variables and from a private address: `access` says so. The headers go
 * to that origin only (fetchGuarded drops them on a redirect elsewhere), and their values never reach a
 * message or the cache key.
 */
import { createHash } from "node:crypto";
import { headersFromEnv } from "./env-headers.js";
import { fetchGuarded, type FetchFn } from "./fetch-limited.js";
import type { LookupFn } from "./ssrf.js";

export type ScanReportResult = { document: unknown } | { error: string };

const MAX_BYTES = 32 * 1024 * 1024;
const TIMEOUT_MS = 20_000;
const TTL_MS = 10 * 60_000;
const MAX_CACHED = 50;

export interface ScanReportDeps {
  fetch?: FetchFn;
  lookup?: LookupFn;
  now?: () => number;
  /** Where header values come from (default process.env). */
  env?: Readonly<Record<string, string | undefined>>;
}

/** How to read a report on an origin the policy names: headers (variable names) and private addresses. */
export interface ScanReportAccess {
  headersFromEnv: Readonly<Record<string, string>>;
  allowPrivateNetwork: boolean;
}

const cache = new Map<string, { at: number; document: unknown }>();

/** Forgets the reports read (tests). */
export function clearScanReportCache(): void {
  cache.clear();
}

export async function fetchScanReport(url: string, access?: ScanReportAccess, deps: ScanReportDeps = {}): Promise<ScanReportResult> {
  const now = deps.now ?? Date.now;
  const secrets = headersFromEnv(access?.headersFromEnv ?? {}, deps.env ?? process.env);
  if ("error" in secrets) return secrets;
  const headers: Record<string, string> = { accept: "application/sarif+json, application/json", ...secrets.headers };
  // A report is served from the cache only to a read with the same credentials and network access:
  // never one read with a token to a read without it, or with another one (a digest, not the values).
  const key = access ? `${url}\u0000${access.allowPrivateNetwork}\u0000${createHash("sha256").update(JSON.stringify(Object.entries(headers).sort())).digest("hex")}` : url;
  const cached = cache.get(key);
  if (cached && now() - cached.at < TTL_MS) return { document: cached.document };
  let answer: Awaited<ReturnType<typeof fetchGuarded>>;
  try {
    answer = await fetchGuarded(url, { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES, allowPrivateNetwork: access?.allowPrivateNetwork ?? false, privateNetworkFirstOriginOnly: true, headers, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.lookup ? { lookup: deps.lookup } : {}) });
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  if (answer.status !== 200) return { error: `answered ${answer.status}` };
  let document: unknown;
  try {
    document = JSON.parse(answer.text);
  } catch {
    return { error: "is not JSON (expected a SARIF 2.1.0 or Trivy JSON report)" };
  }
  cache.delete(key);
  cache.set(key, { at: now(), document });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return { document };
}
