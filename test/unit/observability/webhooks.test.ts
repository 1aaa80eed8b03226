import { generateKeyPairSync } from "node:crypto";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { createPrometheusMetrics } from "../../../src/observability/metrics.js";
import { instrumentWebhooks, webhookLabels } from "../../../src/observability/webhooks.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const secret = "test-webhook-secret";

function example(event: string, action?: string): Record<string, unknown> {
  const group = examples.find((entry) => entry.name === event);
  const found = group?.examples.find((payload) => action === undefined || ("action" in payload && payload.action === action));
  if (found === undefined) throw new Error(`no example for ${event}.${action}`);
  return found as Record<string, unknown>;
}

async function setup(handler: (name: string) => Promise<void> = async () => undefined) {
  const probot = new Probot({
    appId: 1,
    privateKey,
    secret,
    Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, retry: { enabled: false }, throttle: { enabled: false } })),
    log: (await import("pino")).pino({ level: "silent" }),
  });
  await probot.load((app) => {
    app.on(["pull_request", "ping"], async (context) => handler(context.name));
  });
  await probot.ready();
  const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false });
  instrumentWebhooks(probot.webhooks, metrics);
  return { probot, text: () => registry.metrics() };
}

describe("instrumentWebhooks", () => {
  it("counts a verified HTTP delivery with its event and action, and times its handlers", async () => {
    const { probot, text } = await setup(async () => new Promise((resolve) => setTimeout(resolve, 30)));
    const payload = JSON.stringify(example("pull_request", "opened"));
    await probot.webhooks.verifyAndReceive({ id: "d-1", name: "pull_request", payload, signature: await probot.webhooks.sign(payload) });

    const output = await text();
    expect(output).toContain('stagegate_webhook_events_total{event="pull_request",action="opened",outcome="success"} 1');
    const sum = Number(/stagegate_handler_duration_seconds_sum\{event="pull_request"\} ([\d.e-]+)/.exec(output)?.[1]);
    expect(sum).toBeGreaterThanOrEqual(0.025);
    expect(sum).toBeLessThan(5);
    expect(output).toContain('stagegate_handler_duration_seconds_count{event="pull_request"} 1');
  });

  it("counts a bad signature as rejected without reading the unverified payload", async () => {
    const { probot, text } = await setup();
    const payload = JSON.stringify(example("pull_request", "closed"));
    await expect(probot.webhooks.verifyAndReceive({ id: "d-2", name: "pull_request", payload, signature: "sha256=" + "0".repeat(64) })).rejects.toThrow(/signature does not match/);
    await expect(probot.webhooks.verifyAndReceive({ id: "d-3", name: "x-made-up-event", payload, signature: "sha256=" + "0".repeat(64) })).rejects.toThrow();

    const output = await text();
    expect(output).toContain('stagegate_webhook_events_total{event="pull_request",action="unknown",outcome="rejected"} 1');
    expect(output).toContain('stagegate_webhook_events_total{event="unknown",action="unknown",outcome="rejected"} 1');
    expect(output).not.toContain("closed");
  });

  it("counts a handler failure as error, and probot.receive deliveries too", async () => {
    const { probot, text } = await setup(async (name) => {
      if (name === "pull_request") throw new Error("boom");
    });
    await expect(probot.receive({ id: "d-4", name: "pull_request", payload: example("pull_request", "synchronize") } as never)).rejects.toThrow("boom");
    await probot.receive({ id: "d-5", name: "ping", payload: example("ping") } as never);

    const output = await text();
    expect(output).toContain('stagegate_webhook_events_total{event="pull_request",action="synchronize",outcome="error"} 1');
    expect(output).toContain('stagegate_webhook_events_total{event="ping",action="none",outcome="success"} 1');
  });
});

describe("webhookLabels", () => {
  it.each([
    ["check_run", "rerequested", { event: "check_run", action: "rerequested" }],
    ["check_run", "made_up", { event: "check_run", action: "unknown" }],
    ["push", undefined, { event: "push", action: "none" }],
    ["<script>", "opened", { event: "unknown", action: "unknown" }],
  ])("%s.%s", (event, action, labels) => {
    expect(webhookLabels(event, action)).toEqual(labels);
  });
});
