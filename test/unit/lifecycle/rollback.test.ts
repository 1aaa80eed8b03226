import { describe, expect, it } from "vitest";
import { planRollback, restrictToFiles } from "../../../src/core/lifecycle/rollback.js";
import { planPromotion } from "../../../src/core/plan/index.js";
import { D, deployment, loaded, snapshotWith } from "./fixtures.js";

const snap = snapshotWith({ dev: D("b"), eu: D("b") });
const config = loaded(snap);
const failedApi = deployment({ environment: "eu", digest: D("b"), payload: { service: "api", digest: D("b"), kind: "promotion", previousDigest: D("a"), files: ["envs/eu/app/kustomization.yaml"] } });

describe("planRollback", () => {
  it("sets the previous digest back in exactly the files the failed promotion changed", () => {
    expect(planRollback(config, failedApi, [D("b")])).toEqual({
      action: "rollback",
      environment: "eu",
      service: "api",
      digest: D("a"),
      files: ["envs/eu/app/kustomization.yaml"],
      reason: `verification of sha256:${"b".repeat(12)} failed in eu`,
    });
  });

  it("refuses a service with forward-only migrations, and says why", () => {
    const db = deployment({ environment: "eu", service: "db", digest: D("b"), payload: { service: "db", digest: D("b"), kind: "promotion", previousDigest: D("a") } });
    const decision = planRollback(config, db, [D("b")]);
    expect(decision.action).toBe("refuse");
    expect(decision.reason).toContain("forward-only");
    expect(decision.reason).toContain("Fix forward");
  });

  it("refuses to roll back a failed rollback, and when there is nothing to go back to", () => {
    expect(planRollback(config, { ...failedApi, kind: "rollback" }, [D("b")]).action).toBe("refuse");
    const first = deployment({ environment: "eu", digest: D("b") });
    expect(planRollback(config, first, [D("b")])).toMatchObject({ action: "refuse", reason: expect.stringContaining("nothing to roll back to") });
  });

  it("does nothing once the environment no longer runs the failed digest (idempotent)", () => {
    expect(planRollback(config, failedApi, [D("a")])).toMatchObject({ action: "none" });
  });
});

describe("restrictToFiles", () => {
  it("makes the planner edit only the kept files of the environment", () => {
    const restricted = restrictToFiles(snap, "envs/eu", ["envs/eu/app/kustomization.yaml"]);
    const plan = planPromotion(restricted, { artifact: { service: "api", image: "ghcr.io/acme/api", digest: D("a") }, environment: "eu", kind: "rollback" }, config);
    expect(plan.files.map((f) => f.path)).toEqual(["envs/eu/app/kustomization.yaml"]);
    expect(restricted.files.has("envs/dev/worker/kustomization.yaml")).toBe(true);
    expect(restrictToFiles(snap, "envs/eu", [])).toBe(snap);
  });
});
