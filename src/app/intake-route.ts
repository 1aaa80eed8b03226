/**
 * `POST /stagegate/intake`: the signed HTTP intake for build systems outside GitHub Actions.
 *
 * Authentication: `X-Stagegate-Timestamp: <unix seconds>` and
 * `X-Stagegate-Signature-256: sha256=<hex HMAC-SHA256(STAGEGATE_INTAKE_SECRET, "<timestamp>.<raw body>")>`.
 * The timestamp is signed with the body so a captured request cannot be replayed with a fresh one;
 * requests outside ±5 minutes and exact replays inside that window are refused with 401.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { GitHubClient } from "../adapters/github/client.js";
import { parseRepoRef } from "../adapters/github/client.js";
import { NotFoundError, PermissionError, RetryableError } from "../core/errors.js";
import { formatIssues, httpIntakeSchema } from "../core/intake/payloads.js";
import type { Logger } from "../core/logger.js";
import type { EvidenceSeal } from "../core/evidence/seal.js";
import type { Notifier } from "../core/ports/notifier.js";
import { describeFailure, intakeServices } from "./handler-support.js";
import { runIntake } from "./intake.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import type { ReplayCache } from "./replay-cache.js";

export const INTAKE_PATH = "/stagegate/intake";
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_SKEW_MS = 5 * 60_000;

export interface IntakeRouteOptions {
  secret: string;
  log: Logger;
  replayCache: ReplayCache;
  /** Installation client for the environments repository; NotFoundError when the app is not installed there. */
  getClient: (repo: { owner: string; repo: string }) => Promise<GitHubClient>;
  now?: () => number;
  /** The app's metrics (promotion outcomes); default none. */
  metrics?: StagegateMetrics;
  /** Notification channels (`opened` for the PRs an intake opens); default none. */
  notifier?: Notifier;
  /** Seals the evidence block of the PRs an intake opens. */
  seal?: EvidenceSeal;
}

/** `sha256=<hex>` signature of a request (what senders compute). */
export function signIntake(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`;
}

/** Constant-time comparison of the presented and expected signatures. */
export function verifyIntakeSignature(secret: string, timestamp: string, body: Buffer, presented: string): boolean {
  const expected = Buffer.from(signIntake(secret, timestamp, body));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): true {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body));
  return true;
}

/** Reads the body, refusing more than `limit` bytes without buffering them. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) return "too-large";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The route as a Probot `addHandler` handler: returns false for other paths. */
export function createIntakeRoute(options: IntakeRouteOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const now = options.now ?? Date.now;
  return async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== INTAKE_PATH) return false;
    const log = options.log.child({ route: INTAKE_PATH, deliveryId: req.headers["x-stagegate-delivery"] });
    if (req.method !== "POST") return send(res, 405, { error: "use POST" }, { allow: "POST" });
    if (!String(req.headers["content-type"] ?? "").startsWith("application/json")) return send(res, 415, { error: "content-type must be application/json" });
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === "too-large") {
      log.warn({}, "refused: intake body too large");
      return send(res, 413, { error: `body larger than ${MAX_BODY_BYTES} bytes` }, { connection: "close" });
    }
    const timestamp = String(req.headers["x-stagegate-timestamp"] ?? "");
    const signature = String(req.headers["x-stagegate-signature-256"] ?? "");
    if (!/^\d{1,12}$/.test(timestamp) || !signature) return send(res, 401, { error: "missing X-Stagegate-Timestamp or X-Stagegate-Signature-256" });
    if (!verifyIntakeSignature(options.secret, timestamp, body, signature)) {
      log.warn({}, "refused: bad intake signature");
      return send(res, 401, { error: "bad signature" });
    }
    if (Math.abs(now() - Number(timestamp) * 1000) > MAX_SKEW_MS) return send(res, 401, { error: "timestamp outside the allowed ±5 minutes" });
    if (!options.replayCache.remember(signature, now())) {
      log.warn({}, "refused: replayed intake request");
      return send(res, 401, { error: "replayed request" });
    }
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      return send(res, 400, { error: "body is not valid JSON" });
    }
    const parsed = httpIntakeSchema.safeParse(json);
    if (!parsed.success) return send(res, 400, { error: "invalid intake payload", issues: formatIssues(parsed.error) });
    const { repository, ...artifact } = parsed.data;
    const repo = parseRepoRef(repository)!;
    const runLog = log.child({ repo: repository, service: artifact.service, environment: artifact.environment });
    try {
      const client = await options.getClient(repo);
      const result = await runIntake({ client, log: runLog, ...intakeServices(options) }, artifact, { environmentsRepo: repo });
      runLog.info({ outcomes: result.outcomes }, "http intake done");
      return send(res, 202, { status: "accepted", service: result.service, digest: result.digest, outcomes: result.outcomes });
    } catch (error) {
      const failure = describeFailure(error);
      runLog.warn({ err: error, kind: failure.kind }, "http intake failed");
      if (error instanceof NotFoundError) return send(res, 404, { error: failure.message });
      if (error instanceof PermissionError) return send(res, 403, { error: failure.message });
      if (failure.kind === "refused") return send(res, 422, { error: failure.message });
      if (failure.kind === "conflict") return send(res, 409, { error: failure.message });
      if (error instanceof RetryableError) return send(res, 503, { error: failure.message }, { "retry-after": String(Math.ceil((error.retryAfterMs ?? 30_000) / 1000)) });
      return send(res, 500, { error: failure.message });
    }
  };
}
