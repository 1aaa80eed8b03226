/**
 * Line diff (Myers O(ND)) used to prove edits from the outside: which old lines were removed
 * and which new lines were added. Edits are small, so D stays tiny even for 200 KB files.
 */

/** Result of a line diff: 1-based line numbers on each side that are not common. */
export interface LineDiff {
  removed: number[];
  added: number[];
}

/** Split text into lines, keeping `\r` so CRLF/LF changes show up as changed lines. */
export function splitLines(text: string): string[] {
  return text.split("\n");
}

/** Diff two texts by lines. */
export function diffLines(oldText: string, newText: string): LineDiff {
  const removed: number[] = [];
  const added: number[] = [];
  for (const op of diffLineOps(splitLines(oldText), splitLines(newText))) {
    if (op.type === "-") removed.push(op.a + 1);
    else if (op.type === "+") added.push(op.b + 1);
  }
  return { removed, added };
}

/** One step of an edit script: a common line (" "), a removed line ("-") or an added line ("+"), with 0-based positions on each side. */
export interface LineOp {
  type: " " | "-" | "+";
  a: number;
  b: number;
}

/**
 * The edit script turning lines `a` into lines `b` (Myers, after trimming the common prefix and
 * suffix): removals before additions between common lines. Renderers (unified diffs) build on it.
 */
export function diffLineOps(a: readonly string[], b: readonly string[]): LineOp[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const ops: LineOp[] = [];
  for (let i = 0; i < start; i++) ops.push({ type: " ", a: i, b: i });
  let i = start;
  let j = start;
  const emitUntil = (toA: number, toB: number) => {
    for (; i < toA; i++) ops.push({ type: "-", a: i, b: j });
    for (; j < toB; j++) ops.push({ type: "+", a: i, b: j });
  };
  for (const [ci, cj] of myersCommon(a.slice(start, endA), b.slice(start, endB))) {
    emitUntil(start + ci, start + cj);
    ops.push({ type: " ", a: i++, b: j++ });
  }
  emitUntil(endA, endB);
  for (let k = 0; endA + k < a.length; k++) ops.push({ type: " ", a: endA + k, b: endB + k });
  return ops;
}

/** Number of changed lines: a replaced line counts once, pure insertions and deletions once each. */
export function countChangedLines(diff: LineDiff): number {
  return Math.max(diff.removed.length, diff.added.length);
}

function myersCommon(a: readonly string[], b: readonly string[]): Array<[number, number]> {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0)) ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a.length, b.length, d, offset);
    }
  }
  return [];
}

function backtrack(trace: Int32Array[], n: number, m: number, depth: number, offset: number): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  let x = n;
  let y = m;
  for (let d = depth; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const prevK = k === -d || (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0)) ? k + 1 : k - 1;
    const prevX = v[offset + prevK] ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) pairs.push([--x, --y]);
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) pairs.push([--x, --y]);
  return pairs.reverse();
}
