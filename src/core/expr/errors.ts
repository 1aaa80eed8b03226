import { TerminalError } from "../errors.js";

/**
 * A syntax or evaluation error in a user's expression (successCondition, failureCondition, http
 * expectations). Terminal: the expression is wrong, retrying cannot help. `column` is 1-based.
 */
export class ExpressionError extends TerminalError {
  override name = "ExpressionError";
  readonly column: number;
  readonly expression: string;
  constructor(message: string, expression: string, column: number) {
    super(`${message} (column ${column})`, { expression, column });
    this.column = column;
    this.expression = expression;
  }
}
