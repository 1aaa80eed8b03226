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
