import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { parseDuration } from "../core/config/index.js";
import { evaluateCondition } from "../core/expr/index.js";
import type { HealthCheck, HealthProbe, HealthProbeResult } from "./lifecycle-deps.js";

const MAX_BODY_BYTES = 256 * 1024;

/** Link-local and cloud metadata addresses: never requested, whatever the policy says. */
function isForbidden(ip: string): boolean {
  return /^169\.254\./.test(ip) || /^fe80:/i.test(ip) || ip === "100.100.100.200" || ip === "fd00:ec2::254";
}

/** Loopback and private ranges: requested only with `allowPrivateNetwork: true`. */
function isPrivate(ip: string): boolean {
  return /^(127\.|10\.|192\.168\.|0\.)/.test(ip) || /^172\.(1[6-9]|2\d|3[01])\./.test(ip) || ip === "::1" || /^f[cd]/i.test(ip) || /^::ffff:(127|10|192\.168)\./i.test(ip);
}

/**
 * Verification health requests over fetch: resolves the host first and refuses link-local/metadata
 * addresses always and private ones unless the policy allows them, applies the timeout, caps the body,
 * and evaluates `expect` (default `status == 200`) with the safe expression evaluator.
 */
export const fetchHealth: HealthProbe = async (url: string, check: HealthCheck): Promise<HealthProbeResult> => {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, detail: "is not a valid URL" };
  }
  const host = target.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch (error) {
    return { ok: false, detail: `could not be resolved (${(error as Error).message})` };
  }
  if (addresses.some(isForbidden)) return { ok: false, detail: "resolves to a link-local/metadata address: refused" };
  if (!check.allowPrivateNetwork && addresses.some(isPrivate)) return { ok: false, detail: "resolves to a private address: refused (set allowPrivateNetwork: true)" };
  try {
    const response = await fetch(target, { redirect: "manual", signal: AbortSignal.timeout(parseDuration(check.timeout)) });
    const text = (await response.text()).slice(0, MAX_BODY_BYTES);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: expressions see the text
    }
    const expect = check.expect ?? "status == 200";
    const ok = evaluateCondition(expect, { status: response.status, body });
    return { ok, detail: `answered ${response.status}${ok ? "" : `, \`${expect}\` does not hold`}` };
  } catch (error) {
    return { ok: false, detail: `failed: ${(error as Error).message}` };
  }
};
