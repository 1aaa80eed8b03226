// Metrics and http gates through the evaluation service on a real local repository, with injected probes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import type { MeasurementFact } from "../../../src/core/gates/facts.js";
import { encodeMeasurementBlock, metricFingerprint } from "../../../src/core/gates/measurement-store.js";
import { evaluatePromotion } from "../../../src/services/evaluate-promotion.js";
import { defaultProbes, probeGates, type Probes } from "../../../src/services/probes.js";
import { promote } from "../../../src/services/promote.js";
import { tick } from "../../../src/services/tick.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const MINUTE = 60_000;
const kustomization = (digest: string) => `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${digest}\n`;
const METRICS_GATE = (extra = "") => `  - gate: metrics
    name: errors
    prometheus:
      address: http://prometheus.example:9090
      query: sum(rate(errors{env="{{env}}"}[5m]))
    successCondition: result[0] >= 0.99
    count: 3
    interval: 1m
${extra}`;

function files(gates: string, extra: Record<string, string> = {}): Map<string, string> {
  return new Map([
    ...Object.entries(extra),
    ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod, policy: prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
    ["policies/prod.yaml", `version: 1\ngates:\n${gates}merge: { mode: manual }\n`],
    ["envs/prod/kustomization.yaml", kustomization(D("0"))],
  ]);
}

/** Probes answering `values` in turn (the last one repeats); every call is recorded. */
function fakeProbes(values: number[]): { probes: Probes; queries: string[]; fetched: string[] } {
  const queries: string[] = [];
  const fetched: string[] = [];
  const probes: Probes = {
    measurePrometheus: async (spec, { now }) => {
      queries.push(spec.prometheus!.query);
      return { at: now.toISOString(), value: [values[Math.min(queries.length, values.length) - 1]!] };
    },
    fetchHttpCheck: async (spec, target, { now }) => {
      fetched.push(spec.url.replace("{{env}}", target.environment));
      return { url: spec.url, at: now.toISOString(), status: 200, body: { ok: true } };
    },
  };
  return { probes, queries, fetched };
}

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function setup(gates: string, probes?: Probes, extra: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), "stagegate-probes-"));
  dirs.push(dir);
  let t = Date.parse("2026-03-02T10:00:00Z");
  const adapter = await initLocalRepo(dir, files(gates, extra), { clock: { now: () => new Date(t) } });
  const deps = { ...toLifecycleDeps(adapter), ...(probes ? { probes } : {}) };
  const opened = await promote({ repo: deps.repo }, { artifact: { service: "api", image: "ghcr.io/acme/api", digest: D("1") }, environment: "prod", requestedBy: "dana" });
  const pr = opened.pr!;
  const check = async (name: string) => (await adapter.checks.listChecks(pr.headSha)).find((c) => c.name === name);
  return { adapter, deps, pr, check, advance: (ms: number) => (t += ms) };
}

describe("metrics gate measurements across evaluations (local mode)", () => {
  it("takes one measurement per due evaluation, keeps them in the check, and succeeds after count", async () => {
    const fake = fakeProbes([0.995, 0.999, 1]);
    const { deps, pr, check, advance } = await setup(METRICS_GATE(), fake.probes);

    const first = await evaluatePromotion(deps, pr.number);
    expect(first.results[0]).toMatchObject({ conclusion: "pending", summary: "1 of 3 measurements taken", nextEvaluationAt: "2026-03-02T10:01:00.000Z" });
    expect(fake.queries).toEqual(['sum(rate(errors{env="prod"}[5m]))']);
    expect((await check("stagegate/errors"))!.summary).toMatch(/^<!-- stagegate:measurements v1 /);

    // Not due yet: no query, nothing written.
    advance(30_000);
    expect((await evaluatePromotion(deps, pr.number)).written).toEqual([]);
    expect(fake.queries).toHaveLength(1);

    advance(30_000);
    const report = await tick(deps);
    expect(report.evaluations[0]!.results[0]).toMatchObject({ conclusion: "pending", summary: "2 of 3 measurements taken" });
    advance(MINUTE);
    await tick(deps);
    const done = await check("stagegate/errors");
    expect(done).toMatchObject({ status: "completed", conclusion: "success", title: "3 measurements done (3 successful, 0 failed, 0 inconclusive)" });
    expect((await check("stagegate"))!.conclusion).toBe("success");
    expect(fake.queries).toHaveLength(3);

    // Done: later evaluations measure nothing more and write nothing.
    advance(10 * MINUTE);
    expect((await evaluatePromotion(deps, pr.number)).written).toEqual([]);
    expect(fake.queries).toHaveLength(3);
  });

  it("fails once failed measurements exceed failureLimit", async () => {
    const fake = fakeProbes([0.5]);
    const { deps, pr, check, advance } = await setup(METRICS_GATE("    failureLimit: 1\n"), fake.probes);
    await evaluatePromotion(deps, pr.number);
    expect((await check("stagegate/errors"))!.status).toBe("in_progress");
    advance(MINUTE);
    await evaluatePromotion(deps, pr.number);
    expect(await check("stagegate/errors")).toMatchObject({ status: "completed", conclusion: "failure", title: "2 failed measurements > failureLimit 1" });
    expect((await check("stagegate"))!.conclusion).toBe("failure");
    advance(MINUTE);
    await evaluatePromotion(deps, pr.number);
    expect(fake.queries).toHaveLength(2);
  });

  it("ignores a tampered block with the reason and starts over", async () => {
    const fake = fakeProbes([1]);
    const { adapter, deps, pr, check, advance } = await setup(METRICS_GATE(), fake.probes);
    await evaluatePromotion(deps, pr.number);
    const stored = (await check("stagegate/errors"))!;
    // Someone with push access to refs/stagegate rewrites the check: three "successful" measurements of another query.
    const forged = encodeMeasurementBlock({ key: pr.headSha, fingerprint: "deadbeef", measurements: [1, 2, 3].map((i) => ({ at: `2026-03-02T09:5${i}:00.000Z`, value: [1] })) });
    await adapter.checks.writeChecks(pr.headSha, [{ ...stored, summary: stored.summary.replace(/^<!--.*-->/, forged) }]);
    advance(MINUTE);
    const outcome = await evaluatePromotion(deps, pr.number);
    expect(outcome.results[0]).toMatchObject({ conclusion: "pending", summary: "1 of 3 measurements taken" });
    expect(outcome.results[0]!.details).toContain("stored measurements ignored (the query or Prometheus address changed); the analysis starts over");
  });

  it("starts over for a new head: measurements are keyed by the head sha", async () => {
    const fake = fakeProbes([1]);
    const { deps, pr } = await setup(METRICS_GATE(), fake.probes);
    const gate = { gate: "metrics" as const, name: "errors", prometheus: { address: "http://prometheus.example:9090", query: "up" }, count: 3, interval: "1m" };
    const spec = { prometheus: gate.prometheus };
    const block = encodeMeasurementBlock({ key: pr.headSha, fingerprint: metricFingerprint(spec), measurements: [{ at: "2026-03-02T09:58:00.000Z", value: [1] }, { at: "2026-03-02T09:59:00.000Z", value: [1] }] });
    const existing = [{ name: "stagegate/errors", status: "in_progress" as const, title: "", summary: block }];
    const args = { gates: [gate], target: { environment: "prod", service: "api", digest: D("1") }, files: new Map<string, string>(), existing, checkName: (g: string) => `stagegate/${g}` };
    const same = await probeGates(deps, { ...args, key: pr.headSha });
    expect(same.metrics["errors"]!.measurements).toHaveLength(3);
    const moved = await probeGates(deps, { ...args, key: "f".repeat(40) });
    expect(moved.metrics["errors"]!.measurements.map((m: MeasurementFact) => m.at)).toEqual(["2026-03-02T10:00:00.000Z"]);
    expect(moved.blocks.get("errors")).toContain(`taken for ${pr.headSha}, not ${"f".repeat(40)}`);
  });

  it("reads an AnalysisTemplate from the default branch", async () => {
    const fake = fakeProbes([0.2]);
    const template = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: error-rate }
spec:
  args: [{ name: service }]
  metrics:
    - name: error-rate
      interval: 5m
      count: 2
      failureCondition: result[0] > 0.1
      provider:
        prometheus:
          address: http://prometheus.example:9090
          query: sum(rate(errors{service="{{args.service}}"}[5m]))
`;
    const { deps, pr } = await setup(`  - gate: metrics\n    analysisTemplate: analysis/error-rate.yaml\n    args: { service: "{{service}}" }\n`, fake.probes, { "analysis/error-rate.yaml": template });
    const outcome = await evaluatePromotion(deps, pr.number);
    expect(fake.queries).toEqual(['sum(rate(errors{service="api"}[5m]))']);
    expect(outcome.results[0]).toMatchObject({ conclusion: "failure" });
  });
});

describe("http gates and the SSRF guard", () => {
  it("fetches on each evaluation but rewrites the check only when the verdict changes", async () => {
    const fake = fakeProbes([1]);
    const { deps, pr, check, advance } = await setup("  - gate: http\n    url: https://status.example.com/{{env}}\n    successCondition: body.ok == true\n", fake.probes);
    const first = await evaluatePromotion(deps, pr.number);
    expect(first.results[0]).toMatchObject({ conclusion: "success", summary: "200, body.ok == true" });
    expect(fake.fetched).toEqual(["https://status.example.com/prod"]);
    advance(MINUTE);
    const second = await evaluatePromotion(deps, pr.number);
    expect(fake.fetched).toHaveLength(2);
    expect(second.written).toEqual([]);
    expect((await check("stagegate/http"))!.conclusion).toBe("success");
  });

  it("reports SSRF refusals of the real adapters: metadata Prometheus, private http URL", async () => {
    const gates = `  - gate: metrics
    name: meta
    prometheus: { address: "http://169.254.169.254/", query: up }
    successCondition: result[0] == 1
  - gate: http
    url: http://127.0.0.1:9/health
`;
    const { deps, pr } = await setup(gates, defaultProbes);
    const outcome = await evaluatePromotion(deps, pr.number);
    const byGate = Object.fromEntries(outcome.results.map((r) => [r.gate, r]));
    expect(byGate["meta"]!.conclusion).toBe("pending");
    expect(byGate["meta"]!.details).toMatch(/refused 169\.254\.169\.254.*cloud metadata/);
    expect(byGate["http"]).toMatchObject({ conclusion: "failure", summary: expect.stringMatching(/request failed: refused 127\.0\.0\.1:9: .*loopback.*allowPrivateNetwork/) });
  });
});
