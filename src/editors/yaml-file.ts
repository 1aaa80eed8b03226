/**
 * A parsed YAML file as the editors see it: the documents (with source ranges), a line index
 * and, per document, every JSON pointer under which each node appears (aliases included).
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Document, Node, Pair, Scalar, YAMLMap } from "yaml";

export type YamlDocument = Document.Parsed;

/**
 * Parse options shared by the editors and the verifier: both must read the file the same way.
 * Splices use node source ranges (and `Scalar.source` for number text), which the composer
 * always records; CST tokens (`keepSourceTokens`) would only cost memory and time.
 */
export const PARSE_OPTIONS = { keepSourceTokens: false, prettyErrors: false } as const;

/** Parse every document of `content`; an empty stream yields no documents. */
export function parseDocuments(content: string): YamlDocument[] {
  const parsed = parseAllDocuments(content, PARSE_OPTIONS);
  return Array.isArray(parsed) ? parsed : [];
}

/** The JSON value of a file: the document for one document, the array of documents otherwise. */
export function toPatchTarget(docs: YamlDocument[]): unknown {
  const values = docs.map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown);
  return values.length === 1 ? values[0] : values;
}

/** Escape one JSON pointer segment (RFC 6901). */
export function escapePointer(segment: string | number): string {
  return String(segment).replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Offsets of line starts, to turn offsets into 1-based line/column. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(content: string) {
    for (let i = 0; i < content.length; i++) if (content.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}

/** A parsed file plus lazily built indexes. Built once per editor run, shared by all editors. */
export class YamlFile {
  readonly docs: YamlDocument[];
  readonly lines: LineIndex;
  /** Parse errors of the first failing document, if any. */
  readonly error: string | undefined;
  private readonly pointerIndexes = new Map<number, Map<Node, string[]>>();

  /** The text the editors work on: the file without its byte order mark. */
  readonly content: string;
  /** Whether the file starts with a UTF-8 byte order mark (put back after editing). */
  readonly bom: boolean;

  constructor(
    readonly fileName: string,
    source: string,
  ) {
    // The BOM is set aside: yaml 2.x misreads a BOM followed by a root block sequence.
    this.bom = source.charCodeAt(0) === 0xfeff;
    this.content = this.bom ? source.slice(1) : source;
    this.docs = parseDocuments(this.content);
    this.lines = new LineIndex(this.content);
    const failed = this.docs.find((doc) => doc.errors.length > 0);
    this.error = failed?.errors[0]?.message.split("\n")[0];
  }

  /** Every pointer under which `node` appears in document `docIndex` (the anchor site first). */
  pointersOf(docIndex: number, node: Node): string[] {
    let index = this.pointerIndexes.get(docIndex);
    if (!index) {
      index = buildPointerIndex(this.docs[docIndex]);
      this.pointerIndexes.set(docIndex, index);
    }
    return index.get(node) ?? [];
  }

  /** 1-based position of a node's first character. */
  positionOf(node: Node): { line: number; column: number } {
    return this.lines.position(node.range?.[0] ?? 0);
  }
}

function buildPointerIndex(doc: YamlDocument | undefined): Map<Node, string[]> {
  const index = new Map<Node, string[]>();
  if (!doc) return index;
  const visit = (node: unknown, pointer: string, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== "object") return;
    if (isAlias(node)) {
      visit(resolveNode(doc, node), pointer, depth + 1);
      return;
    }
    const list = index.get(node as Node);
    if (list) list.push(pointer);
    else index.set(node as Node, [pointer]);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = keyString(pair);
        if (key !== undefined) visit(pair.value, `${pointer}/${escapePointer(key)}`, depth + 1);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${pointer}/${i}`, depth + 1));
    }
  };
  visit(doc.contents, "", 0);
  return index;
}

/** The string form of a pair's key, as `toJS` would use it (undefined for complex keys). */
export function keyString(pair: Pair): string | undefined {
  const key = pair.key;
  if (isScalar(key)) return String(key.value);
  if (key === null || key === undefined) return "";
  if (typeof key === "string" || typeof key === "number") return String(key);
  return undefined;
}

/**
 * Memo of alias targets. `Alias.resolve` walks the whole document on every call, which made
 * files with many aliases (docker compose `<<: *logging`) quadratic. Parsed documents are never
 * mutated here, so the memo cannot go stale; a WeakMap lets it go with the documents.
 */
const aliasTargets = new WeakMap<object, unknown>();

/** Follow an alias to its anchored node. */
export function resolveNode(doc: YamlDocument, node: unknown): unknown {
  let current = node;
  for (let i = 0; i < 16 && isAlias(current); i++) {
    const alias: object = current;
    if (!aliasTargets.has(alias)) aliasTargets.set(alias, current.resolve(doc));
    current = aliasTargets.get(alias);
  }
  return current;
}

/** The pair for `key` in a map (aliases in the key position are not followed). */
export function getPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => keyString(pair) === key);
}

/** The value of `key` in a map, aliases resolved. */
export function getValue(doc: YamlDocument, map: unknown, key: string): unknown {
  if (!isMap(map)) return undefined;
  const pair = getPair(map, key);
  return pair ? resolveNode(doc, pair.value) : undefined;
}

/** The scalar at `key` when it holds a string/number/null scalar. */
export function getScalar(doc: YamlDocument, map: unknown, key: string): Scalar | undefined {
  const value = getValue(doc, map, key);
  return isScalar(value) ? value : undefined;
}

/** A scalar's value as a string (numbers keep their source text: `1.10` stays `1.10`). */
export function scalarText(node: Scalar | undefined): string | undefined {
  if (!node || node.value === null || node.value === undefined) return undefined;
  if (typeof node.value === "string") return node.value;
  if (node.type === "PLAIN" && typeof node.source === "string" && node.source !== "") return node.source;
  return String(node.value);
}

/** Walk every map in a subtree, each once (a map reached again through an alias is not revisited). */
export function visitMaps(doc: YamlDocument, root: unknown, visit: (map: YAMLMap) => void): void {
  const seen = new Set<unknown>();
  const walk = (node: unknown, depth: number): void => {
    const resolved = resolveNode(doc, node);
    if (depth > 64 || seen.has(resolved)) return;
    if (isMap(resolved)) {
      seen.add(resolved);
      visit(resolved);
      for (const pair of resolved.items) walk(pair.value, depth + 1);
    } else if (isSeq(resolved)) {
      seen.add(resolved);
      for (const item of resolved.items) walk(item, depth + 1);
    }
  };
  walk(root, 0);
}

/** Root map of a document when it is a Kubernetes-style object (`apiVersion` + `kind`). */
export function getKind(doc: YamlDocument): { apiVersion: string; kind: string } | undefined {
  const apiVersion = scalarText(getScalar(doc, doc.contents, "apiVersion"));
  const kind = scalarText(getScalar(doc, doc.contents, "kind"));
  return apiVersion !== undefined && kind !== undefined ? { apiVersion, kind } : undefined;
}
