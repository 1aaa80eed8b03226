/**
 * Small Markdown helpers for text Stagegate writes into PR bodies and comments. Everything that
 * comes from config, payloads or people goes through one of these, so a value can never break the
 * layout, inject a link or @-mention (and notify) someone.
 */

/** An inline code span that holds any text (fence longer than any backtick run inside). */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Plain text with Markdown syntax escaped and `@` defused (no notifications), on one line. */
export function escapeText(text: string): string {
  return escapeMarkdown(text).replace(/@/g, "@\u200b");
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\r\n]+/g, " ").replace(/[\\`*_{}[\]()<>#+!~]/g, (c) => `\\${c}`);
}

/** A table cell: pipes escaped (GFM splits cells on `|` even inside code spans). */
export function cell(markdown: string): string {
  return markdown.replace(/\|/g, "\\|");
}

/** A link whose URL cannot break out of the Markdown link syntax. */
export function link(label: string, url: string): string {
  const safe = url.replace(/[\s()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`);
  // Labels are ours (repo@sha, "build"); `@` after a word character never mentions anyone.
  return `[${escapeMarkdown(label)}](${safe})`;
}

/** `count` followed by the singular or plural noun. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
