import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { ConflictError, NotFoundError } from "../../core/errors.js";
import type { CommitInfo, CommitsPort } from "../../core/ports/commits.js";
import type { RepoSnapshot } from "../../core/snapshot.js";
import { ZERO_OID, type GitCli, type GitIdentity } from "./git-cli.js";

/** Files larger than this are left out of snapshots: no manifest or policy is that big. */
const MAX_SNAPSHOT_FILE_BYTES = 1024 * 1024;

/**
 * The git side of a local environments repository: snapshots at any commit, history, commits built
 * with plumbing (no checkout, so the user's work tree is never disturbed mid-operation) and the
 * default branch moved with compare-and-swap.
 */
export class LocalRepository implements CommitsPort {
  #branch: string | undefined;
  /** Snapshots by commit: a commit never changes, and every evaluation reads the head again. */
  readonly #snapshots = new Map<string, RepoSnapshot>();
  #bare: Promise<boolean> | undefined;
  readonly #commits = new Map<string, CommitInfo>();

  constructor(
    readonly git: GitCli,
    branch?: string,
  ) {
    this.#branch = branch;
  }

  /** The default branch: the one given, else the one HEAD names. */
  async defaultBranch(): Promise<string> {
    if (!this.#branch) this.#branch = (await this.git.run(["symbolic-ref", "--short", "HEAD"])).trim();
    return this.#branch;
  }

  async getDefaultHead(): Promise<string> {
    const branch = await this.defaultBranch();
    const oid = await this.git.resolve(`refs/heads/${branch}`);
    if (!oid) throw new NotFoundError(`branch ${branch} has no commits`, { branch });
    return oid;
  }

  async readSnapshot(): Promise<RepoSnapshot> {
    return this.readSnapshotAt(await this.getDefaultHead());
  }

  /** Every text file of the commit's tree (a superset of what RepoSnapshot must hold; environment repos are small). */
  async readSnapshotAt(sha: string): Promise<RepoSnapshot> {
    const cached = this.#snapshots.get(sha);
    if (cached) return cached;
    const listing = await this.git.run(["ls-tree", "-r", "-z", "--long", "--full-tree", sha]);
    const oids: { path: string; oid: string }[] = [];
    for (const entry of listing.split("\0")) {
      const match = /^(\d+) blob ([0-9a-f]+) +(\d+)\t(.+)$/s.exec(entry);
      if (!match || match[1] === "120000" || Number(match[3]) > MAX_SNAPSHOT_FILE_BYTES) continue;
      oids.push({ path: match[4]!, oid: match[2]! });
    }
    const blobs = await this.git.readBlobs(oids.map((o) => o.oid));
    const files = new Map<string, string>();
    for (const { path, oid } of oids) {
      const text = blobs.get(oid);
      if (text !== undefined && !text.includes("\0")) files.set(path, text);
    }
    const snapshot: RepoSnapshot = { ref: await this.defaultBranch(), oid: sha, files };
    if (/^[0-9a-f]{40}$/.test(sha)) this.#snapshots.set(sha, snapshot);
    return snapshot;
  }

  async getCommit(sha: string): Promise<CommitInfo> {
    // Read from the long-lived cat-file (no process per commit); a commit never changes, so it is kept.
    const cached = this.#commits.get(sha);
    if (cached) return cached;
    const object = await this.git.readRaw(`${sha}^{commit}`);
    if (!object) throw new NotFoundError(`commit ${sha} not found`, { sha });
    const commit = parseRawCommit(object.oid, object.content.toString("utf8"));
    if (!commit) return this.#logOne(sha);
    this.#commits.set(sha, commit);
    return commit;
  }

  async #logOne(sha: string): Promise<CommitInfo> {
    const [commit] = await this.#log([sha, "-1"]);
    if (!commit) throw new NotFoundError(`commit ${sha} not found`, { sha });
    return commit;
  }

  async listFirstParent(head: string, limit: number): Promise<CommitInfo[]> {
    return this.#log([head, "--first-parent", `--max-count=${limit}`]);
  }

  async changedFiles(base: string, head: string): Promise<string[]> {
    // Three dots: from the merge base, as GitHub shows a pull request (two would count the base's later commits as the PR's).
    const out = await this.git.run(["diff", "--name-only", "-z", "--no-renames", `${base}...${head}`, "--"]);
    return out.split("\0").filter(Boolean).sort();
  }

  async mergeBase(base: string, head: string): Promise<string> {
    return (await this.git.run(["merge-base", base, head])).trim();
  }

  /**
   * Commits as `git log -z` prints them: nine NUL-terminated fields per commit (the last one's NUL is
   * -z's). No field can hold a NUL (git prints names and messages as C strings), so a message or a
   * name holding any other separator cannot shift the fields or forge a commit.
   */
  async #log(args: string[]): Promise<CommitInfo[]> {
    const format = ["%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%B"].join("%x00");
    const fields = (await this.git.run(["log", "-z", `--format=${format}`, ...args, "--"])).split("\0");
    const commits: CommitInfo[] = [];
    for (let i = 0; i + 9 <= fields.length; i += 9) {
      const [sha = "", parents = "", an = "", ae = "", ad = "", cn = "", ce = "", cd = "", message = ""] = fields.slice(i, i + 9);
      commits.push({ sha, parents: parents ? parents.split(" ") : [], message, author: { name: an, email: ae, date: ad }, committer: { name: cn, email: ce, date: cd } });
    }
    return commits;
  }

  /** Writes a commit with `files` replaced on top of `base` (a temporary index; the work tree is untouched). */
  async commitFiles(base: string, files: { path: string; content: string }[], message: string, identity: GitIdentity, parents: string[] = [base]): Promise<string> {
    const gitDir = await this.git.gitDir();
    const index = join(gitDir, `stagegate-index-${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      const env = { GIT_INDEX_FILE: index };
      await this.git.run(["read-tree", base], { env });
      const oids = await this.git.writeBlobs(files.map((f) => f.content));
      const entries = files.map((file, i) => `100644 ${oids[i]}\t${file.path}`);
      if (entries.length > 0) await this.git.run(["update-index", "--add", "--index-info"], { env, input: entries.join("\n") + "\n" });
      const tree = (await this.git.run(["write-tree"], { env })).trim();
      return (await this.git.run(["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])], { input: message, identity })).trim();
    } finally {
      await rm(index, { force: true });
    }
  }

  /** Commits a tree as is (merges). */
  async commitTree(tree: string, parents: string[], message: string, identity: GitIdentity): Promise<string> {
    return (await this.git.run(["commit-tree", tree, ...parents.flatMap((p) => ["-p", p])], { input: message, identity })).trim();
  }

  /** The tree merging `head` into `base`; ConflictError when they conflict. */
  async mergeTree(base: string, head: string): Promise<string> {
    const out = await this.git.run(["merge-tree", "--write-tree", "--name-only", "--no-messages", base, head], { allowExitCodes: [1] });
    const lines = out.split("\n").filter(Boolean);
    if (lines.length !== 1) throw new ConflictError(`merge conflicts in ${lines.slice(1).join(", ")}`, { base, head });
    return lines[0]!;
  }

  /**
   * Moves the default branch from `expected` to `commit` and, when it is checked out, brings the work
   * tree along (a two-tree fast-forward read-tree, which refuses to overwrite local changes).
   */
  async advanceDefaultBranch(commit: string, expected: string, reason: string, identity: GitIdentity): Promise<void> {
    const branch = await this.defaultBranch();
    if (!(await this.git.compareAndSwap(`refs/heads/${branch}`, commit, expected, reason, identity))) {
      throw new ConflictError(`${branch} moved while Stagegate was merging; it will retry`, { branch, expected });
    }
    if (!(await this.#checkedOut(branch))) return;
    try {
      await this.git.run(["read-tree", "-u", "-m", expected, commit]);
    } catch {
      // Local edits in the work tree conflict with the merge: the branch moved, the files stay as the user left them.
    }
  }

  /** Whether `branch` is checked out in a work tree (HEAD names it and the repository is not bare). */
  async #checkedOut(branch: string): Promise<boolean> {
    this.#bare ??= this.git.run(["rev-parse", "--is-bare-repository"]).then((out) => out.trim() === "true");
    if (await this.#bare) return false;
    // HEAD is a one-line file; reading it saves a process per merge.
    const head = await readFile(join(await this.git.gitDir(), "HEAD"), "utf8").catch(() => "");
    return head.trim() === `ref: refs/heads/${branch}`;
  }

  /** Deletes a branch if it still points where it did when read (a branch someone moved stays). */
  async deleteBranch(branch: string): Promise<void> {
    const oid = await this.git.resolve(`refs/heads/${branch}`);
    if (oid) await this.git.updateRefs([{ ref: `refs/heads/${branch}`, newOid: ZERO_OID, oldOid: oid }], "stagegate: delete branch");
  }
}

/**
 * A raw commit object (`tree`, `parent`…, `author`, `committer`, blank line, message) as `git log`
 * would describe it with strict ISO dates. Undefined for what this parser does not handle (another
 * encoding than UTF-8, a malformed identity): the caller falls back to `git log`.
 */
export function parseRawCommit(oid: string, raw: string): CommitInfo | undefined {
  const end = raw.indexOf("\n\n");
  const headers = (end < 0 ? raw : raw.slice(0, end)).split("\n");
  const message = end < 0 ? "" : raw.slice(end + 2);
  const parents: string[] = [];
  let author: CommitInfo["author"] | undefined;
  let committer: CommitInfo["committer"] | undefined;
  for (const line of headers) {
    if (line.startsWith("parent ")) parents.push(line.slice(7));
    else if (line.startsWith("author ")) author = parseIdent(line.slice(7));
    else if (line.startsWith("committer ")) committer = parseIdent(line.slice(10));
    else if (line.startsWith("encoding ") && !/^encoding utf-?8$/i.test(line)) return undefined;
  }
  if (!author || !committer) return undefined;
  return { sha: oid, parents, message, author, committer };
}

/** `Name <email> 1772445600 +0100` → name, email and the date in its own offset (`%aI`). */
function parseIdent(text: string): CommitInfo["author"] | undefined {
  const match = /^(.*) <([^>]*)> (\d+) ([+-])(\d\d)(\d\d)$/.exec(text);
  if (!match) return undefined;
  const offset = (match[4] === "-" ? -1 : 1) * (Number(match[5]) * 60 + Number(match[6]));
  const local = new Date((Number(match[3]) + offset * 60) * 1000).toISOString().slice(0, 19);
  return { name: match[1]!, email: match[2]!, date: `${local}${match[4]}${match[5]}:${match[6]}` };
}
