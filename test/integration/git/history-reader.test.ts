/**
 * The audit reader's own readings of git data, held against what git itself prints: commit objects
 * read through cat-file (the merged branch heads) against `git log --format`, and `%B` split into
 * subject and body against `%s` / `%b`. Plus the byte-level swap check of the digest replay.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isoStrict, parseCommitObject } from "../../../src/adapters/git/commit-object.js";
import { isExactSwap } from "../../../src/adapters/git/digest-swap.js";
import { ObjectStream } from "../../../src/adapters/git/git-stream.js";
import { splitMessage } from "../../../src/adapters/git/log-parser.js";

let dir: string;
let emptyTree: string;
let parents: string[];
const env = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LC_ALL: "C" };
const git = (args: string[], input?: string | Buffer, extra: Record<string, string> = {}) => execFileSync("git", args, { cwd: dir, input, env: { ...env, ...extra } });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-history-reader-"));
  git(["init", "-q"]);
  emptyTree = git(["mktree"], "").toString().trim();
  parents = ["one", "two"].map((m) => git(["commit-tree", emptyTree, "-m", m], undefined, { GIT_AUTHOR_NAME: "A", GIT_AUTHOR_EMAIL: "a@x", GIT_COMMITTER_NAME: "A", GIT_COMMITTER_EMAIL: "a@x" }).toString().trim());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a commit object from raw text (hash-object accepts any header a commit may carry). */
const writeCommit = (raw: string | Buffer) => git(["hash-object", "-w", "-t", "commit", "--stdin", "--literally"], raw).toString().trim();

describe("commit objects read like git log prints them", () => {
  // NUL-separated: names and messages may hold any other byte.
  const FORMAT = "%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B";
  const viaLog = (sha: string) => {
    const [parents = "", an, ae, aI, cn, ce, cI, message] = git(["show", "-s", `--format=${FORMAT}`, sha]).toString().replace(/\n$/, "").split("\0");
    return { parents: parents ? parents.split(" ") : [], author: { name: an, email: ae, date: aI }, committer: { name: cn, email: ce, date: cI }, message };
  };
  const viaObject = (sha: string) => {
    const parsed = parseCommitObject(git(["cat-file", "commit", sha]));
    return parsed;
  };

  it.each([
    ["zones", "author Ann Example <ann@example.com> 1690615740 +0530\ncommitter Bob <bob@example.com> 1690615800 -0330\n\nTitle\n\nBody\n"],
    ["negative zero zone", "author A <a@x> 1690615740 -0000\ncommitter C <c@x> 1690615740 +1400\n\nT\n"],
    ["an early instant and a far zone", "author A <a@x> 86400 -1200\ncommitter C <c@x> 86399 +0000\n\nT\n"],
    ["unicode names", "author Zoë Åström <zoe@example.com> 1700000000 +0100\ncommitter 山田 <yamada@example.jp> 1700000000 +0900\n\nÜbersicht ✓\n"],
    ["a signature and a mergetag header", `author A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n wsBcBAABCAAQBQJ\n -----END PGP SIGNATURE-----\nmergetag object ${"a".repeat(40)}\n type commit\n tag v1\n\nSigned\n\nStagegate-Service: api\n`],
    ["no message", "author A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000000 +0000\n\n"],
    ["a multi-line title and CRLF", "author A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000000 +0000\n\nfirst line\r\nsecond line  \r\n\r\nbody\r\n"],
  ])("%s", (_, headers) => {
    const sha = writeCommit(`tree ${emptyTree}\nparent ${parents[0]}\nparent ${parents[1]}\n${headers}`);
    expect(viaObject(sha)).toEqual(viaLog(sha));
  });

  it("re-encodes a message declared in another encoding to UTF-8, as git log does", () => {
    const raw = Buffer.concat([Buffer.from(`tree ${emptyTree}\nauthor A <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000000 +0000\nencoding ISO-8859-1\n\n`), Buffer.from("R\xe9sum\xe9 \xfcber\n", "latin1")]);
    const sha = writeCommit(raw);
    expect(viaObject(sha).message).toBe("Résumé über\n");
    expect(viaObject(sha)).toEqual(viaLog(sha));
  });

  it("match git for generated headers: repeated, misplaced and odd lines, odd identities", () => {
    const ident = fc.tuple(
      fc.string({ unit: fc.constantFrom("A", "é", " ", "<", ".", "\x1b", "\x1f", "\t", "["), maxLength: 6 }),
      fc.string({ unit: fc.constantFrom("a", "@", "x", " ", "<", "\x1e"), maxLength: 5 }),
      // git log refuses a time before the epoch once the zone is applied: it then fails the whole audit, loudly.
      fc.integer({ min: 86_400, max: 4_000_000_000 }),
      fc.constantFrom("+0000", "-0130", "+1400", "-0000"),
    ).map(([name, email, seconds, zone]) => `${name} <${email}> ${seconds} ${zone}`);
    const header = fc.oneof(
      fc.constant(`parent ${parents[0]}`),
      fc.constant(`parent ${parents[1]}`),
      ident.map((i) => `author ${i}`),
      ident.map((i) => `committer ${i}`),
      fc.constant("gpgsig -----BEGIN PGP SIGNATURE-----\n author Fake <f@x> 1 +0000\n -----END PGP SIGNATURE-----"),
      fc.constant("x-custom value"),
    );
    const objects = fc.sample(fc.tuple(fc.array(fc.constant(`parent ${parents[0]}`), { maxLength: 2 }), fc.array(header, { maxLength: 7 }), ident, ident), { numRuns: 80, seed: 13 });
    objects.forEach(([leading, rest, author, committer], i) => {
      // Always one author and one committer (git fills an absent one with nothing, a case of its own), then the generated lines.
      const sha = writeCommit(`tree ${emptyTree}\n${[...leading, `author ${author}`, `committer ${committer}`, ...rest].join("\n")}\n\nmessage ${i}\n`);
      expect(viaObject(sha), sha).toEqual(viaLog(sha));
    });
  });

  it("formats any instant in any zone as %aI", () => {
    const samples = fc.sample(fc.tuple(fc.integer({ min: 86_400, max: 4_000_000_000 }), fc.integer({ min: -12 * 60, max: 14 * 60 })), { numRuns: 40, seed: 7 });
    for (const [seconds, minutes] of samples) {
      const zone = `${minutes < 0 ? "-" : "+"}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0")}${String(Math.abs(minutes) % 60).padStart(2, "0")}`;
      const sha = writeCommit(`tree ${emptyTree}\nauthor A <a@x> ${seconds} ${zone}\ncommitter A <a@x> ${seconds} ${zone}\n\nT\n`);
      expect(isoStrict(seconds, zone)).toBe(viaLog(sha).author.date);
    }
  });
});

describe("subject and body as %s and %b", () => {
  const pieces = ["Title", "  indented", "", " ", "\t", "second title line ", "Body: text", "Stagegate-Service: api", "x\r"];
  it("match git for generated messages", () => {
    const messages = fc.sample(fc.array(fc.constantFrom(...pieces), { maxLength: 7 }), { numRuns: 120, seed: 11 }).map((lines) => `${lines.join("\n")}\n`);
    // A distinct time per commit: equal messages must stay distinct commits (--no-walk drops repeats).
    const shas = messages.map((message, i) => writeCommit(`tree ${emptyTree}\nauthor A <a@x> ${1700000000 + i} +0000\ncommitter A <a@x> 1700000000 +0000\n\n${message}`));
    const out = git(["show", "-s", "--stdin", "--format=%x1e%s%x1f%b%x1f%B%x1f"], `${shas.join("\n")}\n`).toString();
    const fromGit = out.split("\x1e").slice(1).map((record) => record.split("\x1f"));
    expect(fromGit).toHaveLength(messages.length);
    fromGit.forEach(([subject, body, whole], i) => {
      expect(splitMessage(whole ?? ""), JSON.stringify(messages[i])).toEqual({ subject, body });
    });
  });
});

describe("isExactSwap", () => {
  const D = (n: number) => `sha256:${String(n).padStart(64, "0")}`;
  const file = (a: string, b: string, tail = "") => Buffer.from(`images:\n  - name: api\n    digest: ${a}\n  - name: web\n    digest: ${b}\n${tail}`);
  it("accepts exactly the declared swap, every occurrence, nothing else", () => {
    expect(isExactSwap(file(D(1), D(3)), file(D(2), D(3)), D(1), D(2))).toBe(true);
    expect(isExactSwap(file(D(1), D(1)), file(D(2), D(2)), D(1), D(2))).toBe(true);
    expect(isExactSwap(file(D(1), D(1)), file(D(2), D(1)), D(1), D(2))).toBe(false); // one occurrence left
    expect(isExactSwap(file(D(1), D(3)), file(D(2), D(4)), D(1), D(2))).toBe(false); // another digest changed
    expect(isExactSwap(file(D(1), D(3)), file(D(2), D(3), "# x\n"), D(1), D(2))).toBe(false); // other text changed
    expect(isExactSwap(file(D(1), D(3), "a"), file(D(2), D(3), "b"), D(1), D(2))).toBe(false); // same length, other text changed
    expect(isExactSwap(file(D(5), D(3)), file(D(5), D(3)), D(1), D(2))).toBe(false); // previous absent
    expect(isExactSwap(file(D(1), D(3)), file(D(1), D(3)), D(1), D(1))).toBe(false);
  });
});

describe("reflog entries: fast-forward or rewrite, as git answers it", () => {
  it("settles every pair of tips like `git merge-base --is-ancestor`, from the history where it can", async () => {
    const { readHistory } = await import("../../../src/adapters/git/history.js");
    const repo = mkdtempSync(join(tmpdir(), "stagegate-reflog-"));
    try {
      const run = (args: string[], input?: string) => execFileSync("git", args, { cwd: repo, input, env: { ...env, GIT_AUTHOR_NAME: "A", GIT_AUTHOR_EMAIL: "a@x", GIT_COMMITTER_NAME: "A", GIT_COMMITTER_EMAIL: "a@x" } }).toString().trim();
      run(["init", "-q", "-b", "main"]);
      const tree = run(["mktree"], "");
      const commit = (message: string, ...parentShas: string[]) => run(["commit-tree", tree, "-m", message, ...parentShas.flatMap((p) => ["-p", p])]);
      // c0 - c1 - c2 - m3 - c4 on the first-parent chain; s merged by m3; x rewritten away (off every history).
      const c0 = commit("c0");
      const c1 = commit("c1", c0);
      const c2 = commit("c2", c1);
      const s = commit("side", c1);
      const m3 = commit("merge", c2, s);
      const c4 = commit("c4", m3);
      const x = commit("rewritten", c2);
      run(["update-ref", "refs/heads/main", c4]);
      const tips = [c0, c1, c2, s, m3, c4, x];
      const pairs = tips.flatMap((old) => tips.filter((next) => next !== old).map((next) => [old, next] as const));
      const lines = pairs.map(([old, next], i) => `${old} ${next} A <a@x> ${1_700_000_000 + i} +0000\tupdate`);
      writeFileSync(join(repo, ".git", "logs", "refs", "heads", "main"), `${lines.join("\n")}\n`);

      const history = await readHistory(repo, {});
      const byPair = new Map(history.reflog.map((e) => [`${e.old} ${e.new}`, e.fastForward]));
      const isAncestor = (old: string, next: string) => {
        try {
          execFileSync("git", ["merge-base", "--is-ancestor", old, next], { cwd: repo, env });
          return true;
        } catch {
          return false;
        }
      };
      for (const [old, next] of pairs) expect([old.slice(0, 7), next.slice(0, 7), byPair.get(`${old} ${next}`)]).toEqual([old.slice(0, 7), next.slice(0, 7), isAncestor(old, next)]);
      expect(history.reflog).toHaveLength(pairs.length);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("the bulk cat-file stream", () => {
  it("answers while more is still to be asked, not only once its input ends", async () => {
    // 600 commits asked for, the input left open: their answers must come (the audit's log goes on
    // meanwhile). With 1,000 ids per write, none was even written before close().
    const shas = Array.from({ length: 600 }, (_, i) => writeCommit(`tree ${emptyTree}\nauthor A <a@x> ${i} +0000\ncommitter A <a@x> ${i} +0000\n\nc${i}\n`));
    let answered = 0;
    const stream = new ObjectStream(dir, (_name, object) => void (object?.type === "commit" && answered++));
    for (const sha of shas) stream.want(sha);
    const deadline = Date.now() + 10_000;
    while (answered === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const before = answered;
    await stream.close();
    expect(before).toBeGreaterThan(0);
    expect(answered).toBe(600);
  });
});
