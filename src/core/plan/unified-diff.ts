/**
 * A small unified diff renderer (`diff -u` format) for `stagegate plan` and `set-image --dry-run`.
 * The edit script comes from the editors' line diff (Myers O(ND): edits are a few lines, so D is tiny),
 * the same one the conformance run uses to prove edits: one diff algorithm in the project.
 */
import { diffLineOps } from "../../editors/line-diff.js";

const CONTEXT = 3;

type Op = { type: " " | "-" | "+"; line: string; a: number; b: number };

/** Unified diff of `before` → `after` with `a/path` and `b/path` headers; empty string when equal. */
export function renderUnifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  // The last line without a final newline differs from the same text with one: compare it with a marker.
  const ops = diffLineOps(keysOf(a), keysOf(b)).map((op): Op => ({ ...op, line: op.type === "+" ? (b.lines[op.b] ?? "") : (a.lines[op.a] ?? "") }));
  const out = [`--- a/${path}`, `+++ b/${path}`];
  for (const hunk of toHunks(ops)) {
    const oldCount = hunk.filter((o) => o.type !== "+").length;
    const newCount = hunk.filter((o) => o.type !== "-").length;
    const first = hunk[0];
    const oldStart = oldCount === 0 ? (first?.a ?? 0) : (hunk.find((o) => o.type !== "+")?.a ?? 0) + 1;
    const newStart = newCount === 0 ? (first?.b ?? 0) : (hunk.find((o) => o.type !== "-")?.b ?? 0) + 1;
    out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    for (const op of hunk) {
      out.push(`${op.type}${op.line}`);
      const lastOld = op.type !== "+" && op.a === a.lines.length - 1 && !a.finalNewline;
      const lastNew = op.type !== "-" && op.b === b.lines.length - 1 && !b.finalNewline;
      if (lastOld || lastNew) out.push("\\ No newline at end of file");
    }
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${start},${count}`;
}

function keysOf(text: { lines: string[]; finalNewline: boolean }): string[] {
  return text.finalNewline ? text.lines : text.lines.map((line, i) => (i === text.lines.length - 1 ? `${line}\0no-newline` : line));
}

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === "") return { lines: [], finalNewline: true };
  const finalNewline = text.endsWith("\n");
  const lines = (finalNewline ? text.slice(0, -1) : text).split("\n");
  return { lines, finalNewline };
}

/** Groups operations into hunks with CONTEXT lines around each change, merging close ones. */
function toHunks(ops: Op[]): Op[][] {
  const changed = ops.map((o, i) => (o.type === " " ? -1 : i)).filter((i) => i >= 0);
  const hunks: Op[][] = [];
  let from = -1;
  let to = -1;
  for (const index of changed) {
    if (from >= 0 && index - to - 1 <= 2 * CONTEXT) {
      to = index;
      continue;
    }
    if (from >= 0) hunks.push(ops.slice(Math.max(0, from - CONTEXT), Math.min(ops.length, to + CONTEXT + 1)));
    from = index;
    to = index;
  }
  if (from >= 0) hunks.push(ops.slice(Math.max(0, from - CONTEXT), Math.min(ops.length, to + CONTEXT + 1)));
  return hunks;
}
