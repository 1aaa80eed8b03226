/**
 * Partial clones (`git clone --filter=blob:none`, `actions/checkout` with `filter:`): most blobs are
 * missing and git fetches a missing object on demand, one request per object. Readers that need
 * thousands of blobs (the audit's file versions and notes) list what the clone lacks without fetching
 * anything, then fetch it in one request, as git's on-demand fetch does for one object.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import type { GitCli } from "./git-cli.js";
import { streamGit } from "./git-stream.js";

/** True when the clone is partial: it holds promisor packs, whose missing objects git fetches on demand. */
export function isPartialClone(gitDir: string): boolean {
  try {
    return readdirSync(join(gitDir, "objects", "pack")).some((name) => name.endsWith(".promisor"));
  } catch {
    return false;
  }
}

/** Every object id the clone holds, listed without fetching any (a per-object check would fetch each missing one). */
async function presentObjects(dir: string): Promise<Set<string>> {
  const present = new Set<string>();
  let rest = "";
  await streamGit(dir, ["cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered"], (chunk) => {
    const lines = (rest + chunk.toString("latin1")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) present.add(line);
  });
  return present;
}

/** The blobs of `ref`'s tree the clone lacks (`rev-list --missing=print` lists them without fetching). */
export async function missingBlobsOf(git: GitCli, ref: string): Promise<string[]> {
  const listed = await git.run(["rev-list", "--objects", "--no-walk", "--missing=print", ref]);
  return listed.split("\n").filter((line) => line.startsWith("?")).map((line) => line.slice(1));
}

/**
 * Fetches in one request the objects of `oids` the clone lacks (`known` ones: already known to be
 * missing, not listed again): no negotiation, no tags, nothing written to FETCH_HEAD, as git's
 * on-demand fetch. Returns a warning when that fails (git then fetches them one at a time).
 */
export async function fetchMissing(git: GitCli, dir: string, oids: readonly string[], options: { known?: boolean; remote?: string } = {}): Promise<string | undefined> {
  const remote = options.remote ?? "origin";
  const unique = [...new Set(oids)];
  const present = options.known ? new Set<string>() : await presentObjects(dir);
  const missing = unique.filter((oid) => !present.has(oid));
  if (missing.length === 0) return undefined;
  try {
    await git.run(["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", remote, "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin"], { input: `${missing.join("\n")}\n` });
    return undefined;
  } catch (error) {
    return `this is a partial clone and ${missing.length} objects it lacks could not be fetched from ${remote} at once (${String(error instanceof Error ? error.message : error).split("\n")[0]}); git fetches them one at a time instead, which is slow`;
  }
}
