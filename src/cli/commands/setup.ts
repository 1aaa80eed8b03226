/**
 * `stagegate setup --repo OWNER/NAME --app-id N`: for repository admins. Creates (or repairs) the
 * ruleset requiring the `stagegate` check on the default branch, pinned to the app's integration id —
 * what the app does on installation when it holds `administration: write`. With a token that may not
 * administer the repository, it opens (once) the setup issue with the ruleset JSON instead.
 * Auth: GITHUB_TOKEN (an admin's token, e.g. `GITHUB_TOKEN=$(gh auth token)`); GITHUB_API_URL / GHE_HOST for GHES.
 * Exit 0 when the ruleset is in place, 1 when only the issue could be opened, 2 on usage errors.
 */
import { Octokit } from "@octokit/rest";
import type { Command } from "commander";
import type { GitHubClient } from "../../adapters/github/client.js";
import { parseRepoRef } from "../../adapters/github/client.js";
import { ensureRuleset } from "../../adapters/github/rulesets.js";

export interface SetupOptions {
  repo: string;
  appId?: string;
}

export interface SetupIo {
  env: Record<string, string | undefined>;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Injected in tests. */
  client?: GitHubClient;
}

/** Runs the command; returns the exit code. */
export async function runSetup(options: SetupOptions, io: SetupIo): Promise<number> {
  const repo = parseRepoRef(options.repo);
  const appId = Number(options.appId ?? io.env.APP_ID);
  if (!repo) return io.err(`--repo must be OWNER/NAME (got ${options.repo})`), 2;
  if (!Number.isInteger(appId) || appId <= 0) return io.err("--app-id (or APP_ID) must be the GitHub App's numeric id"), 2;
  if (!io.client && !io.env.GITHUB_TOKEN) return io.err("set GITHUB_TOKEN to a token of a repository admin"), 2;
  const baseUrl = io.env.GITHUB_API_URL ?? (io.env.GHE_HOST ? `https://${io.env.GHE_HOST}/api/v3` : "https://api.github.com");
  const client = io.client ?? (new Octokit({ auth: io.env.GITHUB_TOKEN, baseUrl }) as unknown as GitHubClient);
  try {
    const outcome = await ensureRuleset(client, repo, appId);
    if (!("issue" in outcome)) {
      io.out(`ruleset ${outcome.status} (id ${outcome.rulesetId}): the default branch of ${options.repo} requires the \`stagegate\` check from app ${appId}`);
      return 0;
    }
    io.err(`not allowed to manage rulesets of ${options.repo}; setup issue #${outcome.issue} ${outcome.status === "issue-opened" ? "opened" : "already open"} with the ruleset and the command to apply it`);
    return 1;
  } catch (error) {
    io.err(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

export function register(program: Command): void {
  program
    .command("setup")
    .description("require the `stagegate` check on the default branch of an environments repository (repository ruleset pinned to the app)")
    .requiredOption("--repo <owner/name>", "environments repository")
    .option("--app-id <id>", "the GitHub App's id (default: APP_ID)")
    .action(async (options: SetupOptions) => {
      process.exitCode = await runSetup(options, { env: process.env, out: (l) => console.log(l), err: (l) => console.error(l) });
    });
}
