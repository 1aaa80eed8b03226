import { describe, expect, it } from "vitest";
import { recognizeRollback } from "../../../src/core/lifecycle/revert.js";
import { changedChecks, isGreen } from "../../../src/core/lifecycle/checks.js";
import { D } from "./fixtures.js";

describe("recognizeRollback", () => {
  it.each([
    ["a Stagegate rollback (trailer)", "rollback api in eu\n\nStagegate-Service: api\nStagegate-Kind: rollback\n", new Set<string>(), true],
    ["GitHub's Revert button", `Revert "promote api to eu" (#12)\n\nThis reverts commit ${"c".repeat(40)}.\n`, new Set<string>(), true],
    ["git revert without the message body", 'Revert "promote api"\n', new Set<string>(), true],
    ["any commit moving back to a digest that ran before", "bump api by hand\n", new Set([D("a")]), true],
    ["a forward change", "bump api by hand\n", new Set([D("c")]), false],
  ])("%s", (_name, message, earlier, expected) => {
    expect(recognizeRollback(message, D("a"), earlier).rollback).toBe(expected);
  });

  it("names the reverted commit", () => {
    expect(recognizeRollback(`Revert "x"\n\nThis reverts commit ${"c".repeat(40)}.`, D("a"), new Set()).revertOf).toBe("c".repeat(40));
  });
});

describe("changedChecks", () => {
  const check = { name: "stagegate/soak", status: "in_progress" as const, title: "soaking: 10m left", summary: "s" };
  it("writes only checks that are new or differ", () => {
    expect(changedChecks([check], [check])).toEqual([]);
    expect(changedChecks([check], [{ ...check, title: "soaking: 5m left" }])).toHaveLength(1);
    expect(changedChecks([], [check])).toEqual([check]);
  });

  it("isGreen only for a completed success", () => {
    expect(isGreen({ ...check, status: "completed", conclusion: "success" })).toBe(true);
    expect(isGreen(check)).toBe(false);
    expect(isGreen(undefined)).toBe(false);
  });
});
