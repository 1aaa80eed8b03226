import { loadConfiguration, formatDiagnostic, type LoadedConfig } from "../../core/config/index.js";
import { GitCli } from "./git-cli.js";

/**
 * Validated configuration (stagegate.yaml + policies/) at the tip of `branch` in a clone: the
 * remote-tracking branch when there is one (what the server has), else the local branch. Used by
 * `stagegate audit --by-control`, which needs the policies' `controls`. Throws with file:line:col
 * diagnostics when the configuration there is invalid.
 */
export async function readConfigAtBranch(dir: string, branch: string): Promise<LoadedConfig> {
  const git = new GitCli(dir);
  let ref = `refs/heads/${branch}`;
  for (const candidate of [`refs/remotes/origin/${branch}`, `refs/heads/${branch}`]) {
    const found = await git.run(["rev-parse", "--verify", "--quiet", candidate]).catch(() => "");
    if (found.trim() !== "") {
      ref = candidate;
      break;
    }
  }
  const paths = (await git.run(["ls-tree", "-r", "--name-only", ref, "--", "stagegate.yaml", "policies"])).split("\n").filter((p) => p === "stagegate.yaml" || /^policies\/.*\.ya?ml$/.test(p));
  // One cat-file batch for every file, instead of a process per file.
  const blobs = await git.readBlobs(paths.map((path) => `${ref}:${path}`));
  const files = new Map<string, string>();
  for (const path of paths) files.set(path, blobs.get(`${ref}:${path}`) ?? "");
  const result = loadConfiguration(files);
  if (!result.ok) throw new Error(`the configuration at ${ref} is invalid:\n${result.diagnostics.map(formatDiagnostic).join("\n")}`);
  return result.loaded;
}
