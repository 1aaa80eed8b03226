import { describe, expect, it } from "vitest";
import { BoundedLabel, OVERFLOW_LABEL, createPrometheusMetrics, noopMetrics, type StagegateMetrics } from "../../../src/observability/metrics.js";

/** One call of every facade method, so both implementations are exercised the same way. */
function recordOneOfEach(metrics: StagegateMetrics): void {
  metrics.recordWebhook({ event: "pull_request", action: "opened", outcome: "success", durationSeconds: 0.2 });
  metrics.recordPromotion({ environment: "staging", outcome: "opened" });
  metrics.recordPromotion({ environment: "staging", outcome: "already_promoted" });
  metrics.recordGateEvaluation({ gate: "soak", conclusion: "in_progress" });
  metrics.recordDeployment({ environment: "prod-eu", result: "success" });
  metrics.recordRollback({ environment: "prod-eu", reason: "verification_failed" });
  metrics.recordGithubRequest({ route: "GET /repos/{owner}/{repo}/pulls", status: "200" });
  metrics.setGithubRateLimitRemaining({ resource: "core", remaining: 4987 });
  metrics.observeLeadTime({ environment: "prod-eu", seconds: 5400 });
  metrics.setEvidenceSealKeys({ sealing: "0a1b2c3d", verifying: ["44556677", "8899aabb"] });
}

describe("createPrometheusMetrics", () => {
  it("exports every Stagegate metric with its labels in Prometheus text format", async () => {
    const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false });
    recordOneOfEach(metrics);
    const text = await registry.metrics();
    for (const line of [
      'stagegate_webhook_events_total{event="pull_request",action="opened",outcome="success"} 1',
      'stagegate_handler_duration_seconds_bucket{le="0.25",event="pull_request"} 1',
      'stagegate_handler_duration_seconds_bucket{le="0.1",event="pull_request"} 0',
      'stagegate_promotions_total{environment="staging",outcome="opened"} 1',
      'stagegate_promotions_total{environment="staging",outcome="already_promoted"} 1',
      'stagegate_gate_evaluations_total{gate="soak",conclusion="in_progress"} 1',
      'stagegate_deployments_total{environment="prod-eu",result="success"} 1',
      'stagegate_rollbacks_total{environment="prod-eu",reason="verification_failed"} 1',
      'stagegate_github_requests_total{route="GET /repos/{owner}/{repo}/pulls",status="200"} 1',
      'stagegate_github_rate_limit_remaining{resource="core"} 4987',
      'stagegate_lead_time_seconds_bucket{le="7200",environment="prod-eu"} 1',
      'stagegate_lead_time_seconds_bucket{le="3600",environment="prod-eu"} 0',
      'stagegate_evidence_seal_keys_info{sealing="0a1b2c3d",verifying="44556677,8899aabb"} 1',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain("# TYPE stagegate_lead_time_seconds histogram");
    expect(text).not.toContain("process_cpu_user_seconds_total");
  });

  it("keeps one series of the evidence seal's key ids: set again, the earlier ids are gone", async () => {
    const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false });
    metrics.setEvidenceSealKeys({ sealing: "0a1b2c3d", verifying: [] });
    expect(await registry.metrics()).toContain('stagegate_evidence_seal_keys_info{sealing="0a1b2c3d",verifying=""} 1');
    metrics.setEvidenceSealKeys({ sealing: "deadbeef", verifying: ["0a1b2c3d"] });
    const text = await registry.metrics();
    expect(text).toContain('stagegate_evidence_seal_keys_info{sealing="deadbeef",verifying="0a1b2c3d"} 1');
    expect(text.match(/^stagegate_evidence_seal_keys_info\{/gm)).toHaveLength(1);
  });

  it("adds the default process metrics unless turned off, and keeps registries separate", async () => {
    const a = createPrometheusMetrics();
    const b = createPrometheusMetrics({ collectDefaultMetrics: false });
    a.metrics.recordPromotion({ environment: "dev", outcome: "merged" });
    expect(await a.registry.metrics()).toContain("process_cpu_user_seconds_total");
    expect(await a.registry.metrics()).toContain("nodejs_eventloop_lag_seconds");
    expect(await b.registry.metrics()).not.toContain('environment="dev"');
  });

  it("caps free-form labels so a flood of distinct routes cannot create unbounded series", async () => {
    const { metrics, registry } = createPrometheusMetrics({ collectDefaultMetrics: false, maxLabelValues: 3 });
    for (let i = 0; i < 10; i++) metrics.recordGithubRequest({ route: `GET /weird/${i}`, status: "200" });
    metrics.recordWebhook({ event: "a", action: "x", outcome: "success", durationSeconds: 0 });
    const text = await registry.metrics();
    expect(text.match(/stagegate_github_requests_total\{/g)).toHaveLength(4);
    expect(text).toContain(`stagegate_github_requests_total{route="${OVERFLOW_LABEL}",status="200"} 7`);
  });
});

describe("BoundedLabel", () => {
  it("passes known values through after the cap is reached", () => {
    const label = new BoundedLabel(2);
    expect([label.get("a"), label.get("b"), label.get("c"), label.get("a")]).toEqual(["a", "b", OVERFLOW_LABEL, "a"]);
  });
});

describe("noopMetrics", () => {
  it("accepts every call", () => {
    expect(() => recordOneOfEach(noopMetrics)).not.toThrow();
  });
});
