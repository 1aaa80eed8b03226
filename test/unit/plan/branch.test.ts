import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSameLane, parsePromotionBranch, promotionBranch } from "../../../src/core/plan/branch.js";

const name = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((h) => `sha256:${h}`);

describe("promotion branches", () => {
  it("parse back to what made them (property), even for an environment named rollback", () => {
    fc.assert(
      fc.property(fc.constantFrom("promotion" as const, "rollback" as const), fc.oneof(name, fc.constant("rollback")), name, digest, (kind, env, service, d) => {
        expect(parsePromotionBranch(promotionBranch(kind, env, service, d))).toEqual({ kind, environment: env, service, digest12: d.slice(7, 19) });
      }),
    );
  });

  it.each(["main", "stagegate/prod", "stagegate/prod/checkout/xyz", "stagegate/prod/checkout/abcdef123456/extra", "stagegate/rollback/prod/checkout", "stagegate/Prod/checkout/abcdef123456", "renovate/prod/checkout/abcdef123456"])(
    "rejects %s",
    (branch) => {
      expect(parsePromotionBranch(branch)).toBeUndefined();
    },
  );

  it("puts promotions and rollbacks of the same service and environment in different lanes", () => {
    const a = parsePromotionBranch("stagegate/prod/checkout/abcdef123456");
    const b = parsePromotionBranch("stagegate/prod/checkout/123456abcdef");
    const r = parsePromotionBranch("stagegate/rollback/prod/checkout/abcdef123456");
    expect(a && b && isSameLane(a, b)).toBe(true);
    expect(a && r && isSameLane(a, r)).toBe(false);
  });
});
