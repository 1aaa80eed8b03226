import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appendTrailers, getTrailer, getTrailers, parseTrailers, renderTrailers, scanTrailers, splitCommitMessage, type Trailer } from "../../../src/core/evidence/index.js";

const key = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,20}$/);
// Values as git stores them: one line, no surrounding whitespace.
const value = fc.string({ maxLength: 80 }).map((v) => v.replace(/\s+/g, " ").trim());
const trailers = fc.array(fc.record({ key, value }), { minLength: 1, maxLength: 8 });

describe("trailers", () => {
  it("round-trips through a commit message (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).map((s) => s.replace(/\s+/g, " ").trim() || "title"), trailers, (title, list) => {
        expect(parseTrailers(`${title}\n\nSome body.\n\n${renderTrailers(list)}\n`)).toEqual(list);
        expect(parseTrailers(appendTrailers(`${title}\n\nbody`, list))).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });

  it("renders a record, repeating array values and skipping undefined", () => {
    expect(renderTrailers({ "Stagegate-Service": "checkout", "Stagegate-Previous": ["sha256:a", "sha256:b"], "Stagegate-From": undefined })).toBe(
      "Stagegate-Service: checkout\nStagegate-Previous: sha256:a\nStagegate-Previous: sha256:b",
    );
  });

  it("folds line breaks in values so they cannot end the block", () => {
    const message = appendTrailers("t", [{ key: "Reason", value: "first\n\nsecond" }]);
    expect(message).toBe("t\n\nReason: first second\n");
  });

  it("refuses invalid keys", () => {
    expect(() => renderTrailers([{ key: "Bad Key", value: "x" }])).toThrow('invalid trailer key "Bad Key"');
  });

  it.each<[string, string, Trailer[]]>([
    ["title only", "Key: value", []],
    ["trailers right after the title", "title\n\nKey: value", [{ key: "Key", value: "value" }]],
    ["last paragraph only", "title\n\nA: 1\n\nbody line\n\nB: 2\nC: 3\n", [{ key: "B", value: "2" }, { key: "C", value: "3" }]],
    ["a prose last paragraph", "title\n\nB: 2\n\nthis is prose", []],
    ["continuation lines are unfolded", "title\n\nKey: one\n  two\nOther: x", [{ key: "Key", value: "one two" }, { key: "Other", value: "x" }]],
    ["CRLF", "title\r\n\r\nKey: v\r\n", [{ key: "Key", value: "v" }]],
    ["comment lines ignored", "title\n\nKey: v\n# comment", [{ key: "Key", value: "v" }]],
    ["git-generated prefix lets 25% suffice", "title\n\nSigned-off-by: A <a@x>\nprose one\nprose two\nprose three", [{ key: "Signed-off-by", value: "A <a@x>" }]],
    ["too little trailer without a git prefix", "title\n\nKey: v\nprose", []],
    ["space before the colon", "title\n\nKey : v", [{ key: "Key", value: "v" }]],
  ])("parses %s", (_, message, expected) => {
    expect(parseTrailers(message)).toEqual(expected);
  });

  it("scanTrailers reports each trailer in order, as parseTrailers lists them", () => {
    const seen: string[] = [];
    const message = "t\n\nbody\n\nA: 1\n  more\nb : 2\nA: 3\n";
    scanTrailers(message, (k, v) => seen.push(`${k}=${v}`));
    expect(seen).toEqual(["A=1 more", "b=2", "A=3"]);
    expect(parseTrailers(message).map((t) => `${t.key}=${t.value}`)).toEqual(seen);
    scanTrailers("t\n\nprose", () => expect.unreachable("no trailer block"));
  });

  it("looks keys up case-insensitively and keeps duplicates", () => {
    const list = parseTrailers("t\n\nStagegate-Previous: a\nstagegate-previous: b");
    expect(getTrailers(list, "Stagegate-Previous")).toEqual(["a", "b"]);
    expect(getTrailer(list, "STAGEGATE-PREVIOUS")).toBe("b");
    expect(getTrailer(list, "missing")).toBeUndefined();
  });

  it("appends to an existing trailer block instead of starting a new one", () => {
    expect(appendTrailers("t\n\nbody\n\nA: 1\n", { B: "2" })).toBe("t\n\nbody\n\nA: 1\nB: 2\n");
  });

  it("splits a message into subject, body and trailers", () => {
    expect(splitCommitMessage("promote x\n\nline one\nline two\n\nA: 1\nB: 2\n")).toEqual({
      subject: "promote x",
      body: "line one\nline two",
      trailers: [{ key: "A", value: "1" }, { key: "B", value: "2" }],
    });
    expect(splitCommitMessage("only a title")).toEqual({ subject: "only a title", body: "", trailers: [] });
    // As git: leading blank lines are skipped, CRLF is read as LF, a prose last paragraph stays in the body.
    expect(splitCommitMessage("\n \ntwo\r\nlines\r\n\r\nbody\r\n\r\nnot: a\nblock\n")).toEqual({ subject: "two lines", body: "body\n\nnot: a\nblock", trailers: [] });
  });
});
