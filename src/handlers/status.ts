/**
 * `status` (commit statuses). On a merge commit of an environments repository, a deployer's status
 * (Argo CD notifications `argocd/…`, Flux notification-controller `kustomization/…`, matched by the
 * policy's `verification.statuses`) is mirrored onto the deployments of that commit and verification
 * advances. On a source commit, the promotions of artifacts built from it are re-evaluated. A status
 * named `stagegate` or `stagegate/*` is never Stagegate's (it writes check runs), so it is ignored:
 * the ruleset requires the check pinned to the app, which a status cannot fake.
 */
import type { Context, Probot } from "probot";
import { canMirror, mirroredDescription } from "../adapters/github/deployment-payload.js";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import { getEnvironment, getPolicy, loadConfiguration } from "../core/config/index.js";
import { matchGlob } from "../core/gates/glob.js";
import { SUMMARY_CHECK } from "../core/plan/index.js";
import type { DeploymentState } from "../core/ports/deployments.js";
import { advanceDeployment } from "../services/advance-deployment.js";
import { getEventRepo, isEnvironmentsRepo, reevaluateSourceCommit, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

const STATES: Record<string, Extract<DeploymentState, "in_progress" | "success" | "failure" | "error">> = { pending: "in_progress", success: "success", failure: "failure", error: "error" };

export function registerStatus(app: Probot, shared: LifecycleApp): void {
  app.on("status", (context) => handleStatus(context, shared));
}

export async function handleStatus(context: Context<"status">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context, { sha: payload.sha, context: payload.context, state: payload.state });
  if (payload.context === SUMMARY_CHECK || payload.context.startsWith(`${SUMMARY_CHECK}/`)) return log.info({}, "ignored: a status named like Stagegate's checks is not Stagegate's");
  try {
    const client = getClient(context);
    const lifecycle = await shared.open(client, getEventRepo(context), log);
    if (!(await isEnvironmentsRepo(lifecycle))) {
      const prs = await reevaluateSourceCommit(shared, client, getEventRepo(context), payload.sha, log);
      return log.info({ prs }, "source status: promotions re-evaluated");
    }
    const snapshot = await lifecycle.snapshot();
    const loaded = loadConfiguration(snapshot.files);
    if (!loaded.ok) return log.info({}, "ignored: invalid configuration on the default branch");
    const deployments = (await lifecycle.deps.deployments.listDeployments()).filter((d) => d.ref === payload.sha);
    for (const deployment of deployments) {
      const env = getEnvironment(loaded.loaded, deployment.environment);
      const patterns = env ? (getPolicy(loaded.loaded, env).verification?.statuses ?? []) : [];
      if (!patterns.some((p) => matchGlob(p, payload.context))) continue;
      // A context that would not read back as itself (a space, `]`, over 100 characters) is not mirrored: read back, it could pass for Stagegate's verdict.
      if (!canMirror(payload.context)) {
        log.warn({ context: payload.context.slice(0, 120) }, "deployer status context cannot be mirrored (whitespace, ']' or over 100 characters): ignored");
        continue;
      }
      const state = STATES[payload.state]!;
      const last = deployment.statuses.filter((s) => s.creator === payload.context).at(-1);
      if (last?.state === state) continue; // a redelivery: already mirrored
      await lifecycle.deps.deployments.addDeploymentStatus(deployment.id, { state, description: mirroredDescription(payload.context, payload.description ?? payload.state), creator: payload.context, ...(payload.target_url ? { logUrl: payload.target_url } : {}) });
      const outcome = await advanceDeployment(lifecycle.deps, deployment);
      log.info({ deployment: deployment.id, verdict: outcome.verification.verdict }, "deployer status mirrored");
    }
  } catch (error) {
    await reportGateFailure(undefined, undefined, error, log);
  }
}
