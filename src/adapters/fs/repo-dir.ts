import { execFile } from "node:child_process";
import { lstat, readdir, readFile, realpath } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { createSnapshot, type RepoSnapshot } from "../../core/snapshot.js";

/**
 * Reads an environments repository checkout into a RepoSnapshot (CLI `plan`, `validate`, local mode).
 * The snapshot holds the working tree as it is on disk (uncommitted edits included); its oid is
 * `git rev-parse HEAD` when the folder is a git work tree, forty zeros otherwise.
 */
export interface ReadRepoDirOptions {
  /** Larger files are skipped (no manifest anyone edits is that big). Default 1 MiB. */
  maxFileBytes?: number;
  /** Stop after this many files, so a mistaken `--repo /` cannot walk a whole disk. Default 20,000. */
  maxFiles?: number;
}

export interface RepoDirSnapshot extends RepoSnapshot {
  /** Files left out, with why (too large, binary, symlink leaving the folder, limit reached). */
  readonly skipped: readonly { path: string; reason: string }[];
}

const IGNORED_DIRS = new Set([".git", "node_modules"]);
const ZERO_OID = "0".repeat(40);
const run = promisify(execFile);

/** Reads every text file under `dir` (except .git and node_modules), as repo-relative `/` paths. */
export async function readRepoDir(dir: string, options: ReadRepoDirOptions = {}): Promise<RepoDirSnapshot> {
  const maxFileBytes = options.maxFileBytes ?? 1024 * 1024;
  const maxFiles = options.maxFiles ?? 20_000;
  const root = await realpath(resolve(dir));
  const files = new Map<string, string>();
  const skipped: { path: string; reason: string }[] = [];

  const isInside = async (absolute: string): Promise<boolean> => {
    const real = await realpath(absolute).catch(() => undefined);
    return real !== undefined && (real === root || real.startsWith(root + sep));
  };

  const walk = async (absDir: string): Promise<void> => {
    const entries = await readdir(absDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolute = join(absDir, entry.name);
      const path = relative(root, absolute).split(sep).join("/");
      if (IGNORED_DIRS.has(entry.name)) continue;
      if (files.size >= maxFiles) {
        skipped.push({ path, reason: `more than ${maxFiles} files` });
        return;
      }
      const info = await lstat(absolute);
      if (info.isSymbolicLink() && !(await isInside(absolute))) {
        skipped.push({ path, reason: "symlink leading outside the repository" });
        continue;
      }
      // Symlinked folders are not followed (no cycles); symlinked files inside the repo are read.
      if (info.isDirectory()) {
        await walk(absolute);
        continue;
      }
      const target = info.isSymbolicLink() ? await lstat(await realpath(absolute)) : info;
      if (!target.isFile()) continue;
      if (target.size > maxFileBytes) {
        skipped.push({ path, reason: `larger than ${maxFileBytes} bytes` });
        continue;
      }
      const bytes = await readFile(absolute);
      if (bytes.includes(0)) {
        skipped.push({ path, reason: "binary file" });
        continue;
      }
      files.set(path, bytes.toString("utf8"));
    }
  };

  await walk(root);
  const { oid, ref } = await readGitHead(root);
  return { ...createSnapshot(files, oid, ref), skipped };
}

/** HEAD commit and branch of a git work tree; zeros and `main` when `dir` is not one (or git is missing). */
export async function readGitHead(dir: string): Promise<{ oid: string; ref: string }> {
  try {
    const { stdout: top } = await run("git", ["rev-parse", "--show-toplevel"], { cwd: dir });
    // Only the repository rooted exactly here counts: a folder inside some other repo is not "a git repo".
    if ((await realpath(top.trim())) !== (await realpath(dir))) return { oid: ZERO_OID, ref: "main" };
    const { stdout: oid } = await run("git", ["rev-parse", "HEAD"], { cwd: dir });
    const { stdout: ref } = await run("git", ["rev-parse", "--abbrev-ref", "HEAD"], { cwd: dir });
    const branch = ref.trim();
    return { oid: oid.trim(), ref: branch === "HEAD" || branch === "" ? "main" : branch };
  } catch {
    return { oid: ZERO_OID, ref: "main" };
  }
}
