import { describe, expect, it } from "vitest";
import { toDeploymentFact } from "../../../src/core/gates/deployment-facts.js";
import { getDownstreamClosure, planNextStages } from "../../../src/core/lifecycle/next-stage.js";
import type { DeploymentStatus } from "../../../src/core/ports/deployments.js";
import { D, deployment, loaded, snapshotWith } from "./fixtures.js";

const verified: DeploymentStatus[] = [{ state: "success", description: "ok", creator: "stagegate", createdAt: "2026-01-01T01:00:00.000Z" }];
const failed: DeploymentStatus[] = [{ state: "failure", description: "bad", creator: "stagegate", createdAt: "2026-01-01T01:00:00.000Z" }];
const config = loaded(snapshotWith({}));
const facts = (...ds: ReturnType<typeof deployment>[]) => ds.map((d) => toDeploymentFact(d, { verifier: "stagegate" }));

describe("planNextStages", () => {
  it("opens both downstream environments of dev once dev is verified, keeping auto: none as manual", () => {
    const stages = planNextStages(config, "dev", D("a"), facts(deployment({ environment: "dev", digest: D("a"), statuses: verified })));
    expect(stages).toEqual([
      { environment: "eu", auto: "pr", ready: true, waitingFor: [] },
      { environment: "us", auto: "none", ready: true, waitingFor: [] },
    ]);
  });

  it("makes an environment with two upstreams wait until both have the digest verified", () => {
    const onlyEu = facts(deployment({ environment: "eu", digest: D("a"), statuses: verified }));
    expect(planNextStages(config, "eu", D("a"), onlyEu)).toEqual([{ environment: "global", auto: "pr", ready: false, waitingFor: ["us"] }]);
    const both = facts(deployment({ environment: "eu", digest: D("a"), statuses: verified }), deployment({ environment: "us", digest: D("a"), statuses: verified }));
    expect(planNextStages(config, "us", D("a"), both)).toEqual([{ environment: "global", auto: "pr", ready: true, waitingFor: [] }]);
  });

  it("does not count an upstream where the digest is deployed but not verified, or failed", () => {
    const deploying = facts(deployment({ environment: "eu", digest: D("a"), statuses: verified }), deployment({ environment: "us", digest: D("a") }));
    expect(planNextStages(config, "eu", D("a"), deploying)[0]?.waitingFor).toEqual(["us"]);
    const broken = facts(deployment({ environment: "eu", digest: D("a"), statuses: verified }), deployment({ environment: "us", digest: D("a"), statuses: failed }));
    expect(planNextStages(config, "eu", D("a"), broken)[0]?.ready).toBe(false);
  });

  it("does not count another digest verified upstream", () => {
    const other = facts(deployment({ environment: "eu", digest: D("b"), statuses: verified }), deployment({ environment: "us", digest: D("a"), statuses: verified }));
    expect(planNextStages(config, "us", D("a"), other)[0]?.waitingFor).toEqual(["eu"]);
  });
});

describe("getDownstreamClosure", () => {
  it("lists every environment downstream, transitively, once", () => {
    expect(getDownstreamClosure(config, "dev")).toEqual(["eu", "us", "global"]);
    expect(getDownstreamClosure(config, "global")).toEqual([]);
  });
});
