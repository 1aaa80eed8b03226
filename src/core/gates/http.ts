import { evaluateCondition, ExpressionError } from "../expr/index.js";
import { gateName, result, type GateEvaluator } from "./types.js";

/** `http`: the response fetched by the adapter has an expected status and satisfies `successCondition` (over `status` and `body`). */
export const evaluateHttp: GateEvaluator<"http"> = (spec, facts, ctx) => {
  const response = facts.http?.[gateName(spec)];
  if (!response) return result(spec, { conclusion: "pending", summary: `waiting for the request to ${spec.url}`, details: "Stagegate has not fetched the URL yet.", nextEvaluationAt: ctx.now.toISOString() });
  const evidence: Record<string, unknown> = { url: response.url, at: response.at, status: response.status ?? null };
  if (response.error !== undefined || response.status === undefined) {
    return result(spec, { conclusion: "failure", summary: `request failed: ${response.error ?? "no response"}`, details: `GET ${response.url} at ${response.at}: ${response.error ?? "no response"}`, evidence });
  }
  const snippet = (typeof response.body === "string" ? response.body : JSON.stringify(response.body) ?? "").slice(0, 500);
  const details = `${spec.method} ${response.url} → ${response.status} at ${response.at}\n\n\`\`\`\n${snippet}\n\`\`\``;
  if (!spec.expectStatus.includes(response.status)) {
    return result(spec, { conclusion: "failure", summary: `status ${response.status}, expected ${spec.expectStatus.join(" or ")}`, details, evidence });
  }
  if (spec.successCondition !== undefined) {
    try {
      if (!evaluateCondition(spec.successCondition, { status: response.status, body: response.body ?? null })) {
        return result(spec, { conclusion: "failure", summary: `successCondition is false: ${spec.successCondition}`, details, evidence });
      }
    } catch (error) {
      if (!(error instanceof ExpressionError)) throw error;
      return result(spec, { conclusion: "failure", summary: `successCondition failed: ${error.message}`, details, evidence });
    }
  }
  return result(spec, { conclusion: "success", summary: `${response.status}${spec.successCondition ? `, ${spec.successCondition}` : ""}`, details, evidence });
};
