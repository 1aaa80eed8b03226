/**
 * A read-only view of the environments repository at one commit of the default branch:
 * the configuration, the policies and the files under every environment path.
 * Adapters fill it (one GraphQL query on GitHub, `git ls-tree`/`cat-file` locally); the core only reads it.
 */
export interface RepoSnapshot {
  /** Branch the snapshot was read from (the default branch). */
  readonly ref: string;
  /** Commit the snapshot was read at; used as `expectedHeadOid` when committing. */
  readonly oid: string;
  /** Path → UTF-8 content. Contains stagegate.yaml, policies/**, and every file under environment paths. */
  readonly files: ReadonlyMap<string, string>;
}

/** Builds a snapshot from a plain object (tests, CLI). */
export function createSnapshot(files: Record<string, string> | Map<string, string>, oid = "0".repeat(40), ref = "main"): RepoSnapshot {
  return { ref, oid, files: files instanceof Map ? files : new Map(Object.entries(files)) };
}

/** Files of the snapshot under `dir` (a folder path without trailing slash), sorted by path. */
export function listFilesUnder(snapshot: RepoSnapshot, dir: string): string[] {
  const prefix = dir.replace(/\/+$/, "") + "/";
  return [...snapshot.files.keys()].filter((p) => p.startsWith(prefix)).sort();
}

export const CONFIG_FILE = "stagegate.yaml";
export const POLICIES_DIR = "policies";
