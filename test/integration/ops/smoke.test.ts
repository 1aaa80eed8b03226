// End-to-end smoke test of the production server: `node bin/stagegate.js serve` (the image's CMD) started from a
// folder laid out like the runtime image (production dependencies only), configured like the Kubernetes
// Deployment (PRIVATE_KEY_PATH, NODE_ENV=production, JSON logs), talking to a loopback GitHub stub through the
// GitHub Enterprise Server settings. Checks the ops endpoints, a signed and a forged webhook delivery over HTTP,
// and that the metrics and logs reflect them.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { layOutRuntimeImage } from "./support/dockerfile.js";
import { startGithubStub, type GithubStub } from "./support/github-stub.js";
import { freePort, stop, waitForHealthz } from "./support/processes.js";

const root = join(import.meta.dirname, "../../..");
// The App engineer's serve command (src/cli/commands/serve.ts) starts the server; until it exists there is nothing to smoke-test.
const hasServer = existsSync(join(root, "src/cli/commands/serve.ts"));

const WEBHOOK_SECRET = "smoke-webhook-secret-7c1f0e";
const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const pingPayload = JSON.stringify(examples.find((group) => group.name === "ping")?.examples[0]);

let dir: string;
let stub: GithubStub;
let server: ChildProcess | undefined;
let baseUrl: string;
let output = "";

function deliver(payload: string, signature: string, event = "ping"): Promise<Response> {
  return fetch(`${baseUrl}/api/github/webhooks`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": `smoke-${Date.now()}`, "x-hub-signature-256": signature },
    body: payload,
  });
}

async function metric(line: RegExp): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const match = line.exec(text);
  return match ? Number(match[1]) : 0;
}

describe.skipIf(!hasServer)("production server smoke test", () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "stagegate-smoke-"));
    layOutRuntimeImage(root, join(dir, "app"));
    writeFileSync(join(dir, "private-key.pem"), privateKey, { mode: 0o400 });
    stub = await startGithubStub();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ["bin/stagegate.js", "serve"], {
      cwd: join(dir, "app"),
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        TMPDIR: dir,
        NODE_ENV: "production",
        // as the Deployment sets it (deploy/kubernetes/base/kustomization.yaml)
        NODE_OPTIONS: "--max-old-space-size=384 --enable-source-maps",
        HOST: "127.0.0.1",
        PORT: String(port),
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
        APP_ID: "1",
        PRIVATE_KEY_PATH: join(dir, "private-key.pem"),
        WEBHOOK_SECRET,
        GHE_HOST: stub.host,
        GHE_PROTOCOL: "http",
        STAGEGATE_READYZ_GITHUB: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    await waitForHealthz(server, baseUrl, 60_000, () => output);
  }, 120_000);

  afterAll(async () => {
    await stop(server);
    await stub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers /healthz and /readyz (key signs a JWT, GitHub's GET /app answers)", async () => {
    const health = await fetch(`${baseUrl}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${baseUrl}/readyz`);
    const body = (await ready.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(ready.status, JSON.stringify(body)).toBe(200);
    expect(body.checks["app-jwt"]?.ok).toBe(true);
    expect(body.checks.github?.ok).toBe(true);
    const appRequest = stub.requests.find((request) => request.method === "GET" && request.path === "/app");
    expect(appRequest?.authorization).toMatch(/^Bearer eyJ/);
  });

  it("serves Prometheus metrics with Stagegate's and the process's series", async () => {
    const response = await fetch(`${baseUrl}/metrics`);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    expect(text).toContain("# TYPE stagegate_webhook_events_total counter");
    expect(text).toContain("# TYPE stagegate_github_requests_total counter");
    expect(text).toContain("process_resident_memory_bytes");
  });

  it("accepts a signed webhook delivery and counts it", async () => {
    const successes = /stagegate_webhook_events_total\{event="ping",action="none",outcome="success"\} (\d+)/;
    const before = await metric(successes);
    const signature = `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(pingPayload).digest("hex")}`;
    const response = await deliver(pingPayload, signature);
    expect(response.status).toBe(200);
    expect(await metric(successes)).toBe(before + 1);
  });

  it("rejects a delivery with a bad signature (400) and counts it as rejected", async () => {
    const rejections = /stagegate_webhook_events_total\{event="ping",action="unknown",outcome="rejected"\} (\d+)/;
    const before = await metric(rejections);
    const forged = `sha256=${createHmac("sha256", "not-the-secret").update(pingPayload).digest("hex")}`;
    const response = await deliver(pingPayload, forged);
    expect(response.status).toBe(400);
    expect(await metric(rejections)).toBe(before + 1);
  });

  it("logs JSON lines without the webhook secret or the private key, within the memory limit", async () => {
    const lines = output.split("\n").filter((line) => line.startsWith("{"));
    expect(lines.length).toBeGreaterThan(0);
    expect(output).not.toContain(WEBHOOK_SECRET);
    expect(output).not.toContain(privateKey.split("\n")[1]);
    // the Deployment limits memory to 512 MiB with a 384 MiB heap cap
    const status = readFileSync(`/proc/${server?.pid}/status`, "utf8");
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    expect(rssKiB / 1024).toBeLessThan(384);
  });

  it("drains and exits 0 on SIGTERM (the kubelet's stop signal, forwarded by tini)", async () => {
    const exited = new Promise<number | null>((resolve) => server?.once("exit", (code) => resolve(code)));
    const started = Date.now();
    server?.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(output).toMatch(/SIGTERM: draining/);
  });
});
