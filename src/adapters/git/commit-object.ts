/**
 * Raw commit objects (as `git cat-file --batch` gives them) read into what `git log --format` would
 * print for them: parents, `%an`/`%ae`/`%aI`, `%cn`/`%ce`/`%cI` and the message (`%B`, re-encoded to
 * UTF-8 when the commit declares another `encoding`). The audit reads the branch heads merged into
 * the default branch this way, through the cat-file process it already runs, instead of a second log.
 */
import type { GitPerson } from "../../core/audit/types.js";
import { append } from "../../core/tight-list.js";

/** A commit object's fields, as `git log` would format them. */
export interface CommitObject {
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  /** The whole message, as `%B` prints it. */
  message: string;
}

/** Parses a raw commit object (headers, a blank line, the message). */
export function parseCommitObject(data: Buffer): CommitObject {
  const split = data.indexOf(BLANK);
  const headerEnd = split < 0 ? data.length : split;
  let parents: string[] | undefined;
  let author: GitPerson | undefined;
  let committer: GitPerson | undefined;
  let encoding: string | undefined;
  // Header lines read as bytes: only the values kept become strings (no string of every header, whose
  // slices would keep it alive for as long as the history lives). Parents are the `parent` lines right
  // after `tree`, as git reads them; one further down is not a parent. Continuation lines (gpgsig,
  // mergetag) start with a space, and like any line without a key, end the parents.
  let parentsEnded = false;
  for (let bol = 0, index = 0; bol < headerEnd; index++) {
    const lf = data.indexOf(LF, bol);
    const eol = lf < 0 || lf > headerEnd ? headerEnd : lf;
    const key = keyOf(data, bol, eol);
    if (index > 0 && key !== "parent") parentsEnded = true;
    if (key === "parent") {
      if (!parentsEnded) parents = append(parents, data.toString("latin1", bol + 7, eol));
    } else if (key === "author") author = parsePerson(data.toString("utf8", bol + 7, eol), 0);
    else if (key === "committer") committer = parsePerson(data.toString("utf8", bol + 10, eol), 2);
    else if (key === "encoding") encoding = data.toString("utf8", bol + 9, eol).trim();
    bol = eol + 1;
  }
  const body = split < 0 ? data.subarray(data.length) : data.subarray(split + 2);
  return { parents: parents ?? [], author: author ?? noPerson(), committer: committer ?? noPerson(), message: decode(body, encoding) };
}

const LF = 0x0a;
const BLANK = Buffer.from("\n\n");
const noPerson = (): GitPerson => ({ name: "", email: "", date: "" });

/** Header keys parseCommitObject reads, with their bytes and the space after them. */
const KEYS = ["parent", "author", "committer", "encoding"].map((key) => ({ key, bytes: Buffer.from(`${key} `) }));

/**
 * The key of the header line [bol, eol) when it is one parseCommitObject reads; "" for a line that has
 * no key (none, or it starts with a space: a continuation), "other" for any other key.
 */
function keyOf(data: Buffer, bol: number, eol: number): string {
  const space = data.indexOf(SPACE, bol);
  if (space <= bol || space >= eol) return "";
  for (const { key, bytes } of KEYS) if (bytes.length === space - bol + 1 && data.compare(bytes, 0, bytes.length, bol, space + 1) === 0) return key;
  return "other";
}

const SPACE = 0x20;

/** The message in UTF-8, as git log re-encodes it (i18n.logOutputEncoding defaults to UTF-8). */
function decode(bytes: Buffer, encoding: string | undefined): string {
  if (!encoding || /^utf-?8$/i.test(encoding)) return bytes.toString("utf8");
  try {
    return new TextDecoder(encoding).decode(bytes);
  } catch {
    return bytes.toString("utf8"); // an encoding Node does not know: git would print the bytes as they are
  }
}

/**
 * `Name <email> 1690615740 +0200` as git's split_ident_line reads it: the name before the first `<`
 * (trailing spaces dropped), the email up to the next `>`, then the time and zone. `slot` (0 for
 * authors, 2 for committers) names the strings of the previous call to reuse when the name or email
 * repeats: a new string per merged head would keep its line alive (a slice does) for as long as the
 * history lives.
 */
export function parsePerson(ident: string, slot?: number): GitPerson {
  const open = ident.indexOf("<");
  const close = open < 0 ? -1 : ident.indexOf(">", open + 1);
  if (open < 0 || close < 0) return { name: ident.trim(), email: "", date: "" };
  const stamp = ident.slice(close + 1).trim();
  const name = ident.slice(0, open).trimEnd();
  const email = ident.slice(open + 1, close);
  return { name: slot === undefined ? name : same(slot, name), email: slot === undefined ? email : same(slot + 1, email), date: dateOf(stamp) };
}

/** The last name and email read for authors (0, 1) and committers (2, 3). */
const lastSeen = ["", "", "", ""];

/** `value`, or the equal string the slot holds (then `value` dies young). */
function same(slot: number, value: string): string {
  const last = lastSeen[slot]!;
  if (last === value) return last;
  lastSeen[slot] = value;
  return value;
}

/** The last `<seconds> <zone>` formatted and its date: a commit's author and committer times are often the same. */
let lastStamp: string | undefined;
let lastDate = "";

/** `%aI` of a `<seconds> <zone>` stamp, the previous call's string when the stamp repeats. */
function dateOf(stamp: string): string {
  if (stamp === lastStamp) return lastDate;
  const [seconds = "", zone = "+0000"] = stamp.split(" ");
  lastDate = isoStrict(Number(seconds), zone);
  lastStamp = stamp;
  return lastDate;
}

/** `%aI`: strict ISO 8601 in the commit's own zone, `2023-07-29T09:59:00+02:00`. Empty when unreadable. */
export function isoStrict(seconds: number, zone: string): string {
  const match = /^([+-])(\d\d)(\d\d)$/.exec(zone);
  if (!Number.isFinite(seconds) || !match) return "";
  const [, sign = "+", hours = "00", minutes = "00"] = match;
  const offset = (sign === "-" ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60;
  const local = new Date((seconds + offset) * 1000);
  if (Number.isNaN(local.getTime())) return "";
  // git reads the zone as a number: "-0000" prints as "+00:00".
  return `${local.toISOString().slice(0, 19)}${offset === 0 ? "+" : sign}${hours}:${minutes}`;
}
