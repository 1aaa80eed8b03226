/**
 * `/stagegate promote <service> <digest|tag> to <env>` in a comment on an issue or PR of the
 * environments repository. Only the policy's `promoters` may run it. Replies: 👀 when picked up, then a
 * comment with the PR (🚀) or the reason it was refused (😕).
 */
import type { Context, Probot } from "probot";
import { parseRepoRef } from "../adapters/github/client.js";
import { postComment, reactToComment } from "../adapters/github/feedback.js";
import { describeFailure, getClient, getDeliveryLog, intakeServices, type AppServices } from "../app/handler-support.js";
import { describeOutcomes, runIntake } from "../app/intake.js";
import { assertPromoter } from "../app/promoters.js";
import { getPolicyName } from "../core/config/loaded.js";
import { parsePromoteCommand } from "../core/intake/command.js";

/** Registers the handler. */
export function registerIssueComment(app: Probot, options: AppServices = {}): void {
  app.on("issue_comment.created", (context) => handleIssueComment(context, options));
}

export async function handleIssueComment(context: Context<"issue_comment">, options: AppServices = {}): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context, { issue: payload.issue.number, commentId: payload.comment.id });
  if (payload.action !== "created") return log.debug({ action: payload.action }, "ignored: comment not created");
  if (payload.sender.type === "Bot") return log.debug({ sender: payload.sender.login }, "ignored: comment by a bot");
  const command = parsePromoteCommand(payload.comment.body);
  if (!command) return log.debug({}, "ignored: no /stagegate promote command");
  const repo = parseRepoRef(payload.repository.full_name)!;
  const client = getClient(context);
  const reply = (body: string) => postComment(client, repo, payload.issue.number, `@${payload.sender.login} ${body}`);
  if (!command.ok) {
    log.info({ error: command.error }, "refused: malformed /stagegate promote");
    await reactToComment(client, repo, payload.comment.id, "confused");
    return reply(command.error);
  }
  const runLog = log.child({ service: command.service, environment: command.environment, requestedBy: payload.sender.login });
  await reactToComment(client, repo, payload.comment.id, "eyes");
  try {
    const result = await runIntake(
      {
        client,
        log: runLog,
        authorize: ({ loaded, env, policy }) => assertPromoter(client, payload.sender.login, env, policy, getPolicyName(loaded, env)),
        ...intakeServices(options),
      },
      { service: command.service, environment: command.environment, requestedBy: payload.sender.login, ...(command.ref.kind === "digest" ? { digest: command.ref.digest } : { tag: command.ref.tag }) },
      { environmentsRepo: repo },
    );
    runLog.info({ outcomes: result.outcomes }, "promote command done");
    await reactToComment(client, repo, payload.comment.id, "rocket");
    await reply(`promoting \`${result.service}\` \`${result.digest}\`:\n\n${describeOutcomes(result)}`);
  } catch (error) {
    const failure = describeFailure(error);
    runLog.warn({ err: error, kind: failure.kind }, "promote command failed");
    await reactToComment(client, repo, payload.comment.id, "confused").catch(() => undefined);
    await reply(`**${failure.title}.** ${failure.message}`).catch((e: unknown) => runLog.error({ err: e }, "could not reply"));
    if (failure.kind === "retryable" || failure.kind === "bug") throw error;
  }
}
