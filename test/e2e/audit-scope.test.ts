// What a report covers, so that an auditor can reproduce it: the ref and commit read, the notes' commit,
// the filters and the tool; and the same clone state with the same flags gives the same report, byte for byte.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditRepository, renderAudit, type AuditFormat } from "../../src/cli/commands/audit.js";
import { VERSION } from "../../src/version.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";

let dir: string;
let origin: string;
let clone: string;
const git = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString().trim();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-scope-"));
  origin = join(dir, "origin");
  clone = join(dir, "clone");
  const builder = new HistoryBuilder([{ name: "staging" }, { name: "prod" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-03-04T00:00:00Z");
  builder.init(new Date(t0), { staging: { api: digestOf(1) }, prod: { api: digestOf(1) } });
  for (let i = 0; i < 8; i++) builder.promote({ env: i % 2 ? "prod" : "staging", service: "api", digest: digestOf(10 + i), at: new Date(t0 + (i + 1) * 86_400_000), style: i % 2 ? "squash" : "merge", approvers: ["alice"], deployment: { state: "success", at: new Date(t0 + (i + 1) * 86_400_000 + 60_000) } });
  builder.write(origin);
  git(dir, ["clone", "-q", origin, clone]);
  for (const [key, value] of [["user.name", "Test"], ["user.email", "test@example.com"]]) git(clone, ["config", key!, value!]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("names the ref and commit it read, the notes it read (or that there were none), and the tool", async () => {
  const bare = await auditRepository({ repo: clone });
  expect(bare.result.summary.scope).toEqual({ ref: "refs/remotes/origin/main", commit: git(clone, ["rev-parse", "origin/main"]), tool: `stagegate ${VERSION}` });
  expect(renderAudit("md", bare.result, bare.history, {})).toContain(`Audited \`refs/remotes/origin/main\` at \`${git(clone, ["rev-parse", "origin/main"])}\`, without evidence notes (no refs/notes/stagegate), by stagegate ${VERSION}.`);

  const { result, history } = await auditRepository({ repo: clone, fetch: true, env: "prod", since: "2024-03-06", until: "2024-03-09T12:00:00+02:00" });
  const notes = git(clone, ["rev-parse", "refs/notes/stagegate"]);
  expect(result.summary.scope).toEqual({
    ref: "refs/remotes/origin/main",
    commit: git(clone, ["rev-parse", "origin/main"]),
    notes,
    environment: "prod",
    since: "2024-03-06T00:00:00.000Z",
    until: "2024-03-09T10:00:00.000Z",
    tool: `stagegate ${VERSION}`,
  });
  const md = renderAudit("md", result, history, { env: "prod" });
  expect(md).toContain(`evidence notes at \`${notes}\``);
  expect(md).toContain("Only changes of environment `prod`, landed at or after 2024-03-06T00:00:00.000Z and before 2024-03-09T10:00:00.000Z.");
  expect(renderAudit("html", result, history, { env: "prod" })).toContain(`<p class="scope">Audited <code>refs/remotes/origin/main</code> at <code>${git(clone, ["rev-parse", "origin/main"])}</code>, evidence notes at <code>${notes}</code>`);
  expect(JSON.parse(renderAudit("json", result, history, {})).summary.scope.notes).toBe(notes);
});

it("gives the same report for the same clone state, and another once the branch or the notes moved", async () => {
  const report = async (format: AuditFormat) => {
    const { result, history } = await auditRepository({ repo: clone, fetch: true, verify: true });
    return renderAudit(format, result, history, {});
  };
  for (const format of ["md", "json", "html", "csv"] as const) expect(await report(format), format).toBe(await report(format));

  const before = await report("json");
  // A new note appended on the server: the scope names the new notes commit.
  const tip = git(origin, ["rev-parse", "main"]);
  git(origin, ["-c", "user.name=Test", "-c", "user.email=test@example.com", "notes", "--ref=stagegate", "append", "-m", '{"deployments":[]}', tip]);
  const after = JSON.parse(await report("json"));
  expect(after.summary.scope.notes).toBe(git(origin, ["rev-parse", "refs/notes/stagegate"]));
  expect(after.summary.scope.notes).not.toBe(JSON.parse(before).summary.scope.notes);
  expect(after.summary.scope.commit).toBe(tip);
});

it("says which version produced it: the package's", () => {
  expect(VERSION).toBe(JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")).version);
});
