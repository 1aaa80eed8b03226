import { describe, expect, it } from "vitest";
import type { DeploymentFact } from "../../../src/core/gates/facts.js";
import { evaluateSoak } from "../../../src/core/gates/soak.js";
import { evaluateUpstream } from "../../../src/core/gates/upstream.js";
import { toDeploymentFact } from "../../../src/core/gates/deployment-facts.js";
import { ctx, DIGEST, facts, gate, OTHER_DIGEST } from "./helpers.js";

const dep = (d: Partial<DeploymentFact>): DeploymentFact => ({ environment: "staging", digest: DIGEST, state: "success", createdAt: "2024-06-03T08:00:00Z", ...d });

describe("upstream gate", () => {
  const spec = gate({ gate: "upstream" });
  it.each<[string, DeploymentFact[], string, string]>([
    ["verified upstream", [dep({ verifiedAt: "2024-06-03T08:05:00Z" })], "success", "verified healthy in staging"],
    ["verified then superseded", [dep({ state: "inactive", verifiedAt: "2024-06-03T08:05:00Z", endedAt: "2024-06-03T09:00:00Z" })], "success", "verified"],
    ["not deployed", [], "pending", "waiting for aaaaaaaaaaaa to be verified in staging"],
    ["other digest only", [dep({ digest: OTHER_DIGEST, verifiedAt: "2024-06-03T08:05:00Z" })], "pending", "waiting"],
    ["other environment only", [dep({ environment: "dev", verifiedAt: "2024-06-03T08:05:00Z" })], "pending", "waiting"],
    ["deployed, not verified", [dep({ state: "in_progress" })], "pending", "waiting"],
    ["failed", [dep({ state: "failure", failedAt: "2024-06-03T08:10:00Z" })], "failure", "failed in staging"],
    ["verified then failed (revoked)", [dep({ state: "failure", verifiedAt: "2024-06-03T08:05:00Z", failedAt: "2024-06-03T09:10:00Z" })], "failure", "failed in staging"],
    ["failed, redeployed and verified", [dep({ state: "failure", failedAt: "2024-06-03T08:10:00Z" }), dep({ createdAt: "2024-06-03T09:00:00Z", verifiedAt: "2024-06-03T09:05:00Z" })], "success", "verified"],
  ])("%s → %s", (_name, deployments, conclusion, summary) => {
    const r = evaluateUpstream(spec, facts({ deployments }), ctx());
    expect(r.conclusion).toBe(conclusion);
    expect(r.summary).toContain(summary);
    expect(r.gate).toBe("upstream");
  });

  it("requires every upstream environment of a fan-in", () => {
    const r = evaluateUpstream(spec, facts({ deployments: [dep({ verifiedAt: "2024-06-03T08:05:00Z" })] }), ctx({ upstream: ["staging", "prod-eu"] }));
    expect(r.conclusion).toBe("pending");
    expect(r.summary).toContain("prod-eu");
    expect(r.details).toContain("| staging | verified healthy |");
  });

  it("uses explicit environments over from, and is neutral for a first stage", () => {
    const explicit = gate({ gate: "upstream", environments: ["dev"] });
    expect(evaluateUpstream(explicit, facts({ deployments: [dep({ environment: "dev", verifiedAt: "2024-06-03T08:05:00Z" })] }), ctx()).conclusion).toBe("success");
    expect(evaluateUpstream(spec, facts(), ctx({ upstream: [] })).conclusion).toBe("neutral");
  });

  it("derives facts from port deployments", () => {
    const fact = toDeploymentFact({
      id: "1", environment: "staging", service: "checkout", digest: DIGEST, ref: "abc", kind: "promotion", createdAt: "2024-06-03T08:00:00Z",
      payload: { service: "checkout", digest: DIGEST, kind: "promotion" },
      statuses: [
        { state: "in_progress", description: "", creator: "argocd", createdAt: "2024-06-03T08:01:00Z" },
        { state: "success", description: "", creator: "argocd", createdAt: "2024-06-03T08:02:00Z" },
        { state: "success", description: "verified", creator: "stagegate", createdAt: "2024-06-03T08:10:00Z" },
      ],
    }, { verifier: "stagegate" });
    expect(fact).toEqual({ environment: "staging", digest: DIGEST, state: "success", createdAt: "2024-06-03T08:00:00Z", verifiedAt: "2024-06-03T08:10:00Z" });
  });
});

describe("soak gate", () => {
  const spec = gate({ gate: "soak", duration: "2h" });
  it.each<[string, DeploymentFact[], string, string | undefined]>([
    ["healthy long enough", [dep({ verifiedAt: "2024-06-03T07:00:00Z" })], "success", undefined],
    ["exactly long enough", [dep({ verifiedAt: "2024-06-03T08:00:00Z" })], "success", undefined],
    ["still soaking", [dep({ verifiedAt: "2024-06-03T09:00:00Z" })], "pending", "2024-06-03T11:00:00.000Z"],
    ["not verified", [dep({ state: "in_progress" })], "pending", undefined],
    ["failed upstream", [dep({ state: "failure", verifiedAt: "2024-06-03T07:00:00Z", failedAt: "2024-06-03T09:30:00Z" })], "failure", undefined],
    ["superseded before soaking", [dep({ state: "inactive", verifiedAt: "2024-06-03T08:30:00Z", endedAt: "2024-06-03T09:00:00Z" })], "failure", undefined],
    ["superseded after soaking", [dep({ state: "inactive", verifiedAt: "2024-06-03T06:00:00Z", endedAt: "2024-06-03T09:00:00Z" })], "success", undefined],
  ])("%s → %s", (_name, deployments, conclusion, next) => {
    const r = evaluateSoak(spec, facts({ deployments }), ctx());
    expect(r.conclusion).toBe(conclusion);
    expect(r.nextEvaluationAt).toBe(next);
  });

  it("waits for the slowest upstream", () => {
    const deployments = [dep({ verifiedAt: "2024-06-03T07:00:00Z" }), dep({ environment: "prod-eu", verifiedAt: "2024-06-03T09:30:00Z" })];
    const r = evaluateSoak(spec, facts({ deployments }), ctx({ upstream: ["staging", "prod-eu"] }));
    expect(r.conclusion).toBe("pending");
    expect(r.nextEvaluationAt).toBe("2024-06-03T11:30:00.000Z");
    expect(r.summary).toBe("soaking: 1h30m left of 2h");
  });
});
