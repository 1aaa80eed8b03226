/**
 * What every Stagegate event handler shares: dependencies, a logger bound to the delivery, and the one
 * top-level classification of failures into what the sender is told.
 */
import type { Context } from "probot";
import type { GitHubClient, RepoRef } from "../adapters/github/client.js";
import { ConfigError, ConflictError, NotFoundError, PermissionError, RetryableError, StagegateError, TerminalError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { EvidenceSeal } from "../core/evidence/seal.js";
import type { Notifier } from "../core/ports/notifier.js";
import type { StagegateMetrics } from "../observability/metrics.js";

/** Dependencies of the intake handlers (from validated env vars). */
export interface HandlerDeps {
  defaultEnvironmentsRepo?: RepoRef;
  registryHost: string;
  /** The app's metrics, passed to the services; default none. */
  metrics?: StagegateMetrics;
  /** Notification channels (`opened` for the PRs an intake opens); default none. */
  notifier?: Notifier;
  /** Seals the evidence blocks of the PRs an intake opens (core/evidence/seal.ts); server.ts always sets it. */
  seal?: EvidenceSeal;
}

/** The app-wide services every intake passes on. */
export type AppServices = Pick<HandlerDeps, "metrics" | "notifier" | "seal">;

/** The app-wide services an intake passes on (metrics, notifier, seal): only those that are set. */
export function intakeServices(deps: AppServices): AppServices {
  return { ...(deps.metrics ? { metrics: deps.metrics } : {}), ...(deps.notifier ? { notifier: deps.notifier } : {}), ...(deps.seal ? { seal: deps.seal } : {}) };
}

/** A child logger bound to the delivery, event and repository (never tokens or payload bodies). */
export function getDeliveryLog(context: Context, bindings: Record<string, unknown> = {}): Logger {
  const repository = (context.payload as { repository?: { full_name?: string } }).repository;
  return context.log.child({ deliveryId: context.id, event: context.name, repo: repository?.full_name, ...bindings }) as unknown as Logger;
}

/** The installation client as the adapter's GitHubClient. */
export function getClient(context: Context): GitHubClient {
  return context.octokit as unknown as GitHubClient;
}

/** How a failure is reported: what to tell the sender, and whether the event should fail (retryable). */
export interface FailureReport {
  kind: "refused" | "conflict" | "retryable" | "bug";
  title: string;
  message: string;
}

/**
 * Names the fix, not just the fault (probot's get-error-handler): a config error lists file:line:col,
 * a refused request says what to send instead, GitHub trouble says it is transient.
 */
export function describeFailure(error: unknown): FailureReport {
  if (error instanceof ConfigError) return { kind: "refused", title: "Invalid Stagegate configuration", message: `Fix these in the environments repository's default branch:\n\n${error.diagnostics.map((d) => `- \`${d}\``).join("\n")}` };
  if (error instanceof PermissionError) return { kind: "refused", title: "Not allowed", message: error.message };
  if (error instanceof NotFoundError) return { kind: "refused", title: "Not found", message: error.message };
  if (error instanceof TerminalError) return { kind: "refused", title: "Request refused", message: error.message };
  if (error instanceof ConflictError) return { kind: "conflict", title: "Already in progress", message: `Another delivery is writing this promotion right now; it will appear shortly. (${error.message})` };
  if (error instanceof RetryableError) return { kind: "retryable", title: "GitHub is temporarily failing", message: `GitHub returned a transient error; nothing was left half-done. Send the event again (or wait for the next one) to retry.\n\n${error.message}` };
  if (error instanceof StagegateError) return { kind: "bug", title: "Stagegate failed", message: error.message };
  return { kind: "bug", title: "Stagegate failed unexpectedly", message: "An internal error occurred; the app's logs have the details." };
}
