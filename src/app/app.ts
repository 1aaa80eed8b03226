/**
 * The Stagegate Probot app: registers one handler per intake event and the signed HTTP intake route.
 * Built from validated options (env.ts) so tests and `stagegate serve` construct it the same way.
 */
import type { ApplicationFunction, Probot } from "probot";
import type { GitHubClient, RepoRef } from "../adapters/github/client.js";
import { parseRepoRef } from "../adapters/github/client.js";
import { callGitHub } from "../adapters/github/errors.js";
import type { EvidenceSeal } from "../core/evidence/seal.js";
import type { Logger } from "../core/logger.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import type { LifecycleHandlerOptions } from "../handlers/lifecycle-context.js";
import { registerIssueComment } from "../handlers/issue-comment.js";
import { registerRegistryPackage } from "../handlers/registry-package.js";
import { registerRepositoryDispatch } from "../handlers/repository-dispatch.js";
import type { AppEnv } from "./env.js";
import { intakeServices, type HandlerDeps } from "./handler-support.js";
import { createIntakeRoute } from "./intake-route.js";
import { ReplayCache } from "./replay-cache.js";
import { wireLifecycle } from "./tick.js";

export type StagegateAppOptions = Pick<AppEnv, "STAGEGATE_INTAKE_SECRET" | "STAGEGATE_ENVIRONMENTS_REPO" | "STAGEGATE_REGISTRY_HOST"> & {
  /** Clock of the HTTP intake's timestamp check (tests). */
  now?: () => number;
  /** The app's Prometheus metrics (server.ts passes the /metrics registry's); default none. */
  metrics?: StagegateMetrics;
  /** Sigstore trust material for provenance gates (server.ts reads STAGEGATE_SIGSTORE_TRUSTED_ROOT). */
  provenance?: LifecycleHandlerOptions["provenance"];
  /** Policy-driven notifications (server.ts builds the dispatcher from the app's environment). */
  notifier?: LifecycleHandlerOptions["notifier"];
  /** The dashboard issue on tick passes (STAGEGATE_DASHBOARD, default on). */
  dashboard?: boolean;
  /** Seals the evidence block of every PR the app opens and requires it of those it reads (server.ts: evidenceSealFromEnv). */
  seal?: EvidenceSeal;
};

/** Installation lookups are cached: one `GET /repos/{o}/{r}/installation` per repository per 10 minutes. */
const INSTALLATION_TTL_MS = 10 * 60_000;

/** An installation client for a repository the app is installed on (HTTP intake has no installation in its request). */
export function createInstallationResolver(app: Probot, now: () => number = Date.now): (repo: RepoRef) => Promise<GitHubClient> {
  const cache = new Map<string, { id: number; at: number }>();
  return async (repo) => {
    const key = `${repo.owner}/${repo.repo}`.toLowerCase();
    let entry = cache.get(key);
    if (!entry || now() - entry.at > INSTALLATION_TTL_MS) {
      const appClient = await app.auth();
      const { data } = await callGitHub({ operation: "getRepoInstallation", repo: key }, () => appClient.request("GET /repos/{owner}/{repo}/installation", { ...repo }));
      entry = { id: data.id, at: now() };
      cache.set(key, entry);
      if (cache.size > 1000) cache.delete(cache.keys().next().value!);
    }
    return (await app.auth(entry.id)) as unknown as GitHubClient;
  };
}

/** The Probot application function. */
export function createStagegateApp(options: StagegateAppOptions): ApplicationFunction {
  return (app, { addHandler }) => {
    const defaultEnvironmentsRepo = options.STAGEGATE_ENVIRONMENTS_REPO ? parseRepoRef(options.STAGEGATE_ENVIRONMENTS_REPO) : undefined;
    const services = intakeServices(options);
    const deps: HandlerDeps = { registryHost: options.STAGEGATE_REGISTRY_HOST, ...(defaultEnvironmentsRepo ? { defaultEnvironmentsRepo } : {}), ...services };
    registerRegistryPackage(app, deps);
    registerRepositoryDispatch(app, deps);
    registerIssueComment(app, services);
    const log = app.log.child({ name: "stagegate" }) as unknown as Logger;
    wireLifecycle(app, addHandler, {
      secret: options.STAGEGATE_INTAKE_SECRET,
      environmentsRepo: defaultEnvironmentsRepo,
      log,
      metrics: options.metrics,
      ...(options.provenance ? { provenance: options.provenance } : {}),
      ...(options.notifier ? { notifier: options.notifier } : {}),
      ...(options.seal ? { seal: options.seal } : {}),
      ...(options.dashboard !== undefined ? { dashboard: options.dashboard } : {}),
    });
    if (options.STAGEGATE_INTAKE_SECRET) {
      addHandler(createIntakeRoute({ secret: options.STAGEGATE_INTAKE_SECRET, log, replayCache: new ReplayCache(), getClient: createInstallationResolver(app, options.now), ...(options.now ? { now: options.now } : {}), ...services }));
    } else {
      log.info({}, "HTTP intake disabled: STAGEGATE_INTAKE_SECRET is not set");
    }
  };
}
