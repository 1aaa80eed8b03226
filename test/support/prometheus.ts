// Starts a real Prometheus (the Debian package's /usr/bin/prometheus) on a free loopback port with a
// temporary config that scrapes the given loopback targets every second. Used by
// test/integration/prometheus; those tests skip when the binary is absent.
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Path of the prometheus binary on PATH (or /usr/bin), or undefined. */
export function findPrometheusBinary(): string | undefined {
  const dirs = [...(process.env["PATH"] ?? "").split(delimiter), "/usr/bin", "/usr/local/bin"];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, "prometheus");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A free TCP port on 127.0.0.1 (never 9090, where a system Prometheus may listen). */
export async function getFreePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port !== 9090 && port !== 0) return port;
  }
}

export interface RunningPrometheus {
  url: string;
  /** Milliseconds from spawn to /-/ready. */
  startupMs: number;
  /** Resolves once every target of `job` is up (health "up"), or rejects after `timeoutMs`. */
  waitForTargets(job: string, timeoutMs?: number): Promise<void>;
  /** Resolves with the first result of `query` that `accept` takes (polling), or rejects. */
  waitForQuery<T>(query: string, accept: (vector: number[]) => T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function poll<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, logs: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(100);
  }
  throw new Error(`Prometheus: timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}\n${logs()}`);
}

/** Starts Prometheus scraping `targets` (host:port) as job `job` every second. */
export async function startPrometheus(options: { binary: string; targets: string[]; job?: string }): Promise<RunningPrometheus> {
  const job = options.job ?? "app";
  const dir = mkdtempSync(join(tmpdir(), "stagegate-prometheus-"));
  const port = await getFreePort();
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "  evaluation_interval: 1s",
    "scrape_configs:",
    `  - job_name: ${job}`,
    "    static_configs:",
    `      - targets: [${options.targets.map((t) => `'${t}'`).join(", ")}]`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), config);
  let output = "";
  const started = Date.now();
  const child: ChildProcess = spawn(
    options.binary,
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn", "--storage.tsdb.retention.time=1h"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const logs = () => output.slice(-4000);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await poll("/-/ready", 30_000, async () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
      const response = await fetch(`${url}/-/ready`);
      return response.ok ? true : undefined;
    }, logs);
  } catch (error) {
    await stop();
    throw error;
  }
  const startupMs = Date.now() - started;
  return {
    url,
    startupMs,
    stop,
    waitForTargets: async (name, timeoutMs = 30_000) => {
      await poll(`targets of job ${name} to be up`, timeoutMs, async () => {
        const body = (await (await fetch(`${url}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: { labels: Record<string, string>; health: string }[] } };
        const mine = body.data.activeTargets.filter((t) => t.labels["job"] === name);
        return mine.length > 0 && mine.every((t) => t.health === "up") ? true : undefined;
      }, logs);
    },
    waitForQuery: async (query, accept, timeoutMs = 30_000) =>
      poll(`query ${query}`, timeoutMs, async () => {
        const body = (await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as { data?: { result?: { value: [number, string] }[] } };
        return accept((body.data?.result ?? []).map((r) => Number(r.value[1])));
      }, logs),
  };
}
