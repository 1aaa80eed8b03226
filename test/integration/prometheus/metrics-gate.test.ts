// The metrics gate against a REAL Prometheus: a loopback /metrics target we control is scraped every
// second; measurements are taken with queryPrometheus/measurePrometheus and judged by the gate.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measurePrometheus, queryPrometheus } from "../../../src/adapters/http/prometheus.js";
import type { MeasurementFact } from "../../../src/core/gates/facts.js";
import { isMeasurementDue } from "../../../src/core/gates/metric-analysis.js";
import { resolveMetricSpec } from "../../../src/core/gates/metric-spec.js";
import { evaluateMetrics } from "../../../src/core/gates/metrics.js";
import type { GateResult } from "../../../src/core/gates/types.js";
import { findPrometheusBinary, startPrometheus, type RunningPrometheus } from "../../support/prometheus.js";
import { ctx, facts, gate } from "../../unit/gates/helpers.js";

const binary = findPrometheusBinary();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app under test: a gauge we set and a counter that grows by 10 per scrape. */
class FakeApp {
  ratio = 0.999;
  requests = 0;
  private server: Server | undefined;
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      if (req.url !== "/metrics") return res.writeHead(404).end();
      this.requests += 10;
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(
        [
          "# HELP stagegate_test_success_ratio Share of good requests.",
          "# TYPE stagegate_test_success_ratio gauge",
          `stagegate_test_success_ratio{service="checkout"} ${this.ratio}`,
          "# HELP stagegate_test_requests_total Requests served.",
          "# TYPE stagegate_test_requests_total counter",
          `stagegate_test_requests_total{service="checkout"} ${this.requests}`,
          "",
        ].join("\n"),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe.skipIf(!binary)(`metrics gate against a real Prometheus${binary ? "" : " (skipped: no prometheus binary on PATH; apt-get install prometheus)"}`, () => {
  const app = new FakeApp();
  let prometheus: RunningPrometheus;
  let targetUpMs = 0;

  beforeAll(async () => {
    const target = await app.start();
    prometheus = await startPrometheus({ binary: binary!, targets: [target] });
    const started = Date.now();
    await prometheus.waitForTargets("app");
    await prometheus.waitForQuery('stagegate_test_success_ratio{service="checkout"}', (v) => (v.length === 1 ? true : undefined));
    targetUpMs = Date.now() - started;
    console.info(`prometheus ready in ${prometheus.startupMs} ms, target up and scraped in ${targetUpMs} ms`);
  });

  afterAll(async () => {
    await prometheus?.stop();
    await app.stop();
  });

  /** Drives the gate as the reconcile tick would: measure when due, re-evaluate, until it concludes. */
  async function runGate(params: Record<string, unknown>, timeoutMs = 20_000): Promise<{ result: GateResult; measurements: MeasurementFact[] }> {
    const spec = gate({ gate: "metrics", prometheus: { address: prometheus.url, query: 'stagegate_test_success_ratio{service="{{service}}"}' }, interval: "1s", ...params });
    const metric = resolveMetricSpec(spec, ctx());
    const measurements: MeasurementFact[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const now = new Date();
      if (isMeasurementDue(metric, measurements, now)) measurements.push(await measurePrometheus(metric, { now, timeoutMs: 5_000 }));
      const result = evaluateMetrics(spec, facts({ metrics: { metrics: { measurements } } }), ctx({ now: new Date() }));
      if (result.conclusion !== "pending") return { result, measurements };
      if (Date.now() > deadline) throw new Error(`gate still pending after ${timeoutMs} ms: ${result.summary}`);
      await sleep(100);
    }
  }

  it("queryPrometheus returns the scraped gauge as a vector of numbers, and scalars as numbers", async () => {
    expect(await queryPrometheus(prometheus.url, 'stagegate_test_success_ratio{service="checkout"}')).toEqual([0.999]);
    expect(await queryPrometheus(prometheus.url, "scalar(stagegate_test_success_ratio)")).toBe(0.999);
    expect(await queryPrometheus(prometheus.url, "stagegate_test_absent_metric")).toEqual([]);
    const rate = await prometheus.waitForQuery("rate(stagegate_test_requests_total[10s])", (v) => (v.length === 1 && v[0]! > 0 ? v : undefined));
    expect(rate[0]).toBeGreaterThan(1);
  });

  it("succeeds after count healthy measurements taken interval apart", async () => {
    app.ratio = 0.999;
    const started = Date.now();
    const { result, measurements } = await runGate({ successCondition: "result[0] >= 0.99", count: 3 });
    expect(result.conclusion).toBe("success");
    expect(result.summary).toBe("3 measurements done (3 successful, 0 failed, 0 inconclusive)");
    expect(measurements.map((m) => m.value)).toEqual([[0.999], [0.999], [0.999]]);
    const span = Date.parse(measurements[2]!.at) - Date.parse(measurements[0]!.at);
    expect(span).toBeGreaterThanOrEqual(2_000);
    console.info(`3 measurements 1s apart concluded in ${Date.now() - started} ms`);
  });

  it("fails when the scraped value degrades beyond failureLimit", async () => {
    app.ratio = 0.5;
    await prometheus.waitForQuery('stagegate_test_success_ratio{service="checkout"}', (v) => (v[0] === 0.5 ? true : undefined));
    const { result, measurements } = await runGate({ successCondition: "result[0] >= 0.99", failureLimit: 1, count: 5 });
    expect(result.conclusion).toBe("failure");
    expect(result.summary).toBe("2 failed measurements > failureLimit 1");
    expect(measurements).toHaveLength(2);
    app.ratio = 0.999;
  });

  it("is inconclusive between successCondition and failureCondition", async () => {
    app.ratio = 0.95;
    await prometheus.waitForQuery('stagegate_test_success_ratio{service="checkout"}', (v) => (v[0] === 0.95 ? true : undefined));
    const { result } = await runGate({ successCondition: "result[0] >= 0.99", failureCondition: "result[0] < 0.9", count: 2 });
    expect(result).toMatchObject({ conclusion: "neutral", summary: "inconclusive: 1 inconclusive measurement > inconclusiveLimit 0" });
    app.ratio = 0.999;
  });

  it("turns an empty result and a bad query into error measurements, failing past consecutiveErrorLimit", async () => {
    const empty = await runGate({ prometheus: { address: prometheus.url, query: "stagegate_test_absent_metric" }, successCondition: "result[0] >= 0.99", consecutiveErrorLimit: 1, count: 3 });
    expect(empty.result.summary).toBe("error: 2 consecutive errors > consecutiveErrorLimit 1");
    expect(empty.measurements[0]).toMatchObject({ value: [] });
    const bad = await runGate({ prometheus: { address: prometheus.url, query: "sum(" }, successCondition: "result[0] >= 0.99", consecutiveErrorLimit: 0 });
    expect(bad.result.conclusion).toBe("failure");
    expect(bad.measurements[0]).toMatchObject({ phase: "error" });
    expect(bad.measurements[0]!.message).toContain("bad_data");
  });
});
