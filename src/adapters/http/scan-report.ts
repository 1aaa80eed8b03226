/**
 * The scan report an artifact links (`scanUrl`: SARIF 2.1.0 or Trivy JSON), for the vulnerabilities
 * gate: fetched through the SSRF guard (public addresses only: the URL comes from whoever sent the
 * artifact), at most 32 MiB, parsed as JSON. Never throws: what went wrong is the result. Reports of an
 * immutable artifact do not change, so a report read is kept for 10 minutes (50 at most): a PR's gates
 * are evaluated on every event and tick.
 */
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
}

const cache = new Map<string, { at: number; document: unknown }>();

/** Forgets the reports read (tests). */
export function clearScanReportCache(): void {
  cache.clear();
}

export async function fetchScanReport(url: string, deps: ScanReportDeps = {}): Promise<ScanReportResult> {
  const now = deps.now ?? Date.now;
  const cached = cache.get(url);
  if (cached && now() - cached.at < TTL_MS) return { document: cached.document };
  let answer: Awaited<ReturnType<typeof fetchGuarded>>;
  try {
    answer = await fetchGuarded(url, { timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES, allowPrivateNetwork: false, headers: { accept: "application/sarif+json, application/json" }, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.lookup ? { lookup: deps.lookup } : {}) });
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
  cache.delete(url);
  cache.set(url, { at: now(), document });
  if (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  return { document };
}
