import { simpleGit } from "simple-git";
import type { SimpleGit } from "simple-git";

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

export const ZERO_OID = "0".repeat(40);
const IMMUTABLE_SPEC = /^[0-9a-f]{40}(:.*)?$/;
/** How long a ref listing is reused (see GitCli.listRefs). */
export const REFS_TTL_MS = 250;

/**
 * Ambient variables not passed on: every GIT_* (a parent git process such as a hook may have set
 * GIT_DIR/GIT_INDEX_FILE, which would redirect our commands) and those simple-git refuses as unsafe
 * (editors, pagers, askpass). The GIT_* variables we set ourselves are allowed explicitly.
 */
const DROPPED_VARS = new Set(["EDITOR", "VISUAL", "PAGER", "PREFIX", "SSH_ASKPASS"]);
const OWN_GIT_VARS = ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "GIT_INDEX_FILE", "GIT_TERMINAL_PROMPT"];

/**
 * Runs git in one repository through simple-git. Every call gets its own simple-git instance because
 * env and stdin are per-instance settings and calls interleave across awaits. Non-zero exit codes are
 * errors even when git printed nothing on stderr (simple-git's default only fails on stderr output).
 */
export class GitCli {
  readonly #baseEnv: Record<string, string>;
  /** Objects are immutable: content → blob oid, and oid-addressed reads, are cached for the life of this instance. */
  readonly #blobOids = new Map<string, string>();
  readonly #objectReads = new Map<string, { oid: string; type: string; text?: string } | undefined>();
  #refs: { at: number; map: Map<string, string> } | undefined;

  constructor(readonly dir: string) {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !DROPPED_VARS.has(key.toUpperCase()) && !key.toUpperCase().startsWith("GIT_")) env[key] = value;
    }
    // Locale-independent output; never prompt (no command here opens an editor or a pager).
    Object.assign(env, { LC_ALL: "C", GIT_TERMINAL_PROMPT: "0" });
    this.#baseEnv = env;
  }

  #git(options: RunOptions): SimpleGit {
    const allowed = options.allowExitCodes ?? [];
    const git = simpleGit({
      baseDir: this.dir,
      trimmed: false,
      allowEnvironment: OWN_GIT_VARS,
      ...(options.input !== undefined ? { input: () => options.input } : {}),
      errors: (error, result) => {
        // An allowed exit code with stderr output is still a success; a failure to spawn is not.
        if (result.exitCode === 0 || allowed.includes(result.exitCode)) return error instanceof Error ? error : undefined;
        if (error) return error;
        {
          return Buffer.concat([...result.stdErr, ...result.stdOut, Buffer.from(` (exit code ${result.exitCode})`)]);
        }
        return undefined;
      },
    });
    const env: Record<string, string> = { ...this.#baseEnv, ...options.env };
    if (options.identity) Object.assign(env, identityEnv(options.identity));
    return git.env(env);
  }

  /** Runs `git <args>` and returns stdout. */
  async run(args: string[], options: RunOptions = {}): Promise<string> {
    try {
      return await this.#git(options).raw(args);
    } finally {
      if (args[0] === "update-ref") this.#refs = undefined;
    }
  }

  /**
   * Every `refs/stagegate/` ref with the commit it points at, from one for-each-ref. The
   * listing is reused for {@link REFS_TTL_MS} and dropped on every update-ref this instance runs, so a
   * process sees its own writes at once and other processes' writes within the TTL; compare-and-swap
   * on every write keeps a stale read from ever overwriting someone else's change.
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

  /** Runs `git cat-file <args>` and returns stdout as bytes (for --batch, whose sizes are in bytes). */
  async catFileBuffer(args: string[], options: RunOptions = {}): Promise<Buffer> {
    return (await this.#git(options).binaryCatFile(args)) as Buffer;
  }

  /** The oid `rev` resolves to, or undefined when it does not exist. */
  async resolve(rev: string): Promise<string | undefined> {
    // Branches move under people's hands (git commit, git revert): always read them fresh.
    if (rev.startsWith("refs/stagegate/")) return (await this.listRefs()).get(rev);
    const out = await this.run(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { allowExitCodes: [1] });
    return out.trim() || undefined;
  }

  /** Writes a blob and returns its oid. */
  async writeBlob(content: string): Promise<string> {
    const known = this.#blobOids.get(content);
    if (known) return known;
    const oid = (await this.run(["hash-object", "-w", "--stdin"], { input: content })).trim();
    this.#blobOids.set(content, oid);
    return oid;
  }

  /**
   * Reads many objects in one process (`git cat-file --batch`). Specs are oids, refs or `rev:path`;
   * each maps to its oid and type, and its text when it is a blob (missing ones map to undefined).
   * Sizes are in bytes, hence the Buffer.
   */
  async readObjects(specs: string[]): Promise<Map<string, { oid: string; type: string; text?: string } | undefined>> {
    const out = new Map<string, { oid: string; type: string; text?: string } | undefined>();
    const todo = [...new Set(specs.filter((spec) => !this.#objectReads.has(spec)))];
    for (const spec of specs) if (this.#objectReads.has(spec)) out.set(spec, this.#objectReads.get(spec));
    if (todo.length === 0) return out;
    const buf = await this.catFileBuffer(["--batch"], { input: todo.join("\n") + "\n" });
    let pos = 0;
    for (const spec of todo) {
      const eol = buf.indexOf(10, pos);
      const header = buf.subarray(pos, eol).toString("utf8");
      pos = eol + 1;
      const match = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(header);
      if (!match) {
        out.set(spec, undefined); // "<spec> missing" or "ambiguous"
        continue;
      }
      const size = Number(match[3]);
      const object = { oid: match[1]!, type: match[2]!, ...(match[2] === "blob" ? { text: buf.subarray(pos, pos + size).toString("utf8") } : {}) };
      out.set(spec, object);
      // `<oid>` and `<commit oid>:path` name immutable content; ref names do not.
      if (IMMUTABLE_SPEC.test(spec)) this.#objectReads.set(spec, object);
      pos += size + 1;
    }
    return out;
  }

  /** Texts of many blobs (see readObjects); non-blobs and missing ones map to undefined. */
  async readBlobs(specs: string[]): Promise<Map<string, string | undefined>> {
    const objects = await this.readObjects(specs);
    return new Map(specs.map((spec) => [spec, objects.get(spec)?.text]));
  }

  /** Moves `ref` to `newOid` only if it still points at `oldOid` (ZERO_OID: only if absent). False when someone moved it first. */
  async compareAndSwap(ref: string, newOid: string, oldOid: string, reason: string, identity?: GitIdentity): Promise<boolean> {
    try {
      await this.run(["update-ref", "-m", reason, ref, newOid, oldOid], identity ? { identity } : {});
      return true;
    } catch (error) {
      if (/cannot lock ref|reference already exists|is at .* but expected|unable to resolve reference/i.test(String(error))) return false;
      throw error;
    }
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
