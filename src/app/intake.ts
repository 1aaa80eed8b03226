/**
 * The intake service shared by every path (registry_package, repository_dispatch, HTTP, comments, CLI):
 * find the environments repository, read it once, resolve service, environments and digest against its
 * configuration, authorise, then promote into each target environment.
 */
import type { GitHubClient, RepoRef } from "../adapters/github/client.js";
import { formatRepoRef } from "../adapters/github/client.js";
import { GitHubEnvironmentsRepo } from "../adapters/github/environments-repo.js";
import { probeRepository } from "../adapters/github/feedback.js";
import { formatDiagnostic, getPolicy, loadConfiguration, type LoadedConfig } from "../core/config/index.js";
import type { Environment, Service } from "../core/config/config-schema.js";
import type { Policy } from "../core/config/policy-schema.js";
import { ConfigError, NotFoundError, TerminalError } from "../core/errors.js";
import { findServiceByImage, getTargetEnvironments, requireService, resolveTagDigest } from "../core/intake/resolve.js";
import type { ArtifactPayload } from "../core/intake/payloads.js";
import type { Logger } from "../core/logger.js";
import type { RepoSnapshot } from "../core/snapshot.js";
import type { EvidenceSeal } from "../core/evidence/seal.js";
import type { Notifier } from "../core/ports/notifier.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import { emitNotification, intakeOpenedEvent } from "../services/notify-event.js";
import { promote, type PromoteOutcome } from "../services/promote.js";

/** An artifact as any intake path delivers it: a digest, or (comments) a tag to resolve upstream. */
export type IntakeArtifact = Omit<ArtifactPayload, "service" | "digest"> & { service?: string; digest?: string; requestedBy?: string };

/** Where the event came from and where it asked to go. */
export interface IntakeTarget {
  /** Explicit environments repository (HTTP body, CLI, the repo of a comment). */
  environmentsRepo?: RepoRef;
  /** Repository the event was delivered for (routing falls back to it and its owner). */
  eventRepo?: RepoRef;
}

export interface IntakeDeps {
  client: GitHubClient;
  log: Logger;
  /** STAGEGATE_ENVIRONMENTS_REPO. */
  defaultEnvironmentsRepo?: RepoRef;
  /** Throws PermissionError when the requester may not promote into `env` (comments). */
  authorize?: (input: { loaded: LoadedConfig; env: Environment; policy: Policy; service: Service }) => Promise<void>;
  /** The app's metrics (promotion outcomes); default none. */
  metrics?: StagegateMetrics;
  /** Sends `opened` for each promotion PR the intake opens, to the channels of the environment's policy; default none. */
  notifier?: Notifier;
  /** Seals the evidence block of the PRs it opens. */
  seal?: EvidenceSeal;
}

/** Result per target environment. */
export interface IntakeOutcome {
  environment: string;
  status: PromoteOutcome["status"];
  pr?: { number: number; url: string };
  superseded: number[];
  message?: string;
}

export interface IntakeResult {
  repo: RepoRef;
  service: string;
  digest: string;
  /** Head of the default branch the promotion was planned at (for check runs). */
  headOid: string;
  outcomes: IntakeOutcome[];
}

/**
 * Routing (docs/github-app.md): the explicit repository; else STAGEGATE_ENVIRONMENTS_REPO; else the
 * event's own repository when it has stagegate.yaml; else `<owner>/environments`.
 */
export async function resolveEnvironmentsRepo(deps: Pick<IntakeDeps, "client" | "defaultEnvironmentsRepo">, target: IntakeTarget): Promise<RepoRef> {
  if (target.environmentsRepo) return target.environmentsRepo;
  if (deps.defaultEnvironmentsRepo) return deps.defaultEnvironmentsRepo;
  if (!target.eventRepo) throw new TerminalError("no environments repository: name one, or set STAGEGATE_ENVIRONMENTS_REPO");
  if (target.eventRepo.repo !== "environments") {
    const probe = await probeRepository(deps.client, target.eventRepo);
    if (probe.hasConfig) return target.eventRepo;
  }
  return { owner: target.eventRepo.owner, repo: "environments" };
}

function loadOrThrow(snapshot: RepoSnapshot): LoadedConfig {
  const result = loadConfiguration(snapshot.files);
  if (!result.ok) throw new ConfigError(result.diagnostics.map(formatDiagnostic), { oid: snapshot.oid });
  return result.loaded;
}

/** Runs one intake end to end. Throws TerminalError subclasses for the sender, RetryableError for GitHub trouble. */
export async function runIntake(deps: IntakeDeps, artifact: IntakeArtifact, target: IntakeTarget): Promise<IntakeResult> {
  const repoRef = await resolveEnvironmentsRepo(deps, target);
  const log = deps.log.child({ environmentsRepo: formatRepoRef(repoRef) });
  const repo = new GitHubEnvironmentsRepo(deps.client, repoRef, log);
  const snapshot = await repo.readSnapshot().catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new NotFoundError(`environments repository ${formatRepoRef(repoRef)} not found or the app is not installed on it`, error.context);
    throw error;
  });
  if (!snapshot.files.has("stagegate.yaml")) throw new NotFoundError(`${formatRepoRef(repoRef)} has no stagegate.yaml on its default branch`, { repo: formatRepoRef(repoRef) });
  const loaded = loadOrThrow(snapshot);
  const service = artifact.service !== undefined ? requireService(loaded, artifact.service) : artifact.image !== undefined ? findServiceByImage(loaded, artifact.image) : undefined;
  if (!service) throw new TerminalError("the artifact names neither a service nor an image");
  const envs = getTargetEnvironments(loaded, artifact.environment);
  if (envs.length === 0) throw new TerminalError("stagegate.yaml has no entry environment (every environment has `from`)");
  const outcomes: IntakeOutcome[] = [];
  let digest = artifact.digest;
  for (const env of envs) {
    const envLog = log.child({ service: service.name, environment: env.name });
    if (deps.authorize) await deps.authorize({ loaded, env, policy: getPolicy(loaded, env), service });
    digest ??= artifact.tag !== undefined ? resolveTagDigest(snapshot, loaded, service, env, artifact.tag) : undefined;
    if (!digest) throw new TerminalError("the artifact has no digest");
    const { environment: _env, requestedBy, service: _service, digest: _digest, ...rest } = artifact;
    const promoted = { ...rest, service: service.name, image: artifact.image ?? service.image, digest };
    const outcome = await promote({ repo, log: envLog, ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.seal ? { seal: deps.seal.bind(formatRepoRef(repoRef)) } : {}) }, { artifact: promoted, environment: env.name, ...(requestedBy ? { requestedBy } : {}) }, { loaded, snapshot });
    // Only a PR this call opened: an intake repeated for the same artifact finds it open and stays quiet.
    if (outcome.status === "opened" && outcome.pr) {
      const event = intakeOpenedEvent(new Date(), promoted, env.name, outcome.pr, { repository: formatRepoRef(repoRef), ...(requestedBy ? { requestedBy } : {}) });
      emitNotification({ notifier: deps.notifier, log: envLog }, loaded, event);
    }
    outcomes.push({
      environment: env.name,
      status: outcome.status,
      superseded: outcome.superseded,
      ...(outcome.pr ? { pr: { number: outcome.pr.number, url: outcome.pr.url } } : {}),
      ...(outcome.plan.message ? { message: outcome.plan.message } : {}),
    });
  }
  return { repo: repoRef, service: service.name, digest: digest!, headOid: snapshot.oid, outcomes };
}

/** One line per environment, for comments, check runs and HTTP replies. */
export function describeOutcomes(result: IntakeResult): string {
  return result.outcomes
    .map((o) => {
      const pr = o.pr ? ` #${o.pr.number} (${o.pr.url})` : "";
      const superseded = o.superseded.length > 0 ? `; superseded ${o.superseded.map((n) => `#${n}`).join(", ")}` : "";
      switch (o.status) {
        case "opened":
          return `- **${o.environment}**: opened promotion PR${pr}${superseded}`;
        case "exists":
          return `- **${o.environment}**: promotion PR already open${pr}${superseded}`;
        case "superseded":
          return `- **${o.environment}**: not opened, a newer artifact is already proposed in${pr}`;
        default:
          return `- **${o.environment}**: nothing to do (${o.status}${o.message ? `: ${o.message}` : ""})`;
      }
    })
    .join("\n");
}
