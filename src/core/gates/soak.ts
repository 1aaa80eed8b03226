import { formatDuration, parseDuration } from "../config/duration.js";
import { getUpstreamStatus, shortDigest } from "./deployment-facts.js";
import { result, type GateEvaluator } from "./types.js";

/** `soak`: the digest has been healthy in every upstream environment for at least `duration`. */
export const evaluateSoak: GateEvaluator<"soak"> = (spec, facts, ctx) => {
  const required = parseDuration(spec.duration);
  if (ctx.upstream.length === 0) {
    return result(spec, { conclusion: "neutral", summary: `${ctx.environment} has no upstream environment to soak in`, details: "Nothing to wait for: this is a first stage." });
  }
  const now = ctx.now.getTime();
  const rows: string[] = [];
  const problems: string[] = [];
  const unverified: string[] = [];
  let readyAt = 0;
  const evidence: Record<string, unknown> = { duration: spec.duration };
  for (const env of ctx.upstream) {
    const state = getUpstreamStatus(facts, env, ctx.digest);
    if (state.status === "failed") {
      problems.push(`failed in ${env} at ${state.failedAt}`);
      rows.push(`| ${env} | failed | |`);
      continue;
    }
    if (state.status !== "verified") {
      unverified.push(env);
      rows.push(`| ${env} | not verified yet | |`);
      continue;
    }
    const since = Date.parse(state.verifiedAt);
    const until = state.endedAt !== undefined ? Math.min(Date.parse(state.endedAt), now) : now;
    const soaked = Math.max(0, until - since);
    evidence[env] = { healthySince: state.verifiedAt, soakedMs: soaked, ...(state.endedAt ? { endedAt: state.endedAt } : {}) };
    rows.push(`| ${env} | ${formatDuration(soaked)} of ${spec.duration} | ${state.verifiedAt} |`);
    if (state.endedAt !== undefined && soaked < required) {
      // Superseded before it soaked long enough: time cannot fix this one.
      problems.push(`replaced in ${env} after ${formatDuration(soaked)}, before soaking ${spec.duration}`);
      continue;
    }
    readyAt = Math.max(readyAt, since + required);
  }
  const table = ["| environment | healthy for | since |", "|---|---|---|", ...rows].join("\n");
  const digest = shortDigest(ctx.digest);
  if (problems.length > 0) return result(spec, { conclusion: "failure", summary: `${digest} ${problems.join("; ")}`, details: table, evidence });
  if (unverified.length > 0) return result(spec, { conclusion: "pending", summary: `${digest} not yet verified healthy in ${unverified.join(", ")}`, details: table, evidence });
  if (now < readyAt) {
    const at = new Date(readyAt).toISOString();
    return result(spec, { conclusion: "pending", summary: `soaking: ${formatDuration(readyAt - now)} left of ${spec.duration}`, details: `${table}\n\nReady at ${at}.`, nextEvaluationAt: at, evidence });
  }
  return result(spec, { conclusion: "success", summary: `${digest} healthy upstream for at least ${spec.duration}`, details: table, evidence });
};
