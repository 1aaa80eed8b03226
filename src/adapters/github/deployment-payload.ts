/**
 * The payload Stagegate stores on a GitHub deployment, and reading it back. The top level is what a
 * deployer (Argo CD notification, Flux, a workflow on the `deployment` event) needs — service, digest,
 * previous digest, promotion PR —; `evidence` keeps the rest of the port's DeploymentPayload. Pure.
 */
import type { DeploymentPayload } from "../../core/ports/deployments.js";

/** Marks the payload as Stagegate's; deployments without it are someone else's and ignored. */
export const PAYLOAD_MARKER = "stagegate";

/** Task of a service's deployments. */
export function deploymentTask(service: string): string {
  return `deploy:${service}`;
}

/** The JSON object stored as the deployment's payload. */
export function formatDeploymentPayload(payload: DeploymentPayload): Record<string, unknown> {
  const { service, digest, previousDigest, pullRequest, ...evidence } = payload;
  return {
    [PAYLOAD_MARKER]: 1,
    service,
    digest,
    ...(previousDigest ? { previous: previousDigest } : {}),
    ...(pullRequest !== undefined ? { pr: pullRequest } : {}),
    evidence,
  };
}

/** The port payload of a stored payload (string or object), or undefined when it is not Stagegate's. */
export function parseDeploymentPayload(raw: unknown): DeploymentPayload | undefined {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== "object" || value === null) return undefined;
  const p = value as Record<string, unknown>;
  if (p[PAYLOAD_MARKER] !== 1 || typeof p.service !== "string" || typeof p.digest !== "string") return undefined;
  const evidence = (typeof p.evidence === "object" && p.evidence !== null ? p.evidence : {}) as Partial<DeploymentPayload>;
  return {
    ...evidence,
    service: p.service,
    digest: p.digest,
    kind: evidence.kind === "rollback" ? "rollback" : "promotion",
    ...(typeof p.previous === "string" ? { previousDigest: p.previous } : {}),
    ...(typeof p.pr === "number" ? { pullRequest: p.pr } : {}),
  };
}

/**
 * A deployer's status that Stagegate mirrors onto a deployment (Argo CD / Flux commit statuses) is
 * posted by the app, so its description carries who reported it: `[argocd/shop] Sync succeeded`.
 */
const MIRRORED = /^\[([^\]\s]{1,100})\] /;

/** The description of a mirrored deployer status. */
export function mirroredDescription(deployer: string, description: string): string {
  return `[${deployer}] ${description}`;
}

/** The deployer named by a mirrored status description, if it is one. */
export function getMirroredDeployer(description: string): string | undefined {
  return MIRRORED.exec(description)?.[1];
}

/** Whether a deployer's status context can be mirrored and read back as itself (no whitespace or `]`, at most 100 characters). */
export function canMirror(context: string): boolean {
  return getMirroredDeployer(mirroredDescription(context, "")) === context;
}

/** A deployer whose mirrored status could not be read back: never taken for Stagegate's own verdict. */
export const UNKNOWN_DEPLOYER = "unknown-deployer";

/**
 * Who a status the app's bot posted stands for: the deployer it mirrors (`[argocd/shop] …`), else
 * Stagegate's own verdict. A description that opens like a mirror but does not read back is a
 * deployer's, never a verdict: a verdict would skip the health check and pass the next stage's gates.
 */
export function creatorOfBotStatus(description: string, verifier: string): string {
  return getMirroredDeployer(description) ?? (description.startsWith("[") ? UNKNOWN_DEPLOYER : verifier);
}
