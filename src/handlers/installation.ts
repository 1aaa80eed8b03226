/**
 * `installation.created` / `installation_repositories.added` → for every environments repository
 * (stagegate.yaml on its default branch): the ruleset requiring `stagegate` (pinned to the app), or,
 * without `administration: write`, the setup issue telling an admin how to apply it.
 */
import type { Context, Probot } from "probot";
import { getDeliveryLog } from "../app/handler-support.js";
import type { GitHubClient } from "../adapters/github/client.js";
import { parseRepoRef } from "../adapters/github/client.js";
import { ensureRuleset } from "../adapters/github/rulesets.js";
import { isEnvironmentsRepo, reportGateFailure, type LifecycleApp } from "./lifecycle-context.js";

export function registerInstallation(app: Probot, shared: LifecycleApp): void {
  app.on("installation.created", (context) => setupRepositories(context, shared, context.payload.repositories ?? []));
  app.on("installation_repositories.added", (context) => setupRepositories(context, shared, context.payload.repositories_added));
}

export async function setupRepositories(context: Context<"installation" | "installation_repositories">, shared: LifecycleApp, repositories: { full_name: string }[]): Promise<void> {
  const log = getDeliveryLog(context, { repositories: repositories.length });
  const client = context.octokit as unknown as GitHubClient;
  const { appId } = await shared.identity();
  for (const { full_name } of repositories) {
    const repo = parseRepoRef(full_name);
    if (!repo) continue;
    try {
      const lifecycle = await shared.open(client, repo, log);
      if (!(await isEnvironmentsRepo(lifecycle))) {
        log.debug({ repo: full_name }, "skipped: no stagegate.yaml");
        continue;
      }
      const outcome = await ensureRuleset(client, repo, appId);
      log.info({ repo: full_name, ...outcome }, "stagegate required on the default branch");
    } catch (error) {
      await reportGateFailure(undefined, undefined, error, log);
    }
  }
}
