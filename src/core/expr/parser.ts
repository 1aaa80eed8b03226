import { ExpressionError } from "./errors.js";
import { tokenize, type Token } from "./tokenizer.js";

/** Deepest nesting accepted; deeper input is refused rather than risking the call stack. */
export const MAX_AST_DEPTH = 64;

/** The syntax tree. `pos` is the 0-based offset of the node's first token (columns are pos + 1). */
export type Node =
  | { kind: "literal"; value: null | boolean | number | string; pos: number }
  | { kind: "ident"; name: string; pos: number }
  | { kind: "pointer"; pos: number }
  | { kind: "member"; object: Node; property: Node; pos: number }
  | { kind: "unary"; op: "!" | "-" | "+"; operand: Node; pos: number }
  | { kind: "binary"; op: BinaryOp; left: Node; right: Node; pos: number }
  | { kind: "conditional"; test: Node; consequent: Node; alternate: Node; pos: number }
  | { kind: "call"; callee: string; args: Node[]; pos: number }
  | { kind: "array"; elements: Node[]; pos: number }
  | { kind: "closure"; body: Node; pos: number };

export type BinaryOp =
  | "||" | "&&" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in"
  | "contains" | "startsWith" | "endsWith" | "+" | "-" | "*" | "/" | "%" | "**" | "??";

// Precedences follow expr-lang (github.com/expr-lang/expr parser/operator), which Argo Rollouts uses.
const BINARY: Record<string, { op: BinaryOp; prec: number; right?: boolean }> = {
  or: { op: "||", prec: 10 },
  "||": { op: "||", prec: 10 },
  and: { op: "&&", prec: 15 },
  "&&": { op: "&&", prec: 15 },
  "==": { op: "==", prec: 20 },
  "!=": { op: "!=", prec: 20 },
  "<": { op: "<", prec: 20 },
  "<=": { op: "<=", prec: 20 },
  ">": { op: ">", prec: 20 },
  ">=": { op: ">=", prec: 20 },
  in: { op: "in", prec: 20 },
  contains: { op: "contains", prec: 20 },
  startsWith: { op: "startsWith", prec: 20 },
  endsWith: { op: "endsWith", prec: 20 },
  "+": { op: "+", prec: 30 },
  "-": { op: "-", prec: 30 },
  "*": { op: "*", prec: 60 },
  "/": { op: "/", prec: 60 },
  "%": { op: "%", prec: 60 },
  "**": { op: "**", prec: 100, right: true },
  "^": { op: "**", prec: 100, right: true },
  "??": { op: "??", prec: 500 },
};
const UNARY: Record<string, { op: "!" | "-" | "+"; prec: number }> = {
  "!": { op: "!", prec: 50 },
  not: { op: "!", prec: 50 },
  "-": { op: "-", prec: 90 },
  "+": { op: "+", prec: 90 },
};
const CONSTANTS: Record<string, null | boolean> = { nil: null, true: true, false: false };

/** Parses an expression into a syntax tree; throws {@link ExpressionError} with the column on bad input. */
export function parse(source: string): Node {
  return new Parser(source).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private depth = 0;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  parseAll(): Node {
    if (this.peek().kind === "eof") throw this.error("empty expression", this.peek());
    const node = this.parseTernary();
    const rest = this.peek();
    if (rest.kind !== "eof") throw this.error(`unexpected ${describe(rest)}`, rest);
    // Operator chains (`1+1+1…`, `a.b.c…`) are parsed in loops but still build deep trees; bound them too.
    const deep = findTooDeep(node, 1);
    if (deep) throw new ExpressionError(`expression nested deeper than ${MAX_AST_DEPTH} levels`, this.source, deep.pos + 1);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.index++;
    return token;
  }

  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === "op" && t.value === value;
  }

  private expect(value: string): Token {
    const token = this.peek();
    if (!this.isOp(value)) throw this.error(`expected "${value}" but found ${describe(token)}`, token);
    return this.next();
  }

  private error(message: string, token: Token): ExpressionError {
    return new ExpressionError(message, this.source, token.pos + 1);
  }

  private enter(token: Token): void {
    if (++this.depth > MAX_AST_DEPTH) throw this.error(`expression nested deeper than ${MAX_AST_DEPTH} levels`, token);
  }

  private parseTernary(): Node {
    const start = this.peek();
    this.enter(start);
    let node = this.parseBinary(0);
    if (this.isOp("?")) {
      this.next();
      const consequent = this.parseTernary();
      this.expect(":");
      const alternate = this.parseTernary();
      node = { kind: "conditional", test: node, consequent, alternate, pos: node.pos };
    }
    this.depth--;
    return node;
  }

  private parseBinary(minPrec: number): Node {
    let left = this.parseUnary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== "op") break;
      let info = BINARY[token.value];
      let width = 1;
      if (token.value === "not" && this.isOp("in", 1)) {
        info = { op: "not in", prec: 20 };
        width = 2;
      }
      if (!info || info.prec < minPrec) break;
      this.index += width;
      this.enter(token);
      const right = this.parseBinary(info.right ? info.prec : info.prec + 1);
      this.depth--;
      left = { kind: "binary", op: info.op, left, right, pos: token.pos };
    }
    return left;
  }

  private parseUnary(): Node {
    const token = this.peek();
    const unary = token.kind === "op" ? UNARY[token.value] : undefined;
    if (unary) {
      this.next();
      this.enter(token);
      const operand = this.parseBinary(unary.prec);
      this.depth--;
      return { kind: "unary", op: unary.op, operand, pos: token.pos };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(node: Node): Node {
    for (;;) {
      const token = this.peek();
      if (this.isOp(".")) {
        this.next();
        const name = this.next();
        // `a.in`, `a.and`… are plain field names after a dot.
        if (name.kind !== "ident" && !(name.kind === "op" && /^[A-Za-z]/.test(name.value))) throw this.error(`expected a field name after "." but found ${describe(name)}`, name);
        node = { kind: "member", object: node, property: { kind: "literal", value: name.value, pos: name.pos }, pos: token.pos };
      } else if (this.isOp("[")) {
        this.next();
        this.enter(token);
        const property = this.parseTernary();
        this.depth--;
        this.expect("]");
        node = { kind: "member", object: node, property, pos: token.pos };
      } else {
        return node;
      }
    }
  }

  private parsePrimary(): Node {
    const token = this.next();
    switch (token.kind) {
      case "number":
      case "string":
        return { kind: "literal", value: token.literal!, pos: token.pos };
      case "ident": {
        if (Object.hasOwn(CONSTANTS, token.value)) return { kind: "literal", value: CONSTANTS[token.value]!, pos: token.pos };
        if (this.isOp("(")) return { kind: "call", callee: token.value, args: this.parseList("(", ")"), pos: token.pos };
        return { kind: "ident", name: token.value, pos: token.pos };
      }
      case "op":
        if (token.value === "#") return { kind: "pointer", pos: token.pos };
        if (token.value === "(") {
          const inner = this.parseTernary();
          this.expect(")");
          return inner;
        }
        if (token.value === "[") {
          this.index--;
          return { kind: "array", elements: this.parseList("[", "]"), pos: token.pos };
        }
        if (token.value === "{") {
          this.enter(token);
          const body = this.parseTernary();
          this.depth--;
          this.expect("}");
          return { kind: "closure", body, pos: token.pos };
        }
        throw this.error(`unexpected ${describe(token)}`, token);
      case "eof":
        throw this.error("unexpected end of expression", token);
    }
  }

  private parseList(open: string, close: string): Node[] {
    const start = this.expect(open);
    this.enter(start);
    const items: Node[] = [];
    while (!this.isOp(close)) {
      items.push(this.parseTernary());
      if (!this.isOp(",")) break;
      this.next();
    }
    this.expect(close);
    this.depth--;
    return items;
  }
}

function describe(token: Token): string {
  return token.kind === "eof" ? "end of expression" : `"${token.value}"`;
}

function children(node: Node): Node[] {
  switch (node.kind) {
    case "member":
      return [node.object, node.property];
    case "unary":
      return [node.operand];
    case "binary":
      return [node.left, node.right];
    case "conditional":
      return [node.test, node.consequent, node.alternate];
    case "call":
      return node.args;
    case "array":
      return node.elements;
    case "closure":
      return [node.body];
    default:
      return [];
  }
}

/** The first node found below the depth limit, or undefined. Stops descending at the limit. */
function findTooDeep(node: Node, depth: number): Node | undefined {
  if (depth > MAX_AST_DEPTH) return node;
  for (const child of children(node)) {
    const found = findTooDeep(child, depth + 1);
    if (found) return found;
  }
  return undefined;
}
