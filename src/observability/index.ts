/**
 * Production operability in one object. Wiring in the Probot entry is a few lines:
 *
 * ```ts
 * const ops = createObservability({ readiness: { checks: [appJwtCheck({ appId, privateKey })] } });
 * // Probot: Octokit: ProbotOctokit.plugin(ops.octokitPlugin)
 * export default (app: Probot, { addHandler }: ApplicationFunctionOptions) => {
 *   ops.instrumentWebhooks(app.webhooks);
 *   addHandler(ops.handler);
 *   // after run() resolved: handleTermination({ stop: () => server.stop(), drain: ops.drain, log })
 *   // services get ops.metrics
 * };
 * ```
 */
import type { Registry } from "prom-client";
import { createOpsHandler, type OpsHandler, type OpsPaths } from "./http.js";
import { createPrometheusMetrics, type StagegateMetrics } from "./metrics.js";
import { instrumentOctokit, octokitMetricsPlugin, type HookableOctokit } from "./octokit.js";
import type { ReadinessCheck } from "./readiness.js";
import { instrumentWebhooks, type InstrumentableWebhooks } from "./webhooks.js";

export { noopMetrics, createPrometheusMetrics, type StagegateMetrics } from "./metrics.js";
export type { WebhookOutcome, PromotionOutcome, GateConclusion, DeploymentResult, RollbackReason } from "./metrics.js";
export { appJwtCheck, githubReachabilityCheck, validationCheck, isGithubReadinessEnabled, runReadinessChecks, type ReadinessCheck } from "./readiness.js";
export { loggerOptions, redactSecrets, redactLogLine, REDACT_PATHS, REDACTED } from "./redact.js";
export { toRouteLabel, toRouteTemplate } from "./github-route.js";
export { createOpsHandler, DEFAULT_OPS_PATHS, type OpsHandler } from "./http.js";
export { instrumentOctokit, octokitMetricsPlugin } from "./octokit.js";
export { instrumentWebhooks, webhookLabels } from "./webhooks.js";
export { handleTermination, type ShutdownOptions } from "./shutdown.js";

export interface ObservabilityOptions {
  /** Registry to export from; a fresh one by default. */
  registry?: Registry;
  /** Export prom-client's default process metrics; default true. */
  collectDefaultMetrics?: boolean;
  readiness?: { checks: readonly ReadinessCheck[]; timeoutMs?: number };
  paths?: Partial<OpsPaths>;
}

export interface Observability {
  metrics: StagegateMetrics;
  registry: Registry;
  /** `/healthz`, `/readyz`, `/metrics` for probot's `addHandler`. */
  handler: OpsHandler;
  /** Octokit plugin counting GitHub requests: `ProbotOctokit.plugin(ops.octokitPlugin)`. */
  octokitPlugin: (octokit: HookableOctokit) => Record<string, never>;
  /** Instruments one existing Octokit instance instead. */
  instrumentOctokit(octokit: HookableOctokit): void;
  /** Counts and times every webhook delivery: pass `app.webhooks` (probot's `@octokit/webhooks` instance). */
  instrumentWebhooks(webhooks: InstrumentableWebhooks): void;
  /** From now on `/readyz` answers 503 (`handleTermination` calls it on SIGTERM). */
  drain(): void;
}

/** Builds the metrics, the ops handler and the instrumentation hooks sharing one registry. */
export function createObservability(options: ObservabilityOptions = {}): Observability {
  const { metrics, registry } = createPrometheusMetrics({ registry: options.registry, collectDefaultMetrics: options.collectDefaultMetrics });
  let draining = false;
  return {
    metrics,
    registry,
    handler: createOpsHandler({ registry, checks: options.readiness?.checks ?? [], readinessTimeoutMs: options.readiness?.timeoutMs, paths: options.paths, isDraining: () => draining }),
    octokitPlugin: octokitMetricsPlugin(metrics),
    instrumentOctokit: (octokit) => instrumentOctokit(octokit, metrics),
    instrumentWebhooks: (webhooks) => instrumentWebhooks(webhooks, metrics),
    drain: () => {
      draining = true;
    },
  };
}
