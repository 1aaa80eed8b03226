import { NotFoundError, TerminalError } from "../core/errors.js";
import type { Deployment, DeploymentState } from "../core/ports/deployments.js";
import { VERIFIER, type LifecycleDeps } from "./lifecycle-deps.js";

/**
 * Records what the deployer reports about the latest deployment of (environment, service): what
 * Argo CD / Flux notifications or a deploy workflow post as deployment statuses on GitHub. Stagegate's
 * own verdict follows on the next evaluation (tick), from these statuses and the policy's verification.
 */
export async function reportDeploymentStatus(
  deps: LifecycleDeps,
  input: { environment: string; service: string; state: Extract<DeploymentState, "in_progress" | "success" | "failure" | "error">; by: string; description?: string; context?: string },
): Promise<Deployment> {
  if (input.by === VERIFIER) throw new TerminalError(`"${VERIFIER}" is Stagegate's own verdict; report as the deployer (e.g. --as argocd)`);
  const [latest] = await deps.deployments.listDeployments({ environment: input.environment, service: input.service });
  if (!latest) throw new NotFoundError(`no deployment of ${input.service} in ${input.environment} yet (merge a promotion first)`, { ...input });
  await deps.deployments.addDeploymentStatus(latest.id, { state: input.state, description: input.description ?? `rollout ${input.state === "success" ? "succeeded" : input.state}`, creator: input.by, ...(input.context ? { context: input.context } : {}) });
  return latest;
}
