import type { LoadedConfig } from "../core/config/index.js";
import { getEnvironment, getPolicy } from "../core/config/index.js";
import type { Evidence } from "../core/evidence/schema.js";
import { getTrailer, getTrailers, parseTrailers } from "../core/evidence/trailers.js";
import type { GateType } from "../core/config/gate-schemas.js";
import type { GateConclusion, GateResult } from "../core/gates/index.js";
import { gateName, gatesFor, SUMMARY_CHECK } from "../core/plan/index.js";
import type { CommitInfo } from "../core/ports/commits.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import type { PullRequestReview } from "../core/ports/pull-requests.js";
import type { LifecycleDeps } from "./lifecycle-deps.js";
import type { RecordedDeployment } from "./record-push.js";

/** An override as the gates report it (result evidence) and the note records it. */
export interface NoteOverride {
  gate: string;
  by: string;
  reason: string;
  at?: string;
  confirmedBy?: string;
}

/** One gate of the note: what its check reported at merge time. */
export interface NoteGate {
  name: string;
  type: GateType | undefined;
  result: string;
  conclusion: GateConclusion | undefined;
  summary: string | undefined;
  evidence?: Record<string, unknown>;
}

/** Everything the evidence note of a merge commit is made of. */
export interface EvidenceNoteInput {
  evidence: Evidence;
  pr: Pick<PromotionPullRequest, "number" | "author" | "url" | "headSha">;
  gates: NoteGate[];
  summary: { conclusion: string | undefined; summary: string | undefined };
  approvedBy: readonly string[];
  reviews: readonly PullRequestReview[];
  overrides: readonly NoteOverride[];
  mergedBy: string;
  mergedAt: string;
  /** State each deployment had when the merge recorded it. */
  deployments: readonly { deployment: RecordedDeployment["deployment"]; state: string }[];
  /** Set when the note was rebuilt after the merge from what GitHub/git still hold (see repairEvidenceNote). */
  rebuiltAt?: string;
}

/**
 * The evidence note attached to a Stagegate merge commit (refs/notes/stagegate, read by the audit
 * through core/audit/note-schema.ts): the PR's evidence block plus gates, approvals, overrides, who
 * merged and the deployments the merge recorded. The one writer of that format: mergePromotion and
 * the repair of a missing note both build it here.
 */
export function buildEvidenceNote(input: EvidenceNoteInput): Record<string, unknown> {
  const { pr, reviews } = input;
  return {
    ...input.evidence,
    pullRequest: { number: pr.number, author: pr.author, url: pr.url, headSha: pr.headSha },
    gates: input.gates.map((g) => ({ name: g.name, type: g.type, result: g.result, conclusion: g.conclusion, summary: g.summary, ...(g.evidence ? { evidence: g.evidence } : {}) })),
    summary: { conclusion: input.summary.conclusion, summary: input.summary.summary },
    approvals: input.approvedBy.map((login) => ({ reviewer: login, at: [...reviews].reverse().find((rv) => rv.user === login && rv.state === "approved")?.submittedAt })),
    overrides: input.overrides.map((o) => ({ gate: o.gate, by: o.by, reason: o.reason, ...(o.at ? { at: o.at } : {}), ...(o.confirmedBy ? { secondBy: o.confirmedBy } : {}) })),
    mergedBy: input.mergedBy,
    mergedAt: input.mergedAt,
    deployments: input.deployments.map(({ deployment: d, state }) => ({ id: d.id, environment: d.environment, service: d.service, kind: d.kind, state, at: d.createdAt })),
    ...(input.rebuiltAt ? { rebuiltAt: input.rebuiltAt } : {}),
  };
}

/** Gate results as note gates (mergePromotion: the results it just evaluated). */
export function noteGatesOf(results: readonly GateResult[]): NoteGate[] {
  return results.map((r) => ({ name: r.gate, type: r.type, result: r.evidence?.["override"] ? "overridden" : r.conclusion, conclusion: r.conclusion, summary: r.summary, ...(r.evidence ? { evidence: r.evidence } : {}) }));
}

/** Whether a commit is a merge Stagegate made (it carries the trailers mergePromotion writes). */
export function isStagegateMerge(commit: Pick<CommitInfo, "message">): boolean {
  const trailers = parseTrailers(commit.message);
  return getTrailer(trailers, "Stagegate-PR") !== undefined && getTrailer(trailers, "Stagegate-Merged-By") !== undefined;
}

/** `gate by login: reason` (the Stagegate-Override trailer). */
const OVERRIDE_TRAILER = /^([^\s]+) by ([^\s:]+): ([^]*)$/;

/** The PR as the push read it, for the repair (no second request for it). */
export interface MergedPullRequest {
  pr: PromotionPullRequest;
  evidence: Evidence;
}

/**
 * Level-triggered repair of the evidence note of a Stagegate merge commit (events are hints: a fault
 * or crash between the merge and mergePromotion's note write must not lose it for good). When the
 * commit has no note, rebuilds it from the merge commit's trailers (approvers, gate results, overrides,
 * who merged), the PR's evidence block and reviews, the gate checks on the PR head and the deployments
 * the push recorded, and appends it. What only the merging process knew is left out: the gates'
 * machine-readable evidence (not in the checks); `rebuiltAt` tells the audit the note was rebuilt.
 * Idempotent: a note already present means no write. Returns whether it wrote.
 */
export async function repairEvidenceNote(deps: LifecycleDeps, commit: CommitInfo, merged: MergedPullRequest, loaded: LoadedConfig, deployments: readonly RecordedDeployment[]): Promise<boolean> {
  if ((await deps.notes.readNote(commit.sha)) !== undefined) return false;
  const { pr, evidence } = merged;
  const trailers = parseTrailers(commit.message);
  const env = getEnvironment(loaded, evidence.environment);
  const specs = env ? gatesFor(getPolicy(loaded, env), evidence.kind) : [];
  const checks = await deps.checks.listChecks(pr.headSha);
  const check = (name: string) => checks.find((c) => c.name === name);
  const gates: NoteGate[] = (getTrailer(trailers, "Stagegate-Gates") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.includes("="))
    .map((part) => {
      const name = part.slice(0, part.lastIndexOf("="));
      const c = check(`${SUMMARY_CHECK}/${name}`);
      return { name, type: specs.find((s) => gateName(s) === name)?.gate, result: part.slice(part.lastIndexOf("=") + 1), conclusion: c?.conclusion, summary: c?.title };
    });
  const summary = check(SUMMARY_CHECK);
  const overrides = getTrailers(trailers, "Stagegate-Override").flatMap((value): NoteOverride[] => {
    const m = OVERRIDE_TRAILER.exec(value.trim());
    return m ? [{ gate: m[1]!, by: m[2]!, reason: m[3]! }] : [];
  });
  const approvedBy = getTrailers(trailers, "Stagegate-Approved-By").map((v) => v.trim());
  const reviews = approvedBy.length > 0 ? await deps.pulls.listReviews(pr.number) : [];
  const note = buildEvidenceNote({
    evidence,
    pr,
    gates,
    summary: { conclusion: summary?.conclusion, summary: summary?.title },
    approvedBy,
    reviews,
    overrides,
    mergedBy: getTrailer(trailers, "Stagegate-Merged-By")!.trim(),
    mergedAt: pr.mergedAt ?? commit.committer.date,
    // The state each deployment was recorded with, as mergePromotion saw it right after recording.
    deployments: deployments.map((d) => ({ deployment: d.deployment, state: d.deployment.statuses[0]?.state ?? "queued" })),
    rebuiltAt: deps.clock.now().toISOString(),
  });
  return (await deps.notes.appendNote(commit.sha, JSON.stringify(note), { ifAbsent: true })) !== false;
}
