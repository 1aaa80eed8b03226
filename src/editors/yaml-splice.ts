/**
 * Planned edits (set a scalar, add a key, remove a key) turned into byte splices, an RFC 6902
 * patch and per-line changes. Nothing here re-serialises YAML: bytes outside the edited
 * scalars are copied as they are.
 */
import { isCollection, isScalar } from "yaml";
import type { Operation } from "rfc6902";
import type { Node, Pair, Scalar, YAMLMap } from "yaml";
import type { LineChange } from "./types.js";
import { escapePointer, keyString, LineIndex } from "./yaml-file.js";
import type { YamlFile } from "./yaml-file.js";
import { renderNew, renderScalar } from "./yaml-render.js";

interface OpBase {
  docIndex: number;
  /** Effective reference before/after, reported in the LineChange. */
  before: string;
  after: string;
}
/** Replace the value of a scalar. */
export interface SetOp extends OpBase { kind: "set"; node: Scalar; value: string }
/** Add `key: value` to a map, right after the pair `afterPair`. */
export interface InsertOp extends OpBase { kind: "insert"; map: YAMLMap; afterPair: Pair; key: string; value: string }
/** Remove a pair from a map. */
export interface RemoveOp extends OpBase { kind: "remove"; map: YAMLMap; pair: Pair }
/** Replace a whole pair in place by `key: value` (kustomize `newTag` → `digest` with dropTag: one line). */
export interface RenameOp extends OpBase { kind: "rename"; map: YAMLMap; pair: Pair; key: string; value: string }
export type EditOp = SetOp | InsertOp | RemoveOp | RenameOp;

/** One byte splice: replace `[start, end)` of the old content with `text`. */
export interface TextEdit { start: number; end: number; text: string }

export interface SpliceResult {
  content: string;
  patch: Operation[];
  changes: LineChange[];
  edits: TextEdit[];
  notes: string[];
}

/** Apply planned edits to the file; returns an error message when they cannot be spliced safely. */
export function spliceEdits(file: YamlFile, ops: EditOp[]): SpliceResult | { error: string } {
  const unique = dedupe(ops);
  if ("error" in unique) return unique;
  const src = file.content;
  const multi = file.docs.length > 1;
  const planned: Array<{ edit: TextEdit; op: EditOp; pointer: string }> = [];
  const patch: Operation[] = [];
  const notes: string[] = [];
  for (const op of unique) {
    const prefix = multi ? `/${op.docIndex}` : "";
    const pointers = pointersFor(file, op);
    if (pointers.length === 0) return { error: `cannot locate ${describe(op)} in the document` };
    if (pointers.length > 1) notes.push(`${pointers[0]} is shared by ${pointers.length - 1} alias(es); edited once at the anchor (${pointers.slice(1).join(", ")})`);
    const built = buildEdit(src, op);
    if ("error" in built) return { error: `${pointers[0]}: ${built.error}` };
    for (const pointer of pointers) patch.push(...patchOps(op, `${prefix}${pointer}`, built.value));
    planned.push({ edit: built.edit, op, pointer: `${prefix}${pointers[0]}` });
  }
  planned.sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end);
  for (let i = 1; i < planned.length; i++) {
    const prev = planned[i - 1];
    const cur = planned[i];
    if (prev && cur && cur.edit.start < prev.edit.end) return { error: `overlapping edits at offset ${cur.edit.start}` };
  }
  let content = "";
  let cursor = 0;
  const starts: number[] = [];
  for (const { edit } of planned) {
    content += src.slice(cursor, edit.start);
    starts.push(content.length + (edit.text.startsWith("\r\n") ? 2 : edit.text.startsWith("\n") ? 1 : 0));
    content += edit.text;
    cursor = edit.end;
  }
  content += src.slice(cursor);
  const lines = new LineIndex(content);
  // A removed line is reported at the line that now takes its place.
  const changes: LineChange[] = planned.map(({ op, pointer }, i) => ({ line: lines.position(starts[i] ?? 0).line, pointer, before: op.before, after: op.after }));
  return { content, patch, changes, edits: planned.map((p) => p.edit), notes };
}

function dedupe(ops: EditOp[]): EditOp[] | { error: string } {
  const seen = new Map<unknown, EditOp>();
  const out: EditOp[] = [];
  for (const op of ops) {
    const key = op.kind === "set" ? op.node : op.kind === "remove" || op.kind === "rename" ? op.pair : `${op.docIndex}:${op.map.range?.[0]}:${op.key}`;
    const prior = seen.get(key);
    if (prior) {
      if (prior.kind !== op.kind || ("value" in prior && "value" in op && prior.value !== op.value)) {
        return { error: `conflicting edits for ${describe(op)}` };
      }
      continue;
    }
    seen.set(key, op);
    out.push(op);
  }
  // A removed or renamed pair (dropTag) wins over a set of its value from another site.
  const removed = new Set(out.filter((op): op is RemoveOp | RenameOp => op.kind === "remove" || op.kind === "rename").map((op) => op.pair.value));
  return out.filter((op) => op.kind !== "set" || !removed.has(op.node));
}

function describe(op: EditOp): string {
  if (op.kind === "insert") return `key "${op.key}"`;
  if (op.kind === "remove" || op.kind === "rename") return `key "${keyString(op.pair) ?? "?"}"`;
  return `value "${String(op.node.value)}"`;
}

function pointersFor(file: YamlFile, op: EditOp): string[] {
  if (op.kind === "set") return file.pointersOf(op.docIndex, op.node);
  const base = file.pointersOf(op.docIndex, op.map);
  const key = op.kind === "insert" ? op.key : keyString(op.pair);
  if (key === undefined) return [];
  return base.map((p) => `${p}/${escapePointer(key)}`);
}

function patchOps(op: EditOp, path: string, value: string | undefined): Operation[] {
  if (op.kind === "insert") return [{ op: "add", path, value: op.value }];
  if (op.kind === "rename") {
    const old = isScalar(op.pair.value) ? op.pair.value.value : null;
    const renamed = `${path.slice(0, path.lastIndexOf("/"))}/${escapePointer(op.key)}`;
    return [{ op: "test", path, value: old ?? null }, { op: "remove", path }, { op: "add", path: renamed, value: op.value }];
  }
  if (op.kind === "remove") {
    const old = isScalar(op.pair.value) ? op.pair.value.value : (op.pair.value as Node | null)?.toJSON();
    return [{ op: "test", path, value: old ?? null }, { op: "remove", path }];
  }
  return [{ op: "test", path, value: op.node.value ?? null }, { op: "replace", path, value }];
}

function buildEdit(src: string, op: EditOp): { edit: TextEdit; value?: string } | { error: string } {
  if (op.kind === "set") {
    const rendered = renderScalar(src, op.node, op.value);
    if ("error" in rendered) return rendered;
    return { edit: { start: rendered.start, end: rendered.end, text: rendered.text }, value: rendered.value };
  }
  if (op.kind === "insert") return buildInsert(src, op);
  if (op.kind === "rename") return buildRename(src, op);
  return buildRemove(src, op);
}

/** End of the pair's value on its line, failing for values that span lines. */
function pairEnd(src: string, pair: Pair): number | { error: string } {
  const value = pair.value as Node | null;
  if (value && (isCollection(value) || (isScalar(value) && value.type?.startsWith("BLOCK")))) {
    return { error: "neighbouring value spans several lines" };
  }
  const end = value?.range?.[1] ?? (pair.key as Node | null)?.range?.[1];
  return end ?? { error: "pair has no source range" };
}

function lineStartOf(src: string, offset: number): number {
  return src.lastIndexOf("\n", offset - 1) + 1;
}

function buildInsert(src: string, op: InsertOp): { edit: TextEdit } | { error: string } {
  const end = pairEnd(src, op.afterPair);
  if (typeof end !== "number") return end;
  const entry = `${op.key}: ${renderNew(op.value)}`;
  if (op.map.flow) {
    // In JSON (double-quoted keys) the added pair is JSON too.
    const json = isScalar(op.afterPair.key) && op.afterPair.key.type === "QUOTE_DOUBLE";
    return { edit: { start: end, end, text: json ? `, ${JSON.stringify(op.key)}: ${JSON.stringify(op.value)}` : `, ${entry}` } };
  }
  const keyStart = (op.afterPair.key as Node | null)?.range?.[0];
  if (keyStart === undefined) return { error: "key has no source range" };
  const lineStart = lineStartOf(src, keyStart);
  const indent = " ".repeat(keyStart - lineStart);
  const lineEnd = src.indexOf("\n", end);
  const tail = src.slice(end, lineEnd < 0 ? src.length : lineEnd);
  if (!/^[ \t]*(?:#.*)?\r?$/.test(tail)) return { error: "another value follows on the same line" };
  if (lineEnd < 0) {
    const eol = src.includes("\r\n") ? "\r\n" : "\n";
    return { edit: { start: src.length, end: src.length, text: `${eol}${indent}${entry}` } };
  }
  const eol = src.charAt(lineEnd - 1) === "\r" ? "\r\n" : "\n";
  return { edit: { start: lineEnd + 1, end: lineEnd + 1, text: `${indent}${entry}${eol}` } };
}

function buildRename(src: string, op: RenameOp): { edit: TextEdit } | { error: string } {
  const end = pairEnd(src, op.pair);
  if (typeof end !== "number") return end;
  const key = op.pair.key;
  const start = isScalar(key) ? key.range?.[0] : undefined;
  if (start === undefined || !isScalar(key)) return { error: "key has no source range" };
  const json = key.type === "QUOTE_DOUBLE";
  const text = json ? `${JSON.stringify(op.key)}: ${JSON.stringify(op.value)}` : `${op.key}: ${renderNew(op.value)}`;
  return { edit: { start, end, text } };
}

function buildRemove(src: string, op: RemoveOp): { edit: TextEdit } | { error: string } {
  const end = pairEnd(src, op.pair);
  if (typeof end !== "number") return end;
  const keyStart = (op.pair.key as Node | null)?.range?.[0];
  if (keyStart === undefined) return { error: "key has no source range" };
  if (op.map.flow) {
    const before = src.slice(0, keyStart).match(/,\s*$/);
    if (before) return { edit: { start: keyStart - before[0].length, end, text: "" } };
    const after = src.slice(end).match(/^\s*,\s*/);
    if (after) return { edit: { start: keyStart, end: end + after[0].length, text: "" } };
    return { error: "cannot remove the only key of a flow map" };
  }
  const lineStart = lineStartOf(src, keyStart);
  if (src.slice(lineStart, keyStart).trim() !== "") return { error: "cannot remove the first key of a list item" };
  const lineEnd = src.indexOf("\n", end);
  if (!/^[ \t]*(?:#.*)?\r?$/.test(src.slice(end, lineEnd < 0 ? src.length : lineEnd))) return { error: "another value follows on the same line" };
  if (lineEnd < 0) return { edit: { start: Math.max(0, lineStart - (src.charAt(lineStart - 2) === "\r" ? 2 : 1)), end: src.length, text: "" } };
  return { edit: { start: lineStart, end: lineEnd + 1, text: "" } };
}

