/**
 * The operational HTTP endpoints as one Node request handler in Probot's `addHandler` shape:
 * `(req, res) => boolean` (true = handled). `/healthz` is liveness (the event loop answers; no I/O),
 * `/readyz` is readiness (runs the checks), `/metrics` is the Prometheus text exposition.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import { runReadinessChecks, type ReadinessCheck } from "./readiness.js";
import { redactSecrets } from "./redact.js";

export interface OpsPaths {
  healthz: string;
  readyz: string;
  metrics: string;
}

export const DEFAULT_OPS_PATHS: OpsPaths = { healthz: "/healthz", readyz: "/readyz", metrics: "/metrics" };

export interface OpsHandlerOptions {
  registry: Registry;
  checks: readonly ReadinessCheck[];
  /** Bound on each readiness check; keep below the probe's timeoutSeconds. Default 4000 ms. */
  readinessTimeoutMs?: number;
  paths?: Partial<OpsPaths>;
  /** While true, `/readyz` answers 503 `draining` without running the checks (shutting down). */
  isDraining?: () => boolean;
}

/** Request handler for probot's `addHandler` (or any `http.createServer` chain): answers the three paths, declines the rest. */
export type OpsHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export function createOpsHandler(options: OpsHandlerOptions): OpsHandler {
  const paths = { ...DEFAULT_OPS_PATHS, ...options.paths };
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = (req.url ?? "/").split("?")[0];
    if (path === paths.healthz) {
      send(req, res, 200, "application/json", JSON.stringify({ status: "ok" }));
      return true;
    }
    if (path === paths.readyz) {
      if (options.isDraining?.()) {
        send(req, res, 503, "application/json", JSON.stringify({ status: "draining", checks: {} }));
        return true;
      }
      const report = await runReadinessChecks(options.checks, { timeoutMs: options.readinessTimeoutMs ?? 4000 });
      for (const check of Object.values(report.checks)) if (check.error !== undefined) check.error = redactSecrets(check.error);
      send(req, res, report.ok ? 200 : 503, "application/json", JSON.stringify({ status: report.ok ? "ok" : "fail", checks: report.checks }));
      return true;
    }
    if (path === paths.metrics) {
      send(req, res, 200, options.registry.contentType, await options.registry.metrics());
      return true;
    }
    return false;
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { "content-type": contentType, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
}
