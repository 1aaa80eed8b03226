/** `check_suite.rerequested` on Stagegate's suite ("Re-run all checks") → re-evaluate the suite's PRs. */
import type { Context, Probot } from "probot";
import { getDeliveryLog } from "../app/handler-support.js";
import { rerunFor } from "./check-run.js";
import { reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export function registerCheckSuite(app: Probot, shared: LifecycleApp): void {
  app.on("check_suite.rerequested", (context) => handleCheckSuite(context, shared));
}

export async function handleCheckSuite(context: Context<"check_suite">, shared: LifecycleApp): Promise<void> {
  const suite = context.payload.check_suite;
  const log = getDeliveryLog(context, { sha: suite.head_sha });
  if (suite.app?.id !== (await shared.identity()).appId) return log.debug({}, "ignored: another app's suite");
  try {
    await rerunFor(context, shared, suite.pull_requests.map((p) => p.number), suite.head_sha);
  } catch (error) {
    await reportGateFailure(undefined, undefined, error, log);
  }
}
