/**
 * Counts every GitHub API request by route template and status, and records the rate-limit headroom GitHub
 * reports, through Octokit's `request` hook. Works on any Octokit (Probot's included): either call
 * `instrumentOctokit(octokit, metrics)` on an instance or build the class with `octokitMetricsPlugin(metrics)`
 * so every installation client Probot creates is instrumented.
 */
import { toRouteLabel } from "./github-route.js";
import type { StagegateMetrics } from "./metrics.js";
import type { ProbotOctokit } from "probot";

/** The part of an Octokit instance this module needs (`octokit.hook`); Probot's and plain Octokit instances fit. */
export interface HookableOctokit {
  hook: InstanceType<typeof ProbotOctokit>["hook"];
}

type Headers = Record<string, string | number | undefined>;

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

/**
 * Octokit's RequestError carries `status` and `response.headers`. A network failure becomes a RequestError with
 * status 500 but no `response`: counted as `error`, so GitHub's real 500s stay distinguishable.
 */
function describeError(error: unknown): { status: string; headers: Headers | undefined } {
  if (typeof error !== "object" || error === null || !("response" in error)) return { status: "error", headers: undefined };
  const response: unknown = error.response;
  if (typeof response !== "object" || response === null) return { status: "error", headers: undefined };
  const status = "status" in response && typeof response.status === "number" ? String(response.status) : "error";
  // Octokit always sets response.headers to a plain header record.
  const headers = "headers" in response ? (response.headers as Headers | undefined) : undefined;
  return { status, headers };
}
