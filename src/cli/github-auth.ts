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
  const privateKey = await appPrivateKey(env);
  if (!env.APP_ID || !privateKey) throw new TerminalError("set GITHUB_TOKEN (a token that can read the repository), or APP_ID and PRIVATE_KEY/PRIVATE_KEY_PATH (the App's installation token)");
  const [{ Probot }, { createInstallationResolver }] = await Promise.all([import("probot"), import("../app/app.js")]);
  const probot = new Probot({ appId: env.APP_ID, privateKey, baseUrl, logLevel: "warn" });
  return createInstallationResolver(probot)(repo);
}

/** The App's private key from PRIVATE_KEY or PRIVATE_KEY_PATH (PEM or base64 of it); undefined when neither holds one. */
async function appPrivateKey(env: CliEnv): Promise<string | undefined> {
  let key: string | undefined;
  try {
    key = env.PRIVATE_KEY ?? (env.PRIVATE_KEY_PATH ? readFileSync(env.PRIVATE_KEY_PATH, "utf8") : undefined);
  } catch (error) {
    throw new TerminalError(`PRIVATE_KEY_PATH: cannot read ${env.PRIVATE_KEY_PATH}: ${(error as Error).message}`);
  }
  if (key === undefined) return undefined;
  const { decodePrivateKey } = await import("../app/env.js");
  return decodePrivateKey(key);
}

/**
 * The seal of the evidence blocks the CLI writes to GitHub, as the App's: STAGEGATE_EVIDENCE_KEY, else
 * the key the App's private key gives (PRIVATE_KEY/PRIVATE_KEY_PATH), else none (a token alone: the App
 * then refuses the PR's block). Throws a TerminalError for a key too short or unreadable.
 */
export async function cliEvidenceSeal(env: CliEnv): Promise<EvidenceSeal | undefined> {
  const privateKey = env.STAGEGATE_EVIDENCE_KEY ? undefined : await appPrivateKey(env);
  try {
    return evidenceSealFromEnv(env, privateKey);
  } catch (error) {
    throw new TerminalError((error as Error).message);
  }
}
