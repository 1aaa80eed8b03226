// The audit's pure tail (buildAudit, the table columns, the Markdown helpers) scans strings by hand
// instead of running regexes per row. Each scanner must decide exactly as the regex it replaced:
// those regexes are kept here as the reference.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AuditAccumulator, buildAudit } from "../../../src/core/audit/build-audit.js";
import { TABLE_COLUMNS } from "../../../src/core/audit/columns.js";
import { renderMarkdown } from "../../../src/core/audit/render-text.js";
import { checkDuties, evidenceColumns } from "../../../src/core/audit/evidence.js";
import { normaliseLogin, parseGates, parsePrNumber, toGateResult, trailersFrom } from "../../../src/core/audit/trailers.js";
import type { AuditRow, GateResult, HistoryRecord } from "../../../src/core/audit/types.js";
import { cell, code, escapeText, link } from "../../../src/core/evidence/markdown.js";

/** Control characters a terminal would run, made visible: control pictures, U+FFFD for C1 and bidi controls. */
const visible = (text: string) =>
  // eslint-disable-next-line no-control-regex -- control characters are the point
  text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, (c) => String.fromCharCode(c === "\x7f" ? 0x2421 : 0x2400 + c.charCodeAt(0))).replace(/[\x80-\x9f\u202a-\u202e\u2066-\u2069]/g, "\ufffd");

const reference = {
  code(text: string): string {
    const flat = visible(text).replace(/[\r\n]+/g, " ");
    const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
    return `${fence}${pad}${flat}${pad}${fence}`;
  },
  escapeMarkdown: (text: string) => visible(text).replace(/[\r\n]+/g, " ").replace(/[\\`*_{}[\]()<>#+!~]/g, (c) => `\\${c}`),
  escapeText: (text: string) => reference.escapeMarkdown(text).replace(/@/g, "@\u200b"),
  cell: (markdown: string) => markdown.replace(/\|/g, "\\|"),
  shortSource: (source: string) => source.replace(/@([0-9a-f]{12})[0-9a-f]+$/, "@$1"),
  shortDigest: (digest: string) => digest.replace(/^sha256:/, "").slice(0, 12),
  normaliseLogin: (login: string) => login.trim().replace(/^@/, "").toLowerCase(),
  parsePrNumber(value: string | undefined): number | undefined {
    if (!value) return undefined;
    const match = /^#?(\d+)$/.exec(value.trim()) ?? /^Merge pull request #(\d+)\b/.exec(value) ?? /\(#(\d+)\)\s*$/.exec(value);
    return match ? Number(match[1]) : undefined;
  },
  parseGates(values: readonly string[]): { name: string; result: GateResult }[] {
    const out: { name: string; result: GateResult }[] = [];
    for (const value of values) {
      for (const part of value.split(",")) {
        const [name, result] = part.split("=").map((s) => s.trim());
        if (name) out.push({ name, result: toGateResult(result) });
      }
    }
    return out;
  },
};

/** Strings made of the characters the scanners look for, plus some they must let through. */
const tricky = fc.string({ unit: fc.constantFrom(..."a0f@#`|\\*_{}[]()<>+!~-=, \t\r\n\u00e9\u200b\x1b\x07\x00\x7f\u009b\u00a0\u202e\u2069\u2070".split(""), "sha256:", "(#", "Merge pull request #"), maxLength: 24 });
const hexTail = fc.tuple(fc.string({ unit: fc.constantFrom(..."ab/@-".split("")), maxLength: 6 }), fc.string({ unit: fc.constantFrom(..."0123456789abcdefG".split("")), maxLength: 45 })).map(([head, tail]) => `${head}@${tail}`);
const column = (key: string) => TABLE_COLUMNS.find((c) => c.key === key)!;
const person = { name: "A", email: "a@example.com", date: "2024-01-01T00:00:00Z" };
const record = (sha: string, parents: string[], extra: Partial<HistoryRecord> = {}): HistoryRecord => ({ sha, parents, author: person, committer: person, subject: "x", body: "", trailers: [], firstParent: true, ...extra });

describe("Markdown helpers", () => {
  it("code, escapeText, cell and link give what the regex versions gave", () => {
    fc.assert(
      fc.property(tricky, (text) => {
        expect(code(text)).toBe(reference.code(text));
        expect(escapeText(text)).toBe(reference.escapeText(text));
        expect(cell(text)).toBe(reference.cell(text));
        expect(link(text, "https://x")).toBe(`[${reference.escapeMarkdown(text)}](https://x)`);
      }),
      { numRuns: 3000 },
    );
  });
  it("renders code and text cells of the table as cell(code()) and cell(escapeText()) would", () => {
    const [row] = buildAudit([record("c0ffee", [], { changes: [{ environment: "prod", service: "api", image: "img", digest: "sha256:ab", previous: undefined }] })]).rows;
    const result = { rows: [row!], findings: [], summary: { branch: "main", rows: 1, byKind: {}, findings: 0, findingsByKind: {}, environments: [], services: [], warnings: [] } };
    fc.assert(
      fc.property(tricky, tricky, (time, mergedBy) => {
        const line = renderMarkdown({ ...result, rows: [{ ...row!, time, mergedBy }] }).split("\n").find((l) => l.startsWith("| ") && l.includes("c0ffee"));
        const expected = (value: string, inCode: boolean) => (value === "" ? "" : reference.cell(inCode ? reference.code(value) : reference.escapeText(value)));
        expect(line?.startsWith(`| ${expected(time, true)} | prod |`)).toBe(true);
        expect(line).toContain(` | ${expected(mergedBy, false)} | `);
      }),
      { numRuns: 2000 },
    );
  });
  it.each(["", "plain", "`", "a``b`", "\n\r\n", "x\n`y`\r", "@@", "\\|"])("agrees on %j", (text) => {
    expect([code(text), escapeText(text), cell(text)]).toEqual([reference.code(text), reference.escapeText(text), reference.cell(text)]);
  });
});

describe("table columns", () => {
  it("cut sources and digests as the regexes did", () => {
    fc.assert(
      fc.property(fc.oneof(hexTail, tricky), (text) => {
        expect(column("source").value({ source: text } as AuditRow)).toBe(text ? reference.shortSource(text) : "");
        expect(column("digest").value({ digest: text } as AuditRow)).toBe(text ? reference.shortDigest(text) : "");
      }),
      { numRuns: 3000 },
    );
  });
});

describe("trailer helpers", () => {
  it("parse gates, PR numbers and logins as the regex and split versions did", () => {
    fc.assert(
      fc.property(tricky, tricky, (a, b) => {
        expect(parseGates([a, `${a}=${b}`, `x=${b},${a}`])).toEqual(reference.parseGates([a, `${a}=${b}`, `x=${b},${a}`]));
        for (const value of [a, `#${a}`, `${a}12`, ` #${b.length} `]) expect(parsePrNumber(value)).toBe(reference.parsePrNumber(value));
        expect(normaliseLogin(a)).toBe(reference.normaliseLogin(a));
      }),
      { numRuns: 3000 },
    );
  });
  it.each(["success", " Success ", "timed-out", "In-Progress", "passed", "queued", "", "weird"])("normalises the gate result %j", (word) => {
    expect(toGateResult(word)).toBe(toGateResult(` ${word.toUpperCase()} `));
  });
  it("lists each approver once, first spelling kept, however long the list", () => {
    const logins = Array.from({ length: 20 }, (_, i) => `user${i}`);
    const note = { service: "api", environment: "prod", artifact: { digest: "d" }, approvals: [...logins, "@USER3", "user19 ", "new"].map((reviewer) => ({ reviewer })) };
    const columns = evidenceColumns(record("a", []), trailersFrom({ "stagegate-approved-by": ["@User0", "user1"] }), note, "prod");
    expect(columns.approvedBy).toEqual(["@User0", "user1", ...logins.slice(2), "new"]);
  });
  it("reports separation of duties with any number of approvers, repeated or not", () => {
    const approvers = ["@Alice", "bob", "alice", ...Array.from({ length: 20 }, (_, i) => `user${i}`), "User3"];
    expect(checkDuties(approvers, { "source author": "alice", "PR author": undefined, requester: "@user3" })).toEqual({
      status: "violated",
      violations: ["@Alice approved as source author", "alice approved as source author", "user3 approved as requester", "User3 approved as requester"],
    });
  });
});

describe("buildAudit", () => {
  const D = (n: number) => `sha256:${String(n).repeat(64)}`;
  const change = (digest: number, previous: number) => [{ environment: "prod", service: "api", image: "img", digest: D(digest), previous: D(previous) }];

  it("stops the first-parent walk at the first repeat when records loop", () => {
    const records = [record("c", ["b"], { changes: change(3, 2) }), record("b", ["a"], { changes: change(2, 1) }), record("a", ["c"], { changes: change(1, 3) })];
    expect(buildAudit(records).rows.map((r) => r.commit)).toEqual(["a", "b", "c"]);
    // The loop need not include the tip, and a record off the walk must not let it go round again.
    const rho = [record("t", ["x"], { changes: change(3, 2) }), record("x", ["y"], { changes: change(2, 1) }), record("y", ["x"], { changes: change(1, 3) }), record("z", [])];
    expect(buildAudit(rho).rows.map((r) => r.commit)).toEqual(["y", "x", "t"]);
  });

  it("tells a move back to an earlier digest as a revert, however many recorded promotions came between", () => {
    const promote = (sha: string, parent: string, digest: number, previous: number) =>
      record(sha, [parent], { changes: change(digest, previous), trailers: trailersFrom({ "stagegate-service": ["api"], "stagegate-environment": ["prod"] }) });
    const records = [record("e", ["d"], { changes: change(2, 4) }), promote("d", "c", 4, 3), promote("c", "b", 3, 2), promote("b", "a", 2, 1), record("a", [])];
    expect(buildAudit(records).rows.map((r) => r.kind)).toEqual(["promotion", "promotion", "promotion", "revert"]);
  });

  it("finishes an accumulator as often as asked, whatever a caller did to the rows an earlier finish gave", () => {
    const records = [record("c", ["b"], { changes: change(3, 2) }), record("b", ["a"], { changes: change(2, 1) }), record("a", [])];
    const audit = new AuditAccumulator(new Map(records.map((r) => [r.sha, r])));
    for (const commit of [...records].reverse()) audit.add(commit);
    const first = audit.finish(records);
    first.rows.reverse();
    expect(audit.finish(records).rows.map((r) => r.commit)).toEqual(["b", "c"]);
    expect(audit.finish(records, { since: new Date(0) })).toEqual(buildAudit(records, { since: new Date(0) }));
  });
});
