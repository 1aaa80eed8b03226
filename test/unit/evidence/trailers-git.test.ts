/**
 * Differential test: scanTrailers must list exactly what the installed git prints with
 * `%(trailers:only,unfold)`. Messages are built from pieces that hit each rule of trailer.c
 * (title, blank and whitespace-only lines, prefixes, continuations, comments, `---`, scissors,
 * `Conflicts:`, CR/CRLF, unicode), written as commits by ONE `git fast-import`, read back by ONE
 * `git log --no-walk=unsorted --stdin`.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMessageTrailers, trailerValues } from "../../../src/core/audit/trailers.js";
import { parseTrailers } from "../../../src/core/evidence/trailers.js";

type Pairs = [string, string][];

const hasGit = spawnSync("git", ["--version"]).status === 0;
const SEED = 20240611;
const RUNS = 3000;

/** Cases where an earlier parser (or a plausible reading of git) disagreed with git; expectations are git's output. */
const REGRESSIONS: [name: string, message: string, expected: Pairs][] = [
  ["key starting with -", "t\n\n-key: v\n", [["-key", "v"]]],
  ["leading blank lines are skipped before the title", "\n \ntitle\n\nKey: v\n", [["Key", "v"]]],
  ["a trailer-looking first line after blank lines is the title", "\n\nKey: v\n", []],
  ["--- is not a divider for commits", "t\n\nKey: v\n---\nA: b\n", []],
  ["lone CR is not a line break", "t\r\rKey: v", []],
  ["CRLF continuation keeps the CR before the fold", "t\r\n\r\nKey: a\r\n b\r\n", [["Key", "a\r b"]]],
  ["spaces before a fold are kept", "t\n\nKey: one  \n  two\n", [["Key", "one   two"]]],
  ["NBSP, VT and FF are not whitespace to git", "t\n\nKey: \u00a0v\u000b\n", [["Key", "\u00a0v\u000b"]]],
  ["continuation below a comment line is prose", "t\n\nKey: a\n# c\n b\n", []],
  ["continuation after a comment inside the block is dropped", "t\n\nKey: a\n# c\nB: x\n b\n", [["Key", "a"], ["B", "x b"]]],
  ["trailing Conflicts: block is ignored", "t\n\nKey: v\nConflicts:\n\tfile\n", [["Key", "v"]]],
  ["scissors line cuts the message", "t\n\nKey: v\n# ------------------------ >8 ------------------------\nfoo\n", [["Key", "v"]]],
  ["cherry-pick prefix makes a block but is not a trailer", "t\n\n(cherry picked from commit abc)\nfoo\nbar\nbaz\nKey: v\n", [["Key", "v"]]],
  ["Signed-off-by needs 25%", "t\n\nSigned-off-by: x\nfoo\nbar\nbaz\nqux\n", []],
  ["Signed-off-by: without the space is an ordinary trailer", "t\n\nSigned-off-by:x\nfoo\n", []],
  ["comment title line does not end the title", "# c\nKey: v\n\nA: b\n", [["A", "b"]]],
  ["whitespace-only lines after the block", "t\n\nKey: v\n\n   \n", [["Key", "v"]]],
  ["a whitespace-only line between the block and a trailing comment", "t\n\nKey: v\n \n# c\n", [["Key", "v"]]],
  ["a paragraph of comments before a whitespace-only last line is skipped", "t\n\nKey: v\n\n# c\n \n", [["Key", "v"]]],
  ["a whitespace-only line ends a paragraph", "t\n\nKey: v\n \nB: c\n", [["B", "c"]]],
  ["key with spaces before the colon is trimmed", "t\n\nKey \t: v\n", [["Key", "v"]]],
  ["token then space then text is not a trailer", "t\n\nKey Foo: v\n", []],
  ["non-ASCII key is not a trailer", "t\n\nClé: v\n", []],
  ["empty value", "t\n\nKey:\n", [["Key", ""]]],
  ["the message ends at a NUL", "t\n\nKey: v\0junk\nA: b\n\nprose\n", [["Key", "v"]]],
  ["keys that are Object.prototype names", "t\n\nconstructor: a\ntoString: b\n", [["constructor", "a"], ["toString", "b"]]],
];

// ---- message pieces ---------------------------------------------------------------------------

const valueChar = fc.constantFrom(..."abcXYZ019 :-#/.@<>()=,\t\u00e9\u65e5\u00a0\u000b\u000c".split(""), "\u{1F680}", "http://x", "sha256:");
const value = fc.string({ unit: valueChar, maxLength: 12 });
const key = fc.oneof(
  fc.constantFrom("Key", "Stagegate-Image", "Stagegate-PR", "Signed-off-by", "Reviewed-by", "Co-authored-by", "-key", "a", "9", "Clé", "Key Foo", "Bug #1"),
  fc.stringMatching(/^[A-Za-z0-9-]{1,10}$/),
);
const trailer = fc.tuple(key, fc.constantFrom(":", ": ", " : ", "\t:", " :", "::", ":\t"), value).map(([k, s, v]) => `${k}${s}${v}`);
const fixed = fc.constantFrom(
  "Signed-off-by: A U Thor <a@example.com>",
  "Signed-off-by:x",
  "signed-off-by: lower",
  "(cherry picked from commit 0123abc)",
  "(cherry picked from commit",
  "# comment",
  "#",
  "#Key: v",
  "---",
  "--- ",
  "-",
  "http://example.com/a:b",
  "See http://x for details",
  "Prose line.",
  "Conflicts:",
  "\tpath/to/file",
  "# ------------------------ >8 ------------------------",
  ":no key",
  "Key: v\r",
  "\u00a0Key: v",
  "\u65e5\u672c: v",
  "Fix \u{1F41B}: crash",
  "Key: v\0after NUL",
);
const continuation = fc.tuple(fc.constantFrom(" ", "  ", "\t", " \t", "\r"), value).map(([ws, v]) => `${ws}${v}`);
const blankish = fc.constantFrom("", " ", "\t", "  \t ", "\r");
const line = fc.oneof({ arbitrary: trailer, weight: 6 }, { arbitrary: fixed, weight: 3 }, { arbitrary: continuation, weight: 2 }, { arbitrary: blankish, weight: 1 });
const paragraph = fc.array(line, { minLength: 1, maxLength: 6 });
const title = fc.oneof(fc.constantFrom("Promote checkout to prod (#12)", "fix: a bug", "# comment title", "Key: v", "  indented title", "t"), line);
const eol = fc.constantFrom("\n", "\n", "\n", "\n", "\n", "\r\n", "\r");

const messageArbitrary = fc
  .record({
    lead: fc.constantFrom("", "", "", "\n", " \n", "\n\n"),
    title: fc.array(title, { minLength: 1, maxLength: 2 }),
    paragraphs: fc.array(paragraph, { minLength: 0, maxLength: 4 }),
    gap: fc.constantFrom("", "", " ", "\t", "#"),
    eol,
    tail: fc.constantFrom("", "\n", "\n", "\n\n", "\n# trailing comment\n", " \n", "\n \n", "\n\t\n", "\nConflicts:\n\tfile\n"),
  })
  .map(({ lead, title: t, paragraphs, gap, eol: nl, tail }) => `${lead}${[t, ...paragraphs].map((p) => p.join(nl)).join(`${nl}${gap}${nl}`)}${tail}`);

// ---- git --------------------------------------------------------------------------------------

let dir = "";
let batch = 0;

/** A git environment free of the caller's GIT_* variables and of user/system config. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("GIT_")) env[k] = v;
  return { ...env, HOME: dir, XDG_CONFIG_HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: devNull };
}

function git(args: string[], input?: string | Buffer): Buffer {
  return execFileSync("git", ["-c", "core.commentChar=#", ...args], { cwd: dir, input, env: gitEnv(), maxBuffer: 1 << 28 });
}

/** Writes every message as a commit (one fast-import) and returns git's trailers for each (one git log). */
function gitTrailers(messages: readonly string[]): Pairs[] {
  const ref = `refs/heads/batch-${++batch}`;
  const chunks: Buffer[] = [];
  messages.forEach((message, i) => {
    const body = Buffer.from(message, "utf8");
    chunks.push(Buffer.from(`commit ${ref}\nmark :${i + 1}\ncommitter T <t@example.com> 0 +0000\ndata ${body.length}\n`), body, Buffer.from("\n"));
  });
  const marks = join(dir, `marks-${batch}`);
  git(["fast-import", "--quiet", `--export-marks=${marks}`], Buffer.concat(chunks));
  const shaOf = new Map<number, string>();
  for (const row of readFileSync(marks, "utf8").split("\n")) {
    const [mark, sha] = row.split(" ");
    if (mark && sha) shaOf.set(Number(mark.slice(1)), sha);
  }
  const shas = messages.map((_, i) => shaOf.get(i + 1) ?? "");
  const out = git(["log", "--no-walk=unsorted", "--stdin", "--format=%H%x1f%(trailers:only,unfold,separator=%x1c)%x1e"], `${shas.join("\n")}\n`).toString("utf8");
  const bySha = new Map<string, Pairs>();
  for (const record of out.split("\x1e")) {
    const [sha, text] = record.replace(/^\n/, "").split("\x1f");
    if (!sha || text === undefined) continue;
    const pairs: Pairs = text === "" ? [] : text.split("\x1c").map((kv) => [kv.slice(0, kv.indexOf(": ")), kv.slice(kv.indexOf(": ") + 2)]);
    bySha.set(sha, pairs);
  }
  return shas.map((sha) => {
    const pairs = bySha.get(sha);
    if (!pairs) throw new Error(`git log did not print ${sha}`);
    return pairs;
  });
}

const ours = (message: string): Pairs => parseTrailers(message).map((t) => [t.key, t.value]);

describe("trailers match git", () => {
  it.each(REGRESSIONS)("%s", (_, message, expected) => {
    expect(ours(message)).toEqual(expected);
  });

  it("parseMessageTrailers lowercases keys, keeps order, and treats Object.prototype names as plain keys", () => {
    const trailers = parseMessageTrailers("t\n\nKey: 1\nconstructor: a\nKEY: 2\nToString: b\n");
    expect(trailers).toEqual(["key", "1", "constructor", "a", "key", "2", "tostring", "b"]);
    expect(trailerValues(trailers, "key")).toEqual(["1", "2"]);
    expect(trailerValues(trailers, "constructor")).toEqual(["a"]);
    expect(trailerValues(trailers, "__proto__")).toEqual([]);
    expect(parseMessageTrailers("title only")).toEqual([]);
  });

  describe.skipIf(!hasGit)("differential against the installed git (skipped when git is absent)", () => {
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "stagegate-trailers-"));
      git(["init", "-q", "--bare"]);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("the regression expectations are what git prints", () => {
      expect(gitTrailers(REGRESSIONS.map(([, message]) => message))).toEqual(REGRESSIONS.map(([, , expected]) => expected));
    });

    it(`${RUNS} generated messages: same keys and values, in order, as %(trailers:only,unfold)`, () => {
      const messages = fc.sample(messageArbitrary, { seed: SEED, numRuns: RUNS });
      const expected = gitTrailers(messages);
      const mismatches: { message: string; git: Pairs; ours: Pairs }[] = [];
      let withTrailers = 0;
      messages.forEach((message, i) => {
        const theirs = expected[i] ?? [];
        if (theirs.length > 0) withTrailers++;
        const mine = ours(message);
        if (JSON.stringify(mine) !== JSON.stringify(theirs)) mismatches.push({ message, git: theirs, ours: mine });
        const lowered = theirs.flatMap(([k, v]) => [k.toLowerCase(), v]);
        const parsed = parseMessageTrailers(message);
        if (JSON.stringify(parsed) !== JSON.stringify(lowered)) mismatches.push({ message, git: theirs, ours: parsed.flatMap((k, i) => (i % 2 === 0 ? [[k, parsed[i + 1] ?? ""] as [string, string]] : [])) });
      });
      expect(mismatches.slice(0, 5)).toEqual([]);
      // The generator must keep producing both outcomes, or the comparison proves little.
      expect(withTrailers).toBeGreaterThan(RUNS / 5);
      expect(withTrailers).toBeLessThan(RUNS - RUNS / 10);
    });
  });
});
