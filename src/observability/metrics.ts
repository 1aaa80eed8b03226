/**
 * The metrics Stagegate exports, behind a typed facade: services call `metrics.recordPromotion(...)` and never
 * touch prom-client. Every label value is either a closed string union or a name from the user's own
 * configuration (environment, gate), so the number of series stays bounded; free-form values (GitHub routes,
 * webhook event names) are capped by `BoundedLabel` as a last line of defence. Documented in docs/observability.md.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** How one webhook delivery ended: handlers ran without error, a handler threw, or it was refused before any handler ran (bad signature, bad JSON). */
export type WebhookOutcome = "success" | "error" | "rejected";
/** What a promotion attempt did (DESIGN.md §2). */
export type PromotionOutcome = "opened" | "exists" | "superseded" | "merged" | "already_promoted";
/** A gate's check-run conclusion as Stagegate reports it (DESIGN.md §3). */
export type GateConclusion = "success" | "failure" | "neutral" | "in_progress";
/** A deployment as recorded by Stagegate: created on merge, then the health result reported back. */
export type DeploymentResult = "created" | "success" | "failure" | "error" | "inactive";
/** Why a rollback happened: Stagegate's verification failed, the deployment reported failure, or a person reverted. */
export type RollbackReason = "verification_failed" | "deployment_failed" | "manual_revert";

/** The metrics surface services use. Implementations: `createPrometheusMetrics` (production) and `noopMetrics`. */
export interface StagegateMetrics {
  /** One webhook delivery processed (all of its handlers), with how long the handlers took. */
  recordWebhook(input: { event: string; action: string; outcome: WebhookOutcome; durationSeconds: number }): void;
  recordPromotion(input: { environment: string; outcome: PromotionOutcome }): void;
  recordGateEvaluation(input: { gate: string; conclusion: GateConclusion }): void;
  recordDeployment(input: { environment: string; result: DeploymentResult }): void;
  recordRollback(input: { environment: string; reason: RollbackReason }): void;
  /** One GitHub API request. `route` must be a template (`GET /repos/{owner}/{repo}/pulls`), never a raw URL. */
  recordGithubRequest(input: { route: string; status: string }): void;
  /** The last `x-ratelimit-remaining` GitHub reported for a resource (`core`, `graphql`, `search`, …). */
  setGithubRateLimitRemaining(input: { resource: string; remaining: number }): void;
  /** Seconds from an artifact's source commit (or build) to its verified deployment in an environment. */
  observeLeadTime(input: { environment: string; seconds: number }): void;
  /** The ids of the evidence seal's keys (seal.ts `sealKeyId`, never a key): one series, replaced. */
  setEvidenceSealKeys(input: { sealing: string; verifying: readonly string[] }): void;
}

/** Drops everything: tests, the CLI, local demo mode. */
export const noopMetrics: StagegateMetrics = {
  recordWebhook: () => undefined,
  recordPromotion: () => undefined,
  recordGateEvaluation: () => undefined,
  recordDeployment: () => undefined,
  recordRollback: () => undefined,
  recordGithubRequest: () => undefined,
  setGithubRateLimitRemaining: () => undefined,
  observeLeadTime: () => undefined,
  setEvidenceSealKeys: () => undefined,
};

/** Label value used once a free-form label has seen `limit` distinct values. */
export const OVERFLOW_LABEL = "other";

/**
 * Caps the distinct values of a free-form label. Route templates and event names are already bounded in
 * practice; this guards against a bug (or a hostile `X-GitHub-Event` header) creating unbounded series.
 */
export class BoundedLabel {
  readonly #seen = new Set<string>();
  constructor(readonly limit: number) {}

  /** The value itself while fewer than `limit` distinct values were seen, otherwise `"other"`. */
  get(value: string): string {
    if (this.#seen.has(value)) return value;
    if (this.#seen.size >= this.limit) return OVERFLOW_LABEL;
    this.#seen.add(value);
    return value;
  }
}

/** Webhook handling is usually sub-second, GitHub-heavy deliveries take seconds; GitHub gives up after 10 s. */
const HANDLER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Lead time spans minutes (dev) to weeks (prod after a freeze). */
const LEAD_TIME_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800, 1_209_600];

export interface PrometheusMetricsOptions {
  /** Where to register. A fresh registry per instance by default (no module-global state). */
  registry?: Registry;
  /** Also export prom-client's default process/Node.js metrics (`process_*`, `nodejs_*`). Default true. */
  collectDefaultMetrics?: boolean;
  /** Distinct values allowed per free-form label (route, event, action, resource). Default 500. */
  maxLabelValues?: number;
}

/** The prom-client implementation of `StagegateMetrics`, plus the registry `/metrics` serialises. */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): { metrics: StagegateMetrics; registry: Registry } {
  const registry = options.registry ?? new Registry();
  if (options.collectDefaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const limit = options.maxLabelValues ?? 500;
  const routes = new BoundedLabel(limit);
  const events = new BoundedLabel(limit);
  const actions = new BoundedLabel(limit);
  const resources = new BoundedLabel(limit);
  const registers = [registry];

  const webhookEvents = new Counter({
    name: "stagegate_webhook_events_total",
    help: "Webhook deliveries processed, by event, action and outcome (success, error, rejected).",
    labelNames: ["event", "action", "outcome"] as const,
    registers,
  });
  const handlerDuration = new Histogram({
    name: "stagegate_handler_duration_seconds",
    help: "Time spent running all handlers of one webhook delivery.",
    labelNames: ["event"] as const,
    buckets: HANDLER_BUCKETS,
    registers,
  });
  const promotions = new Counter({
    name: "stagegate_promotions_total",
    help: "Promotion attempts by environment and outcome (opened, exists, superseded, merged, already_promoted).",
    labelNames: ["environment", "outcome"] as const,
    registers,
  });
  const gateEvaluations = new Counter({
    name: "stagegate_gate_evaluations_total",
    help: "Gate evaluations by gate and reported conclusion.",
    labelNames: ["gate", "conclusion"] as const,
    registers,
  });
  const deployments = new Counter({
    name: "stagegate_deployments_total",
    help: "GitHub Deployments created and deployment results recorded, by environment and result.",
    labelNames: ["environment", "result"] as const,
    registers,
  });
  const rollbacks = new Counter({
    name: "stagegate_rollbacks_total",
    help: "Rollbacks by environment and reason.",
    labelNames: ["environment", "reason"] as const,
    registers,
  });
  const githubRequests = new Counter({
    name: "stagegate_github_requests_total",
    help: "GitHub API requests by route template (method and path) and HTTP status (or 'error' without a response).",
    labelNames: ["route", "status"] as const,
    registers,
  });
  const rateLimitRemaining = new Gauge({
    name: "stagegate_github_rate_limit_remaining",
    help: "Last x-ratelimit-remaining GitHub reported, by rate-limit resource (last response of any installation).",
    labelNames: ["resource"] as const,
    registers,
  });
  const leadTime = new Histogram({
    name: "stagegate_lead_time_seconds",
    help: "Seconds from an artifact's source commit to its verified deployment, by environment.",
    labelNames: ["environment"] as const,
    buckets: LEAD_TIME_BUCKETS,
    registers,
  });

  const sealKeys = new Gauge({
    name: "stagegate_evidence_seal_keys_info",
    help: "1, labelled with the ids of the evidence seal's keys (the one that seals, the others that verify): replicas should agree.",
    labelNames: ["sealing", "verifying"] as const,
    registers,
  });

  const metrics: StagegateMetrics = {
    recordWebhook({ event, action, outcome, durationSeconds }) {
      const boundedEvent = events.get(event);
      // actions are capped per event/action pair: "opened" of pull_request and of issues are distinct series
      const boundedAction = actions.get(`${event}.${action}`) === OVERFLOW_LABEL ? OVERFLOW_LABEL : action;
      webhookEvents.inc({ event: boundedEvent, action: boundedAction, outcome });
      handlerDuration.observe({ event: boundedEvent }, durationSeconds);
    },
    recordPromotion: ({ environment, outcome }) => promotions.inc({ environment, outcome }),
    recordGateEvaluation: ({ gate, conclusion }) => gateEvaluations.inc({ gate, conclusion }),
    recordDeployment: ({ environment, result }) => deployments.inc({ environment, result }),
    recordRollback: ({ environment, reason }) => rollbacks.inc({ environment, reason }),
    recordGithubRequest: ({ route, status }) => githubRequests.inc({ route: routes.get(route), status }),
    setGithubRateLimitRemaining: ({ resource, remaining }) => rateLimitRemaining.set({ resource: resources.get(resource) }, remaining),
    observeLeadTime: ({ environment, seconds }) => leadTime.observe({ environment }, seconds),
    setEvidenceSealKeys: ({ sealing, verifying }) => {
      sealKeys.reset();
      sealKeys.set({ sealing, verifying: verifying.join(",") }, 1);
    },
  };
  return { metrics, registry };
}
