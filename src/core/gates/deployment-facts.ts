import type { Deployment } from "../ports/deployments.js";
import type { DeploymentFact, GateFacts } from "./facts.js";

/**
 * Flattens a port Deployment (statuses oldest first) into a {@link DeploymentFact}.
 * `verifier`: when set (e.g. "stagegate" for policies with verification), only success statuses
 * posted by that creator count as verified; otherwise any success does.
 */
export function toDeploymentFact(deployment: Deployment, options: { verifier?: string } = {}): DeploymentFact {
  const statuses = [...deployment.statuses].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const last = statuses.at(-1);
  const fact: DeploymentFact = {
    environment: deployment.environment,
    digest: deployment.digest,
    state: last?.state ?? "queued",
    createdAt: deployment.createdAt,
  };
  const verified = statuses.find((s) => s.state === "success" && (options.verifier === undefined || s.creator === options.verifier));
  const failed = statuses.find((s) => s.state === "failure" || s.state === "error");
  const ended = statuses.find((s) => s.state === "inactive");
  if (verified) fact.verifiedAt = verified.createdAt;
  if (failed) fact.failedAt = failed.createdAt;
  if (ended) fact.endedAt = ended.createdAt;
  return fact;
}

/** What the record says about a digest in one environment. */
export type UpstreamStatus =
  | { status: "absent" }
  | { status: "failed"; failedAt: string; deployment: DeploymentFact }
  | { status: "deploying"; deployment: DeploymentFact }
  | { status: "verified"; verifiedAt: string; endedAt?: string; deployment: DeploymentFact };

/**
 * The digest's standing in `environment`, from its latest deployment there. A failure recorded after
 * (or without) verification revokes it: an artifact that later failed upstream must not move on.
 */
export function getUpstreamStatus(facts: GateFacts, environment: string, digest: string): UpstreamStatus {
  const mine = facts.deployments.filter((d) => d.environment === environment && d.digest === digest).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const latest = mine.at(-1);
  if (!latest) return { status: "absent" };
  const failedAt = latest.failedAt ?? (latest.state === "failure" || latest.state === "error" ? latest.createdAt : undefined);
  if (failedAt !== undefined) return { status: "failed", failedAt, deployment: latest };
  if (latest.verifiedAt !== undefined) {
    return latest.endedAt !== undefined
      ? { status: "verified", verifiedAt: latest.verifiedAt, endedAt: latest.endedAt, deployment: latest }
      : { status: "verified", verifiedAt: latest.verifiedAt, deployment: latest };
  }
  return { status: "deploying", deployment: latest };
}

/** First 12 hex characters of a digest, for messages. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}
