/**
 * Counts the fetches a clone makes from a local remote, git's own on-demand fetches of a partial
 * clone included: the remote's upload-pack is run through a wrapper that notes each run.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** From now on, every fetch of `clone` from `remote` is counted; returns the count so far. Kept in the clone's .git, gone with it. */
export function countFetches(clone: string, remote = "origin"): () => number {
  const counter = join(clone, ".git", `upload-packs-${remote}`);
  const wrapper = join(clone, ".git", `upload-pack-${remote}.sh`);
  writeFileSync(wrapper, `#!/bin/sh\necho >> '${counter}'\nexec git upload-pack "$@"\n`, { mode: 0o755 });
  execFileSync("git", ["config", `remote.${remote}.uploadpack`, wrapper], { cwd: clone });
  return () => (existsSync(counter) ? readFileSync(counter, "utf8").split("\n").length - 1 : 0);
}
