import type { SourceCheckFact } from "./facts.js";
import { matchGlob } from "./glob.js";
import { result, type GateEvaluator } from "./types.js";

const SOFT = new Set(["neutral", "skipped"]);

/** Latest check per name: by `startedAt` when given, else the later entry in the list. */
function latestByName(checks: readonly SourceCheckFact[]): SourceCheckFact[] {
  const byName = new Map<string, SourceCheckFact>();
  for (const check of checks) {
    const seen = byName.get(check.name);
    if (!seen || (check.startedAt ?? "") >= (seen.startedAt ?? "")) byName.set(check.name, check);
  }
  return [...byName.values()];
}

type Verdict = "pass" | "fail" | "wait";

function judge(check: SourceCheckFact, allowNeutral: boolean): Verdict {
  if (check.status !== "completed" || check.conclusion === undefined || check.conclusion === "stale") return "wait";
  if (check.conclusion === "success") return "pass";
  if (SOFT.has(check.conclusion)) return allowNeutral ? "pass" : "fail";
  // failure, cancelled, timed_out, action_required and anything unknown: not a pass.
  return "fail";
}

/** `source-checks`: the named check runs / statuses on the artifact's source commit succeeded. */
export const evaluateSourceChecks: GateEvaluator<"source-checks"> = (spec, facts) => {
  if (!facts.sourceCommit) {
    return result(spec, { conclusion: "failure", summary: "the artifact has no source commit", details: "Source checks cannot be verified: the artifact did not say which commit it was built from (`source.repo`, `source.sha`)." });
  }
  const commit = `${facts.sourceCommit.repo}@${facts.sourceCommit.sha.slice(0, 7)}`;
  if (!facts.sourceChecks) {
    return result(spec, { conclusion: "pending", summary: `checks of ${commit} not collected yet`, details: "Stagegate has not read the source commit's checks yet." });
  }
  const checks = latestByName(facts.sourceChecks);
  const rows: string[] = [];
  const failed: string[] = [];
  const waiting: string[] = [];
  const evidence: Record<string, unknown> = { commit: facts.sourceCommit };
  for (const pattern of spec.checks) {
    const matching = checks.filter((c) => matchGlob(pattern, c.name));
    if (matching.length === 0) {
      waiting.push(`${pattern} (none reported)`);
      rows.push(`| \`${pattern}\` | — | not reported yet |`);
      continue;
    }
    for (const check of matching) {
      const verdict = judge(check, spec.allowNeutral);
      evidence[check.name] = { status: check.status, conclusion: check.conclusion ?? null };
      const state = check.status === "completed" ? (check.conclusion ?? "completed") : check.status;
      const name = check.url ? `[${check.name}](${check.url})` : check.name;
      rows.push(`| \`${pattern}\` | ${name} | ${verdict === "fail" ? `**${state}**` : state} |`);
      if (verdict === "fail") failed.push(`${check.name} ${state}`);
      if (verdict === "wait") waiting.push(`${check.name} ${state}`);
    }
  }
  const details = [`Checks on ${commit}:`, "", "| pattern | check | state |", "|---|---|---|", ...rows].join("\n");
  if (failed.length > 0) return result(spec, { conclusion: "failure", summary: failed.join(", "), details, evidence });
  if (waiting.length > 0) return result(spec, { conclusion: "pending", summary: `waiting for ${waiting.join(", ")}`, details, evidence });
  return result(spec, { conclusion: "success", summary: `all ${spec.checks.length === 1 ? "matching checks" : `${spec.checks.length} check patterns`} passed on ${commit}`, details, evidence });
};
