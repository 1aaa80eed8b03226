/**
 * `merge_group.checks_requested` → `stagegate` on the merge group's head commit: success when every PR
 * in the group (read from the group's commits, `#N` in each first line) has a green `stagegate` on its
 * head, so the merge queue's required check is satisfied by the same app that gated the PRs.
 */
import type { Context, Probot } from "probot";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import { changedChecks, isGreen } from "../core/lifecycle/checks.js";
import { SUMMARY_CHECK } from "../core/plan/index.js";
import type { CheckReport } from "../core/ports/checks.js";
import { getEventRepo, isEnvironmentsRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export function registerMergeGroup(app: Probot, shared: LifecycleApp): void {
  app.on("merge_group.checks_requested", (context) => handleMergeGroup(context, shared));
}

/** PR numbers of a group's commits (GitHub's queue commit titles end in `(#N)` or read `Merge pull request #N`). */
export function getGroupPullRequests(messages: string[]): number[] {
  return [...new Set(messages.flatMap((m) => [...(m.split("\n")[0] ?? "").matchAll(/#(\d+)/g)].map((x) => Number(x[1]))))];
}

export async function handleMergeGroup(context: Context<"merge_group">, shared: LifecycleApp): Promise<void> {
  const group = context.payload.merge_group;
  const log = getDeliveryLog(context, { sha: group.head_sha });
  try {
    const lifecycle = await shared.open(getClient(context), getEventRepo(context), log);
    if (!(await isEnvironmentsRepo(lifecycle))) return log.debug({}, "ignored: no stagegate.yaml on the default branch");
    const history = await lifecycle.deps.commits.listFirstParent(group.head_sha, 50);
    const cut = history.findIndex((c) => c.sha === group.base_sha);
    const numbers = getGroupPullRequests((cut === -1 ? history : history.slice(0, cut)).map((c) => c.message));
    const rows: string[] = [];
    let green = numbers.length > 0;
    for (const number of numbers) {
      const pr = await lifecycle.deps.pulls.getPullRequest(number);
      const check = (await lifecycle.checks.listChecks(pr.headSha)).find((c) => c.name === SUMMARY_CHECK);
      green &&= isGreen(check);
      rows.push(`| #${number} | ${isGreen(check) ? "✅" : "❌"} ${check?.title ?? "not evaluated"} |`);
    }
    const table = ["| pull request | `stagegate` |", "|---|---|", ...rows].join("\n");
    const report: CheckReport = green
      ? { name: SUMMARY_CHECK, status: "completed", conclusion: "success", title: `every PR of the group passed its gates (${numbers.length})`, summary: table }
      : { name: SUMMARY_CHECK, status: "completed", conclusion: "failure", title: numbers.length === 0 ? "no pull request found in the merge group" : "a PR of the group has not passed its gates", summary: table };
    const changed = changedChecks(await lifecycle.checks.listChecks(group.head_sha), [report]);
    if (changed.length > 0) await lifecycle.checks.writeChecks(group.head_sha, changed);
    log.info({ prs: numbers, conclusion: report.conclusion }, "merge group checked");
  } catch (error) {
    await reportGateFailure(undefined, undefined, error, log);
  }
}
