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
 * predicted (the first of its path, a hand edit, a tag written beside the digest that no
 * `Stagegate-Tag` declares) is read, in rounds: the first version each path cannot predict, then the
 * path goes on from it. Every version still unknown is read in one request as soon as a round's
 * predictions all fail (a history whose swaps are not what its files show, such as tags written beside
 * the digests without `Stagegate-Tag`: more rounds would only add requests), or after
 * {@link MAX_ROUNDS} rounds. A round that reads a few versions is one round trip to a running
 * `git cat-file`; in a partial clone, each round is a fetch.
 */
import { hash } from "node:crypto";
import { inlineTag, TAG_LINE } from "./digest-swap.js";

/** A version of an environment file, in history order (oldest first). */
export interface FileStep {
  path: string;
  /** Object id of the new version; undefined when the path was deleted (or became a submodule). */
  oid: string | undefined;
  /** The swap the commit declares for this file's environment, if any, with the tag it declares (`Stagegate-Tag`). */
  swap?: { previous: string; digest: string; tag?: string };
}

/** Rounds of reads that may each unlock predictions, before the rest is read at once. */
export const MAX_ROUNDS = 8;

/** Git's object header of a blob of `size` bytes (`blob <size>\0`): what its object id hashes before the bytes. */
function blobHeader(size: number): string {
  return `blob ${size}\0`;
}

/** Git's object id of a blob with these bytes (SHA-1, or SHA-256 for 64-digit ids). */
export function blobId(bytes: Buffer, hexLength: number): string {
  // One-shot crypto.hash over header and bytes: half the time of a Hash object per blob (10,000 per audit).
  const header = blobHeader(bytes.length);
  const object = Buffer.allocUnsafe(header.length + bytes.length);
  object.write(header, 0, "latin1");
  bytes.copy(object, header.length);
  return objectId(object, hexLength);
}

function objectId(object: Buffer, hexLength: number): string {
  return hash(hexLength === 64 ? "sha256" : "sha1", object, "hex");
}

/**
 * `before` with every occurrence of `previous` replaced by `digest`, under the conditions of the
 * audit's exact-swap check (isExactSwap): digests of the same byte length, different, at least one
 * occurrence. Undefined otherwise.
 */
export function swapBytes(before: Buffer, previous: string, digest: string): Buffer | undefined {
  const object = swappedObject(before, previous, digest);
  return object?.subarray(object.length - before.length);
}

/**
 * {@link swapBytes} laid out as git's blob object (header, then the swapped bytes) in one allocation:
 * hashed as it is, its bytes a view of it (one copy of each predicted version, not two).
 */
function swappedObject(before: Buffer, previous: string, digest: string): Buffer | undefined {
  if (previous.length === 0 || previous === digest || Buffer.byteLength(previous, "latin1") !== previous.length || previous.length !== digest.length) return undefined;
  let at = before.indexOf(previous, 0, "latin1");
  if (at < 0) return undefined;
  const header = blobHeader(before.length);
  const object = Buffer.allocUnsafe(header.length + before.length);
  object.write(header, 0, "latin1");
  before.copy(object, header.length);
  while (at >= 0) {
    object.write(digest, header.length + at, "latin1");
    at = before.indexOf(previous, at + previous.length, "latin1");
  }
  return object;
}

/** Lines looked at on each side of a digest for its tag line (a kustomize or Helm image block is a few lines). */
const TAG_REACH = 3;

/**
 * `swapped` (a declared swap already applied) with the declared tag written where editors that keep
 * the tag write it: the tag of a `name:tag@digest` reference, else the nearest `newTag:`/`tag:` line
 * around each line holding the new digest (above first, within {@link TAG_REACH} lines, not across a
 * list item). Undefined when there is no such place or nothing changes. A guess the object id checks.
 */
export function retag(swapped: Buffer, digest: string, tag: string): Buffer | undefined {
  if (!/^\w[\w.+-]{0,127}$/.test(tag)) return undefined;
  const lines = swapped.toString("latin1").split("\n");
  let changed = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.includes(digest)) continue;
    const inline = inlineTag(line);
    if (inline && line.startsWith(digest, inline.end + 1)) {
      const next = `${line.slice(0, inline.start)}${tag}${line.slice(inline.end)}`;
      if (next !== line) [lines[i], changed] = [next, true];
      continue;
    }
    const at = nearestTagLine(lines, i);
    if (at === undefined) continue;
    const match = TAG_LINE.exec(lines[at]!)!;
    const next = `${match[1]}${match[2]}${tag}${match[2]}${match[4]}`;
    if (next !== lines[at]) [lines[at], changed] = [next, true];
  }
  return changed ? Buffer.from(lines.join("\n"), "latin1") : undefined;
}

const LIST_ITEM = /^\s*-\s/;

/** The tag line of the image block around line `at`: the nearest above, else below, not past the start of a list item. */
function nearestTagLine(lines: readonly string[], at: number): number | undefined {
  const item = (line: string) => LIST_ITEM.test(line);
  for (let i = at - 1; i >= Math.max(0, at - TAG_REACH); i--) {
    if (TAG_LINE.test(lines[i]!)) return i;
    if (item(lines[i]!)) break;
  }
  for (let i = at + 1; i <= Math.min(lines.length - 1, at + TAG_REACH); i++) {
    if (item(lines[i]!)) break;
    if (TAG_LINE.test(lines[i]!)) return i;
  }
  return undefined;
}

/**
 * Fills `blobs` with the versions of `steps` it can predict, reading the others through `read`
 * (which adds what it read to `blobs`). Returns the indexes of the steps it predicted as the exact
 * swap of the path's version before, which the replay need not compare again. (By
 * step, not by id: the same bytes elsewhere, at another path or after other versions, are no swap.)
 */
export async function resolveVersions(steps: readonly FileStep[], blobs: Map<string, Buffer>, read: (oids: string[]) => Promise<void>): Promise<Set<number>> {
  const predicted = new Set<number>();
  /** Versions git could not give: not asked for again; the replay treats them as unreadable, as before. */
  const missing = new Set<string>();
  for (let round = 1; ; round++) {
    const last = round > MAX_ROUNDS;
    /** Predictions tried (a known version before and a declared swap) and how many the object id confirmed. */
    let tried = 0;
    let hit = 0;
    const wanted = new Set<string>();
    /** Every version still unknown: what a round whose predictions all fail reads at once. */
    const unknown = new Set<string>();
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
        tried++;
        const object = swappedObject(before, step.swap.previous, step.swap.digest);
        const after = object?.subarray(object.length - before.length);
        // With a declared tag, the tag written beside it first (the editors that keep tags), then without.
        const tagged = after && step.swap.tag ? retag(after, step.swap.digest, step.swap.tag) : undefined;
        const found = tagged && blobId(tagged, step.oid.length) === step.oid ? tagged : object && objectId(object, step.oid.length) === step.oid ? after : undefined;
        if (found) {
          hit++;
          blobs.set(step.oid, found);
          // Only the exact swap needs no further check; a tagged one is checked by the replay as any read version.
          if (found === after) predicted.add(index);
          current.set(step.path, found);
          continue;
        }
      }
      unknown.add(step.oid);
      // Unknown: read now when its path is known up to here (or in the last round), else next round.
      if (last || before !== null) wanted.add(step.oid);
      current.set(step.path, null);
    }
    // Every prediction of the round failed: the rest would fail alike, one round each.
    const barren = tried > 0 && hit === 0;
    const reading = barren ? unknown : wanted;
    if (reading.size === 0) return predicted;
    await read([...reading]);
    for (const oid of reading) if (!blobs.has(oid)) missing.add(oid);
    if (last || barren) return predicted;
  }
}
