/**
 * Counts every GitHub API request by route template and status, and records the rate-limit headroom GitHub
 * reports, through Octokit's `request` hook. Works on any Octokit (Probot's included): either call
 * `instrumentOctokit(octokit, metrics)` on an instance or build the class with `octokitMetricsPlugin(metrics)`
 * so every installation client Probot creates is instrumented.
 */
import { toRouteLabel } from "./github-route.js";
import type { StagegateMetrics } from "./metrics.js";

/** The request options Octokit hands to a `request` hook (only the fields read here). */
export interface HookRequestOptions {
  method: string;
  url: string;
  [key: string]: unknown;
}

type Headers = Record<string, string | number | undefined>;
type RequestFn = (options: HookRequestOptions) => Promise<{ status: number; headers: Headers }>;

/** The part of an Octokit instance this module needs: `octokit.hook.wrap("request", …)`. */
export interface HookableOctokit {
  hook: { wrap(name: "request", wrapper: (request: RequestFn, options: HookRequestOptions) => Promise<unknown>): void };
}

/** Installs the metrics hook on one Octokit instance. Errors are counted and rethrown unchanged. */
export function instrumentOctokit(octokit: HookableOctokit, metrics: StagegateMetrics): void {
  octokit.hook.wrap("request", async (request, options) => {
    const route = toRouteLabel(options.method, options.url);
    try {
      const response = await request(options);
      record(metrics, route, String(response.status), response.headers);
      return response;
    } catch (error) {
      const { status, headers } = describeError(error);
      record(metrics, route, status, headers);
      throw error;
    }
  });
}

/**
 * An Octokit plugin doing `instrumentOctokit` on every instance: `ProbotOctokit.plugin(octokitMetricsPlugin(metrics))`,
 * passed to Probot as its `Octokit` option.
 */
export function octokitMetricsPlugin(metrics: StagegateMetrics): (octokit: HookableOctokit) => Record<string, never> {
  return (octokit) => {
    instrumentOctokit(octokit, metrics);
    return {};
  };
}

function record(metrics: StagegateMetrics, route: string, status: string, headers: Headers | undefined): void {
  metrics.recordGithubRequest({ route, status });
  const remaining = Number(headers?.["x-ratelimit-remaining"]);
  if (headers?.["x-ratelimit-remaining"] === undefined || !Number.isFinite(remaining)) return;
  const resource = String(headers["x-ratelimit-resource"] ?? "core");
  metrics.setGithubRateLimitRemaining({ resource, remaining });
}

/** Octokit's RequestError carries `status` and `response.headers`; a network failure has neither. */
function describeError(error: unknown): { status: string; headers: Headers | undefined } {
  if (typeof error !== "object" || error === null) return { status: "error", headers: undefined };
  const status = "status" in error && typeof error.status === "number" && error.status > 0 ? String(error.status) : "error";
  const response = "response" in error ? (error.response as { headers?: Headers } | undefined) : undefined;
  return { status, headers: response?.headers };
}
