import type { GateSpec, GateSpecOf, LoadedConfig, Policy } from "../core/config/index.js";
import type { Evidence } from "../core/evidence/schema.js";
import { toDeploymentFact } from "../core/gates/deployment-facts.js";
import type { GateFacts } from "../core/gates/facts.js";
import type { PromotionPullRequest } from "../core/ports/environments-repo.js";
import { VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";
import { gatherVulnerabilityFacts } from "./vulnerability-facts.js";

/** Teams (`org/slug`, lowercase, no @) named by the gates and the overrides of a policy. */
function namedTeams(gates: readonly GateSpec[], policy: Policy): string[] {
  const principals: string[] = [...(policy.overrides?.teams ?? [])];
  for (const gate of gates) if (gate.gate === "approvals") principals.push(...gate.teams, ...gate.users);
  return [...new Set(principals.map((p) => p.replace(/^@/, "").toLowerCase()).filter((p) => p.includes("/")))];
}

/**
 * Gathers the facts the gates of a PR need through the ports, before evaluation (which is pure):
 * deployments of the service everywhere, reviews, the source commit's checks, team membership, and for
 * vulnerabilities gates the linked scan report and the source commit's code scanning alerts.
 * Metrics and http facts are added by the evaluation services through services/probes.ts (they need
 * the gate's stored measurements and network requests).
 */
export async function gatherGateFacts(deps: LifecycleDeps, pr: PromotionPullRequest, evidence: Evidence, gates: readonly GateSpec[], policy: Policy, _loaded: LoadedConfig): Promise<GateFacts> {
  const source = evidence.artifact.source;
  const [deployments, reviews, sourceChecks] = await Promise.all([
    deps.deployments.listDeployments({ service: evidence.service }),
    deps.pulls.listReviews(pr.number),
    source ? deps.source.listCommitChecks(source.repo, source.sha) : Promise.resolve(undefined),
  ]);
  // The artifact's author does not approve their own change: named by the intake, else the login GitHub ties the commit to.
  const artifactAuthor = source ? (source.author ?? (await deps.source.sourceCommitAuthor(source.repo, source.sha))) : undefined;
  const teams: Record<string, string[]> = {};
  for (const team of namedTeams(gates, policy)) teams[team] = (await deps.source.listTeamMembers(team)).map((m) => m.toLowerCase());
  const facts: GateFacts = {
    deployments: deployments.map((d) => toDeploymentFact(d, { verifier: VERIFIER })),
    pullRequest: {
      number: pr.number,
      author: pr.author,
      headSha: pr.headSha,
      openedAt: pr.createdAt,
      ...(evidence.requestedBy ? { requestedBy: evidence.requestedBy } : {}),
      ...(artifactAuthor ? { artifactAuthor } : {}),
    },
    reviews,
    teams,
    overrides: [],
  };
  if (source) facts.sourceCommit = { repo: source.repo, sha: source.sha };
  const provenanceGates = deps.provenance ? gates.filter((g) => g.gate === "provenance") : [];
  if (provenanceGates.length > 0) {
    const probe = deps.provenance!;
    facts.provenance = Object.fromEntries(await Promise.all(provenanceGates.map(async (g) => [g.name ?? g.gate, await probe({ repository: g.repository, digest: evidence.artifact.digest })] as const)));
  }
  if (sourceChecks) facts.sourceChecks = sourceChecks;
  const vulnerabilityGates = gates.filter((g): g is GateSpecOf<"vulnerabilities"> => g.gate === "vulnerabilities");
  if (vulnerabilityGates.length > 0) facts.vulnerabilities = await gatherVulnerabilityFacts(deps, evidence, vulnerabilityGates);
  return facts;
}
