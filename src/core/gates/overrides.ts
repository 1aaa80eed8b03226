import { parseDuration } from "../config/duration.js";
import type { Policy } from "../config/policy-schema.js";
import type { GateFacts, OverrideFact } from "./facts.js";
import { isAuthorized, normalizePrincipal } from "./principals.js";
import type { GateResult } from "./types.js";

type OverridePolicy = NonNullable<Policy["overrides"]>;

/** Why an override does not count, or undefined when it does. */
export function getOverrideProblem(override: OverrideFact, gate: Pick<GateResult, "gate" | "type">, policy: OverridePolicy | undefined, facts: Pick<GateFacts, "teams">, now: Date): string | undefined {
  if (!policy) return "this policy allows no overrides";
  // `upstream` protects against promoting something that failed upstream: only an explicit listing opens it.
  const allowed = policy.gates === undefined ? gate.type !== "upstream" : policy.gates.includes(gate.gate) || policy.gates.includes(gate.type);
  if (!allowed) return policy.gates === undefined ? `${gate.gate} can only be overridden when listed in overrides.gates` : `${gate.gate} is not in overrides.gates`;
  if (!isAuthorized(override.by, policy, facts)) return `@${override.by} is not allowed to override (not in overrides teams/users)`;
  const expiresAt = Date.parse(override.at) + parseDuration(policy.expiry);
  if (!(now.getTime() < expiresAt)) return `expired at ${new Date(expiresAt).toISOString()} (overrides last ${policy.expiry})`;
  if (policy.requireSecondPerson) {
    if (!override.confirmedBy) return "waiting for a second person to confirm (/stagegate approve-override)";
    if (normalizePrincipal(override.confirmedBy) === normalizePrincipal(override.by)) return `@${override.confirmedBy} cannot confirm their own override`;
    if (!isAuthorized(override.confirmedBy, policy, facts)) return `@${override.confirmedBy} is not allowed to confirm overrides`;
  }
  return undefined;
}

/**
 * Applies the latest valid override of the gate: failure/pending becomes success with "overridden by
 * X: reason", the original verdict and the override are kept in details and evidence, and the gate
 * is re-evaluated when the override expires. Invalid overrides are listed with the reason.
 */
export function applyOverrides(gate: GateResult, policy: OverridePolicy | undefined, facts: Pick<GateFacts, "teams" | "overrides">, now: Date): GateResult {
  if (gate.conclusion === "success" || gate.conclusion === "neutral") return gate;
  const mine = (facts.overrides ?? []).filter((o) => o.gate === gate.gate).sort((a, b) => b.at.localeCompare(a.at));
  if (mine.length === 0) return gate;
  const problems: string[] = [];
  for (const override of mine) {
    const problem = getOverrideProblem(override, gate, policy, facts, now);
    if (problem !== undefined) {
      problems.push(`- override by @${override.by} at ${override.at} ignored: ${problem}`);
      continue;
    }
    const expiresAt = new Date(Date.parse(override.at) + parseDuration(policy!.expiry)).toISOString();
    const confirmed = override.confirmedBy ? `, confirmed by @${override.confirmedBy}` : "";
    return {
      ...gate,
      conclusion: "success",
      summary: `overridden by @${override.by}${confirmed}: ${override.reason}`,
      details: `**Overridden** by @${override.by}${confirmed} at ${override.at} (expires ${expiresAt}): ${override.reason}\n\nUnderlying result: ${gate.conclusion} — ${gate.summary}\n\n${gate.details}`,
      nextEvaluationAt: expiresAt,
      evidence: { ...gate.evidence, override: { ...override, expiresAt, original: { conclusion: gate.conclusion, summary: gate.summary } } },
    };
  }
  return { ...gate, details: `${gate.details}\n\n${problems.join("\n")}` };
}
