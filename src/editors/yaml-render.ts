/**
 * Rendering a new scalar value in the style of the one it replaces. Only the scalar's own bytes
 * are produced; the caller splices them into the source.
 */
import { parse } from "yaml";
import type { Scalar } from "yaml";

const PLAIN_SAFE = /^[A-Za-z0-9_./][A-Za-z0-9_./:@+=-]*$/;
/** Words YAML 1.1 readers (go-yaml in kubectl/Argo CD/Flux) take as booleans or null. */
const YAML11_SPECIAL = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/;
/** YAML 1.1 sexagesimal numbers (`12:30`) and underscores in numbers (`1_000`). */
const YAML11_NUMBER = /^[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?|[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?)$/;

/** True when `value` can be written as a plain scalar and reads back as the same string in YAML 1.1 and 1.2. */
export function isPlainSafe(value: string): boolean {
  if (!PLAIN_SAFE.test(value) || YAML11_SPECIAL.test(value) || YAML11_NUMBER.test(value)) return false;
  try {
    return parse(value) === value;
  } catch {
    return false;
  }
}

/** A value as a plain scalar when safe, else double-quoted. */
export function renderNew(value: string): string {
  return isPlainSafe(value) ? value : JSON.stringify(value);
}

/** Result of rendering a replacement: the bytes for `[start, end)` and the resulting JS value. */
export interface RenderedScalar {
  start: number;
  end: number;
  text: string;
  /** The scalar's value after the edit (block scalars keep their trailing line break). */
  value: string;
}

/**
 * Bytes replacing `node` so that it reads back as `value`, in the node's own style: plain stays
 * plain (quoted only when plain would change the type), quotes keep their kind, a single-line
 * block scalar keeps its header and indentation.
 */
export function renderScalar(src: string, node: Scalar, value: string): RenderedScalar | { error: string } {
  const range = node.range;
  if (!range) return { error: "scalar has no source range" };
  const [start, end] = range;
  const text = src.slice(start, end);
  if (/[\r\n]/.test(value)) return { error: "new value spans lines" };
  // A folded quoted or plain scalar would collapse into one line: more than the scalar's line changes.
  if (!node.type?.startsWith("BLOCK") && /[\r\n]/.test(text)) return { error: "scalar spans several lines" };
  switch (node.type) {
    case "QUOTE_SINGLE":
      return { start, end, text: `'${value.replaceAll("'", "''")}'`, value };
    case "QUOTE_DOUBLE":
      return { start, end, text: JSON.stringify(value), value };
    case "BLOCK_FOLDED":
    case "BLOCK_LITERAL":
      return renderBlock(src, start, end, String(node.value), value);
    default: {
      if (text === "") {
        // `key:` with no value: the new value needs a separating space, and a space before a
        // following `# comment` so the comment stays a comment.
        const before = /\s/.test(src.charAt(start - 1)) ? "" : " ";
        const after = src.charAt(start) === "#" ? " " : "";
        return { start, end, text: `${before}${renderNew(value)}${after}`, value };
      }
      return { start, end, text: renderNew(value), value };
    }
  }
}

function renderBlock(src: string, start: number, end: number, oldValue: string, value: string): RenderedScalar | { error: string } {
  const trimmed = oldValue.trim();
  if (trimmed === "" || trimmed.includes("\n")) return { error: "block scalar holds more than one line" };
  const headerEnd = src.indexOf("\n", start);
  if (headerEnd < 0 || headerEnd >= end) return { error: "block scalar without body" };
  const at = src.indexOf(trimmed, headerEnd);
  if (at < 0 || at + trimmed.length > end) return { error: "block scalar body not found" };
  if (/^\s|\s$/.test(value)) return { error: "value not writable in a block scalar" };
  return { start: at, end: at + trimmed.length, text: value, value: oldValue.replace(trimmed, value) };
}
