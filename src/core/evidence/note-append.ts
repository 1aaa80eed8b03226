/**
 * How an evidence note grows: Stagegate only ever appends to a note, the way `git notes append`
 * does (the existing text without its trailing line feeds, a blank line, the new part). The GitHub
 * adapter writes notes with it, and `stagegate audit --notes-history` holds every change of a note
 * against it: anything else is an edit made after the fact.
 */

/** `s.replace(/\n*$/, "")` in linear time (that regex is quadratic on long newline runs, and notes are repository content). */
function trimTrailingNewlines(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 10) end--;
  return s.slice(0, end);
}

/** Joins an existing note and an appended part the way `git notes append` does (a blank line between). */
export function appendNoteText(existing: string | undefined, text: string): string {
  const part = `${trimTrailingNewlines(text)}\n`;
  return existing === undefined || existing.trim() === "" ? part : `${trimTrailingNewlines(existing)}\n\n${part}`;
}

/** True when `after` is `before` with a part appended as {@link appendNoteText} does (any part after an empty note). */
export function isNoteAppend(before: string, after: string): boolean {
  return before.trim() === "" || after.startsWith(`${trimTrailingNewlines(before)}\n\n`);
}
