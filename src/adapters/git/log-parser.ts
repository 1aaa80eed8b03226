/**
 * The audit's `git log` output and its parser: the format it asks git for (one record per landed
 * commit: metadata, raw message, note, raw diff), and an incremental parser over the bytes as they
 * arrive. Reading git's text the way git prints it (`%s`/`%b` from `%B`, raw `-z` entries) is tested
 * against git itself (test/integration/git/history-reader.test.ts).
 */
import { parseNote } from "../../core/audit/note-schema.js";
import { parseMessageTrailers } from "../../core/audit/trailers.js";
import type { HistoryRecord, SignatureStatus } from "../../core/audit/types.js";

const HEADER_END = "\x1f\x1d";

const SIGNATURES = new Set<SignatureStatus>(["G", "U", "N", "B", "X", "Y", "R", "E"]);

/** True for a `%G?` letter git prints. */
export function isSignatureStatus(value: string): value is SignatureStatus {
  return SIGNATURES.has(value as SignatureStatus);
}

/**
 * `--format` of the audit's log: `\x1e` opens a record, `\x1f` separates fields, `\x1f\x1d` ends the
 * header before the raw diff. `%B` (the raw message) rather than `%s` + `%(trailers)`: the trailers are
 * parsed here with git's rules (parseMessageTrailers), which costs git ~20% less time, and the body is
 * there for reverts. `%G?` only when signatures are read (git then verifies each commit).
 */
export function logFormat(withSignature: boolean): string {
  return `--format=%x1e${["%H", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI", withSignature ? "%G?" : "", "%B", "%N"].join("%x1f")}%x1f%x1d`;
}

/** One `--raw` entry of a commit: what became of a path. */
export interface RawEntry {
  status: string;
  newBlob: string;
  path: string;
}

/** Parses the `git log` output: records (newest first) and raw diff entries per commit. */
export function parseLog(out: string | Buffer, withSignature: boolean): { records: HistoryRecord[]; raws: Map<string, RawEntry[]> } {
  const parser = new LogParser(withSignature);
  parser.push(typeof out === "string" ? Buffer.from(out, "utf8") : out);
  return parser.end();
}

const RECORD = 0x1e;
const FIELD = 0x1f;
const HEADER_END_BYTES = Buffer.from(HEADER_END, "latin1");

/**
 * Incremental parser of the `git log` output, on bytes as they arrive: one record per
 * `\x1e`-separated run. Only the fields a record keeps become strings (each its own flat string,
 * decoded as UTF-8), so the log itself (~15 MB for 10,000 promotions) is never one string, is never
 * decoded whole, and is not kept alive by strings sliced from it. Fields are cut with indexOf on the
 * bytes (no per-record split arrays, no regex). A record split across chunks is joined once.
 */
export class LogParser {
  readonly #records: HistoryRecord[] = [];
  readonly #raws = new Map<string, RawEntry[]>();
  /** Slots of author name, author email, committer name, committer email (see {@link Slot}). */
  readonly #slots = [new Slot(), new Slot(), new Slot(), new Slot()];
  /** The previous record's first parent: the id the next record most likely has. */
  #expected = "";
  /** Bytes of a record not complete yet (from its `\x1e`), possibly several chunks. */
  #rest: Buffer[] = [];

  constructor(
    private readonly withSignature: boolean,
    private readonly onRecord?: (record: HistoryRecord, raw: RawEntry[]) => void,
  ) {}

  /** Parses every record completed by `chunk` (a record ends where the next one starts). */
  push(chunk: Buffer): void {
    let start: number;
    if (this.#rest.length > 0) {
      const end = chunk.indexOf(RECORD);
      if (end < 0) {
        this.#rest.push(chunk);
        return;
      }
      this.#rest.push(chunk.subarray(0, end));
      const joined = Buffer.concat(this.#rest);
      this.#rest = [];
      this.#parseRecord(joined, 1, joined.length);
      start = end;
    } else {
      start = chunk.indexOf(RECORD);
      if (start < 0) return; // nothing before the first record separator is a record
    }
    for (let next = chunk.indexOf(RECORD, start + 1); next >= 0; next = chunk.indexOf(RECORD, start + 1)) {
      this.#parseRecord(chunk, start + 1, next);
      start = next;
    }
    // Copied: the rest is small, and a view would keep the whole chunk alive until the record completes.
    this.#rest = [Buffer.from(chunk.subarray(start))];
  }

  /** The last record, and everything parsed. */
  end(): { records: HistoryRecord[]; raws: Map<string, RawEntry[]> } {
    if (this.#rest.length > 0) {
      const joined = Buffer.concat(this.#rest);
      this.#rest = [];
      this.#parseRecord(joined, 1, joined.length);
    }
    return { records: this.#records, raws: this.#raws };
  }

  #parseRecord(buf: Buffer, from: number, to: number): void {
    const headerEnd = buf.indexOf(HEADER_END_BYTES, from);
    if (headerEnd < 0 || headerEnd >= to) return;
    let pos = from;
    const next = (): number => {
      const end = buf.indexOf(FIELD, pos);
      return end < 0 || end > headerEnd ? headerEnd : end;
    };
    const ascii = (): string => {
      const end = next();
      const value = buf.toString("latin1", pos, end);
      pos = end + 1;
      return value;
    };
    const text = (): string => {
      const end = next();
      const value = buf.toString("utf8", pos, end);
      pos = end + 1;
      return value;
    };
    /** A field through its slot: the previous record's string when the bytes repeat. */
    const same = (slot: Slot): string => {
      const end = next();
      const value = slot.read(buf, pos, end);
      pos = end + 1;
      return value;
    };
    // The chain is newest first: a commit's id is usually the previous record's first parent.
    const shaEnd = next();
    const sha = sameText(this.#expected, buf, pos, shaEnd) ? this.#expected : buf.toString("latin1", pos, shaEnd);
    pos = shaEnd + 1;
    const parents = ascii();
    const author = { name: same(this.#slots[0]!), email: same(this.#slots[1]!), date: ascii() };
    const committerName = same(this.#slots[2]!);
    const committerEmail = same(this.#slots[3]!);
    const dateEnd = next();
    const committer = { name: committerName, email: committerEmail, date: sameText(author.date, buf, pos, dateEnd) ? author.date : buf.toString("latin1", pos, dateEnd) };
    pos = dateEnd + 1;
    const sig = ascii();
    const message = text();
    const { subject, body } = splitMessage(message);
    const parentList = parents ? parents.split(" ") : [];
    this.#expected = parentList[0] ?? "";
    const record: HistoryRecord = {
      sha,
      parents: parentList,
      author,
      committer,
      subject,
      body,
      trailers: parseMessageTrailers(message),
      firstParent: false,
    };
    if (this.withSignature && isSignatureStatus(sig)) record.signature = sig;
    const noteText = pos < headerEnd ? buf.toString("utf8", pos, headerEnd) : "";
    if (noteText.trim()) {
      const note = parseNote(noteText);
      if ("note" in note) record.note = note.note;
      else record.noteError = note.error;
    }
    const raw = parseRaw(buf, headerEnd + HEADER_END_BYTES.length, to);
    this.#records.push(record);
    this.#raws.set(sha, raw);
    this.onRecord?.(record, raw);
  }
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

/** `-z` raw entries between `from` and `to`: `:oldmode newmode oldsha newsha status\0path\0`. */
function parseRaw(buf: Buffer, from: number, to: number): RawEntry[] {
  const entries: RawEntry[] = [];
  let pos = buf.indexOf(COLON, from);
  while (pos >= 0 && pos < to) {
    const metaEnd = buf.indexOf(0, pos);
    if (metaEnd < 0 || metaEnd >= to) break;
    const pathEnd = buf.indexOf(0, metaEnd + 1);
    const stop = pathEnd < 0 || pathEnd > to ? to : pathEnd;
    // `:100644 100644 <old> <new> M`: the new blob is the 4th field, the status the 5th.
    const meta = buf.toString("latin1", pos + 1, metaEnd).trim().split(" ");
    entries.push({ status: meta[4] ?? "", newBlob: meta[3] ?? "", path: buf.toString("utf8", metaEnd + 1, stop) });
    pos = buf.indexOf(COLON, stop);
  }
  return entries;
}

const COLON = 0x3a;
