import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderUnifiedDiff } from "../../../src/core/plan/unified-diff.js";

/** Applies a unified diff produced by renderUnifiedDiff (test oracle with `patch` semantics). */
function applyDiff(before: string, diff: string): string {
  if (diff === "") return before;
  const split = (text: string) => {
    const lines = text === "" ? [] : text.replace(/\n$/, "").split("\n");
    return lines.map((line, i) => ({ text: line, nl: i < lines.length - 1 || text.endsWith("\n") }));
  };
  const source = split(before);
  const out: { text: string; nl: boolean }[] = [];
  let cursor = 0;
  let previous: { text: string; nl: boolean } | undefined;
  for (const line of diff.replace(/\n$/, "").split("\n").slice(2)) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (header) {
      const start = Number(header[1]) - (header[2] === "0" ? 0 : 1);
      out.push(...source.slice(cursor, start));
      cursor = start;
      continue;
    }
    const type = line[0];
    const text = line.slice(1);
    if (type === "\\") {
      if (previous) previous.nl = false;
      continue;
    }
    previous = undefined;
    if (type === " " || type === "-") expect(source[cursor++]?.text).toBe(text);
    if (type === " " || type === "+") out.push((previous = { text, nl: true }));
    else previous = { text, nl: true }; // a removed line's marker concerns the old text only
  }
  out.push(...source.slice(cursor));
  return out.map((l) => l.text + (l.nl ? "\n" : "")).join("");
}

describe("renderUnifiedDiff", () => {
  it("renders hunks with three lines of context, merging close changes", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
    const after = before.replace("line 5\n", "LINE 5\n").replace("line 9\n", "LINE 9\n").replace("line 19\n", "LINE 19\n");
    expect(renderUnifiedDiff("f.yaml", before, after)).toBe(
      [
        "--- a/f.yaml",
        "+++ b/f.yaml",
        "@@ -2,11 +2,11 @@",
        " line 2",
        " line 3",
        " line 4",
        "-line 5",
        "+LINE 5",
        " line 6",
        " line 7",
        " line 8",
        "-line 9",
        "+LINE 9",
        " line 10",
        " line 11",
        " line 12",
        "@@ -16,5 +16,5 @@",
        " line 16",
        " line 17",
        " line 18",
        "-line 19",
        "+LINE 19",
        " line 20",
        "",
      ].join("\n"),
    );
  });

  it("is empty for equal input and marks a missing final newline", () => {
    expect(renderUnifiedDiff("f", "a\n", "a\n")).toBe("");
    expect(renderUnifiedDiff("f", "a", "b")).toBe("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n");
    expect(renderUnifiedDiff("f", "", "a\n")).toBe("--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+a\n");
  });

  it("produces a diff that applies back to the new text (property)", () => {
    const text = fc.array(fc.constantFrom("a", "b", "c", "image: x", "", "  - y"), { maxLength: 30 }).chain((lines) =>
      fc.boolean().map((nl) => (lines.length === 0 ? "" : lines.join("\n") + (nl ? "\n" : ""))),
    );
    fc.assert(
      fc.property(text, text, (before, after) => {
        expect(applyDiff(before, renderUnifiedDiff("f", before, after))).toBe(after);
      }),
      { numRuns: 1000 },
    );
  });
});
