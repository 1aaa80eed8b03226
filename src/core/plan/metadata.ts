import type { PromotionRequest } from "../artifact.js";
import type { Service } from "../config/config-schema.js";
import type { GateSpec } from "../config/gate-schemas.js";
import type { Policy } from "../config/policy-schema.js";
import { EVIDENCE_VERSION, type ApprovalRequirement, type Evidence, type PreviousArtifact } from "../evidence/schema.js";
import type { FileChange, SkippedFile } from "../plan-types.js";
import type { PromotionKind } from "./branch.js";

/** The summary check every PR carries; the only check branch protection requires. */
export const SUMMARY_CHECK = "stagegate";

/** Gates of a policy for a kind of PR: rollbacks take the fast path (`rollback.gates`). */
export function gatesFor(policy: Policy, kind: PromotionKind): GateSpec[] {
  return kind === "rollback" ? policy.rollback.gates : policy.gates;
}

/** Name of a gate: its check name suffix (`stagegate/<name>`). */
export function gateName(gate: GateSpec): string {
  return gate.name ?? gate.gate;
}

/** `stagegate/<gate>` for each gate, then `stagegate`. */
export function planChecks(policy: Policy, kind: PromotionKind): string[] {
  return [...new Set([...gatesFor(policy, kind).map((g) => `${SUMMARY_CHECK}/${gateName(g)}`), SUMMARY_CHECK])];
}

/** The policy's labels, then `stagegate`, `stagegate:<env>` and, for rollbacks, `stagegate:rollback`. */
export function planLabels(policy: Policy, environment: string, kind: PromotionKind): string[] {
  return [...new Set([...policy.labels, SUMMARY_CHECK, `${SUMMARY_CHECK}:${environment}`, ...(kind === "rollback" ? [`${SUMMARY_CHECK}:rollback`] : [])])];
}

/**
 * Reviewers: the policy's teams and users, those it names for the service's tier (`byTier`), plus the
 * service owners unless the policy says `serviceOwners: false`. `org/team` (with or without `@`) is a
 * team, requested by its slug.
 */
export function planReviewers(policy: Policy, service: Service): { users: string[]; teams: string[] } {
  const byTier = service.tier !== undefined ? (policy.reviewers?.byTier?.[service.tier] ?? []) : [];
  const principals = [...(policy.reviewers?.teams ?? []), ...(policy.reviewers?.users ?? []), ...byTier, ...(policy.reviewers?.serviceOwners === false ? [] : service.owners)];
  const users = new Set<string>();
  const teams = new Set<string>();
  for (const raw of principals) {
    const principal = raw.replace(/^@/, "");
    const slash = principal.indexOf("/");
    if (slash >= 0) teams.add(principal.slice(slash + 1));
    else users.add(principal);
  }
  return { users: [...users], teams: [...teams] };
}

/** Who must approve, from the `approvals` gates that apply. */
export function approvalRequirements(policy: Policy, kind: PromotionKind): ApprovalRequirement[] {
  return gatesFor(policy, kind).flatMap((g) => (g.gate === "approvals" ? [{ gate: gateName(g), count: g.count, teams: g.teams, users: g.users }] : []));
}

export interface EvidenceInput {
  request: PromotionRequest;
  policy: Policy;
  policyName: string;
  previous: PreviousArtifact[];
  changes: FileChange[];
  skipped: SkippedFile[];
  reviewers: { users: string[]; teams: string[] };
}

/** The evidence of a planned promotion (what the PR body and, later, git notes carry). */
export function buildEvidence(input: EvidenceInput): Evidence {
  const { request, policy } = input;
  const evidence: Evidence = {
    version: EVIDENCE_VERSION,
    kind: request.kind,
    service: request.artifact.service,
    environment: request.environment,
    policy: input.policyName,
    artifact: request.artifact,
    previous: input.previous,
    files: input.changes.map((c) => ({ path: c.path, editor: c.editor, lines: new Set(c.lines.map((l) => l.line)).size })),
    gates: gatesFor(policy, request.kind).map((g) => ({ name: gateName(g), gate: g.gate, check: `${SUMMARY_CHECK}/${gateName(g)}`, ...(g.description ? { description: g.description } : {}) })),
    approvals: approvalRequirements(policy, request.kind),
    reviewers: input.reviewers,
  };
  if (input.skipped.length > 0) evidence.skipped = input.skipped;
  if (request.from) evidence.from = request.from;
  if (request.requestedBy) evidence.requestedBy = request.requestedBy;
  if (request.reason) evidence.reason = request.reason;
  return evidence;
}
