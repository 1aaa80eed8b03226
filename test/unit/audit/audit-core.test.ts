import { describe, expect, it } from "vitest";
import { buildAudit, classify } from "../../../src/core/audit/build-audit.js";
import { DigestTracker } from "../../../src/core/audit/digest-tracker.js";
import { computeDora, failureRateBand, frequencyBand, leadTimeBand, median, productionEnvironments, restoreBand } from "../../../src/core/audit/dora.js";
import { checkDuties } from "../../../src/core/audit/evidence.js";
import { parseNote, splitJsonValues } from "../../../src/core/audit/note-schema.js";
import { escapeHtml, renderHtml } from "../../../src/core/audit/render-html.js";
import { csvField, renderCsv, renderMarkdown } from "../../../src/core/audit/render-text.js";
import { hasTrailer, overlayTrailers, parseGates, parseOverride, parseMessageTrailers, parsePrNumber, trailer, trailersFrom, trailerValues } from "../../../src/core/audit/trailers.js";
import type { AuditRow, HistoryRecord } from "../../../src/core/audit/types.js";

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const HOUR = 3_600_000;

function record(sha: string, parents: string[], extra: Partial<HistoryRecord> = {}): HistoryRecord {
  const person = { name: "A", email: "a@example.com", date: "2024-01-01T00:00:00Z" };
  return { sha, parents, author: person, committer: person, subject: "x", body: "", trailers: [], firstParent: true, ...extra };
}

describe("trailers", () => {
  it("parses keys case-insensitively, repeated keys in order", () => {
    const trailers = parseMessageTrailers("subject\n\nnot a trailer\n\nStagegate-Approved-By: alice\nstagegate-approved-by: bob\nStagegate-PR: #3");
    expect(trailers).toEqual(["stagegate-approved-by", "alice", "stagegate-approved-by", "bob", "stagegate-pr", "#3"]);
    expect(trailerValues(trailers, "stagegate-approved-by")).toEqual(["alice", "bob"]);
    expect(trailer(trailers, "stagegate-approved-by")).toBe("alice");
    expect(hasTrailer(trailers, "stagegate-pr")).toBe(true);
    expect(hasTrailer(trailers, "stagegate-service")).toBe(false);
    expect(trailerValues(trailers, "stagegate-gates")).toEqual([]);
    // Each message's trailers are a list of their own: the next parse (which reuses a buffer) leaves them alone.
    const next = parseMessageTrailers("subject\n\nStagegate-Service: web");
    expect(trailers).toEqual(["stagegate-approved-by", "alice", "stagegate-approved-by", "bob", "stagegate-pr", "#3"]);
    expect(next).toEqual(["stagegate-service", "web"]);
    expect(parseMessageTrailers("subject only")).toEqual([]);
  });
  it("overlays trailers: the first source holding a key gives all its values", () => {
    const commit = trailersFrom({ "stagegate-approved-by": ["carol"], "stagegate-pr": ["#9"] });
    const head = trailersFrom({ "stagegate-approved-by": ["alice", "bob"], "stagegate-service": ["api"] });
    const other = trailersFrom({ "stagegate-service": ["web"], "stagegate-kind": ["rollback"] });
    const merged = overlayTrailers([commit, head, other]);
    expect(trailerValues(merged, "stagegate-approved-by")).toEqual(["carol"]);
    expect(trailer(merged, "stagegate-service")).toBe("api");
    expect(trailer(merged, "stagegate-kind")).toBe("rollback");
    expect(trailer(merged, "stagegate-pr")).toBe("#9");
  });
  it.each([
    ["#12", 12],
    ["Merge pull request #7 from a/b", 7],
    ["Bump api (#31)", 31],
    ["hotfix", undefined],
  ])("PR number of %s", (text, pr) => expect(parsePrNumber(text)).toBe(pr));
  it("parses gates and overrides", () => {
    expect(parseGates(["upstream=success, soak=overridden, x=timed_out"])).toEqual([
      { name: "upstream", result: "success" },
      { name: "soak", result: "overridden" },
      { name: "x", result: "failure" },
    ]);
    expect(parseOverride("soak by @carol: urgent: INC-1")).toEqual({ gate: "soak", by: "carol", reason: "urgent: INC-1" });
  });
});

describe("notes", () => {
  const base = { service: "api", environment: "prod", artifact: { digest: D(1) } };
  it("merges appended parts, accumulating deployments", () => {
    const text = `${JSON.stringify({ ...base, deployments: [{ state: "pending" }] })}\n\n${JSON.stringify({ deployments: [{ state: "success" }] })}\n`;
    const parsed = parseNote(text);
    expect("note" in parsed && parsed.note.deployments?.map((d) => d.state)).toEqual(["pending", "success"]);
  });
  it("reads pretty JSON parts and rejects non-notes", () => {
    expect(splitJsonValues(`{"a": "}{"}\n{"b": [1, {"c": 2}]}`)).toEqual([`{"a": "}{"}`, `{"b": [1, {"c": 2}]}`]);
    expect(parseNote("{nope")).toMatchObject({ error: expect.stringContaining("not JSON") });
    expect(parseNote(`{"service": "api"}`)).toMatchObject({ error: expect.stringContaining("environment") });
  });
});

describe("separation of duties", () => {
  it("flags an approver who is the source author, PR author or requester", () => {
    expect(checkDuties(["Alice"], { "source author": "@alice", "PR author": "bot", requester: "erin" })).toEqual({ status: "violated", violations: ["Alice approved as source author"] });
    expect(checkDuties(["bob"], { "source author": "alice", "PR author": undefined, requester: undefined }).status).toBe("held");
    expect(checkDuties(["bob"], {}).status).toBe("unknown");
    expect(checkDuties([], { requester: "bob" }).status).toBe("none");
  });
});

describe("classify", () => {
  const change = { environment: "prod", service: "api", image: "i", digest: D(2), previous: D(1) };
  const github = { name: "GitHub", email: "noreply@github.com", date: "2024-01-01T00:00:00Z" };
  it("tells reverts, hand-made changes and direct pushes apart", () => {
    expect(classify(record("a", ["p"]), change, new Set([D(1), D(2)]))).toBe("revert");
    expect(classify(record("a", ["p", "q"]), change, new Set([D(1)]))).toBe("hand-made");
    expect(classify(record("a", ["p"], { subject: "bump (#4)", committer: github }), change, new Set([D(1)]))).toBe("hand-made");
    expect(classify(record("a", ["p"]), change, new Set([D(1)]))).toBe("direct-push");
    expect(classify(record("a", ["p"]), { ...change, previous: undefined }, new Set())).toBe("initial");
    expect(classify(record("a", ["p"]), { ...change, digest: undefined }, new Set([D(1)]))).toBe("removal");
  });
  it("does not take a message's word for it: a 'Revert' to a digest never run, a '(#4)' someone else committed, a re-pin after a removal", () => {
    // A push to a new digest whose message says it reverts something is a direct push.
    expect(classify(record("a", ["p"], { subject: 'Revert "Promote api"' }), change, new Set([D(1)]))).toBe("direct-push");
    expect(classify(record("a", ["p"], { body: "This reverts commit abcdef1." }), change, new Set([D(1)]))).toBe("direct-push");
    // A squash subject on a commit GitHub did not make.
    expect(classify(record("a", ["p"], { subject: "bump (#99)" }), change, new Set([D(1)]))).toBe("direct-push");
    // Removed, then pinned again to a new digest: not the service's first appearance.
    expect(classify(record("a", ["p"]), { ...change, previous: undefined }, new Set([D(1)]))).toBe("direct-push");
  });
});

describe("buildAudit", () => {
  it("flags a promotion commit that also changed another service (extra change is a bypass)", () => {
    const trailers = parseMessageTrailers(`subject\n\nStagegate-Service: api\nStagegate-Environment: prod\nStagegate-Image: ghcr.io/acme/api@${D(2)}\nStagegate-Kind: promotion`);
    const records = [
      record("b", ["a"], { trailers, changes: [
        { environment: "prod", service: "api", image: "ghcr.io/acme/api", digest: D(2), previous: D(1) },
        { environment: "prod", service: "web", image: "ghcr.io/acme/web", digest: D(4), previous: D(3) },
      ] }),
      record("a", [], { changes: [] }),
    ];
    const { rows, findings } = buildAudit(records);
    expect(rows.map((r) => [r.service, r.kind])).toEqual([["api", "promotion"], ["web", "direct-push"]]);
    expect(findings.map((f) => f.kind).sort()).toEqual(["bypass", "missing-note"]);
  });
  it("reports force pushes from the reflog and unsigned promotion commits", () => {
    const trailers = parseMessageTrailers(`subject\n\nStagegate-Service: api\nStagegate-Environment: prod`);
    const records = [record("b", ["a"], { trailers, signature: "N" }), record("a", [], { signature: "G" })];
    const { findings } = buildAudit(records, { signaturesRead: true, reflog: [{ ref: "refs/heads/main", old: "c", new: "b", message: "reset: moving to HEAD~1", date: "2024-01-01T00:00:00Z", fastForward: false }] });
    expect(findings.map((f) => f.kind).sort()).toEqual(["force-push", "missing-note", "unsigned"]);
  });
  it("says so when a reflog entry's old tip is gone from the clone, instead of dropping the entry", () => {
    const records = [record("b", ["a"]), record("a", [])];
    const entry = { ref: "refs/remotes/origin/main", old: "d".repeat(40), new: "b", message: "fetch: fast-forward", date: "2024-01-01T00:00:00Z" };
    const { findings } = buildAudit(records, { reflog: [{ ...entry, fastForward: true }, { ...entry, old: "e".repeat(40) }] });
    expect(findings.map((f) => [f.kind, f.severity])).toEqual([["force-push", "medium"]]);
    expect(findings[0]?.message).toContain("eeeeeeeeeeee is no longer in the clone");
  });
});

describe("DigestTracker", () => {
  const kustomization = (api: string, web: string) => `images:\n  - name: ghcr.io/acme/api\n    digest: ${api}\n  - name: ghcr.io/acme/web\n    digest: ${web}\n`;
  const extract = (_: string, content: string) => [...content.matchAll(/name: (\S+)\n\s+digest: (\S+)/g)].map((m) => ({ image: m[1] ?? "", digest: m[2] }));
  const services = [{ name: "api", image: "ghcr.io/acme/api" }, { name: "web", image: "ghcr.io/acme/web" }];
  it("applies a declared swap only when the file referenced the service by the previous digest alone", () => {
    const tracker = new DigestTracker([{ name: "prod", path: "envs/prod" }], services, extract);
    tracker.setFile("envs/prod/k.yaml", kustomization(D(1), D(3)));
    expect(tracker.commit()).toHaveLength(2);
    expect(tracker.applySwap("envs/prod/k.yaml", "api", D(1), D(2))).toBe(true);
    expect(tracker.commit()).toEqual([{ environment: "prod", service: "api", image: "ghcr.io/acme/api", digest: D(2), previous: D(1) }]);
    // The file does not run api at D(9): refused, the caller parses the file.
    expect(tracker.applySwap("envs/prod/k.yaml", "api", D(9), D(5))).toBe(false);
    expect(tracker.applySwap("envs/unknown/k.yaml", "api", D(2), D(5))).toBe(false);
    // web also runs D(3): swapping "api's" D(3) would change web too.
    tracker.setFile("envs/prod/k.yaml", kustomization(D(3), D(3)));
    tracker.commit();
    expect(tracker.applySwap("envs/prod/k.yaml", "api", D(3), D(6))).toBe(false);
  });
});

describe("DORA", () => {
  const row = (i: number, extra: Partial<AuditRow>): AuditRow => ({
    time: new Date(Date.UTC(2024, 0, 1) + i * HOUR).toISOString(), environment: "prod", service: "api", kind: "promotion", commit: `c${i}`,
    authoredAt: new Date(Date.UTC(2024, 0, 1) + (i - 2) * HOUR).toISOString(), approvedBy: [], duties: "none", dutiesViolations: [], gates: [], overrides: [], hasNote: true, digest: D(i), ...extra,
  });
  it("reads what followed what from the rows' order (history), not their clocks: a revert committed on a clock behind still fails the change it reverts", () => {
    // c1 at 01:00, c3 at 03:00, then its revert, committed on a clock 30 minutes behind (02:30).
    const revert = row(4, { kind: "revert", time: new Date(Date.UTC(2024, 0, 1) + 2.5 * HOUR).toISOString(), digest: D(1) });
    const report = computeDora([row(1, {}), row(3, {}), revert], { window: 7 * 24 * HOUR, now: new Date(Date.UTC(2024, 0, 2)), environments: ["prod"] });
    expect(report.changeFailureRate).toMatchObject({ changes: 2, failed: 1 });
    // c3 failed and the revert restored it at once (clamped at 0). Sorted by time, the revert would have
    // come between c1 and c3: c1 failed, restored after 1.5 h.
    expect(report.timeToRestore).toMatchObject({ failures: 1, restored: 1, medianMs: 0 });
  });
  it("counts failures by rollback and failed result, and restore to the next healthy deployment", () => {
    const rows = [row(1, {}), row(2, { deployment: "failure" }), row(3, { kind: "rollback" }), row(5, {}), row(6, { kind: "revert" }), row(8, { sourceCommittedAt: new Date(Date.UTC(2024, 0, 1)).toISOString() })];
    const report = computeDora(rows, { window: 7 * 24 * HOUR, now: new Date(Date.UTC(2024, 0, 2)), environments: ["prod"] });
    expect(report.deploymentFrequency.deployments).toBe(6);
    expect(report.changeFailureRate).toMatchObject({ changes: 4, failed: 2, rate: 0.5, band: "low" });
    expect(report.timeToRestore).toMatchObject({ failures: 2, restored: 2, medianMs: HOUR });
    expect(report.leadTime).toMatchObject({ changes: 4, fromNote: 1, fromCommitFallback: 3, medianMs: 2 * HOUR });
  });
  it("counts a deployment made at `now` and none at the window's start: the window is (now - window, now]", () => {
    // 2024-01-01 is a Monday; rows at 00:00 (the start: out), 01:00, and 2024-01-08 00:00 (= now, a Monday: in).
    const now = new Date(Date.UTC(2024, 0, 8));
    const rows = [row(0, {}), row(1, {}), row(7 * 24, {})];
    const report = computeDora(rows, { window: 7 * 24 * HOUR, now, environments: ["prod"] });
    expect(report.deploymentFrequency.deployments).toBe(2);
    // One calendar week shown; the deployment at `now` (next Monday 00:00) is counted in it, not dropped.
    expect(report.weekly.map((w) => [w.week, w.deployments])).toEqual([["2024-01-01", 2]]);
    // Adjacent windows share no deployment.
    const before = computeDora(rows, { window: 7 * 24 * HOUR, now: new Date(Date.UTC(2024, 0, 1)), environments: ["prod"] });
    expect(before.deploymentFrequency.deployments).toBe(1);
  });
  it("puts each deployment of a long window in its calendar week", () => {
    const rows = Array.from({ length: 60 }, (_, i) => row(i * 13, {}));
    const now = Date.UTC(2024, 0, 31);
    const report = computeDora(rows, { window: 35 * 24 * HOUR, now: new Date(now), environments: ["prod"] });
    const expected = new Map<string, number>();
    for (const r of rows) {
      const t = Date.parse(r.time);
      if (t > now) continue;
      const monday = new Date(t - ((new Date(t).getUTCDay() + 6) % 7) * 24 * HOUR);
      const key = monday.toISOString().slice(0, 10);
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(report.weekly.filter((w) => w.deployments > 0).map((w) => [w.week, w.deployments])).toEqual([...expected]);
    expect(report.weekly.reduce((n, w) => n + w.deployments, 0)).toBe(report.deploymentFrequency.deployments);
  });
  it("bands per the 2023 report", () => {
    expect([frequencyBand(2), frequencyBand(0.5), frequencyBand(1 / 10), frequencyBand(1 / 60)]).toEqual(["elite", "high", "medium", "low"]);
    expect([leadTimeBand(HOUR), leadTimeBand(2 * 24 * HOUR), leadTimeBand(10 * 24 * HOUR), leadTimeBand(40 * 24 * HOUR)]).toEqual(["elite", "high", "medium", "low"]);
    expect([failureRateBand(0.05), failureRateBand(0.1), failureRateBand(0.15), failureRateBand(0.2)]).toEqual(["elite", "high", "medium", "low"]);
    expect([restoreBand(HOUR / 2), restoreBand(2 * HOUR), restoreBand(2 * 24 * HOUR), restoreBand(8 * 24 * HOUR)]).toEqual(["elite", "high", "medium", "low"]);
    expect(median([3, 1, 2, 10])).toBe(2.5);
    expect(productionEnvironments([{ name: "dev", from: [] }, { name: "eu", from: ["dev"] }, { name: "us", from: ["eu"] }])).toEqual(["us"]);
  });
});

describe("renderers", () => {
  const evil: AuditRow = {
    time: "2024-01-01T00:00:00Z", environment: "prod", service: "api", kind: "direct-push", commit: "a".repeat(40), authoredAt: "2024-01-01T00:00:00Z",
    approvedBy: [], duties: "none", dutiesViolations: [], gates: [], overrides: [{ gate: "soak", by: "x", reason: `=HYPERLINK("http://evil") | <script>alert(1)</script>` }], hasNote: false, mergedBy: "@admin",
  };
  const result = { rows: [evil], findings: [], summary: { branch: "main", rows: 1, byKind: {}, findings: 0, findingsByKind: {}, environments: [], services: [], warnings: [] } };
  it("defuses CSV formulas and quotes per RFC 4180", () => {
    expect(csvField("=1+1")).toBe("'=1+1");
    expect(csvField("-2")).toBe("'-2");
    expect(csvField('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(renderCsv(result)).toContain("'@admin");
  });
  it("escapes Markdown table cells and HTML", () => {
    const md = renderMarkdown(result);
    expect(md.split("\n").find((l) => l.includes("direct-push"))?.split(/(?<!\\)\|/)).toHaveLength(TABLE_CELLS + 2);
    const html = renderHtml(result, undefined);
    expect(html).not.toContain("<script>");
    expect(html).toContain(escapeHtml("<script>"));
    expect(html).not.toMatch(/<link|src=|@import/);
  });
  it("adds line-break hints to HTML cells only where a value reads well split, after escaping", () => {
    const row: AuditRow = { ...evil, overrides: [], source: `<b>T</b>@org/app@${"c".repeat(40)}` };
    const html = renderHtml({ ...result, rows: [row] }, undefined);
    expect(html).toContain("<td>2024-01-01T<wbr>00:00:00Z</td>");
    expect(html).toContain(`<th scope="col">separation_<wbr>of_<wbr>duties</th>`);
    // Escaped first: the hint never lands inside an entity, and the markup in the value stays text.
    expect(html).toContain(`<td class="mono">${escapeHtml("<b>T</b>@")}<wbr>org/app@<wbr>${"c".repeat(12)}</td>`);
    // Ids and other cells get none.
    expect(html).toContain(`<td class="mono">${"a".repeat(12)}</td>`);
    expect(html).toContain("<td>direct-push</td>");
  });
});

const TABLE_CELLS = 15;
