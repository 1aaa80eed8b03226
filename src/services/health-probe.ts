import { fetchGuarded, UnsafeUrlError } from "../adapters/http/index.js";
import { parseDuration } from "../core/config/index.js";
import { evaluateCondition } from "../core/expr/index.js";
import type { HealthCheck, HealthProbe, HealthProbeResult } from "./lifecycle-deps.js";

/** A readiness answer larger than this is refused (a health endpoint answers a few hundred bytes). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Verification health requests (a policy's `verification.health`) through the SSRF guard every other
 * request a policy names goes through (adapters/http/ssrf.ts): each hop's host is resolved and every
 * address checked — cloud metadata, link-local, multicast and unspecified addresses always refused,
 * loopback, private and carrier-grade NAT ranges unless the policy sets `allowPrivateNetwork: true` —
 * redirects followed by hand (3 at most, each checked), one timeout for the whole exchange, the body read
 * up to 1 MiB. `expect` (default `status == 200`) is evaluated with the safe expression evaluator, over
 * `status` and `body` (parsed JSON, else the text).
 */
export const fetchHealth: HealthProbe = async (url: string, check: HealthCheck): Promise<HealthProbeResult> => {
  let answer: Awaited<ReturnType<typeof fetchGuarded>>;
  try {
    answer = await fetchGuarded(url, { timeoutMs: parseDuration(check.timeout), maxBytes: MAX_BODY_BYTES, allowPrivateNetwork: check.allowPrivateNetwork ?? false });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, detail: error instanceof UnsafeUrlError ? message : `failed: ${message}` };
  }
  let body: unknown = answer.text;
  try {
    body = JSON.parse(answer.text);
  } catch {
    // not JSON: expressions see the text
  }
  const expect = check.expect ?? "status == 200";
  const ok = evaluateCondition(expect, { status: answer.status, body });
  return { ok, detail: `answered ${answer.status}${ok ? "" : `, \`${expect}\` does not hold`}` };
};
