/**
 * The one place where Octokit failures become domain errors (src/core/errors.ts). Everything else in the
 * adapter lets errors flow through `translateGitHubError`, so handlers only ever see StagegateErrors.
 */
import { ConflictError, NotFoundError, PermissionError, RetryableError, StagegateError, TerminalError } from "../../core/errors.js";

/** One entry of a GraphQL `errors` array as GitHub returns it (`type` is GitHub's extension). */
export interface GraphqlErrorEntry {
  message: string;
  type?: string;
  path?: (string | number)[];
}

interface HttpLikeError {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function isHttpLikeError(error: unknown): error is HttpLikeError {
  return typeof error === "object" && error !== null && typeof (error as { status?: unknown }).status === "number";
}

/** The `errors` of a GraphqlResponseError (data may be partial), or undefined for other errors. */
export function getGraphqlErrors(error: unknown): GraphqlErrorEntry[] | undefined {
  if (typeof error !== "object" || error === null || (error as { name?: unknown }).name !== "GraphqlResponseError") return undefined;
  const errors = (error as { errors?: unknown }).errors;
  return Array.isArray(errors) ? (errors as GraphqlErrorEntry[]) : undefined;
}

/** The partial `data` of a GraphqlResponseError. */
export function getGraphqlPartialData<T>(error: unknown): Partial<T> | undefined {
  if (getGraphqlErrors(error) === undefined) return undefined;
  return ((error as { data?: unknown }).data ?? undefined) as Partial<T> | undefined;
}

const conflictPatterns = [/already exists/i, /expected branch to point to/i, /expectedHeadOid/i, /is not up to date/i, /reference update failed/i, /update is not a fast forward/i];

/** Classifies one GraphQL error entry (shared by whole-request and per-field handling). */
export function classifyGraphqlError(entry: GraphqlErrorEntry): "conflict" | "not-found" | "permission" | "retryable" | "terminal" {
  const type = entry.type ?? "";
  if (conflictPatterns.some((p) => p.test(entry.message))) return "conflict";
  if (type === "NOT_FOUND") return "not-found";
  if (type === "FORBIDDEN" || type === "INSUFFICIENT_SCOPES") return "permission";
  if (type === "RATE_LIMITED" || type === "SERVICE_UNAVAILABLE" || /timeout|temporarily|something went wrong/i.test(entry.message)) return "retryable";
  return "terminal";
}

function retryAfterMs(headers: Record<string, string | number | undefined> | undefined, now: number): number | undefined {
  const retryAfter = headers?.["retry-after"];
  if (retryAfter !== undefined && Number.isFinite(Number(retryAfter))) return Number(retryAfter) * 1000;
  const reset = headers?.["x-ratelimit-reset"];
  if (headers?.["x-ratelimit-remaining"] === "0" && reset !== undefined) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

function isRateLimited(error: HttpLikeError): boolean {
  const headers = error.response?.headers;
  return (
    error.status === 429 ||
    headers?.["retry-after"] !== undefined ||
    String(headers?.["x-ratelimit-remaining"]) === "0" ||
    /rate limit/i.test(error.message)
  );
}

/**
 * Turns any error thrown by Octokit into a StagegateError with `operation` and the repo in its context:
 * 5xx, 429 and rate limits (primary or secondary, with retry-after) → RetryableError; 409, 422 "already exists"
 * and expectedHeadOid mismatches → ConflictError; other 403 → PermissionError; 404 → NotFoundError;
 * other 4xx → TerminalError. StagegateErrors pass through unchanged.
 */
export function translateGitHubError(error: unknown, context: Record<string, unknown>, now = Date.now()): StagegateError {
  if (error instanceof StagegateError) return error;
  const graphqlErrors = getGraphqlErrors(error);
  if (graphqlErrors !== undefined) {
    const messages = graphqlErrors.map((e) => e.message).join("; ");
    const kinds = graphqlErrors.map(classifyGraphqlError);
    const ctx = { ...context, graphqlErrors: graphqlErrors.map((e) => ({ type: e.type, path: e.path?.join("."), message: e.message })) };
    const message = `GitHub GraphQL ${String(context.operation ?? "request")} failed: ${messages}`;
    if (kinds.includes("retryable")) return new RetryableError(message, ctx, { cause: error });
    if (kinds.includes("conflict")) return new ConflictError(message, ctx, { cause: error });
    if (kinds.includes("permission")) return new PermissionError(message, ctx, { cause: error });
    if (kinds.every((k) => k === "not-found")) return new NotFoundError(message, ctx, { cause: error });
    return new TerminalError(message, ctx, { cause: error });
  }
  if (isHttpLikeError(error)) {
    const ctx = { ...context, status: error.status };
    const message = `GitHub ${String(context.operation ?? "request")} failed (HTTP ${error.status}): ${error.message}`;
    if (error.status >= 500 || ((error.status === 403 || error.status === 429) && isRateLimited(error))) {
      const after = retryAfterMs(error.response?.headers, now);
      return new RetryableError(message, ctx, after === undefined ? { cause: error } : { cause: error, retryAfterMs: after });
    }
    if (error.status === 409 || (error.status === 422 && /already exists|reference update failed|not a fast forward/i.test(error.message + JSON.stringify(error.response?.data ?? "")))) {
      return new ConflictError(message, ctx, { cause: error });
    }
    if (error.status === 401 || error.status === 403) return new PermissionError(message, ctx, { cause: error });
    if (error.status === 404) return new NotFoundError(message, ctx, { cause: error });
    return new TerminalError(message, ctx, { cause: error });
  }
  // Network failures (ECONNRESET, fetch failed, aborted) are transient.
  const message = error instanceof Error ? error.message : String(error);
  return new RetryableError(`GitHub ${String(context.operation ?? "request")} failed: ${message}`, context, { cause: error });
}

/** Runs one GitHub call and translates whatever it throws. */
export async function callGitHub<T>(context: Record<string, unknown>, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateGitHubError(error, context);
  }
}
