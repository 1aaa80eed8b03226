// Evidence notes written through GitHub's Git Data API, held against real git: `git notes` fans the
// notes tree out (`ab/cdef…`) once a repository holds a few hundred notes, so the GitHub adapter must
// find a note wherever git put it, append to it in place, and put new notes where git reads them.
// Before, it looked only at the flat path: with a fanned-out tree every note read as absent, the app
// wrote a second evidence note beside the first, and appends lost the text they extend.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubNotes, notePaths } from "../../../src/adapters/github/notes.js";
import { readNoteEdits } from "../../../src/adapters/git/notes-history.js";
import { appendNoteText } from "../../../src/core/evidence/note-append.js";
import type { GitHubClient } from "../../../src/adapters/github/client.js";
import { NOTES_REF } from "../../../src/core/ports/notes.js";
import { createTestClient } from "../../support/github/harness.js";
import type { LifecycleState } from "../lifecycle/support/lifecycle-state.js";
import { useLifecycleGitHub } from "../lifecycle/support/use-lifecycle-github.js";
import { createLifecycleWorld, ENV_REPO } from "../lifecycle/support/world.js";

const fakeGitHub = useLifecycleGitHub();
let dir: string;

const git = (args: string[], input?: string) =>
  execFileSync("git", args, { cwd: dir, input, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_NAME: "T", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "T", GIT_COMMITTER_EMAIL: "t@example.com" } }).toString();

/** `count` commits on main, and notes on the first `noted` of them written by git (fast-import applies git's fanout). */
function repository(count: number, noted: number): string[] {
  git(["init", "-q", "-b", "main"]);
  let stream = "";
  for (let i = 1; i <= count; i++) stream += `commit refs/heads/main\nmark :${i}\ncommitter T <t@example.com> ${1_700_000_000 + i} +0000\ndata <<EOF\nc${i}\nEOF\n`;
  for (let i = 1; i <= noted; i++) stream += `commit ${NOTES_REF}\ncommitter T <t@example.com> ${1_700_100_000 + i} +0000\ndata <<EOF\nnote\nEOF\nN inline :${i}\ndata <<EOF\n{"n":${i}}\nEOF\n`;
  git(["fast-import", "--quiet"], stream);
  return git(["rev-list", "--reverse", "main"]).trim().split("\n");
}

/** The notes ref's tree as the fake GitHub keeps it: path → text. */
function notesTree(ref = NOTES_REF): Map<string, string> {
  const entries = git(["ls-tree", "-r", ref]).trim().split("\n").filter(Boolean).map((line) => line.split("\t") as [string, string]);
  // One cat-file for every blob: `<oid> blob <size>\n<bytes>\n` each.
  const out = execFileSync("git", ["cat-file", "--batch"], { cwd: dir, input: entries.map(([meta]) => meta.split(" ")[2]).join("\n") });
  const tree = new Map<string, string>();
  let pos = 0;
  for (const [, path] of entries) {
    const eol = out.indexOf(10, pos);
    const size = Number(out.toString("latin1", pos, eol).split(" ")[2]);
    tree.set(path, out.toString("utf8", eol + 1, eol + 1 + size));
    pos = eol + 2 + size;
  }
  return tree;
}

/** Puts the clone's notes ref on the fake GitHub. */
function seed(state: LifecycleState): void {
  const commit = git(["rev-parse", NOTES_REF]).trim();
  const tree = git(["rev-parse", `${NOTES_REF}^{tree}`]).trim();
  state.trees.set(tree, notesTree());
  state.gitCommits.set(commit, { sha: commit, tree, parents: [], message: "notes" });
  state.gitRefs.set(NOTES_REF, commit);
}

/** Writes the fake's notes tree back to the clone as one more commit on the notes ref (what a fetch would bring). */
function fetchBack(state: LifecycleState): void {
  const head = state.gitCommits.get(state.gitRefs.get(NOTES_REF)!)!;
  let stream = `commit ${NOTES_REF}\ncommitter T <t@example.com> 1700200000 +0000\ndata <<EOF\nfrom GitHub\nEOF\nfrom ${git(["rev-parse", NOTES_REF]).trim()}\ndeleteall\n`;
  for (const [path, text] of state.trees.get(head.tree)!) stream += `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
  git(["fast-import", "--quiet", "--force"], stream);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-notes-layout-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("evidence notes in git's notes layout", () => {
  it("looks for a note at every fanout git uses", () => {
    const sha = "0123456789abcdef0123456789abcdef01234567";
    expect(notePaths(sha)).toEqual([sha, `01/${sha.slice(2)}`, `01/23/${sha.slice(4)}`, `01/23/45/${sha.slice(6)}`]);
    const shas = repository(400, 300);
    const paths = [...notesTree().keys()];
    expect(paths).toHaveLength(300);
    expect(paths.every((path) => path.includes("/"))).toBe(true); // git fanned the tree out
    for (const [i, sha] of shas.slice(0, 300).entries()) expect(notePaths(sha!), `note ${i}`).toContain(paths.find((p) => p.replaceAll("/", "") === sha));
  });

  it("appends to a note git fanned out in place and puts a new note where git reads it", async () => {
    const shas = repository(400, 300);
    const fake = fakeGitHub(createLifecycleWorld());
    const state = fake.state(ENV_REPO);
    seed(state);
    const notes = new GitHubNotes(createTestClient(), { owner: "acme", repo: "environments" });
    const [noted, fresh] = [shas[10]!, shas[350]!];

    expect(await notes.readNote(noted)).toBe('{"n":11}\n');
    expect(await notes.appendNote(noted, '{"again":true}', { ifAbsent: true })).toBe(false);
    await notes.appendNote(noted, '{"deployments":[{"state":"success"}]}');
    expect(await notes.readNote(fresh)).toBeUndefined();
    expect(await notes.appendNote(fresh, '{"n":351}', { ifAbsent: true })).toBe(true);

    const tree = state.trees.get(state.gitCommits.get(state.gitRefs.get(NOTES_REF)!)!.tree)!;
    expect(tree.size).toBe(301); // one note more, none twice
    expect(tree.has(noted) || tree.has(fresh)).toBe(false); // no flat duplicate beside the fanned-out notes

    fetchBack(state);
    expect(git(["notes", `--ref=${NOTES_REF}`, "show", noted])).toBe(appendNoteText('{"n":11}\n', '{"deployments":[{"state":"success"}]}'));
    expect(git(["notes", `--ref=${NOTES_REF}`, "show", fresh])).toBe('{"n":351}\n');
    // Every change of the notes ref, the GitHub writes included, is an append: nothing for --notes-history to report.
    expect(await readNoteEdits(dir)).toEqual([]);
  });

  it("keeps a flat note where it is and gives a new one its fanout directory, which git reads beside the flat ones", async () => {
    const shas = repository(3, 0);
    const fake = fakeGitHub(createLifecycleWorld());
    const state = fake.state(ENV_REPO);
    const notes = new GitHubNotes(createTestClient(), { owner: "acme", repo: "environments" });
    // Notes as earlier Stagegate versions wrote them: at the tree's root.
    const tree = new Map([[shas[0]!, '{"n":1}\n']]);
    state.trees.set("t0", tree);
    state.gitCommits.set("c0", { sha: "c0", tree: "t0", parents: [], message: "notes" });
    state.gitRefs.set(NOTES_REF, "c0");

    await notes.appendNote(shas[0]!, '{"m":1}');
    await notes.appendNote(shas[1]!, '{"n":2}');
    const after = state.trees.get(state.gitCommits.get(state.gitRefs.get(NOTES_REF)!)!.tree)!;
    expect([...after.keys()].sort()).toEqual([shas[0], notePaths(shas[1]!)[1]].sort());

    git(["update-ref", NOTES_REF, git(["commit-tree", git(["mktree"], "").trim(), "-m", "empty"]).trim()]);
    fetchBack(state);
    expect(git(["notes", `--ref=${NOTES_REF}`, "show", shas[0]!])).toBe('{"n":1}\n\n{"m":1}\n');
    expect(git(["notes", `--ref=${NOTES_REF}`, "show", shas[1]!])).toBe('{"n":2}\n');
  });

  it("--notes-history: a note moved to a fanout directory is no edit; moved and changed, or removed, it is", async () => {
    const [x, y, z] = repository(3, 0);
    const fan = (sha: string) => `${sha.slice(0, 2)}/${sha.slice(2)}`;
    let stream = "";
    const notesCommit = (i: number, ops: string) => (stream += `commit ${NOTES_REF}\ncommitter M <m@example.com> ${1_700_300_000 + i} +0000\ndata 2\nn\n${ops}`);
    const put = (path: string, text: string) => `M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`;
    notesCommit(1, put(x!, '{"x":1}\n') + put(y!, '{"y":1}\n') + put(z!, '{"z":1}\n'));
    notesCommit(2, `D ${x}\n${put(fan(x!), '{"x":1}\n')}`); // moved as is
    notesCommit(3, `D ${y}\n${put(fan(y!), '{"y":2}\n')}`); // moved and rewritten
    notesCommit(4, `D ${z}\n${put(fan(z!), '{"z":1}\n\n{"deployments":[]}\n')}`); // moved and appended to
    notesCommit(5, `D ${fan(x!)}\n`); // removed
    git(["fast-import", "--quiet"], stream);
    const edits = await readNoteEdits(dir);
    expect(edits.map((e) => [e.commit, e.kind, e.by])).toEqual([
      [y, "changed", "M <m@example.com>"],
      [x, "removed", "M <m@example.com>"],
    ]);
  });

  it("writes a new note into the deepest fanout directory that exists for it", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const state = fake.state(ENV_REPO);
    const sha = "abcdef0123456789abcdef0123456789abcdef01";
    state.trees.set("t0", new Map([["ab/cd/99887766554433221100ffeeddccbbaa9988", "{}\n"]]));
    state.gitCommits.set("c0", { sha: "c0", tree: "t0", parents: [], message: "notes" });
    state.gitRefs.set(NOTES_REF, "c0");
    await new GitHubNotes(createTestClient(), { owner: "acme", repo: "environments" }).appendNote(sha, "{}");
    const tree = state.trees.get(state.gitCommits.get(state.gitRefs.get(NOTES_REF)!)!.tree)!;
    expect(tree.has(`ab/cd/${sha.slice(4)}`)).toBe(true);
  });

  it("refuses to append to a note GitHub returns cut short or not as text, writing nothing", async () => {
    for (const object of [{ text: '{"n":1', isTruncated: true }, { text: null, isTruncated: false }]) {
      const writes: string[] = [];
      const client = {
        graphql: async () => ({ repository: { ref: { target: { oid: "c".repeat(40), tree: { oid: "t".repeat(40) }, p1: { type: "blob", object } } } } }),
        request: async (route: string) => void writes.push(route),
      } as unknown as GitHubClient;
      const notes = new GitHubNotes(client, { owner: "acme", repo: "environments" });
      await expect(notes.appendNote("a".repeat(40), "{}")).rejects.toThrow(/not appending/);
      expect(writes).toEqual([]);
      // The note is there: reading it, or writing only when absent, does not fail on it.
      expect(await notes.readNote("a".repeat(40))).toBe(object.text ?? "");
      expect(await notes.appendNote("a".repeat(40), "{}", { ifAbsent: true })).toBe(false);
    }
  });
});

describe("--notes-history on a notes tree kept flat", () => {
  it("warns with the re-layout command, which leaves every note as it was and ends the warning", async () => {
    const shas = repository(300, 0);
    // 300 notes at the tree's root, as Stagegate's GitHub writer left them before it wrote fanout paths.
    let stream = `commit ${NOTES_REF}\ncommitter T <t@example.com> 1700100000 +0000\ndata 5\nnotes\n`;
    for (const [i, sha] of shas.entries()) stream += `M 100644 inline ${sha}\ndata <<EOF\n{"n":${i}}\nEOF\n`;
    git(["fast-import", "--quiet"], stream);
    const warnings: string[] = [];
    expect(await readNoteEdits(dir, NOTES_REF, (line) => warnings.push(line))).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${NOTES_REF} keeps 300 notes at the root of its tree`);
    const command = /re-lay it out once \(no note changes\): (.*)$/.exec(warnings[0]!)?.[1] ?? "";
    // A commit that has a note (the first in tree order), so the command runs as printed.
    const first = [...shas].sort()[0]!;
    expect(command).toBe(`git fetch origin ${NOTES_REF}:${NOTES_REF} && git notes --ref=${NOTES_REF} append -m '' ${first} && git push origin ${NOTES_REF}`);

    // The command's middle step, as the user runs it (no remote here): git rewrites the tree fanned out.
    git(["notes", `--ref=${NOTES_REF}`, "append", "-m", "", first]);
    expect(notesTree().size).toBe(300);
    expect([...notesTree().keys()].every((path) => path.includes("/"))).toBe(true);
    for (const [i, sha] of shas.entries()) expect(git(["notes", `--ref=${NOTES_REF}`, "show", sha])).toBe(`{"n":${i}}\n`);
    const after: string[] = [];
    // The re-layout is moves, not edits; and no warning any more.
    expect(await readNoteEdits(dir, NOTES_REF, (line) => after.push(line))).toEqual([]);
    expect(after).toEqual([]);
  });

  it("says nothing of a notes tree git fanned out, nor of a few flat notes", async () => {
    repository(400, 300);
    const warnings: string[] = [];
    await readNoteEdits(dir, NOTES_REF, (line) => warnings.push(line));
    expect(warnings).toEqual([]);
  });
});
