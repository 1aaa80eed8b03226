// Two replicas against one real Redis share one GitHub rate limiter (docs/scaling.md). Each replica is a separate
// Node process building Probot from the environment (REDIS_URL included) and writing through an installation
// client; a loopback stub stands in for GitHub and records when each write arrives.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGithubStub, type GithubStub } from "./support/github-stub.js";
import { freePort, hasCommand, startRedis, stop, waitForHealthz, waitForOutput, type RedisServer } from "./support/processes.js";

const root = join(import.meta.dirname, "../../..");
const writer = join(import.meta.dirname, "support/throttled-writer.ts");
const hasRedis = hasCommand("redis-server");
const WRITES_PER_REPLICA = 3;
/** plugin-throttling's "write" group: one at a time, at least 1000 ms apart, per installation. */
const WRITE_MIN_TIME_MS = 1000;

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
let stub: GithubStub;
let redis: RedisServer | undefined;
let client: Redis | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  stub = await startGithubStub();
  if (!hasRedis) return;
  redis = await startRedis();
  client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
});

afterAll(async () => {
  await Promise.all(children.map((child) => stop(child)));
  client?.disconnect();
  await stop(redis?.process);
  await stub.close();
});

/** Runs two replicas at once, each sending its writes concurrently; returns the arrival times of all writes. */
async function runTwoReplicas(redisUrl: string | undefined): Promise<number[]> {
  const before = stub.requests.length;
  const replicas = ["replica-a", "replica-b"].map((name) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        APP_ID: "1",
        PRIVATE_KEY: privateKey,
        GHE_HOST: stub.host,
        GHE_PROTOCOL: "http",
        ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
        INSTALLATION_ID: "1",
        WRITES: String(WRITES_PER_REPLICA),
        REPLICA: name,
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    children.push(child);
    return child;
  });
  await Promise.all(replicas.map((child) => waitForOutput(child, /^ready$/m, 60_000)));
  const done = Promise.all(replicas.map((child) => waitForOutput(child, /^done$/m, 60_000)));
  for (const child of replicas) child.stdin?.write("go\n");
  await done;
  const writes = stub.requests
    .slice(before)
    .filter((request) => request.method === "POST" && request.path === "/repos/acme/environments/check-runs" && !request.body.includes('"warm-up"'));
  expect(new Set(writes.map((write) => (JSON.parse(write.body) as { name: string }).name.split("-").slice(0, 2).join("-")))).toEqual(new Set(["replica-a", "replica-b"]));
  return writes.map((write) => write.at).sort((a, b) => a - b);
}

function span(times: number[]): number {
  return (times.at(-1) ?? 0) - (times[0] ?? 0);
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((time, index) => time - (times[index] ?? time));
}

describe.skipIf(!hasRedis)("scale-out with REDIS_URL (redis-server on loopback)", () => {
  it("spaces the writes of both replicas as one limiter: one write at a time, ~1 s apart, across processes", async () => {
    await client?.flushall();
    const times = await runTwoReplicas(redis?.url);
    expect(times).toHaveLength(2 * WRITES_PER_REPLICA);
    // Bottleneck reserves each slot in Redis; arrival at the stub jitters by the request's own latency
    // 6 writes in one lane take ≥ 5 s; two separate lanes would take ≈ 2 s (see the control). Single gaps jitter by
    // the time between a slot's reservation in Redis and the request reaching the stub, hence the loose bound.
    expect(span(times)).toBeGreaterThan(WRITE_MIN_TIME_MS * 0.8 * (2 * WRITES_PER_REPLICA - 1));
    for (const gap of gaps(times)) expect(gap).toBeGreaterThan(WRITE_MIN_TIME_MS * 0.4);

    // Both processes registered as clients of the same Redis-backed limiters, keyed by installation id
    const keys = (await client?.keys("b_octokit-*")) ?? [];
    expect(keys).toEqual(expect.arrayContaining(["b_octokit-write-1_settings", "b_octokit-global-1_settings", "b_octokit-write-1_client_running"]));
    expect(await client?.zcard("b_octokit-write-1_client_running")).toBe(2);
    expect(await client?.zcard("b_octokit-global-1_client_running")).toBe(2);
    expect(await client?.hget("b_octokit-write-1_settings", "minTime")).toBe(String(WRITE_MIN_TIME_MS));
    // every scheduled write was counted once in the shared store
    expect(Number(await client?.hget("b_octokit-write-1_settings", "done"))).toBeGreaterThanOrEqual(2 * WRITES_PER_REPLICA);
  });

  it("without REDIS_URL each replica throttles alone, so their writes overlap (the control)", async () => {
    await client?.flushall();
    const times = await runTwoReplicas(undefined);
    expect(times).toHaveLength(2 * WRITES_PER_REPLICA);
    // two independent lanes, each 3 writes 1 s apart, released together: done within ≈ 2–3 s (each lane may still
    // wait up to 1 s after its warm-up write), well under the 5 s one shared lane needs
    expect(span(times)).toBeLessThan(WRITE_MIN_TIME_MS * (WRITES_PER_REPLICA + 0.5));
    expect(await client?.keys("b_*")).toEqual([]);
  });
});

describe.skipIf(!hasRedis)("scale-out of the real server (two `stagegate serve` processes, one Redis)", () => {
  const INTAKE_SECRET = "scale-out-intake-secret-0123456789abcdef";

  /** Starts `node bin/stagegate.js serve` (the image's CMD) with REDIS_URL; resolves with its base URL once healthy. */
  async function startServer(): Promise<string> {
    const port = await freePort();
    const child = spawn(process.execPath, ["bin/stagegate.js", "serve"], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        HOST: "127.0.0.1",
        PORT: String(port),
        APP_ID: "1",
        PRIVATE_KEY: privateKey,
        WEBHOOK_SECRET: "scale-out-webhook-secret",
        STAGEGATE_INTAKE_SECRET: INTAKE_SECRET,
        GHE_HOST: stub.host,
        GHE_PROTOCOL: "http",
        REDIS_URL: redis?.url,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHealthz(child, baseUrl, 60_000, () => output);
    return baseUrl;
  }

  /** A signed request to the HTTP intake: the server looks up the installation, then reads the repository. */
  function intake(baseUrl: string, digestByte: string): Promise<Response> {
    const body = JSON.stringify({ repository: "acme/environments", service: "checkout", digest: `sha256:${digestByte.repeat(64)}` });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac("sha256", INTAKE_SECRET).update(`${timestamp}.${body}`).digest("hex")}`;
    return fetch(`${baseUrl}/stagegate/intake`, { method: "POST", headers: { "content-type": "application/json", "x-stagegate-timestamp": timestamp, "x-stagegate-signature-256": signature }, body });
  }

  it("both servers schedule their GitHub requests through the same Redis limiter keys", { timeout: 120_000 }, async () => {
    await client?.flushall();
    const servers = await Promise.all([startServer(), startServer()]);
    // The stub has no GraphQL endpoint, so each intake fails after its first GitHub calls; what matters here is
    // that those calls (app-level installation lookup, installation token, GraphQL read) went through Bottleneck.
    await Promise.all(servers.map((url, index) => intake(url, String(index + 1))));

    expect(await client?.zcard("b_octokit-global-no-id_client_running")).toBe(2); // app-level client of each server
    expect(await client?.zcard("b_octokit-write-1_client_running")).toBe(2); // installation 1's write/GraphQL lane
    for (const url of servers) {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('stagegate_github_requests_total{route="GET /repos/{owner}/{repo}/installation",status="200"} 1');
    }
  });
});
