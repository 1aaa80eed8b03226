/**
 * Follows the digest each service runs in each environment along the first-parent history of the
 * default branch, file by file, to find every change of digest — including the ones that did not go
 * through Stagegate. Pure: the caller feeds file contents (from `git cat-file`) and an extractor
 * (the editors' `findImageReferences`).
 */
import { normaliseImage } from "../../editors/image-ref.js";
import { append } from "../tight-list.js";
import type { DigestChange } from "./types.js";

/** What the tracker needs of an image reference found in a file. */
export interface FoundReference {
  image: string;
  digest?: string;
}

export type ReferenceExtractor = (fileName: string, content: string) => readonly FoundReference[];

export interface TrackedEnvironment {
  name: string;
  path: string;
}

export interface TrackedService {
  name: string;
  image: string;
}

/** Per (environment, service) digests, recomputed for the environments a commit touched. */
export class DigestTracker {
  /** file path → service → digests referenced in that file. */
  private readonly files = new Map<string, Map<string, Set<string>>>();
  /** environment → paths of its files that reference a known service (what commit() re-reads). */
  private readonly filesByEnv = new Map<string, Set<string>>();
  /** environment → service → digest state after the last commit. */
  private readonly state = new Map<string, Map<string, string>>();
  private readonly touched = new Set<string>();
  /**
   * Environments touched since the last commit() through applySwap alone, with the one swap made
   * (null once a second one was): commit() then knows the change without recomputing the environment.
   */
  private readonly swaps = new Map<string, { service: string; digest: string } | null>();
  /** Environments a file was set or deleted in since the last commit(): recomputed. */
  private readonly rewritten = new Set<string>();
  private readonly serviceByImage: Map<string, string>;
  private readonly imageByService = new Map<string, string>();
  /** Environment folders, longest first, with the prefix their files start with ("" for the root). */
  private readonly environments: { name: string; path: string; prefix: string }[];
  /** path → environment (null: none); a history names the same few files again and again. */
  private readonly envOfPath = new Map<string, string | null>();
  /** Files the extractor failed on, with the reason (reported as warnings). */
  readonly errors: string[] = [];

  constructor(environments: readonly TrackedEnvironment[], services: readonly TrackedService[], private readonly extract: ReferenceExtractor) {
    // Longest path first, so nested environment folders resolve to the innermost one.
    this.environments = [...environments]
      .map((e) => ({ name: e.name, path: e.path.replace(/\/+$/, "") }))
      .sort((a, b) => b.path.length - a.path.length)
      .map((e) => ({ ...e, prefix: e.path === "." || e.path === "" ? "" : `${e.path}/` }));
    this.serviceByImage = new Map(services.map((s) => [normaliseImage(s.image), s.name]));
    // The first image naming a service wins, as a scan of serviceByImage in insertion order would.
    for (const [image, name] of this.serviceByImage) if (!this.imageByService.has(name)) this.imageByService.set(name, image);
  }

  /** Environment a repository path belongs to, if any. */
  environmentOf(path: string): string | undefined {
    const known = this.envOfPath.get(path);
    if (known !== undefined) return known ?? undefined;
    const env = this.environments.find((e) => e.prefix === "" || path === e.path || path.startsWith(e.prefix))?.name;
    this.envOfPath.set(path, env ?? null);
    return env;
  }

  /** Records the new content of a file (undefined: deleted). Files outside environments are ignored. */
  setFile(path: string, content: string | undefined): void {
    const env = this.environmentOf(path);
    if (!env) return;
    this.touched.add(env);
    this.rewritten.add(env);
    if (content === undefined) {
      this.deleteFile(env, path);
      return;
    }
    let refs: readonly FoundReference[] = [];
    try {
      refs = this.extract(path, content);
    } catch (error) {
      this.errors.push(`${path}: ${(error as Error).message}`);
    }
    const byService = new Map<string, Set<string>>();
    for (const ref of refs) {
      const service = this.serviceByImage.get(normaliseImage(ref.image));
      if (!service || !ref.digest) continue;
      const set = byService.get(service) ?? new Set<string>();
      set.add(ref.digest);
      byService.set(service, set);
    }
    if (byService.size === 0) {
      this.deleteFile(env, path);
      return;
    }
    this.files.set(path, byService);
    let paths = this.filesByEnv.get(env);
    if (!paths) this.filesByEnv.set(env, (paths = new Set()));
    paths.add(path);
  }

  /**
   * The fast path for a change Stagegate declared (trailers: this service, previous → digest), once the
   * caller has checked that the file's bytes changed by exactly that swap (isExactSwap): the declared
   * change is what the file says when the file
   * referenced the service by `previous` alone and no other service by it. Returns false when the file
   * must be parsed instead.
   */
  applySwap(path: string, service: string, previous: string | undefined, digest: string): boolean {
    const byService = this.files.get(path);
    const set = byService?.get(service);
    if (!byService || !set || !previous || !set.has(previous) || set.size !== 1) return false;
    for (const [other, digests] of byService) if (other !== service && digests.has(previous)) return false;
    const env = this.environmentOf(path);
    if (!env) return false;
    this.touched.add(env);
    this.swaps.set(env, this.swaps.has(env) ? null : { service, digest });
    // The file's set for the service, which it alone holds, now holds the new digest only: rewritten in
    // place: no new Set per promotion of a long history.
    set.clear();
    set.add(digest);
    return true;
  }

  /** Ends a commit: the digest changes of the environments touched since the last call. */
  commit(): DigestChange[] {
    let changes: DigestChange[] | undefined;
    // Runs once per commit of a long history: no copies or sorts when one environment and one service changed.
    const envs = this.touched.size === 1 ? this.touched : [...this.touched].sort();
    for (const env of envs) {
      let state = this.state.get(env);
      if (!state) this.state.set(env, (state = new Map()));
      // One declared swap in the environment's only file, nothing else rewritten: one service changed, to
      // `digest` (every other service's digests, and this file's others, are as the state has them).
      const swap = this.rewritten.has(env) ? undefined : this.swaps.get(env);
      if (swap && this.filesByEnv.get(env)?.size === 1) {
        const before = state.get(swap.service);
        if (before !== swap.digest) {
          state.set(swap.service, swap.digest);
          changes = append(changes, { environment: env, service: swap.service, image: this.imageByService.get(swap.service) ?? "", digest: swap.digest, previous: before });
        }
        continue;
      }
      const now = this.environmentDigests(env);
      const changed: DigestChange[] = [];
      for (const [service, after] of now) {
        const before = state.get(service);
        if (before !== after) changed.push({ environment: env, service, image: this.imageByService.get(service) ?? "", digest: after, previous: before });
      }
      for (const [service, before] of state) {
        if (!now.has(service)) changed.push({ environment: env, service, image: this.imageByService.get(service) ?? "", digest: undefined, previous: before });
      }
      if (changed.length > 1) changed.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
      for (const change of changed) {
        if (change.digest === undefined) state.delete(change.service);
        else state.set(change.service, change.digest);
        changes = append(changes, change);
      }
    }
    this.touched.clear();
    this.swaps.clear();
    this.rewritten.clear();
    return changes ?? [];
  }

  /** Current digest of a service in an environment. */
  current(environment: string, service: string): string | undefined {
    return this.state.get(environment)?.get(service);
  }

  private deleteFile(env: string, path: string): void {
    this.files.delete(path);
    this.filesByEnv.get(env)?.delete(path);
  }

  private environmentDigests(env: string): Map<string, string> {
    const out = new Map<string, string>();
    const paths = this.filesByEnv.get(env);
    if (!paths) return out;
    // One file per environment (the usual layout): its digests are the environment's.
    if (paths.size === 1) {
      for (const [service, set] of this.files.get(paths.values().next().value!) ?? []) if (set.size > 0) out.set(service, joinDigests(set));
      return out;
    }
    const digests = new Map<string, Set<string>>();
    for (const path of paths) {
      for (const [service, set] of this.files.get(path) ?? []) {
        const all = digests.get(service) ?? new Set<string>();
        for (const d of set) all.add(d);
        digests.set(service, all);
      }
    }
    for (const [service, set] of digests) if (set.size > 0) out.set(service, joinDigests(set));
    return out;
  }
}

/** Files of one environment disagreeing on a digest is itself a state worth showing: join them. */
function joinDigests(set: ReadonlySet<string>): string {
  return set.size === 1 ? set.values().next().value! : [...set].sort().join("+");
}
