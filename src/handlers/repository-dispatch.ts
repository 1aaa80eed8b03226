/**
 * `repository_dispatch` with `event_type: stagegate.artifact`: a CI job announces a new artifact.
 * Refusals are reported as a failed `stagegate/intake` check run on the dispatching repository (on the
 * artifact's source commit when it is in that repository, else on its default branch head): the place a
 * CI sender can see without a PR existing yet.
 */
import type { Context, Probot } from "probot";
import { parseRepoRef } from "../adapters/github/client.js";
import { probeRepository, reportIntakeCheck } from "../adapters/github/feedback.js";
import { describeFailure, getClient, getDeliveryLog, intakeServices, type HandlerDeps } from "../app/handler-support.js";
import { runIntake } from "../app/intake.js";
import { artifactPayloadSchema, DISPATCH_EVENT_TYPE, formatIssues } from "../core/intake/payloads.js";

/** Registers the handler. */
export function registerRepositoryDispatch(app: Probot, deps: HandlerDeps): void {
  app.on("repository_dispatch", (context) => handleRepositoryDispatch(context, deps));
}

export async function handleRepositoryDispatch(context: Context<"repository_dispatch">, deps: HandlerDeps): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context);
  if (payload.action !== DISPATCH_EVENT_TYPE) return log.debug({ eventType: payload.action }, "ignored: not a stagegate.artifact dispatch");
  const eventRepo = parseRepoRef(payload.repository.full_name)!;
  const client = getClient(context);
  const parsed = artifactPayloadSchema.safeParse(payload.client_payload ?? {});
  const report = async (title: string, summary: string): Promise<void> => {
    const source = parsed.success ? parsed.data.source : undefined;
    const headSha = source && source.repo.toLowerCase() === payload.repository.full_name.toLowerCase() ? source.sha : (await probeRepository(client, eventRepo)).headOid;
    if (!headSha) return log.warn({ title }, "cannot report intake failure: repository has no commits");
    await reportIntakeCheck(client, eventRepo, { headSha, conclusion: "failure", title, summary });
  };
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    log.warn({ issues }, "refused: invalid client_payload");
    return report("Invalid stagegate.artifact payload", `The \`client_payload\` was refused:\n\n${issues.map((i) => `- ${i}`).join("\n")}`);
  }
  const runLog = log.child({ service: parsed.data.service, environment: parsed.data.environment });
  try {
    const result = await runIntake({ client, log: runLog, ...(deps.defaultEnvironmentsRepo ? { defaultEnvironmentsRepo: deps.defaultEnvironmentsRepo } : {}), ...intakeServices(deps) }, { ...parsed.data, requestedBy: payload.sender.login }, { eventRepo });
    runLog.info({ outcomes: result.outcomes }, "artifact intake done");
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.kind === "conflict") return runLog.info({ err: error }, "concurrent delivery is opening this promotion");
    runLog.warn({ err: error, kind: failure.kind }, "artifact intake failed");
    await report(failure.title, failure.message).catch((e: unknown) => runLog.error({ err: e }, "could not report the intake failure"));
    if (failure.kind !== "refused") throw error;
  }
}
