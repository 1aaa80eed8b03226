/**
 * Git commit trailers (`Key: value` lines in the last paragraph of a message), read and written the
 * way git does (trailer.c): the first paragraph is the title and never holds trailers; the last
 * paragraph is a trailer block when every line is a trailer or a continuation, or when at least a
 * quarter of its lines are trailers and one is git-generated (`Signed-off-by: `, `(cherry picked from commit `).
 * Continuation lines (leading whitespace) are unfolded with one space, as `git log --format=%(trailers:unfold)`.
 */

/** One trailer. Keys compare case-insensitively (git does); order and duplicates are kept. */
export interface Trailer {
  key: string;
  value: string;
}

/** Trailers as a list, or as a record whose array values repeat the key (absent values are skipped). */
export type TrailerInput = readonly Trailer[] | Readonly<Record<string, string | readonly string[] | undefined>>;

const KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const LINE = /^([A-Za-z0-9][A-Za-z0-9-]*)[ \t]*:[ \t]*(.*)$/;
const GIT_GENERATED = ["Signed-off-by: ", "(cherry picked from commit "];

/** True when `key` can be a trailer key (letters, digits and `-`, not starting with `-`). */
export function isTrailerKey(key: string): boolean {
  return KEY.test(key);
}

/** Normalises input to a list. */
export function toTrailerList(input: TrailerInput): Trailer[] {
  if (Array.isArray(input)) return (input as readonly Trailer[]).map((t) => ({ key: t.key, value: t.value }));
  const out: Trailer[] = [];
  for (const [key, value] of Object.entries(input as Record<string, string | readonly string[] | undefined>)) {
    if (value === undefined) continue;
    for (const v of typeof value === "string" ? [value] : value) out.push({ key, value: v });
  }
  return out;
}

/**
 * Renders trailers as `Key: value` lines (no surrounding blank lines). Whitespace runs that contain a
 * line break are folded to one space so a value can never end the block. Throws on an invalid key:
 * keys are chosen by code, never by users.
 */
export function renderTrailers(input: TrailerInput): string {
  return toTrailerList(input)
    .map(({ key, value }) => {
      if (!isTrailerKey(key)) throw new Error(`invalid trailer key "${key}"`);
      return `${key}: ${normalizeTrailerValue(value)}`;
    })
    .join("\n");
}

/** The value a trailer holds after a render/parse round trip. */
export function normalizeTrailerValue(value: string): string {
  // Same as replacing /\s*[\r\n]\s*/g with " ", without the quadratic backtracking that regex has on long
  // whitespace runs (values can come from comments, e.g. override reasons).
  return value
    .split(/[\r\n]/)
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .join(" ");
}

/** The trailers of a commit message, in order; empty when its last paragraph is not a trailer block. */
export function parseTrailers(message: string): Trailer[] {
  const lines = splitLines(message);
  const block = findTrailerBlock(lines);
  if (!block) return [];
  const out: Trailer[] = [];
  let current: Trailer | undefined;
  for (const line of lines.slice(block.start, block.end)) {
    if (line.startsWith("#")) continue;
    const match = LINE.exec(line);
    if (match && !/^\s/.test(line)) {
      current = { key: match[1] ?? "", value: (match[2] ?? "").trim() };
      out.push(current);
    } else if (current && /^\s/.test(line) && line.trim() !== "") {
      current.value = current.value === "" ? line.trim() : `${current.value} ${line.trim()}`;
    } else {
      current = undefined;
    }
  }
  return out;
}

/** Every value of `key` (case-insensitive), in order. */
export function getTrailers(trailers: readonly Trailer[], key: string): string[] {
  const wanted = key.toLowerCase();
  return trailers.filter((t) => t.key.toLowerCase() === wanted).map((t) => t.value);
}

/** The last value of `key` (case-insensitive), or undefined. */
export function getTrailer(trailers: readonly Trailer[], key: string): string | undefined {
  return getTrailers(trailers, key).at(-1);
}

/**
 * Adds trailers to a message: appended to its trailer block when it has one (as `git interpret-trailers`
 * does), otherwise as a new last paragraph. The result ends with one newline.
 */
export function appendTrailers(message: string, input: TrailerInput): string {
  const rendered = renderTrailers(input);
  const trimmed = message.trimEnd();
  if (rendered === "") return `${trimmed}\n`;
  const hasBlock = findTrailerBlock(splitLines(trimmed)) !== undefined;
  return `${trimmed}${hasBlock ? "\n" : "\n\n"}${rendered}\n`;
}

/** Splits a commit message into its title, body (without the trailer block) and trailers. */
export function splitCommitMessage(message: string): { subject: string; body: string; trailers: Trailer[] } {
  const lines = splitLines(message);
  const titleEnd = lines.findIndex((l) => l.trim() === "");
  const subject = (titleEnd === -1 ? lines : lines.slice(0, titleEnd)).join(" ").trim();
  const block = findTrailerBlock(lines);
  const bodyLines = titleEnd === -1 ? [] : lines.slice(titleEnd + 1, block ? block.start : lines.length);
  return { subject, body: bodyLines.join("\n").trim(), trailers: parseTrailers(message) };
}

function splitLines(message: string): string[] {
  return message.replace(/\r\n?/g, "\n").split("\n");
}

function trailingBlankCount(lines: readonly string[]): number {
  let n = 0;
  for (let i = lines.length - 1; i >= 0 && (lines[i] ?? "").trim() === ""; i--) n++;
  return n;
}

/** Line range [start, end) of the trailer block (git's find_trailer_block_start), or undefined when there is none. */
function findTrailerBlock(lines: readonly string[]): { start: number; end: number } | undefined {
  const titleEnd = lines.findIndex((l) => l.trim() === "");
  if (titleEnd === -1) return undefined;
  const end = lines.length - trailingBlankCount(lines);
  let trailerLines = 0;
  let nonTrailerLines = 0;
  let possibleContinuations = 0;
  let recognizedPrefix = false;
  // The blank line ending the title is visited too: it is what closes a block right after the title.
  for (let i = end - 1; i >= titleEnd; i--) {
    const line = lines[i] ?? "";
    if (line.startsWith("#")) continue;
    if (line.trim() === "") {
      nonTrailerLines += possibleContinuations;
      const accepted = (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) || (trailerLines > 0 && nonTrailerLines === 0);
      return accepted ? { start: i + 1, end } : undefined;
    }
    if (GIT_GENERATED.some((p) => line.startsWith(p))) {
      trailerLines++;
      possibleContinuations = 0;
      recognizedPrefix = true;
    } else if (LINE.test(line)) {
      trailerLines++;
      possibleContinuations = 0;
    } else if (/^\s/.test(line)) {
      possibleContinuations++;
    } else {
      nonTrailerLines += 1 + possibleContinuations;
      possibleContinuations = 0;
    }
  }
  return undefined;
}
