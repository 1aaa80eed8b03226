/** `pull_request_review` (submitted, edited, dismissed) → re-evaluate the PR's gates. */
import type { Context, Probot } from "probot";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import type { GitHubLifecycle } from "../adapters/github/lifecycle.js";
import { evaluatePr, getEventRepo, isEnvironmentsRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export function registerPullRequestReview(app: Probot, shared: LifecycleApp): void {
  app.on(["pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed"], (context) => handlePullRequestReview(context, shared));
}

export async function handlePullRequestReview(context: Context<"pull_request_review">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const pr = payload.pull_request;
  const log = getDeliveryLog(context, { pr: pr.number, review: payload.review.state });
  if (pr.state !== "open") return log.debug({}, "ignored: pull request not open");
  let lifecycle: GitHubLifecycle | undefined;
  try {
    lifecycle = await shared.open(getClient(context), getEventRepo(context), log);
    if (!(await isEnvironmentsRepo(lifecycle))) return log.debug({}, "ignored: no stagegate.yaml on the default branch");
    const outcome = await evaluatePr(lifecycle, pr.number, pr.body ?? "");
    log.info({ status: outcome.status, summary: outcome.summary?.conclusion, written: outcome.written }, "review evaluated");
  } catch (error) {
    await reportGateFailure(lifecycle, pr.head.sha, error, log);
  }
}
