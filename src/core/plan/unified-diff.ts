/**
 * A small unified diff renderer (`diff -u` format) for `stagegate plan` and `set-image --dry-run`.
 * Edits are splices of a few scalars, so after trimming the common prefix and suffix the changed
 * region is tiny; a plain LCS over it is exact and fast. Very large regions fall back to one hunk
 * that replaces the region (still a correct diff, just not minimal).
 */
const CONTEXT = 3;
const MAX_LCS_CELLS = 4_000_000;

type Op = { type: " " | "-" | "+"; line: string; a: number; b: number };

/** Unified diff of `before` → `after` with `a/path` and `b/path` headers; empty string when equal. */
export function renderUnifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return "";
  const a = splitLines(before);
  const b = splitLines(after);
  // The last line without a final newline differs from the same text with one: compare it with a marker.
  const ops = diffLines(keysOf(a), keysOf(b)).map((op) => ({ ...op, line: op.type === "+" ? (b.lines[op.b] ?? "") : (a.lines[op.a] ?? "") }));
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

function diffLines(a: string[], b: string[]): Op[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: Op[] = [];
  for (let i = 0; i < start; i++) ops.push({ type: " ", line: a[i] ?? "", a: i, b: i });
  ops.push(...diffMiddle(a, b, start, endA, start, endB));
  for (let i = 0; endA + i < a.length; i++) ops.push({ type: " ", line: a[endA + i] ?? "", a: endA + i, b: endB + i });
  return ops;
}

function diffMiddle(a: string[], b: string[], a0: number, a1: number, b0: number, b1: number): Op[] {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n * m > MAX_LCS_CELLS) {
    return [...a.slice(a0, a1).map((line, i): Op => ({ type: "-", line, a: a0 + i, b: b0 })), ...b.slice(b0, b1).map((line, j): Op => ({ type: "+", line, a: a1, b: b0 + j }))];
  }
  // lcs[i][j] = LCS length of a[a0+i..a1) and b[b0+j..b1), in one flat array.
  const width = m + 1;
  const lcs = new Uint32Array((n + 1) * width);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * width + j] = a[a0 + i] === b[b0 + j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[a0 + i] === b[b0 + j]) {
      ops.push({ type: " ", line: a[a0 + i] ?? "", a: a0 + i, b: b0 + j });
      i++;
      j++;
    } else if (i < n && (j === m || (lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))) {
      ops.push({ type: "-", line: a[a0 + i] ?? "", a: a0 + i, b: b0 + j });
      i++;
    } else {
      ops.push({ type: "+", line: b[b0 + j] ?? "", a: a0 + i, b: b0 + j });
      j++;
    }
  }
  return ops;
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
