import type { Evidence } from "../core/evidence/schema.js";
import { appendTrailers, type Trailer } from "../core/evidence/trailers.js";
import type { GateResult, SummaryResult } from "../core/gates/index.js";
import type { MergeMethod } from "../core/ports/pull-requests.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import { buildEvidenceNote, noteGatesOf, type NoteOverride } from "./evidence-note.js";
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


function approversOf(results: readonly GateResult[]): string[] {
  return [...new Set(results.flatMap((r) => (r.type === "approvals" ? ((r.evidence?.["approvedBy"] as string[] | undefined) ?? []) : [])))];
}

function overridesOf(results: readonly GateResult[]): NoteOverride[] {
  return results.flatMap((r) => {
    const o = r.evidence?.["override"] as NoteOverride | undefined;
    return o ? [{ ...o, gate: r.gate }] : [];
  });
}

/**
 * Merges a green PR (DESIGN.md §2 step 4) with its head pinned, writing the evidence as trailers on the
 * merge commit (Stagegate-PR, -Approved-By, -Gates, -Override, -Merged-By after the promotion
 * trailers), records the push's deployments (as the push event would), and attaches the full evidence
 * JSON as a git note on the merge commit (buildEvidenceNote). Should anything fail after the merge, the
 * next push event or tick rebuilds the missing note (recordPush → repairEvidenceNote).
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
  // This process writes the complete note below; the repair is for when it does not get that far.
  const deployments = await recordPush(deps, { before: merged.parents[0] ?? base, after: sha }, { repairNote: false });
  const reviews = await deps.pulls.listReviews(pr.number);
  const note = buildEvidenceNote({
    evidence,
    pr,
    gates: noteGatesOf(results),
    summary: { conclusion: input.summary.conclusion, summary: input.summary.summary },
    approvedBy,
    reviews,
    overrides,
    mergedBy: input.mergedBy,
    mergedAt,
    deployments: deployments.map((d) => ({ deployment: d.deployment, state: d.deployment.statuses.at(-1)?.state ?? "queued" })),
  });
  // The push event may have rebuilt the note already (recordPush repairs a merge commit without one): never two.
  await deps.notes.appendNote(sha, JSON.stringify(note), { ifAbsent: true });
  return { sha, deployments, approvedBy };
}
