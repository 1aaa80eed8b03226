import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { GitBatchProcess, parseCatFile, parseLine, type CatFileObject } from "./git-batch.js";

/** Who a git object is written as, and when (the simulated clock in local mode and the demo). */
export interface GitIdentity {
  name: string;
  email: string;
  date: Date;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Author and committer of objects the command writes. */
  identity?: GitIdentity;
  /** Extra environment (e.g. GIT_INDEX_FILE). */
  env?: Record<string, string>;
  /** Exit codes that are not errors (merge-tree reports conflicts with 1). */
  allowExitCodes?: number[];
}

/** One change of a ref in an `update-ref --stdin` transaction. */
export interface RefUpdate {
  ref: string;
  /** ZERO_OID deletes the ref. */
  newOid: string;
  /** The value the ref must have for the transaction to apply (ZERO_OID: must not exist); omitted: any. */
  oldOid?: string;
}

/** A git command exited with a code that was not allowed. */
export class GitCommandError extends Error {
  override name = "GitCommandError";
  constructor(
    readonly args: string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.slice(0, 3).join(" ")} failed (exit code ${exitCode}): ${stderr.trim()}`);
  }
}

export const ZERO_OID = "0".repeat(40);
/** The null object id in either object format (40 zeros for SHA-1, 64 for SHA-256): what git writes for "no object". */
export const isZeroOid = (oid: string): boolean => /^0+$/.test(oid);
const IMMUTABLE_SPEC = /^[0-9a-f]{40}(:.*)?$/;
/** How long a ref listing is reused (see GitCli.listRefs). */
export const REFS_TTL_MS = 250;
/** What git says when a compare-and-swap loses (someone else moved or created the ref first). */
const LOST_RACE = /cannot lock ref|reference already exists|is at .* but expected|unable to resolve reference/i;

/**
 * Ambient variables not passed on: every GIT_* (a parent git process such as a hook may have set
 * GIT_DIR/GIT_INDEX_FILE, which would redirect our commands) and editors, pagers and askpass helpers
 * (no command here may open one).
 */
const DROPPED_VARS = new Set(["EDITOR", "VISUAL", "PAGER", "PREFIX", "SSH_ASKPASS"]);

type ObjectRead = { oid: string; type: string; text?: string } | undefined;

/**
 * Runs git in one repository, spawning it directly (node:child_process): local mode issues hundreds of
 * small plumbing commands, and a wrapper's per-call overhead (simple-git waits 50 ms after every command
 * that prints nothing) dominated its run time. Reads go through one long-lived `git cat-file --batch`,
 * trees through `git mktree --batch` and blobs through `git hash-object -w --stdin-paths`, so the
 * commands that remain spawned are the ones that write refs, commits and notes.
 * Non-zero exit codes are errors (GitCommandError) unless allowed.
 */
export class GitCli {
  readonly #baseEnv: Record<string, string>;
  /** Objects are immutable: content → blob oid, and oid-addressed reads, are cached for the life of this instance. */
  readonly #blobOids = new Map<string, string>();
  readonly #objectReads = new Map<string, ObjectRead>();
  #refs: { at: number; map: Map<string, string> } | undefined;
  #gitDir: Promise<string> | undefined;
  readonly #catFile: GitBatchProcess<CatFileObject>;
  readonly #mktree: GitBatchProcess<string>;
  readonly #hashObject: GitBatchProcess<string>;
  readonly #hashCommit: GitBatchProcess<string>;

  constructor(readonly dir: string) {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !DROPPED_VARS.has(key.toUpperCase()) && !key.toUpperCase().startsWith("GIT_")) env[key] = value;
    }
    // Locale-independent output; never prompt; no optional locks (a status-like read must not take index.lock).
    Object.assign(env, { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" });
    this.#baseEnv = env;
    const baseEnv = () => this.#baseEnv;
    this.#catFile = new GitBatchProcess(dir, ["cat-file", "--batch"], baseEnv, parseCatFile);
    this.#mktree = new GitBatchProcess(dir, ["mktree", "--batch", "--missing"], baseEnv, parseLine);
    this.#hashObject = new GitBatchProcess(dir, ["hash-object", "-w", "--no-filters", "--stdin-paths"], baseEnv, parseLine);
    this.#hashCommit = new GitBatchProcess(dir, ["hash-object", "-w", "-t", "commit", "--no-filters", "--stdin-paths"], baseEnv, parseLine);
  }

  /** Runs `git <args>` and returns stdout. */
  async run(args: string[], options: RunOptions = {}): Promise<string> {
    try {
      return (await this.#spawn(args, options)).toString("utf8");
    } finally {
      if (args[0] === "update-ref") this.#refs = undefined;
    }
  }

  #spawn(args: string[], options: RunOptions): Promise<Buffer> {
    const env: Record<string, string> = { ...this.#baseEnv, ...options.env };
    if (options.identity) Object.assign(env, identityEnv(options.identity));
    const allowed = options.allowExitCodes ?? [];
    return new Promise((resolve, reject) => {
      const child = spawn("git", args, { cwd: this.dir, env, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout!.on("data", (chunk: Buffer) => out.push(chunk));
      child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
      child.on("error", reject);
      child.on("close", (code) => {
        if (code === 0 || (code !== null && allowed.includes(code))) resolve(Buffer.concat(out));
        else reject(new GitCommandError(args, code, Buffer.concat([...err, ...out]).toString("utf8")));
      });
      if (child.stdin) {
        child.stdin.on("error", () => undefined); // EPIPE: git exited early; "close" reports why
        child.stdin.end(options.input);
      }
    });
  }

  /** Ends the long-lived processes (they also end on their own when Node exits). */
  close(): void {
    this.#catFile.close();
    this.#mktree.close();
    this.#hashObject.close();
    this.#hashCommit.close();
  }

  /** The absolute git directory (asked once). */
  gitDir(): Promise<string> {
    this.#gitDir ??= this.run(["rev-parse", "--absolute-git-dir"]).then((out) => out.trim());
    return this.#gitDir;
  }

  /**
   * Every `refs/stagegate/` ref with the commit it points at, from one for-each-ref. The listing is
   * reused for {@link REFS_TTL_MS}; this instance's own ref updates are applied to it as they succeed
   * (and a lost compare-and-swap drops it), so a process sees its own writes at once and other
   * processes' writes within the TTL. Compare-and-swap on every write keeps a stale read from ever
   * overwriting someone else's change.
   */
  async listRefs(): Promise<Map<string, string>> {
    if (this.#refs && performance.now() - this.#refs.at < REFS_TTL_MS) return this.#refs.map;
    const out = await this.run(["for-each-ref", "--format=%(objectname) %(refname)", "refs/stagegate/"]);
    const map = new Map<string, string>();
    for (const line of out.split("\n")) {
      const space = line.indexOf(" ");
      if (space > 0) map.set(line.slice(space + 1), line.slice(0, space));
    }
    this.#refs = { at: performance.now(), map };
    return map;
  }

  /** Forgets the ref listing: the next read lists the refs again (after losing a race, to see the winner). */
  forgetRefs(): void {
    this.#refs = undefined;
  }

  /** The oid `rev` resolves to, or undefined when it does not exist. */
  async resolve(rev: string): Promise<string | undefined> {
    if (rev.startsWith("refs/stagegate/")) return (await this.listRefs()).get(rev);
    // Branches move under people's hands (git commit, git revert): always read them fresh. The batch
    // process reads the ref file on every request.
    const object = await this.#catFile.request(`${rev}^{commit}`);
    return object?.oid;
  }

  /** Writes a blob and returns its oid. */
  async writeBlob(content: string): Promise<string> {
    return (await this.writeBlobs([content]))[0]!;
  }

  /** Writes blobs (one request per new content to the long-lived hash-object) and returns their oids in order. */
  async writeBlobs(contents: string[]): Promise<string[]> {
    const todo = [...new Set(contents.filter((c) => !this.#blobOids.has(c)))];
    if (todo.length > 0) {
      const oids = await this.#hashThroughFile(this.#hashObject, todo);
      todo.forEach((content, i) => this.#blobOids.set(content, oids[i]!));
    }
    return contents.map((content) => this.#blobOids.get(content)!);
  }

  /**
   * Writes a commit object without spawning `commit-tree`: the text git would write (tree, parents,
   * author and committer at the identity's date, message as given) through the long-lived
   * `hash-object -t commit`, which checks its format. Never signed: for Stagegate's own metadata commits.
   */
  async writeCommitObject(tree: string, parents: string[], message: string, identity: GitIdentity): Promise<string> {
    const ident = `${identity.name.replace(/[<>\n]/g, "")} <${identity.email.replace(/[<>\n]/g, "")}> ${Math.floor(identity.date.getTime() / 1000)} +0000`;
    const text = [`tree ${tree}`, ...parents.map((p) => `parent ${p}`), `author ${ident}`, `committer ${ident}`, "", message].join("\n");
    return this.#hashThroughFile(this.#hashCommit, [text]).then((oids) => oids[0]!);
  }

  async #hashThroughFile(process_: GitBatchProcess<string>, contents: string[]): Promise<string[]> {
    // hash-object reads paths, not content, from stdin: each content goes through a file of our own,
    // next to the temporary indexes (inside the git directory, so never in the work tree).
    const gitDir = await this.gitDir();
    const paths = contents.map(() => join(gitDir, `stagegate-blob-${process.pid}-${randomBytes(8).toString("hex")}`));
    await Promise.all(contents.map((content, i) => writeFile(paths[i]!, content)));
    try {
      return await process_.requestMany(paths);
    } finally {
      await Promise.all(paths.map((path) => rm(path, { force: true })));
    }
  }

  /** Writes a tree from `mktree` lines (`<mode> <type> <oid>\t<name>`) and returns its oid. */
  async writeTree(entries: string[]): Promise<string> {
    // A blank line ends a tree in batch mode; an empty tree would be a bare blank line.
    if (entries.length === 0) return (await this.run(["mktree"], { input: "" })).trim();
    return this.#mktree.requestBlock([...entries, ""]);
  }

  /**
   * Reads many objects through the long-lived `git cat-file --batch`. Specs are oids, refs or `rev:path`;
   * each maps to its oid and type, and its text when it is a blob (missing ones map to undefined).
   */
  async readObjects(specs: string[]): Promise<Map<string, ObjectRead>> {
    const out = new Map<string, ObjectRead>();
    const todo = [...new Set(specs.filter((spec) => !this.#objectReads.has(spec)))];
    for (const spec of specs) if (this.#objectReads.has(spec)) out.set(spec, this.#objectReads.get(spec));
    if (todo.length === 0) return out;
    const objects = await this.#catFile.requestMany(todo);
    todo.forEach((spec, i) => {
      const read = objects[i];
      const object: ObjectRead = read && { oid: read.oid, type: read.type, ...(read.type === "blob" ? { text: read.content.toString("utf8") } : {}) };
      out.set(spec, object);
      // `<oid>` and `<commit oid>:path` name immutable content; ref names do not.
      if (object && IMMUTABLE_SPEC.test(spec)) this.#objectReads.set(spec, object);
    });
    return out;
  }

  /** The raw content of one object (commits, trees), or undefined when it does not exist. */
  async readRaw(spec: string): Promise<{ oid: string; type: string; content: Buffer } | undefined> {
    return this.#catFile.request(spec);
  }

  /** Raw contents of many objects through the long-lived cat-file, in one write, not cached (undefined: missing). */
  async readRawMany(specs: string[]): Promise<({ oid: string; type: string; content: Buffer } | undefined)[]> {
    return this.#catFile.requestMany(specs);
  }

  /** Texts of many blobs (see readObjects); non-blobs and missing ones map to undefined. */
  async readBlobs(specs: string[]): Promise<Map<string, string | undefined>> {
    const objects = await this.readObjects(specs);
    return new Map(specs.map((spec) => [spec, objects.get(spec)?.text]));
  }

  /** Moves `ref` to `newOid` only if it still points at `oldOid` (ZERO_OID: only if absent). False when someone moved it first. */
  async compareAndSwap(ref: string, newOid: string, oldOid: string, reason: string, identity?: GitIdentity): Promise<boolean> {
    return this.updateRefs([{ ref, newOid, oldOid }], reason, identity);
  }

  /**
   * Applies several ref updates as ONE transaction (`git update-ref --stdin`): all of them or none.
   * False when an expected old value no longer holds (someone else got there first); the ref listing is
   * then dropped so the next read sees the winner.
   */
  async updateRefs(updates: RefUpdate[], reason: string, identity?: GitIdentity): Promise<boolean> {
    const lines = updates.map(({ ref, newOid, oldOid }) => {
      if (newOid === ZERO_OID) return `delete ${ref}${oldOid ? ` ${oldOid}` : ""}`;
      if (oldOid === ZERO_OID) return `create ${ref} ${newOid}`;
      return `update ${ref} ${newOid}${oldOid ? ` ${oldOid}` : ""}`;
    });
    try {
      await this.#spawn(["update-ref", "-m", reason, "--stdin"], { input: lines.join("\n") + "\n", ...(identity ? { identity } : {}) });
    } catch (error) {
      this.#refs = undefined;
      if (error instanceof GitCommandError && LOST_RACE.test(error.stderr)) return false;
      throw error;
    }
    if (this.#refs) {
      for (const { ref, newOid } of updates) {
        if (!ref.startsWith("refs/stagegate/")) continue;
        if (newOid === ZERO_OID) this.#refs.map.delete(ref);
        else this.#refs.map.set(ref, newOid);
      }
    }
    return true;
  }
}

/** Environment variables that make git write objects as `identity` at its date. */
export function identityEnv(identity: GitIdentity): Record<string, string> {
  const date = `${Math.floor(identity.date.getTime() / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    GIT_COMMITTER_DATE: date,
  };
}
