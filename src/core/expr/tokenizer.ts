import { ExpressionError } from "./errors.js";

/** Longest accepted expression; policies cap conditions at 500 characters, this is a safety net. */
export const MAX_EXPRESSION_LENGTH = 4000;

export type TokenKind = "number" | "string" | "ident" | "op" | "eof";

/** One token; `pos` is the 0-based offset of its first character. */
export interface Token {
  kind: TokenKind;
  value: string;
  pos: number;
  /** Parsed value of number and string tokens. */
  literal?: number | string;
}

const KEYWORD_OPS = new Set(["and", "or", "not", "in", "contains", "startsWith", "endsWith"]);
// Longest first, so `**` wins over `*` and `<=` over `<`.
const PUNCTUATION = ["**", "==", "!=", "<=", ">=", "&&", "||", "??", "+", "-", "*", "/", "%", "^", "<", ">", "!", "?", ":", "(", ")", "[", "]", "{", "}", ",", ".", "#"];
const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", b: "\b", f: "\f", v: "\v" };

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function isIdentStart(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z_$]$/.test(c);
}

function isIdentPart(c: string | undefined): boolean {
  return c !== undefined && /^[A-Za-z0-9_$]$/.test(c);
}

/**
 * Splits an expression into tokens. A hand-written scanner (no regex over the whole input), so
 * run time is linear in the input length whatever the input.
 */
export function tokenize(source: string): Token[] {
  if (source.length > MAX_EXPRESSION_LENGTH) throw new ExpressionError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`, source, 1);
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === "." && isDigit(source[i + 1]))) {
      i = scanNumber(source, i, tokens);
      continue;
    }
    if (c === '"' || c === "'") {
      i = scanString(source, i, tokens);
      continue;
    }
    if (isIdentStart(c)) {
      while (isIdentPart(source[i])) i++;
      const word = source.slice(start, i);
      tokens.push({ kind: KEYWORD_OPS.has(word) ? "op" : "ident", value: word, pos: start });
      continue;
    }
    const op = PUNCTUATION.find((p) => source.startsWith(p, i));
    if (!op) throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, source, start + 1);
    tokens.push({ kind: "op", value: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: "eof", value: "", pos: source.length });
  return tokens;
}

function scanNumber(source: string, start: number, tokens: Token[]): number {
  let i = start;
  if (source[i] === "0" && (source[i + 1] === "x" || source[i + 1] === "X")) {
    i += 2;
    while (/^[0-9a-fA-F_]$/.test(source[i] ?? "")) i++;
  } else {
    while (isDigit(source[i]) || source[i] === "_") i++;
    // `1..3` is not a number followed by `.3`; a fraction needs a digit after the dot.
    if (source[i] === "." && isDigit(source[i + 1])) {
      i++;
      while (isDigit(source[i]) || source[i] === "_") i++;
    }
    if (source[i] === "e" || source[i] === "E") {
      let j = i + 1;
      if (source[j] === "+" || source[j] === "-") j++;
      if (isDigit(source[j])) {
        while (isDigit(source[j])) j++;
        i = j;
      }
    }
  }
  const text = source.slice(start, i);
  const value = Number(text.replaceAll("_", ""));
  if (!Number.isFinite(value) || isIdentPart(source[i])) throw new ExpressionError(`invalid number ${JSON.stringify(source.slice(start, i + 1))}`, source, start + 1);
  tokens.push({ kind: "number", value: text, pos: start, literal: value });
  return i;
}

function scanString(source: string, start: number, tokens: Token[]): number {
  const quote = source[start];
  let i = start + 1;
  let out = "";
  for (;;) {
    const c = source[i];
    if (c === undefined) throw new ExpressionError("unterminated string", source, start + 1);
    if (c === quote) break;
    if (c === "\\") {
      const e = source[i + 1];
      if (e === "u") {
        const hex = source.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ExpressionError("invalid \\u escape", source, i + 1);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
        continue;
      }
      const mapped = e === undefined ? undefined : ESCAPES[e];
      if (mapped === undefined) throw new ExpressionError(`invalid escape \\${e ?? ""}`, source, i + 1);
      out += mapped;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  tokens.push({ kind: "string", value: source.slice(start, i + 1), pos: start, literal: out });
  return i + 1;
}
