/**
 * `pull_request` → evaluate the PR's gates and write the checks that changed. Every PR to the default
 * branch of an environments repository gets `stagegate`: promotions their environment's gates,
 * hand-made PRs the policy of the folders they touch, others a green check. A merge is handled by the
 * `push` it causes.
 */
import type { Context, Probot } from "probot";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import type { GitHubLifecycle } from "../adapters/github/lifecycle.js";
import { evaluatePr, getEventRepo, isEnvironmentsRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

const ACTIONS = ["opened", "synchronize", "reopened", "labeled", "unlabeled", "ready_for_review", "edited"] as const;

export function registerPullRequest(app: Probot, lifecycle: LifecycleApp): void {
  app.on(ACTIONS.map((a) => `pull_request.${a}` as const), (context) => handlePullRequest(context, lifecycle));
}

export async function handlePullRequest(context: Context<"pull_request">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const pr = payload.pull_request;
  const log = getDeliveryLog(context, { pr: pr.number, action: payload.action });
  if (pr.state !== "open") return log.debug({}, "ignored: pull request not open");
  if (pr.base.ref !== payload.repository.default_branch) return log.debug({ base: pr.base.ref }, "ignored: not targeting the default branch");
  if (payload.action === "edited" && !(payload.changes as { body?: unknown } | undefined)?.body) return log.debug({}, "ignored: edit did not change the body");
  let lifecycle: GitHubLifecycle | undefined;
  try {
    lifecycle = await shared.open(getClient(context), getEventRepo(context), log);
    if (!(await isEnvironmentsRepo(lifecycle))) return log.debug({}, "ignored: no stagegate.yaml on the default branch");
    const outcome = await evaluatePr(lifecycle, pr.number, pr.body ?? "");
    log.info({ status: outcome.status, summary: outcome.summary?.conclusion, written: outcome.written }, "pull request evaluated");
  } catch (error) {
    await reportGateFailure(lifecycle, pr.head.sha, error, log);
  }
}
