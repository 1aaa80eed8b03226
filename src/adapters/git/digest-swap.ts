/**
 * The audit's fast path for a change Stagegate declared (`Stagegate-Previous` → `Stagegate-Image`
 * digest): a file whose new bytes are its old bytes with every `previous` digest replaced by the new
 * one, and nothing else changed, says exactly what the trailers say, so it need not be parsed again.
 * Compared on the blobs' bytes as cat-file gave them (native search and compare, no string made):
 * this runs for every promotion of a long history.
 */

/** True when `after` is `before` with each occurrence of `previous` (at least one) replaced by `digest`, byte for byte elsewhere. */
export function isExactSwap(before: Buffer, after: Buffer, previous: string, digest: string): boolean {
  if (before.length !== after.length || previous.length !== digest.length || previous === digest || previous.length === 0) return false;
  const replacement = Buffer.from(digest, "latin1");
  const width = replacement.length;
  if (width !== Buffer.byteLength(previous, "latin1")) return false;
  let swaps = 0;
  let pos = 0;
  for (;;) {
    const at = before.indexOf(previous, pos, "latin1");
    const end = at < 0 ? before.length : at;
    // The bytes up to the next occurrence are the same on both sides...
    if (before.compare(after, pos, end, pos, end) !== 0) return false;
    if (at < 0) return swaps > 0;
    // ...and the occurrence itself became the new digest.
    if (replacement.compare(after, at, at + width) !== 0) return false;
    swaps++;
    pos = at + width;
  }
}

/** A line holding only a tag value: `newTag: v1.2` (kustomize), `tag: "1.2"` (Helm values), as a list item or not. */
export const TAG_LINE = /^(\s*(?:-\s+)?(?:newTag|tag):\s*)(["']?)([\w][\w.+-]{0,127})\2(\s*)$/;

/**
 * The declared swap when promotions also write the release's tag (editors set `newTag` / `tag` / the
 * tag in `name:tag@digest` beside the digest): line by line, each line is the same, or the same with
 * `previous` replaced by `digest`, or a tag line whose value alone changed, or the same image reference
 * with the digest swapped and only its tag changed. No line added or removed, at least one swapped.
 * Nothing that decides what runs can change this way (a name, a `newName`, another digest, a new
 * line); anything else is parsed.
 */
export function isDeclaredSwap(before: Buffer, after: Buffer, previous: string, digest: string): boolean {
  if (isExactSwap(before, after, previous, digest)) return true;
  if (previous === digest || previous.length === 0) return false;
  const old = before.toString("utf8").split("\n");
  const now = after.toString("utf8").split("\n");
  if (old.length !== now.length) return false;
  let swaps = 0;
  for (let i = 0; i < old.length; i++) {
    const a = old[i]!;
    const b = now[i]!;
    if (a === b) continue;
    const swapped = a.replaceAll(previous, digest);
    if (swapped === b && swapped !== a) {
      swaps++;
      continue;
    }
    if (sameTagLine(a, b)) continue;
    if (swapped !== a && sameInlineReference(swapped, b)) {
      swaps++;
      continue;
    }
    return false;
  }
  return swaps > 0;
}

/** Two tag lines with the same key and layout whose value alone differs. */
function sameTagLine(a: string, b: string): boolean {
  const x = TAG_LINE.exec(a);
  const y = TAG_LINE.exec(b);
  return x !== null && y !== null && x[1] === y[1] && x[2] === y[2] && x[4] === y[4];
}

/**
 * Two lines equal but for the tag of one `name:tag@sha256:…` reference (the last `@sha256:` of each).
 * Found by index, not a regex: a line anyone can push must not cost more than linear time.
 */
function sameInlineReference(a: string, b: string): boolean {
  const x = inlineTag(a);
  const y = inlineTag(b);
  return x !== undefined && y !== undefined && a.slice(0, x.start) === b.slice(0, y.start) && a.slice(x.end) === b.slice(y.end);
}

/** Where the tag of the line's last `name:tag@sha256:` reference sits, when it is one. */
export function inlineTag(line: string): { start: number; end: number } | undefined {
  const end = line.lastIndexOf("@sha256:");
  if (end < 0) return undefined;
  const colon = line.lastIndexOf(":", end - 1);
  if (colon <= 0) return undefined;
  const start = colon + 1;
  if (end - start < 1 || end - start > 128) return undefined;
  for (let i = start; i < end; i++) if (!isTagChar(line.charCodeAt(i), i === start)) return undefined;
  return { start, end };
}

/** A character of a tag: `[A-Za-z0-9_]` first, then also `.`, `-`, `+`. */
function isTagChar(code: number, first: boolean): boolean {
  const word = (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95;
  return word || (!first && (code === 46 || code === 45 || code === 43));
}
