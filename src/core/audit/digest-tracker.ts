/**
 * Follows the digest each service runs in each environment along the first-parent history of the
 * default branch, file by file, to find every change of digest — including the ones that did not go
 * through Stagegate. Pure: the caller feeds file contents (from `git cat-file`) and an extractor
 * (the editors' `findImageReferences`).
 */
import { normaliseImage } from "../../editors/image-ref.js";
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
  /** env\0service → digest state after the last commit. */
  private readonly state = new Map<string, string>();
  private readonly touched = new Set<string>();
  /** file path → digest tokens (`sha256:…`) of its last content, with counts: the fast path's baseline. */
  private readonly tokens = new Map<string, Map<string, number>>();
  private readonly serviceByImage: Map<string, string>;
  private readonly environments: TrackedEnvironment[];
  /** Files the extractor failed on, with the reason (reported as warnings). */
  readonly errors: string[] = [];

  constructor(environments: readonly TrackedEnvironment[], services: readonly TrackedService[], private readonly extract: ReferenceExtractor) {
    // Longest path first, so nested environment folders resolve to the innermost one.
    this.environments = [...environments].map((e) => ({ ...e, path: e.path.replace(/\/+$/, "") })).sort((a, b) => b.path.length - a.path.length);
    this.serviceByImage = new Map(services.map((s) => [normaliseImage(s.image), s.name]));
  }

  /** Environment a repository path belongs to, if any. */
  environmentOf(path: string): string | undefined {
    return this.environments.find((e) => path === e.path || path.startsWith(`${e.path}/`) || e.path === "." || e.path === "")?.name;
  }

  /** Records the new content of a file (undefined: deleted). Files outside environments are ignored. */
  setFile(path: string, content: string | undefined): void {
    const env = this.environmentOf(path);
    if (!env) return;
    this.touched.add(env);
    if (content === undefined) {
      this.files.delete(path);
      this.tokens.delete(path);
      return;
    }
    this.tokens.set(path, digestTokens(content));
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
    if (byService.size > 0) this.files.set(path, byService);
    else this.files.delete(path);
  }

  /**
   * The fast path for a change Stagegate declared (trailers: this service, previous → digest): when
   * the file's digest tokens differ from its previous content exactly by previous → digest swaps,
   * the declared change is what the file says, and the file is not parsed again. Returns false when
   * the file must be parsed (anything else changed, or the service was not known in that file).
   */
  trySwap(path: string, content: string, service: string, previous: string | undefined, digest: string): boolean {
    const before = this.tokens.get(path);
    const byService = this.files.get(path);
    const set = byService?.get(service);
    if (!before || !set || !previous || !set.has(previous) || set.size !== 1) return false;
    const after = digestTokens(content);
    const removed = (before.get(previous) ?? 0) - (after.get(previous) ?? 0);
    const added = (after.get(digest) ?? 0) - (before.get(digest) ?? 0);
    if (removed <= 0 || removed !== added) return false;
    for (const key of new Set([...before.keys(), ...after.keys()])) {
      if (key === previous || key === digest) continue;
      if ((before.get(key) ?? 0) !== (after.get(key) ?? 0)) return false;
    }
    if ((after.get(previous) ?? 0) !== 0) return false;
    const env = this.environmentOf(path);
    if (!env) return false;
    this.touched.add(env);
    this.tokens.set(path, after);
    byService?.set(service, new Set([digest]));
    return true;
  }

  /** Ends a commit: the digest changes of the environments touched since the last call. */
  commit(): DigestChange[] {
    const changes: DigestChange[] = [];
    for (const env of [...this.touched].sort()) {
      const prefix = `${env}\u0000`;
      const now = this.environmentDigests(env);
      const services = new Set([...now.keys(), ...[...this.state.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))]);
      for (const service of [...services].sort()) {
        const before = this.state.get(prefix + service);
        const after = now.get(service);
        if (before === after) continue;
        const image = this.imageOf(service);
        changes.push({ environment: env, service, image, digest: after, previous: before });
        if (after === undefined) this.state.delete(prefix + service);
        else this.state.set(prefix + service, after);
      }
    }
    this.touched.clear();
    return changes;
  }

  /** Current digest of a service in an environment. */
  current(environment: string, service: string): string | undefined {
    return this.state.get(`${environment}\u0000${service}`);
  }

  private environmentDigests(env: string): Map<string, string> {
    const digests = new Map<string, Set<string>>();
    for (const [path, byService] of this.files) {
      if (this.environmentOf(path) !== env) continue;
      for (const [service, set] of byService) {
        const all = digests.get(service) ?? new Set<string>();
        for (const d of set) all.add(d);
        digests.set(service, all);
      }
    }
    // Files of one environment disagreeing on a digest is itself a state worth showing: join them.
    return new Map([...digests].filter(([, set]) => set.size > 0).map(([service, set]) => [service, [...set].sort().join("+")]));
  }

  private imageOf(service: string): string {
    for (const [image, name] of this.serviceByImage) if (name === service) return image;
    return "";
  }
}

const DIGEST_TOKEN = /sha256:[0-9a-f]{64}/g;

/** Counts of every `sha256:` digest written in a text. */
export function digestTokens(content: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of content.matchAll(DIGEST_TOKEN)) counts.set(match[0], (counts.get(match[0]) ?? 0) + 1);
  return counts;
}
