/**
 * Webhook load on the real server: starts `stagegate serve` (bin/stagegate.js) on loopback with a
 * generated RSA key and GitHub pointed at the loopback stub of the ops tests, then sends signed
 * deliveries that pass the signature check and routing but cause no GitHub write (`star` events, which
 * Stagegate does not handle, and `ping`), with a fixed number in flight. Reports events/second, p50/p99
 * latency and the server's RSS (from its /metrics) before and after. Loopback only, bounded in count.
 *
 *   npx tsx bench/load.ts [events=10000] [concurrency=32]     (LOAD_NODE_OPTIONS=… for the server)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startGithubStub } from "../test/integration/ops/support/github-stub.js";
import { freePort, stop, waitForHealthz } from "../test/integration/ops/support/processes.js";

export interface LoadResult {
  name: "load";
  events: number;
  concurrency: number;
  eventsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssDeltaMiB: number;
  heapBeforeMiB: number;
  heapAfterMiB: number;
}

const SECRET = "load-webhook-secret";
const root = fileURLToPath(new URL("..", import.meta.url));

const repository = { id: 1, node_id: "R_1", name: "checkout", full_name: "acme/checkout", private: true, owner: { login: "acme", id: 2, node_id: "O_2", type: "Organization" }, default_branch: "main" };
const starPayload = JSON.stringify({ action: "created", starred_at: "2026-01-01T00:00:00Z", repository, sender: { login: "alice", id: 3, node_id: "U_3", type: "User" }, installation: { id: 42, node_id: "I_42" } });

async function metricMiB(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = new RegExp(`^${name} (\\d+(?:\\.\\d+)?(?:e\\+\\d+)?)$`, "m").exec(text);
  return match ? Math.round((Number(match[1]) / 1024 / 1024) * 10) / 10 : Number.NaN;
}

const rssMiB = (baseUrl: string) => metricMiB(baseUrl, "process_resident_memory_bytes");
const heapMiB = (baseUrl: string) => metricMiB(baseUrl, "nodejs_heap_size_used_bytes");

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]! * 100) / 100;
}

/** Sends `events` signed deliveries, `concurrency` in flight; returns latencies (ms) and non-2xx count. */
async function drive(baseUrl: string, events: number, concurrency: number): Promise<{ latencies: number[]; non2xx: number; seconds: number }> {
  const signature = `sha256=${createHmac("sha256", SECRET).update(starPayload).digest("hex")}`;
  const latencies: number[] = [];
  let non2xx = 0;
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < events) {
      const i = next++;
      const t = performance.now();
      const res = await fetch(`${baseUrl}/api/github/webhooks`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "star", "x-github-delivery": `load-${i}`, "x-hub-signature-256": signature },
        body: starPayload,
      });
      await res.arrayBuffer();
      latencies.push(performance.now() - t);
      if (res.status >= 300) non2xx++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, non2xx, seconds: (performance.now() - start) / 1000 };
}

/**
 * Starts the server, warms it up, measures. `nodeOptions` (e.g. `--max-old-space-size=64`) is passed to the
 * server: with a small old space V8 collects eagerly, so heap and RSS show what is really retained
 * (unconstrained, V8 lets garbage accumulate for a while and RSS grows ~2 KiB per event before a major GC).
 */
export async function runLoadBench(events = 10_000, concurrency = 32, nodeOptions?: string): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "stagegate-load-"));
  const stub = await startGithubStub();
  let server: ChildProcess | undefined;
  let output = "";
  try {
    writeFileSync(join(dir, "key.pem"), generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString(), { mode: 0o400 });
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(root, "bin/stagegate.js"), "serve"], {
      cwd: root,
      env: { PATH: process.env["PATH"], HOME: dir, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn", LOG_FORMAT: "json", APP_ID: "1", PRIVATE_KEY_PATH: join(dir, "key.pem"), WEBHOOK_SECRET: SECRET, GHE_HOST: stub.host, GHE_PROTOCOL: "http" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (c: Buffer) => (output = (output + c.toString("utf8")).slice(-20_000)));
    server.stderr?.on("data", (c: Buffer) => (output = (output + c.toString("utf8")).slice(-20_000)));
    await waitForHealthz(server, baseUrl, 60_000, () => output);
    await drive(baseUrl, Math.min(500, events), concurrency); // warm-up: JIT, sockets, caches
    const rssBefore = await rssMiB(baseUrl);
    const heapBefore = await heapMiB(baseUrl);
    const { latencies, non2xx, seconds } = await drive(baseUrl, events, concurrency);
    const rssAfter = await rssMiB(baseUrl);
    const heapAfter = await heapMiB(baseUrl);
    latencies.sort((a, b) => a - b);
    return {
      name: "load",
      events,
      concurrency,
      eventsPerSecond: Math.round(events / seconds),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.round(latencies.at(-1)! * 100) / 100,
      non2xx,
      rssBeforeMiB: rssBefore,
      rssAfterMiB: rssAfter,
      rssDeltaMiB: Math.round((rssAfter - rssBefore) * 10) / 10,
      heapBeforeMiB: heapBefore,
      heapAfterMiB: heapAfter,
    };
  } finally {
    await stop(server);
    await stub.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [events, concurrency] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await runLoadBench(events || undefined, concurrency || undefined, process.env["LOAD_NODE_OPTIONS"]), null, 2));
}
