/**
 * The GitHub repository a clone's remote points at, for what the audit asks GitHub (`--verify github`).
 * Only a remote on the expected GitHub host counts: an `owner/name` read from another forge's URL would
 * name an unrelated repository on GitHub. URLs may hold credentials (`https://x-access-token:…@`):
 * nothing here logs or returns one.
 */
import { parseRepoRef, type RepoRef } from "../github/client.js";
import { GitCli } from "./git-cli.js";

/** Host and repository of a git remote URL (https, ssh, git, or scp-like `user@host:owner/name`). */
export function parseRemoteUrl(url: string): (RepoRef & { host: string }) | undefined {
  let host: string;
  let path: string;
  const scp = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(url);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    if (!["https:", "http:", "ssh:", "git:"].includes(parsed.protocol)) return undefined;
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  } else if (scp) {
    host = scp[1]!;
    path = scp[2]!;
  } else return undefined;
  const name = path.replace(/^\/+/, "").replace(/\/+$/, "").replace(/\.git$/, "");
  const repo = parseRepoRef(name);
  return repo ? { ...repo, host: host.toLowerCase() } : undefined;
}

/**
 * The web host of the GitHub the API talks to: GITHUB_SERVER_URL (Actions), GHE_HOST, the host of
 * GITHUB_API_URL (api.github.com is github.com), else github.com.
 */
export function gitHubHost(env: Record<string, string | undefined>): string {
  const hostOf = (url: string) => {
    try {
      return new URL(url).hostname.toLowerCase();
    } catch {
      return undefined;
    }
  };
  const server = env.GITHUB_SERVER_URL ? hostOf(env.GITHUB_SERVER_URL) : undefined;
  if (server) return server;
  if (env.GHE_HOST) return env.GHE_HOST.toLowerCase();
  const api = env.GITHUB_API_URL ? hostOf(env.GITHUB_API_URL) : undefined;
  if (api && api !== "api.github.com") return api;
  return "github.com";
}

/**
 * The repository on GitHub that `remote` of the clone at `dir` points at. Throws, naming the host but
 * never the URL, when the remote is missing or not on `host`.
 */
export async function gitHubRepoOfRemote(dir: string, host: string, remote = "origin"): Promise<RepoRef> {
  let url: string;
  try {
    url = (await new GitCli(dir).run(["remote", "get-url", "--end-of-options", remote])).trim();
  } catch {
    throw new Error(`the clone has no remote ${remote}: name the repository with --github-repo OWNER/NAME`);
  }
  const parsed = parseRemoteUrl(url);
  if (!parsed) throw new Error(`${remote}'s URL names no GitHub repository: name it with --github-repo OWNER/NAME`);
  if (parsed.host !== host) throw new Error(`${remote} is on ${parsed.host}, not ${host}: name the repository with --github-repo OWNER/NAME (and GHE_HOST or GITHUB_API_URL for GitHub Enterprise Server)`);
  return { owner: parsed.owner, repo: parsed.repo };
}
