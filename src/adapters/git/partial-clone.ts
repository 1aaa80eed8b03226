/**
 * Partial clones (`git clone --filter=blob:none`, `actions/checkout` with `filter:`): most blobs are
 * missing (and with `--filter=tree:0` the trees too) and git fetches a missing object on demand, one
 * request per object. Readers that need thousands of objects (the audit's trees, file versions and
 * notes) list what the clone lacks without fetching anything, then fetch it in one request, as git's
 * on-demand fetch does for one object.
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

/**
 * Which of `wanted` the clone holds, found without fetching any (a per-object check would fetch each
 * missing one): git lists every object it holds, and only the wanted ones are kept, so memory stays
 * the size of the question, not of the object store.
 */
async function presentAmong(dir: string, wanted: ReadonlySet<string>): Promise<Set<string>> {
  const present = new Set<string>();
  let rest = "";
  await streamGit(dir, ["cat-file", "--batch-all-objects", "--batch-check=%(objectname)", "--unordered"], (chunk) => {
    const lines = (rest + chunk.toString("latin1")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) if (wanted.has(line)) present.add(line);
  });
  return present;
}

/** The blobs of `ref`'s tree the clone lacks (`rev-list --missing=print` lists them without fetching). */
export async function missingBlobsOf(git: GitCli, ref: string): Promise<string[]> {
  const listed = await git.run(["rev-list", "--objects", "--no-walk", "--missing=print", ref]);
  return listed.split("\n").filter((line) => line.startsWith("?")).map((line) => line.slice(1));
}

/** The remote a partial clone fetches missing objects from, and the filter it was cloned with. */
export interface PromisorRemote {
  name: string;
  /** `remote.<name>.partialclonefilter`: `blob:none`, `tree:0`, …; undefined when not recorded. */
  filter?: string;
}

/**
 * The clone's promisor remote (`remote.<name>.promisor`), `origin` when several are or none is
 * recorded: a clone made with `-o upstream` fetches from `upstream`.
 */
export async function promisorRemote(git: GitCli): Promise<PromisorRemote> {
  const out = await git.run(["config", "--get-regexp", "^remote\\..*\\.(promisor|partialclonefilter)$"], { allowExitCodes: [1] });
  const remotes = new Map<string, PromisorRemote & { promisor: boolean }>();
  for (const line of out.split("\n")) {
    const match = /^remote\.(.+)\.(promisor|partialclonefilter) (.*)$/.exec(line);
    if (!match) continue;
    const [, name = "", key, value = ""] = match;
    const remote = remotes.get(name) ?? { name, promisor: false };
    if (key === "promisor") remote.promisor = value === "true";
    else remote.filter = value;
    remotes.set(name, remote);
  }
  const promisors = [...remotes.values()].filter((r) => r.promisor);
  const chosen = promisors.find((r) => r.name === "origin") ?? promisors[0] ?? remotes.get("origin");
  return chosen ? { name: chosen.name, filter: chosen.filter } : { name: "origin" };
}

/**
 * A clone filtered by trees (`--filter=tree:0`, e.g. actions/checkout with `filter: tree:0`) lacks the
 * trees too: `git log --raw` and every note lookup would fetch each tree on its own, one request per
 * tree and commit (a 10,000-commit history would not finish). This fetches, in one request, the root
 * trees of the commits of `histories` (their first-parent histories) and of `tips`, with their
 * subtrees and without blobs (the fetch's own `blob:none` filter), only those the clone lacks. Nothing
 * to do for any other clone. Returns a warning when the fetch fails.
 */
export async function fetchTrees(git: GitCli, dir: string, refs: { histories?: readonly string[]; tips?: readonly string[] }, remote: PromisorRemote): Promise<string | undefined> {
  if (!remote.filter?.includes("tree:")) return undefined;
  // %T is read from the commit objects, which a tree-filtered clone holds: listing it fetches nothing.
  const lists = await Promise.all([
    refs.histories?.length ? git.run(["log", "--first-parent", "--format=%T", "--end-of-options", ...refs.histories, "--"]) : "",
    refs.tips?.length ? git.run(["log", "--no-walk=unsorted", "--format=%T", "--end-of-options", ...refs.tips, "--"]) : "",
  ]);
  return fetchMissing(git, dir, lists.join("\n").split("\n").filter(Boolean), { remote: remote.name });
}

/**
 * Fetches in one request the objects of `oids` the clone lacks (`known` ones: already known to be
 * missing, not listed again): no negotiation, no tags, nothing written to FETCH_HEAD, as git's
 * on-demand fetch. Returns a warning when that fails (git then fetches them one at a time).
 */
export async function fetchMissing(git: GitCli, dir: string, oids: readonly string[], options: { known?: boolean; remote?: string } = {}): Promise<string | undefined> {
  const remote = options.remote ?? "origin";
  const unique = new Set(oids);
  const present = options.known ? new Set<string>() : await presentAmong(dir, unique);
  const missing = [...unique].filter((oid) => !present.has(oid));
  if (missing.length === 0) return undefined;
  try {
    await git.run(["-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", remote, "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no", "--filter=blob:none", "--stdin"], { input: `${missing.join("\n")}\n` });
    return undefined;
  } catch (error) {
    return `this is a partial clone and ${missing.length} objects it lacks could not be fetched from ${remote} at once (${String(error instanceof Error ? error.message : error).split("\n")[0]}); git fetches them one at a time instead, which is slow`;
  }
}
