/**
 * File versions the audit need not read. A Stagegate promotion changes a file by swapping one digest
 * for another (`Stagegate-Previous` → `Stagegate-Image`): its new bytes are its old bytes with that
 * swap. The audit builds those bytes and hashes them as git would (`blob <size>\0<bytes>`, SHA-1 or
 * SHA-256 by the object id's length): when the hash is the object id `git log --raw` gave for the new
 * version, the bytes ARE that version (git itself trusts object ids, and refuses colliding SHA-1
 * objects), so `git cat-file` need not read it, nor a partial clone fetch it.
 *
 * The hint only proposes: the object id decides. A wrong or forged hint costs one hash and the version
 * is read as any other. History is replayed oldest first, path by path; a version that cannot be
 * predicted (the first of its path, a hand edit, a swap written with a tag beside it) is read, in
 * rounds: the first version each path cannot predict, then the path goes on from it. After
 * {@link MAX_ROUNDS} rounds every version still unknown is read in one last request.
 */
import { createHash } from "node:crypto";

/** A version of an environment file, in history order (oldest first). */
export interface FileStep {
  path: string;
  /** Object id of the new version; undefined when the path was deleted (or became a submodule). */
  oid: string | undefined;
  /** The swap the commit declares for this file's environment, if any. */
  swap?: { previous: string; digest: string };
}

/** Rounds of reads that may each unlock predictions, before the rest is read at once. */
export const MAX_ROUNDS = 3;

/** Git's object id of a blob with these bytes (SHA-1, or SHA-256 for 64-digit ids). */
export function blobId(bytes: Buffer, hexLength: number): string {
  const hash = createHash(hexLength === 64 ? "sha256" : "sha1");
  hash.update(`blob ${bytes.length}\0`);
  hash.update(bytes);
  return hash.digest("hex");
}

/**
 * `before` with every occurrence of `previous` replaced by `digest`, under the conditions of the
 * audit's exact-swap check (isExactSwap): digests of the same byte length, different, at least one
 * occurrence. Undefined otherwise.
 */
export function swapBytes(before: Buffer, previous: string, digest: string): Buffer | undefined {
  if (previous.length === 0 || previous === digest || Buffer.byteLength(previous, "latin1") !== previous.length || previous.length !== digest.length) return undefined;
  let at = before.indexOf(previous, 0, "latin1");
  if (at < 0) return undefined;
  const out = Buffer.from(before);
  while (at >= 0) {
    out.write(digest, at, "latin1");
    at = before.indexOf(previous, at + previous.length, "latin1");
  }
  return out;
}

/**
 * Fills `blobs` with the versions of `steps` it can predict, reading the others through `read`
 * (which adds what it read to `blobs`). Returns the indexes of the steps it predicted: their bytes
 * are the declared swap of the path's version before, so the replay need not compare them again. (By
 * step, not by id: the same bytes elsewhere, at another path or after other versions, are no swap.)
 */
export async function resolveVersions(steps: readonly FileStep[], blobs: Map<string, Buffer>, read: (oids: string[]) => Promise<void>): Promise<Set<number>> {
  const predicted = new Set<number>();
  /** Versions git could not give: not asked for again; the replay treats them as unreadable, as before. */
  const missing = new Set<string>();
  for (let round = 1; ; round++) {
    const last = round > MAX_ROUNDS;
    const wanted = new Set<string>();
    /** path → its current bytes; null once a version of it is unknown (its later ones wait for the next round). */
    const current = new Map<string, Buffer | null>();
    for (const [index, step] of steps.entries()) {
      if (step.oid === undefined) {
        current.delete(step.path);
        continue;
      }
      if (missing.has(step.oid)) {
        current.delete(step.path);
        continue;
      }
      const have = blobs.get(step.oid);
      if (have) {
        current.set(step.path, have);
        continue;
      }
      const before = current.get(step.path);
      if (before && step.swap) {
        const after = swapBytes(before, step.swap.previous, step.swap.digest);
        if (after && blobId(after, step.oid.length) === step.oid) {
          blobs.set(step.oid, after);
          predicted.add(index);
          current.set(step.path, after);
          continue;
        }
      }
      // Unknown: read now when its path is known up to here (or in the last round), else next round.
      if (last || before !== null) wanted.add(step.oid);
      current.set(step.path, null);
    }
    if (wanted.size === 0) return predicted;
    await read([...wanted]);
    for (const oid of wanted) if (!blobs.has(oid)) missing.add(oid);
    if (last) return predicted;
  }
}
