/**
 * The GitHub client of the CLI commands that talk to GitHub (`promote-github`, `audit --verify github`).
 * Auth: GITHUB_TOKEN, or APP_ID + PRIVATE_KEY/PRIVATE_KEY_PATH for a token of the repository's
 * installation (Probot is loaded only then). GITHUB_API_URL (set by Actions) or GHE_HOST for GitHub
 * Enterprise Server.
 */
import { readFileSync } from "node:fs";
import { Octokit } from "@octokit/rest";
import type { GitHubClient, RepoRef } from "../adapters/github/client.js";
import { TerminalError } from "../core/errors.js";
import { evidenceSealFromEnv, type EvidenceSeal } from "../core/evidence/seal.js";

export type CliEnv = Record<string, string | undefined>;

/** The API base URL: GITHUB_API_URL (set by Actions), GHE_HOST, or github.com. */
export function gitHubApiUrl(env: CliEnv): string {
  if (env.GITHUB_API_URL) return env.GITHUB_API_URL;
  return env.GHE_HOST ? `https://${env.GHE_HOST}/api/v3` : "https://api.github.com";
}

/** A client for `repo` from the environment's credentials; throws a TerminalError naming what to set when there are none. */
export async function gitHubClient(env: CliEnv, repo: RepoRef): Promise<GitHubClient> {
  const baseUrl = gitHubApiUrl(env);
  // Failures are reported by the commands themselves: Octokit's request log would print each one again.
  if (env.GITHUB_TOKEN) return new Octokit({ auth: env.GITHUB_TOKEN, baseUrl, log: { debug: () => undefined, info: () => undefined, warn: (m: string) => console.warn(m), error: () => undefined } });
  const key = env.PRIVATE_KEY ?? (env.PRIVATE_KEY_PATH ? readFileSync(env.PRIVATE_KEY_PATH, "utf8") : undefined);
  const { decodePrivateKey } = await import("../app/env.js");
  const privateKey = key ? decodePrivateKey(key) : undefined;
  if (!env.APP_ID || !privateKey) throw new TerminalError("set GITHUB_TOKEN (a token that can read the repository), or APP_ID and PRIVATE_KEY/PRIVATE_KEY_PATH (the App's installation token)");
  const [{ Probot }, { createInstallationResolver }] = await Promise.all([import("probot"), import("../app/app.js")]);
  const probot = new Probot({ appId: env.APP_ID, privateKey, baseUrl, logLevel: "warn" });
  return createInstallationResolver(probot)(repo);
}

/**
 * The seal of the evidence blocks the CLI writes to GitHub, as the App's: STAGEGATE_EVIDENCE_KEY, else
 * the key the App's private key gives (APP_ID + PRIVATE_KEY/PRIVATE_KEY_PATH), else none (a token alone:
 * the App then evaluates the PR as a hand-made change). Throws a TerminalError for a key too short.
 */
export async function cliEvidenceSeal(env: CliEnv): Promise<EvidenceSeal | undefined> {
  let key: string | undefined;
  try {
    key = env.STAGEGATE_EVIDENCE_KEY ? undefined : (env.PRIVATE_KEY ?? (env.PRIVATE_KEY_PATH ? readFileSync(env.PRIVATE_KEY_PATH, "utf8") : undefined));
  } catch (error) {
    throw new TerminalError(`PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH}: ${(error as Error).message}`);
  }
  const { decodePrivateKey } = await import("../app/env.js");
  try {
    return evidenceSealFromEnv(env, key ? decodePrivateKey(key) : undefined);
  } catch (error) {
    throw new TerminalError((error as Error).message);
  }
}
