// Local mode with the REAL probes (adapters/http, SSRF guard included) against a loopback server that
// speaks Prometheus' /api/v1/query: a metrics gate over ticks, then verification.metrics after deploy
// failing into a rollback, with the app's counters recorded.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { initLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import { createPrometheusMetrics } from "../../../src/observability/metrics.js";
import { reportDeploymentStatus } from "../../../src/services/deploy-status.js";
import { verificationCheckName } from "../../../src/services/probes.js";
import { promote } from "../../../src/services/promote.js";
import { tick } from "../../../src/services/tick.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const MINUTE = 60_000;

/** Answers instant queries with the next value of `values` (a one-series vector); records the queries. */
class FakePrometheus {
  values: number[] = [];
  queries: string[] = [];
  #server: Server | undefined;
  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      if (url.pathname !== "/api/v1/query") return res.writeHead(404).end();
      this.queries.push(url.searchParams.get("query") ?? "");
      const value = this.values.shift() ?? 0;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [{ metric: {}, value: [Date.now() / 1000, String(value)] }] } }));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise((resolve) => this.#server?.close(resolve));
  }
}

const kustomization = (digest: string) => `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${digest}\n`;
const metric = (address: string) => `    prometheus: { address: "${address}", query: 'sum(rate(errors{env="{{env}}"}[5m]))' }
    successCondition: result[0] < 1
    count: 2
    interval: 1m
`;

let prometheus: FakePrometheus;
let address: string;
let dirs: string[] = [];
beforeEach(async () => {
  prometheus = new FakePrometheus();
  address = await prometheus.start();
});
afterEach(async () => {
  await prometheus.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function setup() {
  const files = new Map([
    ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: dev }\n  - { name: prod, path: envs/prod, from: [dev], policy: prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
    ["policies/dev.yaml", `version: 1\nmerge: { mode: auto }\nverification:\n  metrics:\n${metric(address)}`],
    ["policies/prod.yaml", `version: 1\ngates:\n  - gate: metrics\n    name: errors\n${metric(address)}merge: { mode: manual }\n`],
    ["envs/dev/kustomization.yaml", kustomization(D("0"))],
    ["envs/prod/kustomization.yaml", kustomization(D("0"))],
  ]);
  const dir = await mkdtemp(join(tmpdir(), "stagegate-probes-local-"));
  dirs.push(dir);
  let t = Date.parse("2026-03-02T10:00:00Z");
  const adapter = await initLocalRepo(dir, files, { clock: { now: () => new Date(t) } });
  const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false });
  const deps = { ...toLifecycleDeps(adapter), metrics };
  return { adapter, deps, registry, advance: (ms: number) => (t += ms) };
}

const artifact = (digest: string) => ({ service: "api", image: "ghcr.io/acme/api", digest, createdAt: "2026-03-02T09:30:00Z" });

describe("metrics gate and verification metrics in local mode (real probes, loopback Prometheus)", () => {
  it("measures the gate on each due tick until count, then passes", async () => {
    const { adapter, deps, registry, advance } = await setup();
    prometheus.values = [0.1, 0.2];
    const opened = await promote(deps, { artifact: artifact(D("1")), environment: "prod", requestedBy: "dana" });
    await tick(deps);
    const checks = async () => Object.fromEntries((await adapter.checks.listChecks(opened.pr!.headSha)).map((c) => [c.name, c]));
    expect((await checks())["stagegate/errors"]).toMatchObject({ status: "in_progress", title: "1 of 2 measurements taken" });
    expect(prometheus.queries).toEqual(['sum(rate(errors{env="prod"}[5m]))']);
    advance(MINUTE);
    await tick(deps);
    expect((await checks())["stagegate/errors"]).toMatchObject({ status: "completed", conclusion: "success" });
    expect((await checks())["stagegate"]).toMatchObject({ conclusion: "success" });
    const text = await registry.metrics();
    expect(text).toContain('stagegate_promotions_total{environment="prod",outcome="opened"} 1');
    expect(text).toContain('stagegate_gate_evaluations_total{gate="errors",conclusion="in_progress"} 1');
    expect(text).toContain('stagegate_gate_evaluations_total{gate="errors",conclusion="success"} 1');
  });

  it("runs verification.metrics after the deployer's success: verified when healthy, lead time observed", async () => {
    const { adapter, deps, registry, advance } = await setup();
    prometheus.values = [0.1, 0.3];
    await promote(deps, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" });
    await tick(deps);
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "argocd" });
    const first = await tick(deps);
    expect(first.verifications.map((v) => [v.verdict, v.detail])).toEqual([["pending", "metrics analysis running: 1 of 2 measurements taken"]]);
    const [deployment] = await adapter.deployments.listDeployments({ environment: "dev" });
    const check = async () => (await adapter.checks.listChecks(deployment!.ref)).find((c) => c.name === verificationCheckName("dev", "api"));
    expect((await check())!.summary).toContain(`"key":"${deployment!.id}"`);
    advance(MINUTE);
    const second = await tick(deps);
    expect(second.verifications.map((v) => v.verdict)).toEqual(["verified"]);
    expect(await check()).toMatchObject({ status: "completed", conclusion: "success" });
    const text = await registry.metrics();
    expect(text).toContain('stagegate_deployments_total{environment="dev",result="created"} 1');
    expect(text).toContain('stagegate_deployments_total{environment="dev",result="success"} 1');
    // Artifact built at 09:30, verified at 10:01 on the simulated clock.
    expect(text).toContain('stagegate_lead_time_seconds_sum{environment="dev"} 1860');
  });

  it("fails verification when the analysis fails, and counts the rollback when it is merged", async () => {
    const { adapter, deps, registry, advance } = await setup();
    prometheus.values = [0.1];
    await promote(deps, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" });
    await tick(deps);
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "argocd" });
    await tick(deps);
    advance(MINUTE);
    await tick(deps);
    // Next artifact: bad error rate after deploy.
    prometheus.values = [5];
    await promote(deps, { artifact: artifact(D("2")), environment: "dev", requestedBy: "dana" });
    await tick(deps);
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "argocd" });
    const failed = await tick(deps);
    expect(failed.verifications.map((v) => v.verdict)).toContain("failed");
    expect(failed.rollbacks).toHaveLength(1);
    expect(failed.verifications.find((v) => v.verdict === "failed")!.detail).toMatch(/^Verification failed: metrics analysis 1 failed measurement > failureLimit 0/);
    // The rollback PR merges (auto) on the next tick and its push is recorded as a rollback.
    await tick(deps);
    const text = await registry.metrics();
    expect(text).toContain('stagegate_deployments_total{environment="dev",result="failure"} 1');
    expect(text).toContain('stagegate_rollbacks_total{environment="dev",reason="verification_failed"} 1');
    expect((await adapter.pulls.listAll()).some((p) => p.branch.startsWith("stagegate/rollback/"))).toBe(true);
  });
});
