import { describe, expect, it } from "vitest";
import { policySchema, type PolicyInput } from "../../../src/core/config/policy-schema.js";
import { evaluateGates, summarizeGates } from "../../../src/core/gates/evaluate.js";
import type { GateFacts, OverrideFact } from "../../../src/core/gates/facts.js";
import type { GateResult } from "../../../src/core/gates/types.js";
import { ctx, DIGEST, facts } from "./helpers.js";

const NOW = new Date("2024-06-03T10:00:00Z");
const base: GateFacts = facts({
  pullRequest: { author: "dave", headSha: "c".repeat(40), openedAt: "2024-06-03T08:00:00Z" },
  reviews: [],
  teams: { "acme/sre": ["oscar", "petra"], "acme/release": ["alice"] },
  deployments: [{ environment: "staging", digest: DIGEST, state: "success", createdAt: "2024-06-03T07:00:00Z", verifiedAt: "2024-06-03T07:10:00Z" }],
});
const policy = (input: Partial<PolicyInput> = {}) =>
  policySchema.parse({ gates: [{ gate: "upstream" }, { gate: "approvals", teams: ["acme/release"] }], overrides: { teams: ["acme/sre"], requireSecondPerson: true, expiry: "2h" }, ...input });
const override = (o: Partial<OverrideFact> = {}): OverrideFact => ({ gate: "approvals", by: "oscar", reason: "hotfix for INC-42", at: "2024-06-03T09:30:00Z", confirmedBy: "petra", ...o });
const approvalsOf = (p: ReturnType<typeof policy>, overrides: OverrideFact[], f: GateFacts = base) => evaluateGates(p, { ...f, overrides }, ctx({ now: NOW })).results.find((r) => r.gate === "approvals")!;

describe("overrides", () => {
  it("a confirmed override by an authorised person turns pending into success, with evidence and expiry", () => {
    const r = approvalsOf(policy(), [override()]);
    expect(r.conclusion).toBe("success");
    expect(r.summary).toBe("overridden by @oscar, confirmed by @petra: hotfix for INC-42");
    expect(r.nextEvaluationAt).toBe("2024-06-03T11:30:00.000Z");
    expect(r.evidence?.["override"]).toMatchObject({ by: "oscar", confirmedBy: "petra", reason: "hotfix for INC-42", expiresAt: "2024-06-03T11:30:00.000Z", original: { conclusion: "pending" } });
    expect(r.details).toContain("Underlying result: pending");
  });

  it.each<[string, Partial<OverrideFact>, string]>([
    ["expired", { at: "2024-06-03T07:59:00Z" }, "expired at 2024-06-03T09:59:00.000Z"],
    ["unauthorised", { by: "mallory" }, "@mallory is not allowed to override"],
    ["second person missing", { confirmedBy: undefined }, "waiting for a second person"],
    ["confirmed by the same person", { confirmedBy: "OSCAR" }, "cannot confirm their own override"],
    ["confirmed by an unauthorised person", { confirmedBy: "zed" }, "@zed is not allowed to confirm"],
    ["for another gate", { gate: "soak" }, ""],
  ])("is ignored when %s", (_name, changes, reason) => {
    const r = approvalsOf(policy(), [override(changes)]);
    expect(r.conclusion).toBe("pending");
    expect(r.details).toContain(reason);
  });

  it("does not need a second person unless required, and user lists authorise too", () => {
    const p = policy({ overrides: { users: ["@Quinn"], requireSecondPerson: false } });
    expect(approvalsOf(p, [override({ by: "quinn", confirmedBy: undefined })]).conclusion).toBe("success");
  });

  it("uses the latest valid override when several exist", () => {
    const r = approvalsOf(policy(), [override({ reason: "old", at: "2024-06-03T09:00:00Z" }), override({ reason: "new", at: "2024-06-03T09:45:00Z" }), override({ by: "mallory", at: "2024-06-03T09:50:00Z" })]);
    expect(r.summary).toContain(": new");
  });

  it("ignores overrides when the policy allows none", () => {
    const p = policySchema.parse({ gates: [{ gate: "approvals", teams: ["acme/release"] }] });
    const r = approvalsOf(p, [override()]);
    expect(r.conclusion).toBe("pending");
    expect(r.details).toContain("this policy allows no overrides");
  });

  it("never overrides upstream unless listed explicitly", () => {
    const failed: GateFacts = { ...base, deployments: [{ environment: "staging", digest: DIGEST, state: "failure", createdAt: "2024-06-03T07:00:00Z", failedAt: "2024-06-03T07:20:00Z" }] };
    const upstream = (p: ReturnType<typeof policy>) => evaluateGates(p, { ...failed, overrides: [override({ gate: "upstream" })] }, ctx({ now: NOW })).results[0]!;
    expect(upstream(policy()).conclusion).toBe("failure");
    expect(upstream(policy()).details).toContain("upstream can only be overridden when listed in overrides.gates");
    expect(upstream(policy({ overrides: { teams: ["acme/sre"], gates: ["upstream"], requireSecondPerson: true } })).conclusion).toBe("success");
  });

  it("restricts overrides to the listed gates", () => {
    const p = policy({ overrides: { teams: ["acme/sre"], gates: ["soak"] } });
    expect(approvalsOf(p, [override()]).details).toContain("approvals is not in overrides.gates");
  });

  it("leaves passing gates untouched", () => {
    const approved: GateFacts = { ...base, reviews: [{ id: "1", user: "alice", state: "approved", commitSha: "c".repeat(40), submittedAt: "2024-06-03T09:00:00Z" }] };
    const r = approvalsOf(policy(), [override()], approved);
    expect(r.summary).toBe("approved by @alice");
    expect(r.evidence?.["override"]).toBeUndefined();
  });
});

describe("evaluateGates summary", () => {
  const g = (gate: string, conclusion: GateResult["conclusion"], nextEvaluationAt?: string): GateResult => ({ gate, type: "http", conclusion, summary: `${gate} | ${conclusion}`, details: "", ...(nextEvaluationAt ? { nextEvaluationAt } : {}) });
  it.each<[string, GateResult[], string, string]>([
    ["no gates", [], "success", "no gates apply"],
    ["all pass, neutral counts as pass", [g("a", "success"), g("b", "neutral")], "success", "all 2 gates passed"],
    ["pending", [g("a", "success"), g("b", "pending"), g("c", "pending")], "pending", "waiting for b, c (1/3 passed)"],
    ["failure beats pending", [g("a", "pending"), g("b", "failure")], "failure", "failed: b"],
  ])("%s", (_name, results, conclusion, summary) => {
    const s = summarizeGates(results);
    expect(s).toMatchObject({ gate: "stagegate", conclusion, summary });
  });

  it("carries the earliest next evaluation and a table of every gate", () => {
    const s = summarizeGates([g("soak", "pending", "2024-06-03T12:00:00.000Z"), g("window", "success", "2024-06-03T11:00:00.000Z"), g("x", "failure")]);
    expect(s.nextEvaluationAt).toBe("2024-06-03T11:00:00.000Z");
    expect(s.details).toContain("| ⏳ | `stagegate/soak` | pending | soak \\| pending | 2024-06-03T12:00:00.000Z |");
    expect(s.details.split("\n")).toHaveLength(5);
    expect(s.evidence.gates).toEqual({ soak: "pending", window: "success", x: "failure" });
  });

  it("evaluates a whole policy", () => {
    const { results, summary } = evaluateGates(policy(), base, ctx({ now: NOW }));
    expect(results.map((r) => [r.gate, r.conclusion])).toEqual([["upstream", "success"], ["approvals", "pending"]]);
    expect(summary.conclusion).toBe("pending");
  });

  it("turns an evaluator crash into a failed gate instead of hiding the others", () => {
    const broken = { gates: [{ gate: "soak" as const, duration: "not-a-duration" }, { gate: "upstream" as const }], overrides: undefined };
    const { results, summary } = evaluateGates(broken, base, ctx({ now: NOW }));
    expect(results[0]).toMatchObject({ gate: "soak", conclusion: "failure" });
    expect(results[0]!.summary).toContain("internal error");
    expect(results[1]!.conclusion).toBe("success");
    expect(summary.conclusion).toBe("failure");
  });
});
