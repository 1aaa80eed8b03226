import { ExpressionError } from "./errors.js";
import { DEFAULT_MAX_STEPS, Interpreter } from "./interpreter.js";
import { parse, type Node } from "./parser.js";
import { typeName } from "./values.js";

export { ExpressionError } from "./errors.js";
export { BUILTIN_NAMES } from "./builtins.js";
export { MAX_AST_DEPTH } from "./parser.js";
export { MAX_EXPRESSION_LENGTH } from "./tokenizer.js";
export { DEFAULT_MAX_STEPS } from "./interpreter.js";

/** Options of one evaluation. */
export interface EvaluateOptions {
  /** Step budget (default {@link DEFAULT_MAX_STEPS}). */
  maxSteps?: number;
}

/** A parsed expression, reusable across evaluations (each evaluation gets a fresh step budget). */
export interface CompiledExpression {
  readonly source: string;
  evaluate(env: Readonly<Record<string, unknown>>, options?: EvaluateOptions): unknown;
}

/**
 * Parses an expression of the expr-lang subset Argo Rollouts users write (see docs/gates.md).
 * Never uses eval/Function: a tokenizer, a Pratt parser and a tree-walking interpreter with
 * limits on length, depth and steps. Throws {@link ExpressionError} (with the column) on bad syntax.
 */
export function compileExpression(source: string): CompiledExpression {
  const ast: Node = parse(source);
  return {
    source,
    evaluate: (env, options) => new Interpreter(source, options?.maxSteps ?? DEFAULT_MAX_STEPS).evaluate(ast, { env }),
  };
}

/** Parses and evaluates in one go. */
export function evaluateExpression(source: string, env: Readonly<Record<string, unknown>>, options?: EvaluateOptions): unknown {
  return compileExpression(source).evaluate(env, options);
}

/** Evaluates a condition that must yield a bool (successCondition, failureCondition, expect). */
export function evaluateCondition(source: string, env: Readonly<Record<string, unknown>>, options?: EvaluateOptions): boolean {
  const value = evaluateExpression(source, env, options);
  if (typeof value !== "boolean") throw new ExpressionError(`condition must evaluate to a bool, got ${typeName(value)}`, source, 1);
  return value;
}
