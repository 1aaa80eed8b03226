/**
 * The audit's `git log` output and its parser: the format it asks git for (one record per landed
 * commit: metadata, raw message, note, raw diff), and an incremental parser over the bytes as they
 * arrive. Reading git's text the way git prints it (`%s`/`%b` from `%B`, raw `-z` entries) is tested
 * against git itself (test/integration/git/history-reader.test.ts).
 *
 * Framing cannot be forged by what a commit holds. Names, emails, messages and notes may contain any
 * byte but NUL (git prints each as a C string: a message stops at its first NUL, a note shows one as a
 * line break), and a path any byte but NUL, so every field ends at a NUL and records are read in
 * sequence, never found by searching for a separator a message could also hold (a commit whose
 * message held the old `\x1e` separator could hide itself and pass a record of its own making).
 * Output that does not have the expected shape stops the audit instead of being skipped.
 */
import { parseMessageTrailers } from "../../core/audit/trailers.js";
import type { HistoryRecord, SignatureStatus } from "../../core/audit/types.js";
import { append } from "../../core/tight-list.js";
import { LoggedCommit } from "./logged-commit.js";

const SIGNATURES = new Set<SignatureStatus>(["G", "U", "N", "B", "X", "Y", "R", "E"]);

/** True for a `%G?` letter git prints. */
export function isSignatureStatus(value: string): value is SignatureStatus {
  return SIGNATURES.has(value as SignatureStatus);
}

/** The header's fields, in order (`%G?` empty unless signatures are read). */
const FIELDS = ["%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", "%G?", "%B", "%N"] as const;

/**
 * `--format` of the audit's log (used with `-z`): `\x1e` opens a record, each field ends with a NUL,
 * `\x1d` ends the header; `-z` then writes a NUL, and the raw diff's `-z` entries follow.
 * `%B` (the raw message) rather than `%s` + `%(trailers)`: the trailers are parsed here with git's rules
 * (parseMessageTrailers), which costs git ~20% less time, and the body is there for reverts. `%G?` only
 * when signatures are read (git then verifies each commit).
 */
export function logFormat(withSignature: boolean): string {
  return `--format=%x1e${FIELDS.map((field) => (field === "%G?" && !withSignature ? "" : field)).join("%x00")}%x00%x1d`;
}

/** One `--raw` entry of a commit: what became of a path. */
export interface RawEntry {
  status: string;
  newBlob: string;
  path: string;
  /** Set when the path now holds a submodule (mode 160000): `newBlob` is then a commit, not a file version. */
  gitlink?: true;
}

/** True when the 6 bytes at `at` are the gitlink mode `160000`. */
function isGitlinkMode(buf: Buffer, at: number): boolean {
  return buf[at] === 0x31 && buf[at + 1] === 0x36 && buf[at + 2] === 0x30 && buf[at + 3] === 0x30 && buf[at + 4] === 0x30 && buf[at + 5] === 0x30 && buf[at + 6] === SPACE;
}

/** Parses the `git log` output: records (newest first) and raw diff entries per commit. */
export function parseLog(out: string | Buffer, withSignature: boolean): { records: HistoryRecord[]; raws: Map<string, RawEntry[]> } {
  const parser = new LogParser(withSignature);
  parser.push(typeof out === "string" ? Buffer.from(out, "utf8") : out);
  return parser.end();
}

const RECORD = 0x1e;
const HEADER_END = 0x1d;
const NUL = 0;
const LF = 0x0a;
const COLON = 0x3a;
const SPACE = 0x20;

/** Output of the audit's `git log` that does not have the shape it asked for. */
export class LogFormatError extends Error {
  override name = "LogFormatError";
}

/**
 * Incremental parser of the `git log` output, on bytes as they arrive, record after record. Only the
 * fields a record keeps become strings (each its own flat string, decoded as UTF-8), so the log itself
 * (~15 MB for 10,000 promotions) is never one string, is never decoded whole, and is not kept alive by
 * strings sliced from it. Fields are cut with indexOf on the bytes (no per-record split arrays, no
 * regex). A record cut by a chunk boundary is completed from the head of the next chunk, whose rest is
 * then read in place; one longer than what has come is tried again at twice its length so far, so a
 * huge record (a commit touching thousands of files) costs linear time, not quadratic.
 */
export class LogParser {
  readonly #records: HistoryRecord[] = [];
  readonly #raws = new Map<string, RawEntry[]>();
  /** Slots of author name, author email, committer name, committer email (see {@link Slot}). */
  readonly #slots = [new Slot(), new Slot(), new Slot(), new Slot()];
  /** The previous record's first parent: the id the next record most likely has. */
  #expected = "";
  /** Bytes from the start of a record not complete yet, possibly several chunks. */
  #pending: Buffer[] = [];
  #pendingLength = 0;
  /** Pending length at which to try again. */
  #retryAt = 0;
  /** Bytes consumed before the pending ones (for error positions). */
  #offset = 0;
  /** Where the next field of the record being read starts. */
  #pos = 0;

  constructor(
    private readonly withSignature: boolean,
    private readonly onRecord?: (record: HistoryRecord, raw: RawEntry[]) => void,
  ) {}

  /** Parses every record completed by `chunk`. */
  push(chunk: Buffer): void {
    if (this.#pendingLength === 0) {
      this.#consume(chunk, false);
      return;
    }
    const before = this.#pendingLength;
    this.#pending.push(chunk);
    this.#pendingLength += chunk.length;
    if (this.#pendingLength < this.#retryAt) return;
    // Complete the pending record from as little of the chunk as it needs (a record's tail is usually
    // far smaller than a chunk), then parse the rest of the chunk in place: no copy of every chunk.
    const earlier = this.#pending.slice(0, -1);
    for (let take = Math.min(chunk.length, Math.max(4096, before)); ; take = Math.min(chunk.length, 2 * take)) {
      if (take === chunk.length) {
        this.#consume(this.#takePending(), false);
        return;
      }
      const joined = Buffer.concat([...earlier, chunk.subarray(0, take)], before + take);
      const end = this.#recordEnd(joined, 0, false);
      if (end < 0) continue;
      this.#pending = [];
      this.#pendingLength = 0;
      this.#parseRecord(joined, 0, end);
      this.#offset += end;
      this.#consume(chunk.subarray(end - before), false);
      return;
    }
  }

  /** The last record, and everything parsed; throws when the output ends inside a record. */
  end(): { records: HistoryRecord[]; raws: Map<string, RawEntry[]> } {
    if (this.#pendingLength > 0) this.#consume(this.#takePending(), true);
    return { records: this.#records, raws: this.#raws };
  }

  #takePending(): Buffer {
    const joined = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending, this.#pendingLength);
    this.#pending = [];
    this.#pendingLength = 0;
    return joined;
  }

  /** Parses the complete records of `buf`; keeps the rest (a view: at most one chunk stays alive). */
  #consume(buf: Buffer, atEnd: boolean): void {
    let pos = 0;
    while (pos < buf.length) {
      const end = this.#recordEnd(buf, pos, atEnd);
      if (end < 0) break;
      this.#parseRecord(buf, pos, end);
      pos = end;
    }
    this.#offset += pos;
    if (pos < buf.length) {
      this.#pending = [buf.subarray(pos)];
      this.#pendingLength = buf.length - pos;
      this.#retryAt = 2 * this.#pendingLength;
    }
  }

  /**
   * Where the record starting at `pos` ends (the next record's `\x1e`, or the end of the output), or
   * -1 when more bytes are needed to tell. Checks the shape on the way: a record is `\x1e`, eleven
   * NUL-terminated fields, `\x1d`, a NUL, and raw entries (`:meta\0path\0`) after a line feed.
   */
  #recordEnd(buf: Buffer, pos: number, atEnd: boolean): number {
    if (buf[pos] !== RECORD) throw this.#malformed(pos, "a record does not start with \\x1e");
    let p = pos + 1;
    for (let field = 0; field < FIELDS.length; field++) {
      const nul = buf.indexOf(NUL, p);
      if (nul < 0) return this.#incomplete(pos, atEnd);
      // The commit's id and its parents' are what git prints for them: hex ids (the parents' space-separated).
      if (field < 2 && !isIdList(buf, p, nul, field === 0 ? 1 : 0)) throw this.#malformed(p, field === 0 ? "a commit id is not a hex object id" : "parents are not hex object ids");
      p = nul + 1;
    }
    if (p >= buf.length) return this.#incomplete(pos, atEnd);
    if (buf[p] !== HEADER_END) throw this.#malformed(p, "a header has more fields than asked for");
    p++;
    if (p >= buf.length) return this.#incomplete(pos, atEnd);
    if (buf[p] !== NUL) throw this.#malformed(p, "no NUL after a header");
    p++;
    while (p < buf.length && buf[p] === LF) p++;
    while (p < buf.length && buf[p] === COLON) {
      const metaEnd = buf.indexOf(NUL, p);
      const pathEnd = metaEnd < 0 ? -1 : buf.indexOf(NUL, metaEnd + 1);
      if (pathEnd < 0) return this.#incomplete(pos, atEnd);
      p = pathEnd + 1;
    }
    // A complete record is followed by the next one, or by the end of the output.
    if (p >= buf.length) return atEnd ? p : -1;
    if (buf[p] !== RECORD) throw this.#malformed(p, "unexpected bytes after a record");
    return p;
  }

  #incomplete(pos: number, atEnd: boolean): number {
    if (atEnd) throw this.#malformed(pos, "the output ends inside a record");
    return -1;
  }

  #malformed(at: number, what: string): LogFormatError {
    return new LogFormatError(`unexpected git log output at byte ${this.#offset + at}: ${what}`);
  }

  /** The next field as Latin-1 (ids, dates, signature status). */
  #ascii(buf: Buffer): string {
    const stop = buf.indexOf(NUL, this.#pos);
    const value = buf.toString("latin1", this.#pos, stop);
    this.#pos = stop + 1;
    return value;
  }

  /** The next field through its slot: the previous record's string when the bytes repeat. */
  #same(buf: Buffer, slot: Slot): string {
    const stop = buf.indexOf(NUL, this.#pos);
    const value = slot.read(buf, this.#pos, stop);
    this.#pos = stop + 1;
    return value;
  }

  /** Reads the record in [from, to), whose shape #recordEnd checked. Fields are read in order from #pos. */
  #parseRecord(buf: Buffer, from: number, to: number): void {
    this.#pos = from + 1;
    let pos = this.#pos;
    // The chain is newest first: a commit's id is usually the previous record's first parent.
    const shaEnd = buf.indexOf(NUL, pos);
    const sha = sameText(this.#expected, buf, pos, shaEnd) ? this.#expected : buf.toString("latin1", pos, shaEnd);
    this.#pos = shaEnd + 1;
    const parents = this.#ascii(buf);
    const author = { name: this.#same(buf, this.#slots[0]!), email: this.#same(buf, this.#slots[1]!), date: this.#ascii(buf) };
    const committerName = this.#same(buf, this.#slots[2]!);
    const committerEmail = this.#same(buf, this.#slots[3]!);
    pos = this.#pos;
    const dateEnd = buf.indexOf(NUL, pos);
    const committer = { name: committerName, email: committerEmail, date: sameText(author.date, buf, pos, dateEnd) ? author.date : buf.toString("latin1", pos, dateEnd) };
    this.#pos = dateEnd + 1;
    const sig = this.#ascii(buf);
    pos = this.#pos;
    const messageEnd = buf.indexOf(NUL, pos);
    const message = buf.toString("utf8", pos, messageEnd);
    pos = messageEnd + 1;
    const noteEnd = buf.indexOf(NUL, pos);
    const { subject, body } = splitMessage(message);
    const parentList = parents ? parents.split(" ") : [];
    this.#expected = parentList[0] ?? "";
    const record = new LoggedCommit(sha, parentList, author, committer, subject, body, parseMessageTrailers(message), hasText(buf, pos, noteEnd) ? buf.subarray(pos, noteEnd) : undefined);
    if (this.withSignature && isSignatureStatus(sig)) record.signature = sig;
    const raw = parseRaw(buf, noteEnd + 2, to); // after the field's NUL and the header's \x1d
    this.#records.push(record);
    this.#raws.set(sha, raw);
    this.onRecord?.(record, raw);
  }
}

/** True when bytes [from, to) are at least `min` hex object ids (40 or 64 lowercase digits) separated by single spaces. */
function isIdList(buf: Buffer, from: number, to: number, min: number): boolean {
  let ids = 0;
  let run = 0;
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) run++;
    else if (c === 0x20 && (run === 40 || run === 64)) {
      ids++;
      run = 0;
    } else return false;
  }
  if (run === 40 || run === 64) ids++;
  else if (run !== 0 || to > from) return false;
  return ids >= min;
}

/** True when bytes [from, to) hold anything but ASCII whitespace (a quick test before decoding a note to `trim()` it). */
function hasText(buf: Buffer, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = buf[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x09 && c !== 0x0d && c !== 0x0b && c !== 0x0c) return true;
  }
  return false;
}

/**
 * Subject and body of a raw message as git's `%s` and `%b` give them: leading blank lines skipped, the
 * title paragraph's lines right-trimmed and joined with one space, the blank lines after it skipped.
 */
export function splitMessage(message: string): { subject: string; body: string } {
  let pos = skipBlankLines(message, 0);
  let subject = "";
  while (pos < message.length) {
    const eol = message.indexOf("\n", pos);
    const next = eol < 0 ? message.length : eol + 1;
    const line = message.slice(pos, eol < 0 ? message.length : eol).trimEnd();
    if (line === "") break;
    subject = subject === "" ? line : `${subject} ${line}`;
    pos = next;
  }
  return { subject, body: message.slice(skipBlankLines(message, pos)) };
}

/** Position after the whitespace-only lines starting at `pos`. */
function skipBlankLines(text: string, pos: number): number {
  while (pos < text.length) {
    const eol = text.indexOf("\n", pos);
    const end = eol < 0 ? text.length : eol;
    if (text.slice(pos, end).trim() !== "") break;
    pos = eol < 0 ? text.length : eol + 1;
  }
  return pos;
}

/** True when bytes [from, to) are `text` (ASCII text: ids, ISO dates), compared without making a string. */
function sameText(text: string, buf: Buffer, from: number, to: number): boolean {
  if (text.length !== to - from) return false;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== buf[from + i]) return false;
  return true;
}

/**
 * The last string read for one field and its bytes. Names and emails repeat from commit to commit (the
 * bot's, the merger's): the same string then, not a new one per commit that the garbage collector
 * copies for as long as the history lives.
 */
class Slot {
  #bytes = Buffer.alloc(0);
  #value = "";

  /** The field's UTF-8 text between `from` and `to`. */
  read(buf: Buffer, from: number, to: number): string {
    const length = to - from;
    if (length === this.#bytes.length && buf.compare(this.#bytes, 0, length, from, to) === 0) return this.#value;
    this.#bytes = Buffer.from(buf.subarray(from, to));
    this.#value = buf.toString("utf8", from, to);
    return this.#value;
  }
}

/** `-z` raw entries from `from` (the NUL and line feed before them included) to `to`: `:oldmode newmode oldsha newsha status\0path\0`. */
function parseRaw(buf: Buffer, from: number, to: number): RawEntry[] {
  let entries: RawEntry[] | undefined;
  let pos = from;
  while (pos < to && (buf[pos] === NUL || buf[pos] === LF)) pos++;
  while (pos < to && buf[pos] === COLON) {
    const metaEnd = buf.indexOf(NUL, pos);
    const pathEnd = buf.indexOf(NUL, metaEnd + 1);
    // `:100644 100644 <old> <new> M`: the new blob is the 4th field, the status the 5th (found by their
    // spaces: no string and array per entry for the three fields not kept).
    let space = pos;
    let modeStart = -1;
    for (let i = 0; i < 3 && space >= 0 && space < metaEnd; i++) {
      space = buf.indexOf(SPACE, space + 1);
      if (i === 0) modeStart = space + 1;
    }
    const blobEnd = space >= 0 && space < metaEnd ? buf.indexOf(SPACE, space + 1) : -1;
    const fields = blobEnd >= 0 && blobEnd < metaEnd;
    const entry: RawEntry = { status: fields ? buf.toString("latin1", blobEnd + 1, metaEnd) : "", newBlob: fields ? buf.toString("latin1", space + 1, blobEnd) : "", path: buf.toString("utf8", metaEnd + 1, pathEnd) };
    // New mode 160000: the path now holds a submodule (its "blob" is a commit of another repository).
    if (fields && isGitlinkMode(buf, modeStart)) entry.gitlink = true;
    entries = append(entries, entry);
    pos = pathEnd + 1;
  }
  return entries ?? [];
}

