import { ExpressionError } from "./errors.js";
import { callBuiltin, isBuiltin } from "./builtins.js";
import { isRecord, typeName } from "./values.js";
import type { BinaryOp, Node } from "./parser.js";

/** Evaluation steps allowed per evaluation; every node visited and every element iterated costs one. */
export const DEFAULT_MAX_STEPS = 100_000;

/** What an evaluation sees: the variables, the `#` of the innermost predicate, and the step budget. */
export interface Scope {
  env: Readonly<Record<string, unknown>>;
  pointer?: { value: unknown };
}

/** Walks a syntax tree. One instance per evaluation: it holds the step counter. */
export class Interpreter {
  private steps = 0;

  constructor(
    private readonly source: string,
    private readonly maxSteps: number = DEFAULT_MAX_STEPS,
  ) {}

  /** Raises an {@link ExpressionError} pointing at `node`. */
  fail(node: { pos: number }, message: string): never {
    throw new ExpressionError(message, this.source, node.pos + 1);
  }

  /** Charges `n` steps to the budget; long iterations call this so no input can hang evaluation. */
  tick(node: { pos: number }, n = 1): void {
    this.steps += n;
    if (this.steps > this.maxSteps) this.fail(node, `evaluation exceeded ${this.maxSteps} steps`);
  }

  evaluate(node: Node, scope: Scope): unknown {
    this.tick(node);
    switch (node.kind) {
      case "literal":
        return node.value;
      case "ident":
        if (Object.hasOwn(scope.env, node.name)) return Object.getOwnPropertyDescriptor(scope.env, node.name)?.value;
        if (isBuiltin(node.name)) return this.fail(node, `${node.name} is a function: call it as ${node.name}(…)`);
        return this.fail(node, `unknown name ${node.name}`);
      case "pointer":
        if (!scope.pointer) return this.fail(node, "# is only defined inside a predicate such as all(list, {# > 0})");
        return scope.pointer.value;
      case "member":
        return this.member(node, this.evaluate(node.object, scope), this.evaluate(node.property, scope));
      case "unary":
        return this.unary(node, this.evaluate(node.operand, scope));
      case "binary":
        return this.binary(node, scope);
      case "conditional": {
        const test = this.evaluate(node.test, scope);
        if (typeof test !== "boolean") return this.fail(node, `condition of ?: must be bool, got ${typeName(test)}`);
        return this.evaluate(test ? node.consequent : node.alternate, scope);
      }
      case "call":
        return callBuiltin(this, node, scope);
      case "array":
        return node.elements.map((e) => this.evaluate(e, scope));
      case "closure":
        return this.fail(node, "a {…} predicate is only allowed as an argument of all, any, none, one, filter, map or count");
    }
  }

  private member(node: Node, object: unknown, key: unknown): unknown {
    if (Array.isArray(object)) {
      if (typeof key !== "number" || !Number.isInteger(key)) return this.fail(node, `array index must be an integer, got ${typeName(key)}`);
      const index = key < 0 ? object.length + key : key;
      if (index < 0 || index >= object.length) return this.fail(node, `index ${key} out of range (length ${object.length})`);
      return object[index];
    }
    if (isRecord(object)) {
      if (typeof key !== "string") return this.fail(node, `map key must be a string, got ${typeName(key)}`);
      // Own data properties only: no prototype walk, no getters, so `constructor`, `__proto__` are just absent keys.
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      return descriptor && "value" in descriptor ? descriptor.value : null;
    }
    return this.fail(node, `cannot read ${typeof key === "string" ? `field ${key}` : `index ${String(key)}`} of ${typeName(object)}`);
  }

  private unary(node: Extract<Node, { kind: "unary" }>, value: unknown): unknown {
    if (node.op === "!") {
      if (typeof value !== "boolean") return this.fail(node, `not/! needs a bool, got ${typeName(value)}`);
      return !value;
    }
    if (typeof value !== "number") return this.fail(node, `unary ${node.op} needs a number, got ${typeName(value)}`);
    return node.op === "-" ? -value : value;
  }

  private binary(node: Extract<Node, { kind: "binary" }>, scope: Scope): unknown {
    const { op } = node;
    if (op === "&&" || op === "||") {
      const left = this.evaluate(node.left, scope);
      if (typeof left !== "boolean") return this.fail(node, `${op} needs bools, got ${typeName(left)}`);
      if (op === "&&" ? !left : left) return left;
      const right = this.evaluate(node.right, scope);
      if (typeof right !== "boolean") return this.fail(node, `${op} needs bools, got ${typeName(right)}`);
      return right;
    }
    if (op === "??") {
      const left = this.evaluate(node.left, scope);
      return left === null || left === undefined ? this.evaluate(node.right, scope) : left;
    }
    return this.apply(node, op, this.evaluate(node.left, scope), this.evaluate(node.right, scope));
  }

  private apply(node: Node, op: BinaryOp, left: unknown, right: unknown): unknown {
    switch (op) {
      case "==":
        return this.equals(node, left, right);
      case "!=":
        return !this.equals(node, left, right);
      case "<":
      case "<=":
      case ">":
      case ">=":
        return this.compare(node, op, left, right);
      case "in":
      case "not in": {
        const found = this.contains(node, right, left);
        return op === "in" ? found : !found;
      }
      case "contains":
      case "startsWith":
      case "endsWith":
        if (typeof left !== "string" || typeof right !== "string") return this.fail(node, `${op} needs strings, got ${typeName(left)} and ${typeName(right)}`);
        return op === "contains" ? left.includes(right) : op === "startsWith" ? left.startsWith(right) : left.endsWith(right);
      case "+":
        if (typeof left === "string" && typeof right === "string") return left + right;
        return this.arithmetic(node, op, left, right);
      default:
        return this.arithmetic(node, op, left, right);
    }
  }

  private arithmetic(node: Node, op: BinaryOp, left: unknown, right: unknown): number {
    if (typeof left !== "number" || typeof right !== "number") return this.fail(node, `${op} needs numbers, got ${typeName(left)} and ${typeName(right)}`);
    switch (op) {
      case "+":
        return left + right;
      case "-":
        return left - right;
      case "*":
        return left * right;
      case "/":
        return left / right;
      case "%":
        if (right === 0) return this.fail(node, "modulo by zero");
        return left % right;
      case "**":
        return left ** right;
      default:
        return this.fail(node, `unsupported operator ${op}`);
    }
  }

  private compare(node: Node, op: "<" | "<=" | ">" | ">=", left: unknown, right: unknown): boolean {
    const comparable = (typeof left === "number" && typeof right === "number") || (typeof left === "string" && typeof right === "string");
    if (!comparable) return this.fail(node, `${op} needs two numbers or two strings, got ${typeName(left)} and ${typeName(right)}`);
    const a = left as number | string;
    const b = right as number | string;
    return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
  }

  private contains(node: Node, container: unknown, item: unknown): boolean {
    if (Array.isArray(container)) {
      this.tick(node, container.length);
      return container.some((e) => this.equals(node, e, item));
    }
    if (isRecord(container)) {
      if (typeof item !== "string") return this.fail(node, `in over a map needs a string key, got ${typeName(item)}`);
      return Object.hasOwn(container, item);
    }
    return this.fail(node, `in needs an array or a map on the right, got ${typeName(container)}`);
  }

  /** Structural equality; nil equals only nil; numbers compare by value (1 == 1.0). */
  equals(node: Node, a: unknown, b: unknown): boolean {
    this.tick(node);
    if (a === undefined) a = null;
    if (b === undefined) b = null;
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => this.equals(node, x, b[i]));
    if (isRecord(a) && isRecord(b)) {
      const keys = Object.keys(a);
      return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && this.equals(node, a[k], b[k]));
    }
    return false;
  }
}
