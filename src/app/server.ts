/**
 * Starts the GitHub App server programmatically (what `stagegate serve` and `npm start` run): Probot's
 * Server with Stagegate's app, the ops endpoints (/healthz, /readyz, /metrics) and redacting JSON logs.
 */
import { pino } from "pino";
import { Probot, ProbotOctokit, Server } from "probot";
import { appJwtCheck, createObservability, githubReachabilityCheck, handleTermination, isGithubReadinessEnabled, loggerOptions } from "../observability/index.js";
import { NotificationDispatcher } from "../adapters/notify/index.js";
import { readTrustedRootFile } from "../adapters/sigstore/index.js";
import { describeSeal, evidenceSealFromEnv } from "../core/evidence/seal.js";
import type { Logger } from "../core/logger.js";
import { createStagegateApp } from "./app.js";
import { getBaseUrl, type AppEnv } from "./env.js";

/** Builds and starts the server; resolves once it listens. */
export async function startServer(env: AppEnv): Promise<Server> {
  const log = pino(loggerOptions({ level: env.LOG_LEVEL, name: "stagegate" }));
  const baseUrl = getBaseUrl(env);
  const credentials = { appId: env.APP_ID, privateKey: env.privateKey };
  // STAGEGATE_READYZ_GITHUB=true adds GET /app to /readyz (docs/observability.md: off by default on purpose)
  const github = isGithubReadinessEnabled(process.env) ? [githubReachabilityCheck({ ...credentials, ...(baseUrl ? { baseUrl } : {}) })] : [];
  const ops = createObservability({ readiness: { checks: [appJwtCheck(credentials), ...github] } });
  // Channel URLs and webhook secrets are names of environment variables (policies never hold secrets).
  const notifier = new NotificationDispatcher({ env: process.env, log: log.child({ name: "notify" }) as unknown as Logger });
  // A configured but unreadable trusted root is a start-up error, like a bad private key.
  const provenance = env.STAGEGATE_SIGSTORE_TRUSTED_ROOT ? { trust: readTrustedRootFile(env.STAGEGATE_SIGSTORE_TRUSTED_ROOT) } : undefined;
  // Every promotion PR's evidence block is sealed, and only sealed blocks choose the gates (core/evidence/seal.ts).
  const sealEnv = { STAGEGATE_EVIDENCE_KEY: env.STAGEGATE_EVIDENCE_KEY, STAGEGATE_EVIDENCE_PREVIOUS_KEYS: env.STAGEGATE_EVIDENCE_PREVIOUS_KEYS };
  const seal = evidenceSealFromEnv(sealEnv, env.privateKey, env.previousPrivateKey)!;
  // Key ids, never keys: every replica must show the same ones (a replica without the previous key refuses PRs its peers accept).
  const sealKeys = describeSeal(seal, sealEnv);
  log.info({ evidenceSeal: sealKeys }, "evidence seal keys");
  ops.metrics.setEvidenceSealKeys(sealKeys);
  const server = new Server({
    host: env.HOST,
    port: env.PORT,
    webhookPath: env.WEBHOOK_PATH,
    ...(env.WEBHOOK_PROXY_URL ? { webhookProxy: env.WEBHOOK_PROXY_URL } : {}),
    log,
    Probot: Probot.defaults({
      appId: env.APP_ID,
      privateKey: env.privateKey,
      secret: env.WEBHOOK_SECRET,
      log,
      Octokit: ProbotOctokit.plugin(ops.octokitPlugin),
      ...(baseUrl ? { baseUrl } : {}),
      ...(env.REDIS_URL ? { redisConfig: env.REDIS_URL } : {}),
    }),
  });
  await server.load((app, options) => {
    ops.instrumentWebhooks(app.webhooks);
    options.addHandler(ops.handler);
    return createStagegateApp({ ...env, metrics: ops.metrics, notifier, seal, dashboard: env.STAGEGATE_DASHBOARD === "on", ...(provenance ? { provenance } : {}) })(app, options);
  });
  await server.start();
  const stop = async () => {
    ops.drain();
    await notifier.drain();
    await server.stop();
    process.exit(0);
  };
  // SIGTERM (rollouts, drains): fail readiness, finish in-flight deliveries, exit within the grace period
  handleTermination({ stop: () => server.stop(), drain: ops.drain, log });
  process.once("SIGINT", () => void stop());
  return server;
}
