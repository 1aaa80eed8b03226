/**
 * A bounded in-memory set of recently seen intake signatures: an exact replay inside the timestamp
 * window is refused. Per replica only; across replicas the deterministic branch name makes a replayed
 * artifact a no-op anyway (docs/github-app.md).
 */
export class ReplayCache {
  #seen = new Map<string, number>();
  #max: number;
  #ttlMs: number;

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.#max = options.max ?? 10_000;
    this.#ttlMs = options.ttlMs ?? 10 * 60_000;
  }

  /** Records `key`; false when it was already seen within the TTL. */
  remember(key: string, now: number): boolean {
    const seenAt = this.#seen.get(key);
    if (seenAt !== undefined && now - seenAt < this.#ttlMs) return false;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    // Map iteration is insertion order: evict the oldest entries beyond the bound.
    for (const oldest of this.#seen.keys()) {
      if (this.#seen.size <= this.#max) break;
      this.#seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}
