import { ConflictError } from "../../core/errors.js";
import type { Clock } from "../../core/ports/clock.js";
import { ZERO_OID } from "./git-cli.js";
import type { GitCli, GitIdentity } from "./git-cli.js";

/** JSON documents by file name, as held in the tree of one metadata commit. */
export type MetaFiles = Record<string, unknown>;

/** The email local mode gives a login (no real address is ever needed). */
export function localEmail(login: string): string {
  return `${login.replace(/[^A-Za-z0-9._-]/g, "-")}@users.noreply.stagegate.local`;
}

/**
 * Machine-readable state kept IN git: each ref under `refs/stagegate/` points at a commit whose tree
 * holds JSON files (`pr.json`, `reviews.json`, …). Every change is a new commit whose parent is the
 * previous state, so `git log refs/stagegate/pulls/3` is the history of PR #3. Writes compare-and-swap
 * the ref: two writers never lose each other's change (the loser re-reads and re-applies).
 */
export class MetaStore {
  constructor(
    private readonly git: GitCli,
    private readonly clock: Clock,
  ) {}

  /** Identity of `login` at the clock's current time. */
  identity(login: string): GitIdentity {
    return { name: login, email: localEmail(login), date: this.clock.now() };
  }

  /** Refs under `prefix` (e.g. `refs/stagegate/pulls/`), sorted. */
  async list(prefix: string): Promise<string[]> {
    return (await this.listWithOids(prefix)).map((r) => r.ref);
  }

  /** Refs under `prefix` with the commit each points at, sorted by ref name. */
  async listWithOids(prefix: string): Promise<{ ref: string; oid: string }[]> {
    return [...(await this.git.listRefs())]
      .filter(([ref]) => ref.startsWith(prefix))
      .map(([ref, oid]) => ({ ref, oid }))
      .sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** The states of every ref under `prefix`, keyed by ref (reads of unchanged states are cached by commit). */
  async readPrefix(prefix: string, names: string[]): Promise<Map<string, MetaFiles>> {
    const refs = await this.listWithOids(prefix);
    const states = await this.readMany(refs.map((r) => r.oid), names);
    const out = new Map<string, MetaFiles>();
    for (const { ref, oid } of refs) {
      const files = states.get(oid);
      if (files) out.set(ref, files);
    }
    return out;
  }

  /** Reads `names` from each commit (or ref) in one batch; those without a state are left out. */
  async readMany(refs: string[], names: string[]): Promise<Map<string, MetaFiles>> {
    const specs = refs.flatMap((ref) => names.map((name) => `${ref}:${name}`));
    const blobs = await this.git.readBlobs(specs);
    const out = new Map<string, MetaFiles>();
    for (const ref of refs) {
      const files: MetaFiles = {};
      let found = false;
      for (const name of names) {
        const text = blobs.get(`${ref}:${name}`);
        if (text === undefined) continue;
        files[name] = JSON.parse(text);
        found = true;
      }
      if (found) out.set(ref, files);
    }
    return out;
  }

  /** The state at `ref` and the commit holding it, or undefined when the ref does not exist. */
  async read(ref: string, names: string[]): Promise<{ oid: string; files: MetaFiles } | undefined> {
    const oid = await this.git.resolve(ref);
    if (!oid) return undefined;
    return { oid, files: (await this.readMany([oid], names)).get(oid) ?? {} };
  }

  /** Writes a new state commit on `ref` if it still points at `expected` (ZERO_OID: create only). */
  async write(ref: string, files: MetaFiles, message: string, actor: string, expected: string): Promise<boolean> {
    const commit = await this.writeCommit(files, message, actor, expected === ZERO_OID ? [] : [expected]);
    return this.git.compareAndSwap(ref, commit, expected, `stagegate: ${message.split("\n")[0]}`, this.identity(actor));
  }

  /** Writes a state commit of `files` (no ref moves): the caller moves refs, e.g. in one transaction with others. */
  async writeCommit(files: MetaFiles, message: string, actor: string, parents: string[] = []): Promise<string> {
    const names = Object.keys(files).sort();
    const oids = await this.git.writeBlobs(names.map((name) => JSON.stringify(files[name], null, 2) + "\n"));
    const tree = await this.git.writeTree(names.map((name, i) => `100644 blob ${oids[i]}\t${name}`));
    return this.git.writeCommitObject(tree, parents, message + "\n", this.identity(actor));
  }

  /**
   * Read-modify-write with retry. `change` returns the new files, or undefined to leave the state alone.
   * Returns the files written (or the unchanged current state).
   */
  async update(ref: string, names: string[], message: string, actor: string, change: (current: MetaFiles | undefined) => MetaFiles | undefined): Promise<MetaFiles | undefined> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.read(ref, names);
      const next = change(current?.files);
      if (next === undefined) return current?.files;
      if (await this.write(ref, next, message, actor, current?.oid ?? ZERO_OID)) return next;
    }
    throw new ConflictError(`${ref} kept changing while Stagegate updated it`, { ref });
  }
}
