// `stagegate audit --notes-history` on a real repository: Stagegate only appends to evidence notes, so
// a note rewritten or removed after the fact (by anyone who can push refs/notes/stagegate) is a finding,
// and an append is not.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { appendNoteText, isNoteAppend as isAppend } from "../../src/core/evidence/note-append.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";

let dir: string;
let builder: HistoryBuilder;
const git = (args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-notes-history-"));
  builder = new HistoryBuilder([{ name: "prod" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-06-03T00:00:00Z");
  builder.init(new Date(t0), { prod: { api: digestOf(1) } });
  for (let i = 0; i < 4; i++) builder.promote({ env: "prod", service: "api", digest: digestOf(10 + i), at: new Date(t0 + (i + 1) * 3_600_000), style: "squash", approvers: ["alice"] });
  builder.write(dir);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("audit --notes-history", () => {
  it("reports notes changed other than by appending and notes removed, not appends", async () => {
    const [first, second, third] = builder.expected.map((change) => builder.shaOf(change));
    git(["notes", "--ref=stagegate", "append", "-m", `{"deployments":[{"environment":"prod","state":"failure"}]}`, first!]);
    const original = git(["notes", "--ref=stagegate", "show", second!]);
    git(["notes", "--ref=stagegate", "add", "-f", "-m", original.replace(/"alice"/g, '"mallory"'), second!]);
    git(["notes", "--ref=stagegate", "remove", third!]);

    const plain = await auditRepository({ repo: dir });
    expect(plain.result.findings.filter((f) => f.kind === "note-edited")).toHaveLength(0);

    const { result } = await auditRepository({ repo: dir, notesHistory: true });
    const edits = result.findings.filter((f) => f.kind === "note-edited");
    expect(edits.map((f) => [f.commit, f.severity])).toEqual([
      [second, "high"],
      [third, "high"],
    ]);
    expect(edits[0]?.message).toMatch(/changed other than by appending in notes commit [0-9a-f]{12} by Test <test@example\.com>/);
    expect(edits[1]?.message).toContain("removed");
    // The append was read as part of the note; the removal leaves the promotion without one.
    expect(result.rows.find((r) => r.commit === first)?.deployment).toBe("failure");
    expect(result.findings.filter((f) => f.kind === "missing-note").map((f) => f.commit)).toEqual([third]);
  });

  it("knows an append: the old text, a blank line, the new part", () => {
    expect(isAppend('{"a":1}\n', '{"a":1}\n\n{"b":2}\n')).toBe(true);
    expect(isAppend('{"a":1}\n\n\n', '{"a":1}\n\n{"b":2}\n')).toBe(true);
    expect(isAppend("", '{"b":2}\n')).toBe(true);
    expect(isAppend('{"a":1}\n', '{"a":2}\n\n{"b":2}\n')).toBe(false);
    expect(isAppend('{"a":1}\n', '{"a":1}{"b":2}\n')).toBe(false);
    expect(isAppend('{"a":1}\n', "")).toBe(false);
    // What the GitHub adapter writes is an append by this rule, whatever the line feeds around either part.
    for (const [before, part] of [['{"a":1}', '{"b":2}'], ['{"a":1}\n\n\n', '{"b":2}\n\n'], ["", "x"], ["  \n", "x"]] as const) expect(isAppend(before, appendNoteText(before, part))).toBe(true);
  });
});
