/**
 * The periodic reconcile (DESIGN.md "events are hints"): every STAGEGATE_TICK_INTERVAL (default 1m,
 * jittered ±20% so replicas spread out) the app lists its installations and their repositories, keeps
 * those with stagegate.yaml (one GraphQL query per 50 repositories), and runs the tick service on each:
 * lost pushes recorded, verifications advanced (timeouts, health), next stages and rollbacks, every
 * open promotion re-evaluated (soak, windows, SLAs). Safe on several replicas: every step is idempotent.
 * `POST /stagegate/tick` runs one pass for an external scheduler, authenticated like the intake route
 * (X-Stagegate-Timestamp + X-Stagegate-Signature-256 over the body) or with `Authorization: Bearer
 * <STAGEGATE_TICK_TOKEN>`.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunctionOptions, Probot } from "probot";
import type { GitHubClient, RepoRef } from "../adapters/github/client.js";
import { callGitHub } from "../adapters/github/errors.js";
import { GitHubDashboardIssues } from "../adapters/github/dashboard.js";
import type { Logger } from "../core/logger.js";
import type { StagegateMetrics } from "../observability/metrics.js";
import { parseDuration } from "../core/config/index.js";
import { CONFIG_FILE } from "../core/snapshot.js";
import type { LifecycleApp, LifecycleHandlerOptions } from "../handlers/lifecycle-context.js";
import { registerLifecycleHandlers } from "../handlers/register-lifecycle.js";
import { tick } from "../services/tick.js";
import { verifyIntakeSignature, MAX_SKEW_MS } from "./intake-route.js";

export const TICK_PATH = "/stagegate/tick";
const BATCH = 50;

/** What one pass did, per repository. */
export interface TickPassReport {
  repositories: { repo: string; ok: boolean; recorded?: number; evaluations?: number; error?: string }[];
}

/** Repositories of `candidates` that hold stagegate.yaml on their default branch (one query per 50). */
export async function findEnvironmentsRepos(client: GitHubClient, candidates: RepoRef[]): Promise<RepoRef[]> {
  const out: RepoRef[] = [];
  for (let i = 0; i < candidates.length; i += BATCH) {
    const batch = candidates.slice(i, i + BATCH);
    const declarations = batch.flatMap((_, j) => [`$o${j}: String!`, `$n${j}: String!`]);
    const fields = batch.map((_, j) => `r${j}: repository(owner: $o${j}, name: $n${j}) { object(expression: "HEAD:${CONFIG_FILE}") { __typename } }`);
    const variables = Object.fromEntries(batch.flatMap((r, j) => [[`o${j}`, r.owner], [`n${j}`, r.repo]]));
    const data = await callGitHub({ operation: "findEnvironmentsRepos" }, () => client.graphql<Record<string, { object: unknown } | null>>(`query StagegateFindConfigs(${declarations.join(", ")}) { ${fields.join(" ")} }`, variables));
    batch.forEach((repo, j) => {
      if (data[`r${j}`]?.object) out.push(repo);
    });
  }
  return out;
}

/** One reconcile pass over every installation. One repository failing does not stop the others. */
export async function runTickPass(app: Probot, shared: LifecycleApp, log: Logger, options: { dashboard?: boolean } = {}): Promise<TickPassReport> {
  const report: TickPassReport = { repositories: [] };
  const appClient = (await app.auth()) as unknown as GitHubClient;
  const { data: installations } = await callGitHub({ operation: "listInstallations" }, () => appClient.request("GET /app/installations", { per_page: 100 }));
  for (const installation of installations) {
    const client = (await app.auth(installation.id)) as unknown as GitHubClient;
    const { data } = await callGitHub({ operation: "listInstallationRepos", installation: installation.id }, () => client.request("GET /installation/repositories", { per_page: 100 }));
    const candidates = data.repositories.filter((r) => !r.archived).map((r) => ({ owner: r.owner.login, repo: r.name }));
    for (const repo of await findEnvironmentsRepos(client, candidates)) {
      const name = `${repo.owner}/${repo.repo}`;
      try {
        const lifecycle = await shared.open(client, repo, log.child({ tick: true, repo: name }));
        // The dashboard issue is refreshed last in each pass, and only rewritten when its content changed.
        const result = await tick({ ...lifecycle.deps, ...(options.dashboard ? { dashboard: new GitHubDashboardIssues(client, repo), repoName: name } : {}) });
        report.repositories.push({ repo: name, ok: true, recorded: result.recorded.length, evaluations: result.evaluations.length });
      } catch (error) {
        log.warn({ err: error, repo: name }, "tick failed for a repository");
        report.repositories.push({ repo: name, ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  log.info({ repositories: report.repositories.length }, "tick pass done");
  return report;
}

/** Starts the internal timer; returns a stop function. Passes never overlap within one process. */
export function startTickTimer(run: () => Promise<unknown>, options: { interval: string; log: Logger; random?: () => number }): () => void {
  const base = parseDuration(options.interval);
  const random = options.random ?? Math.random;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      try {
        await run();
      } catch (error) {
        options.log.warn({ err: error }, "tick pass failed");
      }
      schedule();
    }, Math.round(base * (0.8 + 0.4 * random())));
    timer.unref?.();
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

function send(res: ServerResponse, status: number, body: unknown): true {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  return true;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `POST /stagegate/tick` for an external scheduler (Probot `addHandler`); false for other paths. */
export function createTickRoute(options: { secret?: string; token?: string; run: () => Promise<TickPassReport>; now?: () => number }): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const now = options.now ?? Date.now;
  return async (req, res) => {
    if (new URL(req.url ?? "/", "http://localhost").pathname !== TICK_PATH) return false;
    if (req.method !== "POST") return send(res, 405, { error: "use POST" });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > 4096) return send(res, 413, { error: "body too large" });
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
    const timestamp = String(req.headers["x-stagegate-timestamp"] ?? "");
    const signature = String(req.headers["x-stagegate-signature-256"] ?? "");
    const byToken = options.token !== undefined && bearer !== undefined && sameSecret(bearer, options.token);
    const bySignature = options.secret !== undefined && /^\d{1,12}$/.test(timestamp) && signature !== "" && verifyIntakeSignature(options.secret, timestamp, body, signature) && Math.abs(now() - Number(timestamp) * 1000) <= MAX_SKEW_MS;
    if (!byToken && !bySignature) return send(res, 401, { error: "unauthenticated: sign like the intake route or send Authorization: Bearer <STAGEGATE_TICK_TOKEN>" });
    try {
      return send(res, 200, await options.run());
    } catch (error) {
      return send(res, 503, { error: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** Tick settings from the environment: STAGEGATE_TICK_INTERVAL (`1m`; `off` disables the timer), STAGEGATE_TICK_TOKEN. */
export function readTickEnv(env: Record<string, string | undefined>): { interval: string | undefined; token: string | undefined } {
  const raw = env.STAGEGATE_TICK_INTERVAL ?? "1m";
  // Test runs never start the timer: a pass firing inside another test would act on its fake GitHub.
  const off = raw === "off" || raw === "0" || env.NODE_ENV === "test";
  if (!off && !/^(?:\d+[smhdw])+$/.test(raw)) throw new Error(`STAGEGATE_TICK_INTERVAL must be a duration such as 1m or 30s, or off (got ${raw})`);
  return { interval: off ? undefined : raw, token: env.STAGEGATE_TICK_TOKEN || undefined };
}

/**
 * Wires the gate and deployment lifecycle into the app: the event handlers, `POST /stagegate/tick`
 * (when a secret or token authenticates it) and the internal timer.
 */
export function wireLifecycle(
  app: Probot,
  addHandler: ApplicationFunctionOptions["addHandler"],
  options: {
    secret?: string | undefined;
    environmentsRepo?: RepoRef | undefined;
    log: Logger;
    env?: Record<string, string | undefined>;
    metrics?: StagegateMetrics | undefined;
    provenance?: LifecycleHandlerOptions["provenance"];
    notifier?: LifecycleHandlerOptions["notifier"];
    seal?: LifecycleHandlerOptions["seal"];
    /** Keep the "Stagegate dashboard" issue up to date on every tick pass (default true). */
    dashboard?: boolean;
  },
): LifecycleApp {
  const shared = registerLifecycleHandlers(app, {
    ...(options.environmentsRepo ? { environmentsRepo: options.environmentsRepo } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.provenance ? { provenance: options.provenance } : {}),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    ...(options.seal ? { seal: options.seal } : {}),
  });
  const { interval, token } = readTickEnv(options.env ?? process.env);
  const run = () => runTickPass(app, shared, options.log, { dashboard: options.dashboard ?? true });
  if (options.secret || token) addHandler(createTickRoute({ ...(options.secret ? { secret: options.secret } : {}), ...(token ? { token } : {}), run }));
  if (interval) startTickTimer(run, { interval, log: options.log });
  return shared;
}
