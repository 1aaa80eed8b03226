/**
 * Small Markdown helpers for text Stagegate writes into PR bodies and comments. Everything that
 * comes from config, payloads or people goes through one of these, so a value can never break the
 * layout, inject a link or @-mention (and notify) someone, nor carry a control character that a
 * terminal would run (the audit prints Markdown to one): those become visible (visible-text.ts).
 *
 * They run once per cell of audit tables tens of thousands of rows long, so each scans its text
 * once by character code and returns it untouched when there is nothing to rewrite (the usual case).
 */

import { isHiddenControl, standIn, visibleControls } from "../visible-text.js";

const CR = 13;
const LF = 10;
const BACKTICK = 96;
const AT = 64;

/** Characters escapeMarkdown() puts a backslash before: \ ` * _ { } [ ] ( ) < > # + ! ~ & */
const ESCAPED = new Uint8Array(128);
// `&` too: GitHub decodes an entity (`&commat;org/team`) before it looks for mentions, so an escaped
// `@` could otherwise come back as a live one.
for (const c of "\\`*_{}[]()<>#+!~&") ESCAPED[c.charCodeAt(0)] = 1;

/** An inline code span that holds any text (fence longer than any backtick run inside). */
export function code(text: string): string {
  let longest = 0;
  let run = 0;
  let breaks = false;
  let controls = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKTICK) {
      run++;
      if (run > longest) longest = run;
      continue;
    }
    run = 0;
    if (c === CR || c === LF) breaks = true;
    else if (isHiddenControl(c)) controls = true;
  }
  // Runs are counted on the text as given: a line break ends a run as the space replacing it does.
  const oneLine = breaks ? text.replace(/[\r\n]+/g, " ") : text;
  const flat = controls ? visibleControls(oneLine) : oneLine;
  const fence = longest === 0 ? "`" : "`".repeat(longest + 1);
  const pad = longest > 0 && (flat.charCodeAt(0) === BACKTICK || flat.charCodeAt(flat.length - 1) === BACKTICK) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Plain text with Markdown syntax escaped and `@` defused (no notifications), on one line. */
export function escapeText(text: string): string {
  return escapeMarkdown(text, true);
}

/**
 * Line breaks (runs of them) become one space, Markdown syntax gets a backslash, control characters
 * their visible stand-ins, and with `defuseAt` an `@` is followed by a zero-width space (ESCAPED has
 * no entry past ASCII). Unchanged text is returned as is.
 */
function escapeMarkdown(text: string, defuseAt: boolean): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHiddenControl(c)) {
      out += `${text.slice(from, i)}${standIn(c)}`;
      from = i + 1;
    } else if (ESCAPED[c] === 1) {
      out += `${text.slice(from, i)}\\`;
      from = i;
    } else if (c === CR || c === LF) {
      out += `${text.slice(from, i)} `;
      while (i + 1 < text.length && (text.charCodeAt(i + 1) === CR || text.charCodeAt(i + 1) === LF)) i++;
      from = i + 1;
    } else if (c === AT && defuseAt) {
      out += `${text.slice(from, i + 1)}\u200b`;
      from = i + 1;
    }
  }
  return out === "" ? text : out + text.slice(from);
}

/** A table cell: pipes escaped (GFM splits cells on `|` even inside code spans). */
export function cell(markdown: string): string {
  return markdown.indexOf("|") < 0 ? markdown : markdown.replace(/\|/g, "\\|");
}

/** A link whose URL cannot break out of the Markdown link syntax. */
export function link(label: string, url: string): string {
  const safe = url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  // Labels are ours (repo@sha, "build"); `@` after a word character never mentions anyone.
  return `[${escapeMarkdown(label, false)}](${safe})`;
}

/** `count` followed by the singular or plural noun. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
