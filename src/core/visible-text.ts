/**
 * Text from git (names, messages, notes, file names) shown where control characters would act instead
 * of show: a terminal runs ESC sequences (move the cursor, erase a line: a finding could be hidden
 * from the auditor reading it), and bidirectional overrides reorder what a reader sees. Control
 * characters become visible stand-ins; everything else is returned as is.
 */

/** True for a character to make visible: C0 (but tab, LF, CR), DEL, C1, bidirectional embeddings, overrides and isolates. */
export function isHiddenControl(code: number): boolean {
  if (code < 0x20) return code !== 0x09 && code !== 0x0a && code !== 0x0d;
  if (code < 0x7f) return false;
  if (code <= 0x9f) return true;
  return (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** The stand-in of a hidden control: its control picture (␛ for ESC), U+FFFD for C1 and bidirectional controls. */
export function standIn(code: number): string {
  if (code === 0x7f) return "\u2421";
  return code < 0x20 ? String.fromCharCode(0x2400 + code) : "\ufffd";
}

/** `text` with every hidden control replaced by its stand-in (the same string when there is none). */
export function visibleControls(text: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHiddenControl(c)) {
      out += text.slice(from, i) + standIn(c);
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}
