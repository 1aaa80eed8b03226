import type { Interpreter, Scope } from "./interpreter.js";
import type { Node } from "./parser.js";
import { isRecord, typeName } from "./values.js";

type CallNode = Extract<Node, { kind: "call" }>;
type Plain = (args: unknown[], fail: (message: string) => never) => unknown;

function num(name: string, value: unknown, fail: (m: string) => never): number {
  if (typeof value !== "number") fail(`${name}() needs a number, got ${typeName(value)}`);
  return value as number;
}

function numbers(name: string, args: unknown[], fail: (m: string) => never): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (list.length === 0) fail(`${name}() needs at least one number`);
  return list.map((v) => num(name, v, fail));
}

function arity(name: string, args: unknown[], n: number, fail: (m: string) => never): void {
  if (args.length !== n) fail(`${name}() takes ${n} argument${n === 1 ? "" : "s"}, got ${args.length}`);
}

function toNumber(name: string, value: unknown, fail: (m: string) => never): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") {
    const parsed = Number(value.trim());
    if (!Number.isNaN(parsed) || value.trim() === "NaN") return parsed;
  }
  return fail(`${name}() cannot convert ${typeName(value)} ${JSON.stringify(value)} to a number`);
}

// Argo Rollouts adds isNaN, isInf, isNil, default, asInt and asFloat to expr-lang's builtins; users' templates rely on them.
const PLAIN: Record<string, Plain> = {
  len: (args, fail) => {
    arity("len", args, 1, fail);
    const [v] = args;
    if (typeof v === "string" || Array.isArray(v)) return v.length;
    if (isRecord(v)) return Object.keys(v).length;
    return fail(`len() needs a string, array or map, got ${typeName(v)}`);
  },
  abs: (args, fail) => (arity("abs", args, 1, fail), Math.abs(num("abs", args[0], fail))),
  ceil: (args, fail) => (arity("ceil", args, 1, fail), Math.ceil(num("ceil", args[0], fail))),
  floor: (args, fail) => (arity("floor", args, 1, fail), Math.floor(num("floor", args[0], fail))),
  round: (args, fail) => (arity("round", args, 1, fail), Math.round(num("round", args[0], fail))),
  min: (args, fail) => Math.min(...numbers("min", args, fail)),
  max: (args, fail) => Math.max(...numbers("max", args, fail)),
  sum: (args, fail) => {
    arity("sum", args, 1, fail);
    if (!Array.isArray(args[0])) fail(`sum() needs an array, got ${typeName(args[0])}`);
    return (args[0] as unknown[]).reduce<number>((acc, v) => acc + num("sum", v, fail), 0);
  },
  mean: (args, fail) => {
    arity("mean", args, 1, fail);
    if (!Array.isArray(args[0])) fail(`mean() needs an array, got ${typeName(args[0])}`);
    const list = args[0] as unknown[];
    return list.length === 0 ? 0 : list.reduce<number>((acc, v) => acc + num("mean", v, fail), 0) / list.length;
  },
  int: (args, fail) => (arity("int", args, 1, fail), Math.trunc(toNumber("int", args[0], fail))),
  float: (args, fail) => (arity("float", args, 1, fail), toNumber("float", args[0], fail)),
  asInt: (args, fail) => {
    arity("asInt", args, 1, fail);
    const n = toNumber("asInt", args[0], fail);
    if (!Number.isInteger(n)) fail(`asInt() got a non-integer ${n}`);
    return n;
  },
  asFloat: (args, fail) => (arity("asFloat", args, 1, fail), toNumber("asFloat", args[0], fail)),
  string: (args, fail) => {
    arity("string", args, 1, fail);
    const [v] = args;
    if (v === null || v === undefined) return "nil";
    return typeof v === "string" ? v : typeof v === "number" || typeof v === "boolean" ? String(v) : JSON.stringify(v);
  },
  isNaN: (args, fail) => (arity("isNaN", args, 1, fail), Number.isNaN(num("isNaN", args[0], fail))),
  isInf: (args, fail) => {
    arity("isInf", args, 1, fail);
    const v = num("isInf", args[0], fail);
    return v === Infinity || v === -Infinity;
  },
  isNil: (args, fail) => (arity("isNil", args, 1, fail), args[0] === null || args[0] === undefined),
  default: (args, fail) => (arity("default", args, 2, fail), args[0] === null || args[0] === undefined ? args[1] : args[0]),
};

type Predicate = "all" | "any" | "none" | "one" | "filter" | "map" | "count";
const PREDICATES = new Set<string>(["all", "any", "none", "one", "filter", "map", "count"] satisfies Predicate[]);

/** True when `name` is a function an expression may call. */
export function isBuiltin(name: string): boolean {
  return Object.hasOwn(PLAIN, name) || PREDICATES.has(name);
}

/** Names of every callable function (documented in docs/gates.md). */
export const BUILTIN_NAMES: readonly string[] = [...Object.keys(PLAIN), ...PREDICATES].sort();

/** Calls a whitelisted builtin. Predicates evaluate their second argument once per element with `#` bound. */
export function callBuiltin(interpreter: Interpreter, node: CallNode, scope: Scope): unknown {
  const fail = (message: string): never => interpreter.fail(node, message);
  if (PREDICATES.has(node.callee)) return callPredicate(interpreter, node, scope, node.callee as Predicate, fail);
  const fn = Object.hasOwn(PLAIN, node.callee) ? PLAIN[node.callee] : undefined;
  if (!fn) return fail(`unknown function ${node.callee}() (available: ${BUILTIN_NAMES.join(", ")})`);
  return fn(
    node.args.map((a) => interpreter.evaluate(a, scope)),
    fail,
  );
}

function callPredicate(interpreter: Interpreter, node: CallNode, scope: Scope, name: Predicate, fail: (m: string) => never): unknown {
  if (node.args.length !== 2) fail(`${name}() takes 2 arguments (a list and a predicate), got ${node.args.length}`);
  const list = interpreter.evaluate(node.args[0]!, scope);
  if (!Array.isArray(list)) fail(`${name}() needs an array, got ${typeName(list)}`);
  const arg = node.args[1]!;
  const body = arg.kind === "closure" ? arg.body : arg;
  const items = list as unknown[];
  interpreter.tick(node, items.length);
  const test = (item: unknown): boolean => {
    const value = interpreter.evaluate(body, { env: scope.env, pointer: { value: item } });
    if (typeof value !== "boolean") fail(`predicate of ${name}() must return a bool, got ${typeName(value)}`);
    return value as boolean;
  };
  switch (name) {
    case "all":
      return items.every(test);
    case "any":
      return items.some(test);
    case "none":
      return !items.some(test);
    case "one":
      return items.filter(test).length === 1;
    case "filter":
      return items.filter(test);
    case "count":
      return items.filter(test).length;
    case "map":
      return items.map((item) => interpreter.evaluate(body, { env: scope.env, pointer: { value: item } }));
  }
}
