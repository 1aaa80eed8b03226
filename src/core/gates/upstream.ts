import { getUpstreamStatus, shortDigest } from "./deployment-facts.js";
import { result, type GateEvaluator } from "./types.js";

/** `upstream`: the digest is deployed and verified healthy in every upstream environment (revoked if it later failed there). */
export const evaluateUpstream: GateEvaluator<"upstream"> = (spec, facts, ctx) => {
  const environments = spec.environments ?? ctx.upstream;
  if (environments.length === 0) {
    return result(spec, { conclusion: "neutral", summary: `${ctx.environment} has no upstream environment`, details: "Nothing to wait for: this is a first stage." });
  }
  const rows: string[] = [];
  const failed: string[] = [];
  const waiting: string[] = [];
  const evidence: Record<string, unknown> = {};
  for (const env of environments) {
    const state = getUpstreamStatus(facts, env, ctx.digest);
    evidence[env] = state.status === "absent" ? { status: "absent" } : { ...state, deployment: undefined };
    switch (state.status) {
      case "absent":
        waiting.push(env);
        rows.push(`| ${env} | not deployed | |`);
        break;
      case "deploying":
        waiting.push(env);
        rows.push(`| ${env} | deployed, awaiting verification (${state.deployment.state}) | ${state.deployment.createdAt} |`);
        break;
      case "failed":
        failed.push(env);
        rows.push(`| ${env} | **failed** | ${state.failedAt} |`);
        break;
      case "verified":
        rows.push(`| ${env} | verified healthy${state.endedAt ? " (since superseded)" : ""} | ${state.verifiedAt} |`);
        break;
    }
  }
  const table = ["| environment | state | since |", "|---|---|---|", ...rows].join("\n");
  const digest = shortDigest(ctx.digest);
  if (failed.length > 0) {
    return result(spec, { conclusion: "failure", summary: `${digest} failed in ${failed.join(", ")}`, details: `The artifact failed after deployment upstream; it must not move on.\n\n${table}`, evidence });
  }
  if (waiting.length > 0) {
    return result(spec, { conclusion: "pending", summary: `waiting for ${digest} to be verified in ${waiting.join(", ")}`, details: table, evidence });
  }
  return result(spec, { conclusion: "success", summary: `${digest} verified healthy in ${environments.join(", ")}`, details: table, evidence });
};
