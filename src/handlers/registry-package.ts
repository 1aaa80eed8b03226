/**
 * `registry_package` published: a container image version was pushed to GHCR. The image is mapped to a
 * service through stagegate.yaml; images no service declares are ignored (most registries hold more
 * than deployable images). Configuration errors are reported as a failed `stagegate/intake` check run on
 * the environments repository's default branch head, where its maintainers look.
 */
import type { Context, Probot } from "probot";
import { parseRepoRef } from "../adapters/github/client.js";
import { probeRepository, reportIntakeCheck } from "../adapters/github/feedback.js";
import { describeFailure, getClient, getDeliveryLog, intakeServices, type HandlerDeps } from "../app/handler-support.js";
import { resolveEnvironmentsRepo, runIntake } from "../app/intake.js";
import { NotFoundError } from "../core/errors.js";
import { parseRegistryPackage } from "../core/intake/registry-package.js";

/** Registers the handler. */
export function registerRegistryPackage(app: Probot, deps: HandlerDeps): void {
  app.on("registry_package", (context) => handleRegistryPackage(context, deps));
}

export async function handleRegistryPackage(context: Context<"registry_package">, deps: HandlerDeps): Promise<void> {
  const { payload } = context;
  const log = getDeliveryLog(context);
  if (payload.action !== "published") return log.debug({ action: payload.action }, "ignored: not a publish");
  const artifact = parseRegistryPackage(payload.registry_package, deps.registryHost);
  if (!artifact.ok) return log.info({ reason: artifact.reason }, "ignored: not a container image digest");
  const runLog = log.child({ image: artifact.image, digest: artifact.digest });
  const client = getClient(context);
  const eventRepo = payload.repository ? parseRepoRef(payload.repository.full_name) : { owner: payload.registry_package.owner.login, repo: "environments" };
  const intakeDeps = { client, log: runLog, ...(deps.defaultEnvironmentsRepo ? { defaultEnvironmentsRepo: deps.defaultEnvironmentsRepo } : {}), ...intakeServices(deps) };
  try {
    const result = await runIntake(intakeDeps, { image: artifact.image, digest: artifact.digest, ...(artifact.tag ? { tag: artifact.tag } : {}), requestedBy: payload.sender.login }, eventRepo ? { eventRepo } : {});
    runLog.info({ service: result.service, outcomes: result.outcomes }, "registry intake done");
  } catch (error) {
    const failure = describeFailure(error);
    if (error instanceof NotFoundError && /no service in stagegate.yaml has image/.test(error.message)) return runLog.info({ reason: error.message }, "ignored: image of no service");
    if (failure.kind === "conflict") return runLog.info({ err: error }, "concurrent delivery is opening this promotion");
    runLog.warn({ err: error, kind: failure.kind }, "registry intake failed");
    if (failure.kind === "refused") {
      const repo = await resolveEnvironmentsRepo(intakeDeps, eventRepo ? { eventRepo } : {}).catch(() => undefined);
      const probe = repo ? await probeRepository(client, repo).catch(() => undefined) : undefined;
      if (repo && probe?.headOid) {
        await reportIntakeCheck(client, repo, { headSha: probe.headOid, conclusion: "failure", title: `${failure.title}: ${artifact.image}`, summary: failure.message }).catch((e: unknown) => runLog.error({ err: e }, "could not report the intake failure"));
      }
      return;
    }
    throw error;
  }
}
