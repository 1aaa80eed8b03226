/**
 * Git commit trailers (`Key: value` lines in the last paragraph of a message), read exactly as
 * `git log --format='%(trailers:only,unfold)'` prints them and written as `git interpret-trailers`
 * appends them. One scanner ({@link scanTrailers}) implements git's trailer.c / commit.c rules; every
 * reader here (and the audit's `parseMessageTrailers`) is built on it. It walks the string with
 * indexOf/charCodeAt, no regex or split, and allocates little besides the keys and values it reports
 * (one array of line offsets per trailer block), because the audit parses every commit of a long history.
 *
 * Checked against git 2.39 by a differential test (test/unit/evidence/trailers-git.test.ts). What is
 * matched, in the order git applies it:
 * - leading blank lines are dropped (pretty.c skips them before the subject);
 * - `---` is NOT a divider (`%(trailers)` parses commits with `no_divider`);
 * - the end is cut at a `# ------------------------ >8 ------------------------` scissors line, and
 *   a trailing run of empty lines, `#` comment lines and an old-style `Conflicts:` block (with its
 *   tab-indented paths) is ignored (commit.c `ignore_non_trailer`);
 * - the title paragraph (up to the first blank line, `#` lines skipped) never holds trailers;
 * - the last paragraph is a trailer block when all its lines are trailers or continuations, or
 *   when one starts with a git-generated prefix (`Signed-off-by: `, `(cherry picked from commit `)
 *   and trailers are at least a quarter of its lines; `#` lines are skipped (continuation lines
 *   just below one count as prose);
 * - a trailer line starts with letters, digits or `-`, then optional spaces/tabs, then `:`;
 *   lines starting with a space or tab continue the trailer above (unfolded: each line break and
 *   the whitespace after it become one space); other lines of the block are not reported;
 * - keys and values are trimmed of git's whitespace only (space, tab, CR, LF), so CRLF messages
 *   work; a lone CR is not a line break.
 * Not honoured (they are repository config): `core.commentChar` other than `#`, `trailer.separators`
 * (only `:` separates), and `trailer.<name>.key` (which can widen what counts as a git-generated
 * prefix and rename keys). As in git, a message ends at its first NUL character.
 */

/** One trailer. Keys compare case-insensitively (git does); order and duplicates are kept. */
export interface Trailer {
  key: string;
  value: string;
}

/** Trailers as a list, or as a record whose array values repeat the key (absent values are skipped). */
export type TrailerInput = readonly Trailer[] | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Receives each trailer of a message, in order. */
export type TrailerVisitor = (key: string, value: string) => void;

const KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const SCISSORS = "\n# ------------------------ >8 ------------------------\n";
const SIGNED_OFF_BY = "Signed-off-by: ";
const CHERRY_PICKED = "(cherry picked from commit ";
const CONFLICTS = "Conflicts:\n";
const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const COLON = 58;
const DASH = 45;
const UPPER_S = 83;
const PAREN = 40;
/** 1 for the ASCII characters of a trailer token (git's isalnum, and `-`); a table beats range tests in the hot loop. */
const TOKEN_CHAR = Uint8Array.from({ length: 128 }, (_, c) => (c === DASH || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? 1 : 0));

/** True when `key` can be a trailer key written by Stagegate (letters, digits and `-`, not starting with `-`). */
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

/**
 * Calls `onTrailer(key, value)` for each trailer of a commit message, in order, exactly as
 * `git log --format='%(trailers:only,unfold)'` lists them (see the module comment for the rules).
 * `message` is the raw message: `%B`, or a commit object's text after its header.
 */
export function scanTrailers(message: string, onTrailer: TrailerVisitor): void {
  const block = findTrailerBlock(message);
  if (!block) return;
  // trailer.c trailer_info_get + format_trailer_info: the lines starting with whitespace after a trailer
  // line are its continuations; lines that are not trailers (and their continuations) are dropped.
  const { lines } = block;
  for (let i = 0; i < lines.length; i += 2) {
    const separator = lines[i + 1] ?? -1;
    if (separator >= 0) emitTrailer(message, lines[i] ?? 0, separator, lines[i + 2] ?? block.end, onTrailer);
  }
}

/** The trailers of a commit message, in order; empty when its last paragraph is not a trailer block. */
export function parseTrailers(message: string): Trailer[] {
  const out: Trailer[] = [];
  scanTrailers(message, (key, value) => out.push({ key, value }));
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
  const hasBlock = findTrailerBlock(trimmed) !== undefined;
  return `${trimmed}${hasBlock ? "\n" : "\n\n"}${rendered}\n`;
}

/** Splits a commit message into its subject (title lines joined), body (without the trailer block) and trailers. */
export function splitCommitMessage(message: string): { subject: string; body: string; trailers: Trailer[] } {
  const start = skipBlankLines(message, 0);
  let titleEnd = start;
  while (titleEnd < message.length && !isBlankLine(message, titleEnd)) titleEnd = nextLine(message, titleEnd);
  const block = findTrailerBlock(message);
  const bodyEnd = Math.max(titleEnd, block ? block.start : message.length);
  return {
    subject: message.slice(start, titleEnd).replace(/\r\n?|\n/g, " ").trim(),
    body: message.slice(titleEnd, bodyEnd).replace(/\r\n?/g, "\n").trim(),
    trailers: parseTrailers(message),
  };
}

/**
 * A trailer block: [start, end) offsets in the message, and `lines`, pairs of (line start, position of
 * its `:` or -1 when it is not a trailer) for each of its lines that does not start with whitespace (the
 * others are continuations).
 */
interface TrailerBlock {
  start: number;
  end: number;
  lines: number[];
}

/** The trailer block of a message as git finds it, or undefined when it has none. */
function findTrailerBlock(message: string): TrailerBlock | undefined {
  // git reads the message as a C string: nothing after a NUL exists for it (a raw object may have one).
  const nul = message.indexOf("\0");
  const text = nul < 0 ? message : message.slice(0, nul);
  const begin = skipBlankLines(text, 0);
  const end = findTrailerEnd(text, begin);
  const start = findLastParagraph(text, begin, end);
  return start < end ? classifyParagraph(text, start, end) : undefined;
}

/** Emits the trailer whose line starts at `keyStart`, with its separator at `separator` and its last continuation ending at `end`. */
function emitTrailer(message: string, keyStart: number, separator: number, end: number, onTrailer: TrailerVisitor): void {
  let keyEnd = separator;
  while (isGitSpace(message.charCodeAt(keyEnd - 1))) keyEnd--;
  let from = separator + 1;
  let to = end;
  while (from < to && isGitSpace(message.charCodeAt(from))) from++;
  while (to > from && isGitSpace(message.charCodeAt(to - 1))) to--;
  const lf = message.indexOf("\n", from);
  onTrailer(message.slice(keyStart, keyEnd), lf < 0 || lf >= to ? message.slice(from, to) : unfold(message, from, to));
}

/** trailer.c unfold_value: each LF and the whitespace after it become one space (whitespace before it stays). */
function unfold(message: string, from: number, to: number): string {
  let out = "";
  let run = from;
  let i = from;
  while (i < to) {
    if (message.charCodeAt(i) !== LF) {
      i++;
      continue;
    }
    out += `${message.slice(run, i)} `;
    i++;
    while (i < to && isGitSpace(message.charCodeAt(i))) i++;
    run = i;
  }
  return out + message.slice(run, to);
}

/**
 * commit.c ignore_non_trailer (with wt_status_locate_end): where the trailers can end. Cuts at the
 * scissors line, then drops a trailing run of empty lines, comment lines and an old `Conflicts:` block.
 */
function findTrailerEnd(message: string, begin: number): number {
  let cutoff = message.length;
  if (message.startsWith(SCISSORS.slice(1), begin)) cutoff = begin;
  else {
    const found = message.indexOf(SCISSORS, begin);
    if (found >= 0) cutoff = found + 1;
  }
  // Fast path: a last line that can neither start nor continue such a run ends every run before it.
  const last = lastLine(message, begin, cutoff);
  const c = message.charCodeAt(last);
  if (last < begin || (c !== HASH && c !== LF && c !== TAB && !message.startsWith(CONFLICTS, last))) return cutoff;
  // `boc` is relative to `begin` and 0 means "not in a run", as in git: a run starting on the very first
  // line only counts from its next comment or empty line. Kept literal, though it cannot change the
  // trailers: such a run leaves at most the title before the end.
  let boc = 0;
  let inConflicts = false;
  for (let bol = begin; bol < cutoff; bol = nextLine(message, bol)) {
    const c = message.charCodeAt(bol);
    if (c === HASH || c === LF) {
      if (!boc) boc = bol - begin;
    } else if (message.startsWith(CONFLICTS, bol)) {
      inConflicts = true;
      if (!boc) boc = bol - begin;
    } else if (inConflicts && c === TAB) {
      // a path in the conflicts block
    } else if (boc) {
      boc = 0;
      inConflicts = false;
    }
  }
  return boc ? begin + boc : cutoff;
}

/**
 * trailer.c find_trailer_start, first half: the start of the last paragraph of [begin, end) after the
 * title, i.e. the line after the last blank line that is followed by a line neither blank nor a comment;
 * `end` when there is none. git walks backwards from the end; walking forwards with indexOf gives the
 * same line and is several times faster in V8 than lastIndexOf.
 */
function findLastParagraph(message: string, begin: number, end: number): number {
  // The title: up to the first blank line. (git also skips `#` lines here, which changes nothing: they are never blank.)
  let bol = begin;
  while (bol < end && !isBlankLine(message, bol)) bol = nextLine(message, bol);
  let start = end;
  let afterBlank = true;
  for (; bol < end; bol = nextLine(message, bol)) {
    const c = message.charCodeAt(bol);
    if (c === HASH) continue;
    if (isGitSpace(c) && isBlankLine(message, bol)) afterBlank = true;
    else if (afterBlank) {
      start = bol;
      afterBlank = false;
    }
  }
  return start;
}

/**
 * trailer.c find_trailer_start, second half: the paragraph [start, end) is a trailer block when all its
 * lines are trailers or continuations, or when one starts with a git-generated prefix and trailers are
 * at least a quarter of its lines. `#` lines are skipped, but a continuation right below one is prose.
 */
function classifyParagraph(message: string, start: number, end: number): TrailerBlock | undefined {
  const lines: number[] = [];
  let recognizedPrefix = false;
  let trailerLines = 0;
  let nonTrailerLines = 0;
  let afterTrailer = false;
  for (let bol = start; bol < end; bol = nextLine(message, bol)) {
    const c = message.charCodeAt(bol);
    if (isGitSpace(c)) {
      // Blank lines here can only trail the paragraph; git skips them.
      if (!afterTrailer && !isBlankLine(message, bol)) nonTrailerLines++;
      continue;
    }
    const at = findSeparator(message, bol);
    lines.push(bol, at >= 1 ? bol + at : -1);
    if (c === HASH) afterTrailer = false;
    else if ((c === UPPER_S && message.startsWith(SIGNED_OFF_BY, bol)) || (c === PAREN && message.startsWith(CHERRY_PICKED, bol))) {
      trailerLines++;
      recognizedPrefix = true;
      afterTrailer = true;
    } else if (at >= 1) {
      trailerLines++;
      afterTrailer = true;
    } else {
      nonTrailerLines++;
      afterTrailer = false;
    }
  }
  const accepted = (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) || (trailerLines > 0 && nonTrailerLines === 0);
  return accepted ? { start, end, lines } : undefined;
}

/**
 * trailer.c find_separator: offset of the `:` in `<token><spaces/tabs>:` on the line at `bol` (0 when the
 * line starts with `:`), or -1. Token characters are ASCII letters, digits and `-`.
 */
function findSeparator(message: string, bol: number): number {
  const length = message.length;
  let i = bol;
  for (; i < length; i++) {
    const c = message.charCodeAt(i);
    if (c === COLON) return i - bol;
    if (c >= 128 || TOKEN_CHAR[c] === 0) break;
  }
  // Whitespace may follow the token, not start the line.
  if (i === bol) return -1;
  for (; i < length; i++) {
    const c = message.charCodeAt(i);
    if (c === COLON) return i - bol;
    if (c !== SPACE && c !== TAB) break;
  }
  return -1;
}

/** git's isspace: space, tab, LF and CR only (not NBSP, VT or FF). */
function isGitSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/** True when the line at `bol` holds only git whitespace (or is the end of the message). */
function isBlankLine(message: string, bol: number): boolean {
  let i = bol;
  while (i < message.length) {
    const c = message.charCodeAt(i);
    if (c === LF) return true;
    if (c !== SPACE && c !== TAB && c !== CR) return false;
    i++;
  }
  return true;
}

/** Offset of the line after the one at `bol` (the message length on the last line). */
function nextLine(message: string, bol: number): number {
  const lf = message.indexOf("\n", bol);
  return lf < 0 ? message.length : lf + 1;
}

/** trailer.c last_line over [begin, end): start of the last line (a final LF belongs to it), or begin - 1 when empty. */
function lastLine(message: string, begin: number, end: number): number {
  if (end <= begin) return begin - 1;
  if (end - begin === 1) return begin;
  const lf = message.lastIndexOf("\n", end - 2);
  return lf >= begin ? lf + 1 : begin;
}

/** pretty.c skip_blank_lines: `%(trailers)` parses the message from its first non-blank line. */
function skipBlankLines(message: string, from: number): number {
  let bol = from;
  while (bol < message.length && isBlankLine(message, bol)) bol = nextLine(message, bol);
  return bol;
}
