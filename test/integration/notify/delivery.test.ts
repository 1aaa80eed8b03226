// Notification delivery against a loopback HTTP receiver: signed generic webhooks, retries with
// backoff (fail twice, then succeed), a permanently failing channel, the queue bound, no blocking.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NotificationDispatcher, SIGNATURE_HEADER, verifyBodySignature } from "../../../src/adapters/notify/index.js";
import type { NotificationChannel, NotificationEvent } from "../../../src/core/notify/index.js";

interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let base: string;
const deliveries: Delivery[] = [];
/** path → statuses to answer, in order (then 200). */
const script = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString() });
      const status = script.get(req.url ?? "")?.shift() ?? 200;
      res.writeHead(status, status === 429 ? { "retry-after": "1" } : {}).end(status === 200 ? "ok" : "nope");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  deliveries.length = 0;
  script.clear();
});

const EVENT: NotificationEvent = { event: "merged", at: "2024-06-03T10:00:00.000Z", service: "checkout", environment: "prod", digest: `sha256:${"ab".repeat(32)}`, pullRequest: { number: 7, url: "https://github.com/acme/environments/pull/7" }, summary: "merged by alice", actor: "alice" };
const slack: NotificationChannel = { channel: "slack", urlFromEnv: "SLACK_URL", events: ["merged"] };
const teams: NotificationChannel = { channel: "teams", urlFromEnv: "TEAMS_URL", events: ["merged"] };
const hook: NotificationChannel = { channel: "webhook", urlFromEnv: "HOOK_URL", secretFromEnv: "HOOK_SECRET", events: ["merged"] };

function dispatcher(overrides: Partial<ConstructorParameters<typeof NotificationDispatcher>[0]> = {}) {
  const sleeps: number[] = [];
  const d = new NotificationDispatcher({
    env: { SLACK_URL: `${base}/slack`, TEAMS_URL: `${base}/teams`, HOOK_URL: `${base}/hook`, HOOK_SECRET: "s3cret" },
    random: () => 0.5,
    sleep: async (ms) => void sleeps.push(ms),
    ...overrides,
  });
  return { d, sleeps };
}

describe("NotificationDispatcher", () => {
  it("delivers each channel's rendering; the generic webhook is signed with HMAC-SHA256", async () => {
    const { d } = dispatcher();
    d.notify(EVENT, [slack, teams, hook]);
    await d.drain();
    expect(deliveries.map((x) => x.path).sort()).toEqual(["/hook", "/slack", "/teams"]);
    const byPath = Object.fromEntries(deliveries.map((x) => [x.path, x]));
    expect(JSON.parse(byPath["/slack"]!.body)).toHaveProperty("blocks");
    expect(JSON.parse(byPath["/teams"]!.body)).toMatchObject({ type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive" }] });
    const signed = byPath["/hook"]!;
    expect(JSON.parse(signed.body)).toEqual({ version: 1, ...EVENT });
    expect(signed.headers["x-stagegate-event"]).toBe("merged");
    expect(verifyBodySignature("s3cret", signed.body, String(signed.headers[SIGNATURE_HEADER]))).toBe(true);
    expect(verifyBodySignature("other", signed.body, String(signed.headers[SIGNATURE_HEADER]))).toBe(false);
    expect(byPath["/slack"]!.headers[SIGNATURE_HEADER]).toBeUndefined();
    expect(d.stats).toMatchObject({ queued: 3, delivered: 3, failed: 0, retried: 0 });
  });

  it("retries with exponential backoff: the receiver fails twice, then accepts", async () => {
    script.set("/slack", [503, 500]);
    const { d, sleeps } = dispatcher({ baseDelayMs: 100 });
    d.notify(EVENT, [slack]);
    await d.drain();
    expect(deliveries.map((x) => x.path)).toEqual(["/slack", "/slack", "/slack"]);
    // equal jitter with random = 0.5: 0.75 × 100·2^(n-1)
    expect(sleeps).toEqual([75, 150]);
    expect(d.stats).toMatchObject({ delivered: 1, retried: 2, failed: 0 });
  });

  it("honours Retry-After on 429 (bounded by maxDelayMs)", async () => {
    script.set("/slack", [429]);
    const { d, sleeps } = dispatcher({ maxDelayMs: 500 });
    d.notify(EVENT, [slack]);
    await d.drain();
    expect(sleeps).toEqual([500]);
    expect(d.stats.delivered).toBe(1);
  });

  it("gives up on a permanently failing channel after the bounded attempts, without affecting the others", async () => {
    script.set("/teams", [500, 500, 500, 500, 500]);
    const warnings: unknown[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (o: unknown) => void warnings.push(o), error: () => undefined, child: () => log };
    const { d } = dispatcher({ attempts: 4, log });
    d.notify(EVENT, [teams, slack]);
    await d.drain();
    expect(deliveries.filter((x) => x.path === "/teams")).toHaveLength(4);
    expect(d.stats).toMatchObject({ delivered: 1, failed: 1, retried: 3 });
    expect(warnings).toContainEqual({ reason: "HTTP 500", attempts: 4 });
    expect(JSON.stringify(warnings)).not.toContain(base);
  });

  it("does not retry a 4xx the receiver will keep refusing", async () => {
    script.set("/slack", [404]);
    const { d } = dispatcher();
    d.notify(EVENT, [slack]);
    await d.drain();
    expect(deliveries).toHaveLength(1);
    expect(d.stats).toMatchObject({ failed: 1, retried: 0 });
  });

  it("retries network errors (nothing listening) and counts the failure", async () => {
    const { d } = dispatcher({ env: { SLACK_URL: "http://127.0.0.1:1/none" }, attempts: 2 });
    d.notify(EVENT, [slack]);
    await d.drain();
    expect(d.stats).toMatchObject({ failed: 1, retried: 1 });
  });

  it("skips a channel whose environment variable is missing (URL or webhook secret)", async () => {
    const { d } = dispatcher({ env: { HOOK_URL: `${base}/hook` } });
    d.notify(EVENT, [slack, hook]);
    await d.drain();
    expect(deliveries).toHaveLength(0);
    expect(d.stats.misconfigured).toBe(2);
  });

  it("never blocks the caller and drops beyond the queue bound", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { d } = dispatcher({ concurrency: 1, maxQueue: 2, fetch: async (...args) => (await gate, fetch(...args)) });
    const started = performance.now();
    d.notify(EVENT, [slack, slack, slack, slack]);
    expect(performance.now() - started).toBeLessThan(50);
    // one in flight, two queued, one dropped
    expect(d.stats).toMatchObject({ queued: 3, dropped: 1 });
    release();
    await d.drain();
    expect(deliveries).toHaveLength(3);
  });
});
