import type { Evidence } from "../core/evidence/schema.js";
import { appendTrailers, type Trailer } from "../core/evidence/trailers.js";
import type { GateResult, SummaryResult } from "../core/gates/index.js";
import type { MergeMethod } from "../core/ports/pull-requests.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import type { LifecycleDeps } from "./lifecycle-deps.js";
import { metricsOf } from "./lifecycle-metrics.js";
import { recordPush, type RecordedDeployment } from "./record-push.js";

export interface MergeInput {
  pr: PromotionPullRequest;
  evidence: Evidence;
  results: GateResult[];
  summary: SummaryResult;
  mergedBy: string;
  method: MergeMethod;
}

export interface MergeOutcome {
  sha: string;
  deployments: RecordedDeployment[];
  approvedBy: string[];
}

interface Override {
  gate: string;
  by: string;
  reason: string;
  at?: string;
  confirmedBy?: string;
}

function approversOf(results: readonly GateResult[]): string[] {
  return [...new Set(results.flatMap((r) => (r.type === "approvals" ? ((r.evidence?.["approvedBy"] as string[] | undefined) ?? []) : [])))];
}

function overridesOf(results: readonly GateResult[]): Override[] {
  return results.flatMap((r) => {
    const o = r.evidence?.["override"] as Override | undefined;
    return o ? [{ ...o, gate: r.gate }] : [];
  });
}

/**
 * Merges a green PR (DESIGN.md §2 step 4) with its head pinned, writing the evidence as trailers on the
 * merge commit (Stagegate-PR, -Approved-By, -Gates, -Override, -Merged-By after the promotion
 * trailers), records the push's deployments (as the push event would), and attaches the full evidence
 * JSON as a git note on the merge commit.
 */
export async function mergePromotion(deps: LifecycleDeps, input: MergeInput): Promise<MergeOutcome> {
  const { pr, evidence, results } = input;
  const head = await deps.commits.getCommit(pr.headSha);
  const body = head.message.replace(/^[^\n]*\n?/, "").replace(/^\s*\n/, "");
  const approvedBy = approversOf(results);
  const overrides = overridesOf(results);
  const trailers: Trailer[] = [{ key: "Stagegate-PR", value: `#${pr.number}` }];
  for (const login of approvedBy) trailers.push({ key: "Stagegate-Approved-By", value: login });
  if (results.length > 0) trailers.push({ key: "Stagegate-Gates", value: results.map((r) => `${r.gate}=${r.evidence?.["override"] ? "overridden" : r.conclusion}`).join(", ") });
  for (const o of overrides) trailers.push({ key: "Stagegate-Override", value: `${o.gate} by ${o.by}: ${o.reason}` });
  trailers.push({ key: "Stagegate-Merged-By", value: input.mergedBy });

  const base = await deps.commits.getDefaultHead();
  const { sha } = await deps.pulls.merge(pr.number, {
    expectedHeadSha: pr.headSha,
    method: input.method,
    commitTitle: `${pr.title} (#${pr.number})`,
    commitMessage: appendTrailers(body, trailers),
    mergedBy: input.mergedBy,
  });
  metricsOf(deps).recordPromotion({ environment: evidence.environment, outcome: "merged" });
  const mergedAt = deps.clock.now().toISOString();
  const merged = await deps.commits.getCommit(sha);
  const deployments = await recordPush(deps, { before: merged.parents[0] ?? base, after: sha });
  const reviews = await deps.pulls.listReviews(pr.number);
  const note = {
    ...evidence,
    pullRequest: { number: pr.number, author: pr.author, url: pr.url, headSha: pr.headSha },
    gates: results.map((r) => ({ name: r.gate, type: r.type, result: r.evidence?.["override"] ? "overridden" : r.conclusion, conclusion: r.conclusion, summary: r.summary, ...(r.evidence ? { evidence: r.evidence } : {}) })),
    summary: { conclusion: input.summary.conclusion, summary: input.summary.summary },
    approvals: approvedBy.map((login) => ({ reviewer: login, at: [...reviews].reverse().find((rv) => rv.user === login && rv.state === "approved")?.submittedAt })),
    overrides: overrides.map((o) => ({ gate: o.gate, by: o.by, reason: o.reason, ...(o.at ? { at: o.at } : {}), ...(o.confirmedBy ? { secondBy: o.confirmedBy } : {}) })),
    mergedBy: input.mergedBy,
    mergedAt,
    deployments: deployments.map((d) => ({ id: d.deployment.id, environment: d.deployment.environment, service: d.deployment.service, kind: d.deployment.kind, state: d.deployment.statuses.at(-1)?.state ?? "queued", at: d.deployment.createdAt })),
  };
  await deps.notes.appendNote(sha, JSON.stringify(note));
  return { sha, deployments, approvedBy };
}
