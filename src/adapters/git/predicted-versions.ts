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
 * occurrence. Undefined otherwise. `before` is not written.
 */
export function swapBytes(before: Buffer, previous: string, digest: string): Buffer | undefined {
  const working = workingOf(before);
  return swapInPlace(working, previous, digest) ? contentOf(working) : undefined;
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
 * A path's current version laid out as git's blob object (header, then the bytes). `owned` once it is
 * a copy of its own, which swaps may write into; until then `object` may be a version `blobs` holds,
 * never written.
 */
export interface Working {
  object: Buffer;
  /** Where the file's bytes start (after the header). */
  start: number;
  owned: boolean;
}

/** A version read (or built) as a working version: the object is made when a swap first needs it. */
export function workingOf(bytes: Buffer): Working {
  return { object: bytes, start: 0, owned: false };
}

/** The working version's file bytes (a view). */
export function contentOf(working: Working): Buffer {
  return working.object.subarray(working.start);
}

/**
 * Makes `working` its own copy laid out as git's blob object (one allocation per version read, not one
 * per predicted version), so that swaps can be written into it and the object hashed as it is.
 */
function own(working: Working): void {
  if (working.owned) return;
  const bytes = contentOf(working);
  const header = blobHeader(bytes.length);
  const object = Buffer.allocUnsafe(header.length + bytes.length);
  object.write(header, 0, "latin1");
  bytes.copy(object, header.length);
  working.object = object;
  working.start = header.length;
  working.owned = true;
}

/**
 * Writes `digest` over every occurrence of `previous` in the working version, in place (the file's size,
 * so its header, does not change), under the exact-swap check's conditions (isExactSwap: same byte
 * length, different, at least one occurrence). False, with nothing written, otherwise.
 */
export function swapInPlace(working: Working, previous: string, digest: string): boolean {
  if (previous.length === 0 || previous === digest || Buffer.byteLength(previous, "latin1") !== previous.length || previous.length !== digest.length) return false;
  // One search finds the first occurrence, before the copy (its offset moves with the header `own` adds).
  let at = working.object.indexOf(previous, working.start, "latin1");
  if (at < 0) return false;
  const start = working.start;
  own(working);
  at += working.start - start;
  const object = working.object;
  // Occurrences are searched from the end of the last one written: each lies in bytes not yet written.
  while (at >= 0) {
    object.write(digest, at, "latin1");
    at = object.indexOf(previous, at + previous.length, "latin1");
  }
  return true;
}

/**
 * Plans the versions of `steps`: the ones it can predict from the path's version before and the
 * declared swap (hashed and compared with the step's object id), and reads of the others through
 * `read` (which adds what it read to `blobs`). Returns the indexes of the steps predicted as the exact
 * swap of the path's version before: their bytes are not kept (10,000 copies of a file and their
 * `Buffer`s for the collector, in a long history); the replay writes the same swap into its own
 * working version of the path. A version predicted with its declared tag written beside the digest
 * (not an exact swap) is added to `blobs`, and checked by the replay as any version read.
 * (By step, not by id: the same bytes elsewhere, at another path or after other versions, are no swap.)
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
    /** path → its current version; null once a version of it is unknown (its later ones wait for the next round). */
    const current = new Map<string, Working | null>();
    for (const [index, step] of steps.entries()) {
      if (step.oid === undefined || missing.has(step.oid)) {
        current.delete(step.path);
        continue;
      }
      const before = current.get(step.path);
      // Confirmed in an earlier round: the same swap again, without hashing.
      if (before && step.swap && predicted.has(index) && swapInPlace(before, step.swap.previous, step.swap.digest)) continue;
      const have = blobs.get(step.oid);
      if (have) {
        current.set(step.path, workingOf(have));
        continue;
      }
      if (before && step.swap) {
        tried++;
        const found = predict(before, step.swap, step.oid);
        if (found) {
          hit++;
          // An exact swap: `before` now holds it. With the tag written beside it: a version of its own.
          if (found === before) predicted.add(index);
          else blobs.set(step.oid, contentOf(found));
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

/**
 * The version `oid` predicted from `before` and the declared swap: with a declared tag, the swap with
 * the tag written beside it first (the editors that keep tags, a new version), then the exact swap
 * (`before` itself, written in place). Undefined when neither hashes to `oid`; `before` is then spent.
 */
export function predict(before: Working, swap: NonNullable<FileStep["swap"]>, oid: string): Working | undefined {
  if (!swapInPlace(before, swap.previous, swap.digest)) return undefined;
  const tagged = swap.tag ? retag(contentOf(before), swap.digest, swap.tag) : undefined;
  if (tagged && blobId(tagged, oid.length) === oid) return workingOf(tagged);
  return objectId(before.object, oid.length) === oid ? before : undefined;
}
