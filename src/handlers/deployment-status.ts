/**
 * `deployment_status` posted by a deployer (Argo CD notifications, Flux, a workflow on the
 * `deployment` event) on one of Stagegate's deployments → verification → verdict → next-stage PRs or
 * rollback. Stagegate's own statuses are ignored (they are the verdicts).
 */
import type { Context, Probot } from "probot";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import { isBotLogin } from "../core/gates/principals.js";
import { parseDeploymentPayload } from "../adapters/github/deployment-payload.js";
import { advanceDeployment } from "../services/advance-deployment.js";
import { getEventRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export function registerDeploymentStatus(app: Probot, shared: LifecycleApp): void {
  app.on("deployment_status.created", (context) => handleDeploymentStatus(context, shared));
}

export async function handleDeploymentStatus(context: Context<"deployment_status">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context, { deployment: payload.deployment.id, state: payload.deployment_status.state });
  if (isBotLogin(payload.deployment_status.creator?.login, await shared.botLogin())) return log.debug({}, "ignored: Stagegate's own status");
  if (!parseDeploymentPayload(payload.deployment.payload)) return log.debug({}, "ignored: not a Stagegate deployment");
  try {
    const lifecycle = await shared.open(getClient(context), getEventRepo(context), log);
    const deployment = (await lifecycle.deps.deployments.listDeployments({ environment: payload.deployment.environment })).find((d) => d.id === String(payload.deployment.id));
    if (!deployment) return log.info({}, "ignored: deployment not among the recent ones");
    const outcome = await advanceDeployment(lifecycle.deps, deployment);
    log.info({ verdict: outcome.verification.verdict, next: outcome.nextStages?.map((s) => s.status), rollback: outcome.rollback?.decision.action }, "deployment status handled");
  } catch (error) {
    await reportGateFailure(undefined, undefined, error, log);
  }
}
