/**
 * The error hierarchy. Terminal errors are the caller's fault (bad config, bad input): report them,
 * never retry. Retryable errors are transient (GitHub 5xx, conflicts, rate limits): the next event
 * or tick repairs them. Octokit errors are translated into these in the GitHub adapter only.
 */
export class StagegateError extends Error {
  override name = "StagegateError";
  readonly context: Record<string, unknown>;
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.context = context;
  }
}

/** Bad input or configuration: retrying cannot help. The message is shown to the user as is. */
export class TerminalError extends StagegateError {
  override name = "TerminalError";
}

/** Invalid stagegate.yaml or policy; carries `file:line:col: message` lines. */
export class ConfigError extends TerminalError {
  override name = "ConfigError";
  readonly diagnostics: string[];
  constructor(diagnostics: string[], context: Record<string, unknown> = {}) {
    super(`invalid Stagegate configuration:\n${diagnostics.join("\n")}`, context);
    this.diagnostics = diagnostics;
  }
}

/** A named service, environment, PR or file does not exist. */
export class NotFoundError extends TerminalError {
  override name = "NotFoundError";
}

/** The caller may not do this (not in the policy's promoters/override teams, bad signature). */
export class PermissionError extends TerminalError {
  override name = "PermissionError";
}

/** Transient: the operation may succeed later. `retryAfterMs` when the server said so. */
export class RetryableError extends StagegateError {
  override name = "RetryableError";
  readonly retryAfterMs: number | undefined;
  constructor(message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, context, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Someone else moved the branch/PR first (expectedHeadOid mismatch, 409, 422 "already exists"). */
export class ConflictError extends RetryableError {
  override name = "ConflictError";
}

export function isTerminal(error: unknown): error is TerminalError {
  return error instanceof TerminalError;
}
