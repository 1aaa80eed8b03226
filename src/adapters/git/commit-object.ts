/**
 * Raw commit objects (as `git cat-file --batch` gives them) read into what `git log --format` would
 * print for them: parents, `%an`/`%ae`/`%aI`, `%cn`/`%ce`/`%cI` and the message (`%B`, re-encoded to
 * UTF-8 when the commit declares another `encoding`). The audit reads the branch heads merged into
 * the default branch this way, through the cat-file process it already runs, instead of a second log.
 */
import type { GitPerson } from "../../core/audit/types.js";

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
  const split = data.indexOf("\n\n");
  const headerEnd = split < 0 ? data.length : split;
  // Headers are ASCII except names (UTF-8 by convention); continuation lines (gpgsig, mergetag) start with a space.
  const headers = data.toString("utf8", 0, headerEnd).split("\n");
  const parents: string[] = [];
  let author: GitPerson = { name: "", email: "", date: "" };
  let committer: GitPerson = { name: "", email: "", date: "" };
  let encoding: string | undefined;
  // Parents are the `parent` lines right after `tree`, as git reads them; one further down is not a parent.
  let parentsEnded = false;
  for (const [index, line] of headers.entries()) {
    const space = line.indexOf(" ");
    const key = space <= 0 ? "" : line.slice(0, space);
    if (index > 0 && key !== "parent") parentsEnded = true;
    if (space <= 0) continue;
    const value = line.slice(space + 1);
    switch (key) {
      case "parent":
        if (!parentsEnded) parents.push(value);
        break;
      case "author":
        author = parsePerson(value);
        break;
      case "committer":
        committer = parsePerson(value);
        break;
      case "encoding":
        encoding = value.trim();
        break;
    }
  }
  const body = split < 0 ? data.subarray(data.length) : data.subarray(split + 2);
  return { parents, author, committer, message: decode(body, encoding) };
}

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
 * (trailing spaces dropped), the email up to the next `>`, then the time and zone.
 */
export function parsePerson(ident: string): GitPerson {
  const open = ident.indexOf("<");
  const close = open < 0 ? -1 : ident.indexOf(">", open + 1);
  if (open < 0 || close < 0) return { name: ident.trim(), email: "", date: "" };
  const stamp = ident.slice(close + 1).trim();
  return { name: ident.slice(0, open).trimEnd(), email: ident.slice(open + 1, close), date: dateOf(stamp) };
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
