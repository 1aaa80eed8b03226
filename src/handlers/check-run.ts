/**
 * `check_run`: the re-run button on one of Stagegate's checks (rerequested) re-evaluates the PRs of
 * that commit; a check run of another app completing on a source commit re-evaluates the promotions of
 * artifacts built from it. Stagegate's own completions are ignored (no loops).
 */
import type { Context, Probot } from "probot";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import { evaluatePr, getEventRepo, isEnvironmentsRepo, reevaluateSourceCommit, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export function registerCheckRun(app: Probot, shared: LifecycleApp): void {
  app.on(["check_run.rerequested", "check_run.completed"], (context) => handleCheckRun(context, shared));
}

export async function handleCheckRun(context: Context<"check_run">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const run = payload.check_run;
  const log = getDeliveryLog(context, { check: run.name, action: payload.action, sha: run.head_sha });
  const ours = run.app?.id === (await shared.identity()).appId;
  if (payload.action === "completed" && ours) return log.debug({}, "ignored: Stagegate's own check run");
  if (payload.action === "rerequested" && !ours) return log.debug({}, "ignored: re-run of another app's check");
  try {
    const client = getClient(context);
    const repo = getEventRepo(context);
    const lifecycle = await shared.open(client, repo, log);
    if (payload.action === "completed") {
      if (await isEnvironmentsRepo(lifecycle)) return log.debug({}, "ignored: check run in the environments repository");
      const prs = await reevaluateSourceCommit(shared, client, repo, run.head_sha, log);
      return log.info({ prs }, "source check completed: promotions re-evaluated");
    }
    await rerunFor(context, shared, run.pull_requests.map((p) => p.number), run.head_sha);
  } catch (error) {
    await reportGateFailure(undefined, undefined, error, log);
  }
}

/** Re-evaluates the PRs of a re-requested check (run or suite): the head's open PRs. */
export async function rerunFor(context: Context<"check_run" | "check_suite">, shared: LifecycleApp, numbers: number[], headSha: string): Promise<void> {
  const log = getDeliveryLog(context, { sha: headSha });
  const lifecycle = await shared.open(getClient(context), getEventRepo(context), log);
  if (!(await isEnvironmentsRepo(lifecycle))) return log.debug({}, "ignored: no stagegate.yaml on the default branch");
  for (const number of numbers) {
    try {
      const outcome = await evaluatePr(lifecycle, number);
      log.info({ pr: number, summary: outcome.summary?.conclusion, written: outcome.written }, "re-run evaluated");
    } catch (error) {
      await reportGateFailure(lifecycle, headSha, error, log);
    }
  }
}
