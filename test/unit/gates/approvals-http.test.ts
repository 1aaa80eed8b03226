import { describe, expect, it } from "vitest";
import { evaluateApprovals } from "../../../src/core/gates/approvals.js";
import type { HttpFact, PullRequestFact, ReviewFact } from "../../../src/core/gates/facts.js";
import { evaluateHttp } from "../../../src/core/gates/http.js";
import { ctx, facts, gate } from "./helpers.js";

const HEAD = "c".repeat(40);
const OLD = "d".repeat(40);
const pullRequest: PullRequestFact = { number: 7, author: "dave", headSha: HEAD, requestedBy: "erin", openedAt: "2024-06-03T08:00:00Z", artifactAuthor: "bob" };
const teams = { "acme/release": ["alice", "bob", "dave", "erin"] };
let clock = 0;
const review = (user: string, state: ReviewFact["state"], commitSha = HEAD, extra: Partial<ReviewFact> = {}): ReviewFact => ({
  id: String(++clock),
  user,
  state,
  commitSha,
  submittedAt: `2024-06-03T09:${String(clock % 60).padStart(2, "0")}:00Z`,
  ...extra,
});

describe("approvals gate", () => {
  const spec = gate({ gate: "approvals", count: 2, teams: ["acme/release"], users: ["@Carol"] });
  it.each<[string, ReviewFact[], string, string]>([
    ["team member and listed user approve", [review("alice", "approved"), review("carol", "approved")], "success", "approved by @alice, @carol"],
    ["login case does not matter", [review("Alice", "approved"), review("CAROL", "approved")], "success", "approved by"],
    ["one approval is not enough", [review("alice", "approved")], "pending", "1/2 approvals"],
    ["artifact author does not count", [review("alice", "approved"), review("bob", "approved")], "pending", "1/2"],
    ["PR author does not count", [review("alice", "approved"), review("dave", "approved")], "pending", "1/2"],
    ["requester does not count", [review("alice", "approved"), review("erin", "approved")], "pending", "1/2"],
    ["outsider does not count", [review("alice", "approved"), review("zed", "approved")], "pending", "1/2"],
    ["stale approval does not count", [review("alice", "approved", OLD), review("carol", "approved")], "pending", "1/2"],
    ["re-approval on the new head counts", [review("alice", "approved", OLD), review("alice", "approved"), review("carol", "approved")], "success", "approved"],
    ["change request blocks", [review("alice", "approved"), review("carol", "approved"), review("alice", "changes_requested")], "failure", "changes requested by @alice"],
    ["a later approval replaces a change request", [review("alice", "changes_requested"), review("alice", "approved"), review("carol", "approved")], "success", "approved"],
    ["a comment does not replace an approval", [review("alice", "approved"), review("alice", "commented"), review("carol", "approved")], "success", "approved"],
    ["a dismissed review does not count", [review("alice", "approved"), review("alice", "dismissed"), review("carol", "approved")], "pending", "1/2"],
    ["an outsider's change request does not block", [review("alice", "approved"), review("carol", "approved"), review("zed", "changes_requested")], "success", "approved"],
  ])("%s", (_name, reviews, conclusion, summary) => {
    const r = evaluateApprovals(spec, facts({ pullRequest, reviews, teams }), ctx());
    expect(r.conclusion).toBe(conclusion);
    expect(r.summary).toContain(summary);
  });

  it("orders reviews by time, not by list position", () => {
    const reviews = [review("carol", "approved"), { ...review("alice", "approved"), submittedAt: "2024-06-03T09:59:00Z" }, { ...review("alice", "changes_requested"), submittedAt: "2024-06-03T09:00:00Z" }];
    expect(evaluateApprovals(spec, facts({ pullRequest, reviews, teams }), ctx()).conclusion).toBe("success");
  });

  it("counts the excluded people when separation of duties is off, and stale approvals when dismissStale is off", () => {
    const lax = gate({ gate: "approvals", count: 2, teams: ["acme/release"], separationOfDuties: false, dismissStale: false });
    expect(evaluateApprovals(lax, facts({ pullRequest, reviews: [review("bob", "approved"), review("alice", "approved", OLD)], teams }), ctx()).conclusion).toBe("success");
  });

  it("without teams or users, counts members and collaborators only", () => {
    const open = gate({ gate: "approvals" });
    const outsider = [review("zed", "approved", HEAD, { authorAssociation: "CONTRIBUTOR" })];
    const member = [review("yan", "approved", HEAD, { authorAssociation: "MEMBER" })];
    expect(evaluateApprovals(open, facts({ pullRequest, reviews: outsider }), ctx()).conclusion).toBe("pending");
    expect(evaluateApprovals(open, facts({ pullRequest, reviews: member }), ctx()).conclusion).toBe("success");
  });

  it("waits without a pull request", () => {
    expect(evaluateApprovals(spec, facts(), ctx()).conclusion).toBe("pending");
  });

  describe("SLA", () => {
    const sla = gate({ gate: "approvals", teams: ["acme/release"], sla: "4h", escalate: { mention: ["@acme/sre"], requestReviewFrom: ["acme/release-leads"] } });
    it("schedules the escalation while within the SLA", () => {
      const r = evaluateApprovals(sla, facts({ pullRequest, teams }), ctx({ now: new Date("2024-06-03T10:00:00Z") }));
      expect(r).toMatchObject({ conclusion: "pending", nextEvaluationAt: "2024-06-03T12:00:00.000Z" });
      expect(r.evidence?.["escalate"]).toBeUndefined();
    });
    it("escalates once the SLA has passed", () => {
      const r = evaluateApprovals(sla, facts({ pullRequest, teams }), ctx({ now: new Date("2024-06-03T12:30:00Z") }));
      expect(r.conclusion).toBe("pending");
      expect(r.summary).toBe("0/1 approvals; SLA 4h breached at 2024-06-03T12:00:00.000Z");
      expect(r.evidence?.["escalate"]).toEqual({ mention: ["@acme/sre"], requestReviewFrom: ["acme/release-leads"], breachedAt: "2024-06-03T12:00:00.000Z" });
    });
    it("mentions the approvers when no escalation is configured", () => {
      const plain = gate({ gate: "approvals", teams: ["acme/release"], users: ["carol"], sla: "1h" });
      const r = evaluateApprovals(plain, facts({ pullRequest, teams }), ctx());
      expect(r.evidence?.["escalate"]).toMatchObject({ mention: ["acme/release", "carol"], requestReviewFrom: [] });
    });
    it("does not escalate once approved", () => {
      const r = evaluateApprovals(sla, facts({ pullRequest, teams, reviews: [review("alice", "approved")] }), ctx({ now: new Date("2024-06-04T00:00:00Z") }));
      expect(r.conclusion).toBe("success");
      expect(r.evidence?.["escalate"]).toBeUndefined();
    });
  });
});

describe("http gate", () => {
  const response = (r: Partial<HttpFact>): Record<string, HttpFact> => ({ http: { url: "https://status.example.test/ready", at: "2024-06-03T10:00:00Z", ...r } });
  const spec = gate({ gate: "http", url: "https://status.example.test/ready", successCondition: "body.status == 'ok' && len(body.failing) == 0" });
  it.each<[string, Partial<HttpFact> | undefined, string, string]>([
    ["healthy", { status: 200, body: { status: "ok", failing: [] } }, "success", "200"],
    ["condition false", { status: 200, body: { status: "degraded", failing: ["db"] } }, "failure", "successCondition is false"],
    ["unexpected status", { status: 503, body: "unavailable" }, "failure", "status 503, expected 200"],
    ["condition errors on a text body", { status: 200, body: "ok" }, "failure", "successCondition failed"],
    ["request failed", { error: "refused: 169.254.169.254 is a link-local address" }, "failure", "request failed: refused"],
    ["not fetched yet", undefined, "pending", "waiting for the request"],
  ])("%s", (_name, fact, conclusion, summary) => {
    const r = evaluateHttp(spec, facts(fact ? { http: response(fact) } : {}), ctx());
    expect(r.conclusion).toBe(conclusion);
    expect(r.summary).toContain(summary);
  });

  it("accepts any listed status without a condition, keyed by gate name", () => {
    const named = gate({ gate: "http", name: "smoke", url: "https://x.example.test/", expectStatus: [200, 204] });
    const r = evaluateHttp(named, facts({ http: { smoke: { url: "https://x.example.test/", at: "2024-06-03T10:00:00Z", status: 204 } } }), ctx());
    expect(r).toMatchObject({ gate: "smoke", conclusion: "success" });
  });
});
