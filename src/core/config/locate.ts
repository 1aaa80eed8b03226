import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import type { Diagnostic } from "./loaded.js";

/**
 * Parsing of configuration files with hard limits, and mapping of a data path (as zod reports it)
 * back to the YAML node it came from, so every diagnostic points at `file:line:col`.
 */

/** Files larger than this are refused before parsing (DoS: a 1 MiB stagegate.yaml is already absurd). */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Alias expansions allowed while converting to JS; defeats "billion laughs" documents. */
export const MAX_ALIAS_COUNT = 100;

export type DataPath = readonly PropertyKey[];

/** A parsed configuration file: its document (with source ranges) and its plain JS value. */
export interface SourceFile {
  readonly path: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The document as plain data; undefined for an empty document. */
  readonly data: unknown;
}

export type ParseOutcome = { ok: true; file: SourceFile } | { ok: false; diagnostics: Diagnostic[] };

/** UTF-8 byte length without allocating for the common (small) case. */
function exceedsBytes(text: string, limit: number): boolean {
  if (text.length > limit) return true; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= limit) return false; // every unit is at most three bytes
  return new TextEncoder().encode(text).length > limit;
}

function errorAt(file: string, line: number, column: number, message: string, severity: Diagnostic["severity"] = "error"): Diagnostic {
  return { file, line, column, message, severity };
}

/** The first line of a `yaml` library message, without the " at line N, column M:" suffix prettyErrors adds. */
function cleanYamlMessage(message: string): string {
  const first = message.split("\n", 1)[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, "");
}

/**
 * Parses one configuration file. Never throws: size, syntax, duplicate keys and alias bombs all
 * become diagnostics.
 */
export function parseConfigFile(path: string, content: string): ParseOutcome {
  if (exceedsBytes(content, MAX_CONFIG_BYTES)) {
    return { ok: false, diagnostics: [errorAt(path, 1, 1, `file is larger than 1 MiB (${MAX_CONFIG_BYTES} bytes); configuration files must be small — split it or remove generated content`)] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { keepSourceTokens: true, prettyErrors: true, uniqueKeys: true, lineCounter, strict: true });
  if (doc.errors.length > 0) {
    const diagnostics = doc.errors.map((e) => {
      const pos = e.linePos?.[0] ?? { line: 1, col: 1 };
      if (e.code === "MULTIPLE_DOCS") return errorAt(path, pos.line, pos.col, "invalid YAML: the file holds more than one document (a --- separator); keep a single document");
      const hint = e.code === "DUPLICATE_KEY" ? " (remove or rename one of them)" : "";
      return errorAt(path, pos.line, pos.col, `invalid YAML: ${cleanYamlMessage(e.message)}${hint}`);
    });
    return { ok: false, diagnostics };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const text = /alias/i.test(message)
      ? `too many YAML alias expansions (more than ${MAX_ALIAS_COUNT}); write the values out instead of nesting aliases`
      : `cannot read YAML: ${message}`;
    return { ok: false, diagnostics: [errorAt(path, 1, 1, text)] };
  }
  return { ok: true, file: { path, doc, lineCounter, data } };
}

function resolve(file: SourceFile, node: unknown): Node | undefined {
  let current = node;
  // An alias can point to another alias only through a node; a few hops is plenty.
  for (let i = 0; i < 8 && isAlias(current); i++) current = current.resolve(file.doc);
  return isNode(current) ? current : undefined;
}

function childOf(file: SourceFile, node: Node, key: PropertyKey): { value: Node | undefined; key: Node | undefined } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (String(k) === String(key)) return { value: resolve(file, pair.value), key: isNode(pair.key) ? pair.key : undefined };
    }
    return undefined;
  }
  if (isSeq(node) && typeof key === "number") {
    const item = node.items[key];
    return item === undefined ? undefined : { value: resolve(file, item), key: undefined };
  }
  return undefined;
}

/**
 * The 1-based position of the node at `path`. With `at: "key"` the position of the map key (for
 * unknown keys). When the path does not exist (a missing key), the deepest existing node — the parent map.
 */
export function locate(file: SourceFile, path: DataPath, at: "value" | "key" = "value"): { line: number; column: number } {
  let node = resolve(file, file.doc.contents);
  let keyNode: Node | undefined;
  for (const segment of path) {
    if (!node) break;
    const child = childOf(file, node, segment);
    if (!child) {
      keyNode = undefined;
      break;
    }
    keyNode = child.key;
    // A key with an empty value (`from:`) has no value node: point at its key.
    if (!child.value) {
      node = undefined;
      break;
    }
    node = child.value;
  }
  const target = at === "key" && keyNode ? keyNode : (node ?? keyNode);
  const offset = target?.range?.[0] ?? 0;
  const pos = file.lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Reads a value of the plain data at `path` (undefined when absent). */
export function valueAt(data: unknown, path: DataPath): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** Builds a diagnostic at the node of `path` in `file`. */
export function diagnosticAt(file: SourceFile, path: DataPath, message: string, severity: Diagnostic["severity"] = "error", at: "value" | "key" = "value"): Diagnostic {
  const { line, column } = locate(file, path, at);
  return { file: file.path, line, column, message, severity };
}

/** Renders a data path as `environments[2].from[0]`. */
export function formatPath(path: DataPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
