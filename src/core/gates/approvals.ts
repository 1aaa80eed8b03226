import { parseDuration } from "../config/duration.js";
import type { ReviewFact } from "./facts.js";
import { isAuthorized, normalizePrincipal } from "./principals.js";
import { result, type GateEvaluator } from "./types.js";

const TRUSTED = new Set(["OWNER", "MEMBER", "COLLABORATOR"]);

/**
 * Each reviewer's standing review, as GitHub computes it: the latest APPROVED, CHANGES_REQUESTED or
 * DISMISSED review; a later COMMENTED review does not change it.
 */
function standingReviews(reviews: readonly ReviewFact[]): Map<string, ReviewFact> {
  const latest = new Map<string, ReviewFact>();
  const ordered = [...reviews].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  for (const review of ordered) if (review.state !== "commented") latest.set(normalizePrincipal(review.user), review);
  return latest;
}

/**
 * `approvals`: `count` approvals on the current head from the named teams/users, excluding the
 * artifact's author, the PR author and the requester (separation of duties). A standing change
 * request by an eligible reviewer blocks until that reviewer approves. Past `sla`, the evidence
 * carries `escalate` for the caller to mention and request reviews.
 */
export const evaluateApprovals: GateEvaluator<"approvals"> = (spec, facts, ctx) => {
  const pr = facts.pullRequest;
  if (!pr) return result(spec, { conclusion: "pending", summary: "no pull request to approve", details: "Approvals are counted on the promotion pull request." });
  const anyone = spec.teams.length === 0 && spec.users.length === 0;
  const eligible = (review: ReviewFact) => (anyone ? TRUSTED.has(review.authorAssociation ?? "NONE") : isAuthorized(review.user, spec, facts));
  const excluded = new Map<string, string>();
  if (spec.separationOfDuties) {
    if (pr.artifactAuthor) excluded.set(normalizePrincipal(pr.artifactAuthor), "authored the artifact's source commit");
    if (pr.requestedBy) excluded.set(normalizePrincipal(pr.requestedBy), "requested the promotion");
    excluded.set(normalizePrincipal(pr.author), "authored the pull request");
  }
  const counted: string[] = [];
  const blocking: string[] = [];
  const rows: string[] = [];
  /** Standing approvals given on an older head: the caller dismisses them (`dismissStale`), so GitHub stops showing them. */
  const stale: { id: string; user: string; commitSha: string }[] = [];
  for (const [login, review] of standingReviews(facts.reviews ?? [])) {
    if (spec.dismissStale && review.state === "approved" && review.commitSha !== pr.headSha) stale.push({ id: review.id, user: review.user, commitSha: review.commitSha });
    let verdict: string;
    if (!eligible(review)) verdict = anyone ? "not a member or collaborator" : "not in the approving teams/users";
    else if (review.state === "changes_requested") {
      verdict = "**changes requested**";
      blocking.push(review.user);
    } else if (review.state === "dismissed") verdict = "dismissed";
    else if (excluded.has(login)) verdict = `does not count: ${excluded.get(login)}`;
    else if (spec.dismissStale && review.commitSha !== pr.headSha) verdict = `stale: given on ${review.commitSha.slice(0, 7)}, head is ${pr.headSha.slice(0, 7)}`;
    else {
      verdict = "counts";
      counted.push(review.user);
    }
    rows.push(`| @${review.user} | ${review.state} | ${verdict} |`);
  }
  const details = [`${counted.length}/${spec.count} approvals${anyone ? "" : ` from ${[...spec.teams, ...spec.users].map((p) => `@${p.replace(/^@/, "")}`).join(", ")}`}.`, "", ...(rows.length ? ["| reviewer | review | |", "|---|---|---|", ...rows] : ["No reviews yet."])].join("\n");
  const evidence: Record<string, unknown> = { approvedBy: counted, required: spec.count, headSha: pr.headSha, ...(stale.length > 0 ? { stale } : {}) };
  if (blocking.length > 0) return result(spec, { conclusion: "failure", summary: `changes requested by ${blocking.map((u) => `@${u}`).join(", ")}`, details, evidence });
  if (counted.length >= spec.count) return result(spec, { conclusion: "success", summary: `approved by ${counted.map((u) => `@${u}`).join(", ")}`, details, evidence });

  const waiting = `${counted.length}/${spec.count} approvals`;
  if (spec.sla === undefined) return result(spec, { conclusion: "pending", summary: waiting, details, evidence });
  const deadline = Date.parse(pr.openedAt) + parseDuration(spec.sla);
  if (ctx.now.getTime() < deadline) {
    return result(spec, { conclusion: "pending", summary: `${waiting} (SLA ${spec.sla}, escalates ${new Date(deadline).toISOString()})`, details, evidence, nextEvaluationAt: new Date(deadline).toISOString() });
  }
  const mention = spec.escalate?.mention.length ? spec.escalate.mention : [...spec.teams, ...spec.users];
  const requestReviewFrom = spec.escalate?.requestReviewFrom ?? [];
  evidence["escalate"] = { mention, requestReviewFrom, breachedAt: new Date(deadline).toISOString() };
  return result(spec, {
    conclusion: "pending",
    // The breach time, not its age: a summary that changed with the clock would rewrite the check run
    // on every evaluation while nothing happened.
    summary: `${waiting}; SLA ${spec.sla} breached at ${new Date(deadline).toISOString()}`,
    details: `${details}\n\nThe review SLA of ${spec.sla} since the PR opened (${pr.openedAt}) has passed: escalating.`,
    evidence,
  });
};
