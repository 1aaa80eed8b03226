import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createObservability } from "../../../src/observability/index.js";
import type { ReadinessCheck } from "../../../src/observability/readiness.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** Serves the ops handler the way Probot's server does: handlers in order, 404 when none handled the request. */
async function serve(checks: ReadinessCheck[]): Promise<{ url: string; ops: ReturnType<typeof createObservability> }> {
  const ops = createObservability({ readiness: { checks, timeoutMs: 200 } });
  server = createServer((req, res) => {
    void ops.handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end("not found");
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ops };
}

describe("ops handler", () => {
  it("answers /healthz without running readiness checks", async () => {
    let ran = 0;
    const { url } = await serve([{ name: "counted", run: () => void ran++ }]);
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    await expect(response.json()).resolves.toEqual({ status: "ok" });
    expect(ran).toBe(0);
  });

  it("answers /readyz 200 with every check's result, 503 when one fails, and redacts secrets in reasons", async () => {
    let healthy = true;
    const { url } = await serve([
      { name: "config", run: () => undefined },
      {
        name: "github",
        run: () => {
          if (!healthy) throw new Error("rejected token ghs_16C7e42F292c6912E7710c838347Ae178B4a");
        },
      },
    ]);
    const ok = await fetch(`${url}/readyz`);
    expect(ok.status).toBe(200);
    await expect(ok.json()).resolves.toMatchObject({ status: "ok", checks: { config: { ok: true }, github: { ok: true } } });

    healthy = false;
    const failing = await fetch(`${url}/readyz?verbose=1`);
    expect(failing.status).toBe(503);
    await expect(failing.json()).resolves.toMatchObject({ status: "fail", checks: { github: { ok: false, error: "rejected token [REDACTED]" } } });
  });

  it("serves /metrics in the Prometheus text format with Stagegate and process metrics", async () => {
    const { url, ops } = await serve([]);
    ops.metrics.recordPromotion({ environment: "staging", outcome: "opened" });
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const body = await response.text();
    expect(body).toContain('stagegate_promotions_total{environment="staging",outcome="opened"} 1');
    expect(body).toContain("process_resident_memory_bytes");
  });

  it("answers HEAD without a body and leaves other methods and paths to the next handler", async () => {
    const { url } = await serve([]);
    const head = await fetch(`${url}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect((await fetch(`${url}/healthz`, { method: "POST" })).status).toBe(404);
    expect((await fetch(`${url}/api/github/webhooks`)).status).toBe(404);
    expect((await fetch(`${url}/metricsX`)).status).toBe(404);
  });
});
