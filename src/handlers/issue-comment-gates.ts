/**
 * `/stagegate recheck`, `/stagegate override <gate> reason: <text>` and `/stagegate approve-override
 * <gate>` in PR comments. The comment itself is the record (state is in GitHub): the evaluation reads
 * overrides back from the PR's comments, and the gates decide who may override (the policy's override
 * teams, an optional second person, expiry). Any of the three triggers a re-evaluation.
 */
import type { Context, Probot } from "probot";
import { postComment } from "../adapters/github/feedback.js";
import { getClient, getDeliveryLog } from "../app/handler-support.js";
import type { GitHubLifecycle } from "../adapters/github/lifecycle.js";
import { evaluatePr, getEventRepo, isEnvironmentsRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export type GateCommand = { kind: "recheck" } | { kind: "override"; gate: string; reason: string } | { kind: "approve-override"; gate: string } | { kind: "invalid"; error: string };

export const GATE_USAGE = "usage: `/stagegate recheck`, `/stagegate override <gate> reason: <why>`, `/stagegate approve-override <gate>`";

/** The first gate command of a comment, or undefined when it has none (pure). */
export function parseGateCommand(body: string): GateCommand | undefined {
  const line = body.split(/\r?\n/).map((l) => l.trim()).find((l) => /^\/stagegate\s+(recheck|override|approve-override)\b/i.test(l));
  if (line === undefined) return undefined;
  const [, verb = "", rest = ""] = /^\/stagegate\s+(\S+)\s*(.*)$/i.exec(line) ?? [];
  if (verb.toLowerCase() === "recheck") return { kind: "recheck" };
  const gate = /^([a-z0-9][a-z0-9-]*)\b/.exec(rest)?.[1];
  if (!gate) return { kind: "invalid", error: `name the gate (the part after \`stagegate/\` in the check name). ${GATE_USAGE}` };
  if (verb.toLowerCase() === "approve-override") return { kind: "approve-override", gate };
  const reason = /^[a-z0-9-]+\s+reason:\s*(\S.*)$/i.exec(rest)?.[1];
  return reason ? { kind: "override", gate, reason } : { kind: "invalid", error: `an override needs a reason. ${GATE_USAGE}` };
}

export function registerGateCommands(app: Probot, shared: LifecycleApp): void {
  app.on("issue_comment.created", (context) => handleGateCommand(context, shared));
}

export async function handleGateCommand(context: Context<"issue_comment">, shared: LifecycleApp): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context, { pr: payload.issue.number });
  if (!payload.issue.pull_request) return log.debug({}, "ignored: not a pull request");
  if (payload.sender.type === "Bot") return log.debug({}, "ignored: comment by a bot");
  const command = parseGateCommand(payload.comment.body);
  if (!command) return log.debug({}, "ignored: no gate command");
  const client = getClient(context);
  const repo = getEventRepo(context);
  if (command.kind === "invalid") return postComment(client, repo, payload.issue.number, `@${payload.sender.login} ${command.error}`);
  let lifecycle: GitHubLifecycle | undefined;
  try {
    lifecycle = await shared.open(client, repo, log);
    if (!(await isEnvironmentsRepo(lifecycle))) return log.debug({}, "ignored: no stagegate.yaml on the default branch");
    const outcome = await evaluatePr(lifecycle, payload.issue.number, payload.issue.body ?? "");
    log.info({ command: command.kind, summary: outcome.summary?.conclusion, written: outcome.written }, "gate command evaluated");
  } catch (error) {
    await reportGateFailure(lifecycle, lifecycle?.session.pull(payload.issue.number)?.pr?.headSha, error, log);
  }
}
