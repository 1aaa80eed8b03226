// The audit on a real clone: notes are not cloned (missing-note until --fetch), a force push on the
// server shows up in the remote-tracking reflog after a fetch, --verify flags unsigned promotion commits.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";

let dir: string;
let builder: HistoryBuilder;
const git = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-clone-"));
  builder = new HistoryBuilder([{ name: "prod" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-06-03T00:00:00Z");
  builder.init(new Date(t0), { prod: { api: digestOf(1) } });
  for (let i = 0; i < 20; i++) builder.promote({ env: "prod", service: "api", digest: digestOf(10 + i), at: new Date(t0 + (i + 1) * 3_600_000), style: i % 2 ? "squash" : "merge", approvers: ["alice"] });
  builder.write(join(dir, "origin"));
  git(dir, ["clone", "-q", join(dir, "origin"), "clone"]);
  for (const repo of ["origin", "clone"]) {
    git(join(dir, repo), ["config", "user.name", "Test"]);
    git(join(dir, repo), ["config", "user.email", "test@example.com"]);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("reports missing notes on a fresh clone, and reads them after --fetch", async () => {
  const before = await auditRepository({ repo: join(dir, "clone") });
  expect(before.result.findings.filter((f) => f.kind === "missing-note")).toHaveLength(builder.expected.length);
  const after = await auditRepository({ repo: join(dir, "clone"), fetch: true });
  expect(after.result.findings.filter((f) => f.kind === "missing-note")).toHaveLength(0);
  expect(after.result.rows.filter((r) => r.hasNote)).toHaveLength(builder.expected.length);
});

it("flags unsigned promotion commits with --verify", async () => {
  const { result } = await auditRepository({ repo: join(dir, "clone"), verify: true });
  // One commit per promotion carries Stagegate-Service (the branch commit, or the squash commit).
  expect(result.findings.filter((f) => f.kind === "unsigned")).toHaveLength(builder.expected.length);
});

it("flags a force push seen by the remote-tracking reflog", async () => {
  git(join(dir, "origin"), ["commit", "-q", "--amend", "-m", "rewritten"]);
  git(join(dir, "clone"), ["fetch", "-q", "origin"]);
  const { result } = await auditRepository({ repo: join(dir, "clone") });
  const forced = result.findings.filter((f) => f.kind === "force-push");
  expect(forced).toHaveLength(1);
  expect(forced[0]?.message).toContain("refs/remotes/origin/main");
});
