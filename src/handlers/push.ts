/**
 * `push` to the default branch of an environments repository → one GitHub deployment per changed
 * (environment, service) (idempotent across redeliveries; reverts recognised as rollbacks), and a
 * `stagegate/config` check on the pushed commit when it changed stagegate.yaml or policies/.
 */
import type { Context, Probot } from "probot";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import type { GitHubLifecycle } from "../adapters/github/lifecycle.js";
import { changedChecks } from "../core/lifecycle/checks.js";
import { configCheck, isConfigPath } from "../services/evaluate-change.js";
import { recordPush } from "../services/record-push.js";
import { getEventRepo, isEnvironmentsRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

const ZERO = /^0{40}$/;

export function registerPush(app: Probot, shared: LifecycleApp): void {
  app.on("push", (context) => handlePush(context, shared));
}

export async function handlePush(context: Context<"push">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context, { before: payload.before, after: payload.after });
  if (payload.ref !== `refs/heads/${payload.repository.default_branch}`) return log.debug({ ref: payload.ref }, "ignored: not the default branch");
  if (payload.deleted || ZERO.test(payload.after) || ZERO.test(payload.before)) return log.debug({}, "ignored: branch created or deleted");
  let lifecycle: GitHubLifecycle | undefined;
  try {
    lifecycle = await shared.open(getClient(context), getEventRepo(context), log);
    if (!(await isEnvironmentsRepo(lifecycle))) return log.debug({}, "ignored: no stagegate.yaml on the default branch");
    const touched = payload.commits.flatMap((c) => [...(c.added ?? []), ...(c.modified ?? []), ...(c.removed ?? [])]);
    if (touched.some(isConfigPath)) {
      const report = configCheck((await lifecycle.deps.commits.readSnapshotAt(payload.after)).files);
      const changed = changedChecks(await lifecycle.checks.listChecks(payload.after), [report]);
      if (changed.length > 0) await lifecycle.checks.writeChecks(payload.after, changed);
    }
    const recorded = await recordPush(lifecycle.deps, { before: payload.before, after: payload.after });
    log.info({ created: recorded.filter((r) => r.created).map((r) => r.deployment.id), rollbacks: recorded.filter((r) => r.rollbackReason).length }, "push recorded");
  } catch (error) {
    await reportGateFailure(undefined, undefined, error, log);
  }
}
