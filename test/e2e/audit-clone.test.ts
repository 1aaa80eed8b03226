// The audit on a real clone: notes are not cloned (missing-note until --fetch), a force push on the
// server shows up in the remote-tracking reflog after a fetch, --verify flags unsigned promotion commits,
// and notes whose history was rewritten on the server are a finding (the clone's are kept and read).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { digestOf, HistoryBuilder } from "../support/history-builder.js";
import { countFetches } from "../support/upload-packs.js";

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
  // The report says why, before any finding: the clone holds no notes at all.
  expect(before.result.summary.warnings).toEqual([expect.stringMatching(/^this clone has no refs\/notes\/stagegate \(git clone does not fetch notes\).*--fetch/)]);
  const after = await auditRepository({ repo: join(dir, "clone"), fetch: true });
  expect(after.result.summary.warnings).toEqual([]);
  expect(after.result.findings.filter((f) => f.kind === "missing-note")).toHaveLength(0);
  expect(after.result.rows.filter((r) => r.hasNote)).toHaveLength(builder.expected.length);
  expect(after.result.findings.filter((f) => f.kind === "notes-rewritten")).toHaveLength(0);
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

it("reports notes rewritten on the server with --fetch, and keeps reading the clone's", async () => {
  const origin = join(dir, "origin");
  const clone = join(dir, "clone");
  await auditRepository({ repo: clone, fetch: true });
  const before = git(clone, ["rev-parse", "refs/notes/stagegate"]).trim();
  // On the server: the notes history replaced by a new one holding a single note (a force-pushed notes ref).
  git(origin, ["update-ref", "-d", "refs/notes/stagegate"]);
  git(origin, ["notes", "--ref=stagegate", "add", "-m", "{}", "HEAD"]);
  const { result } = await auditRepository({ repo: clone, fetch: true });
  const rewritten = result.findings.filter((f) => f.kind === "notes-rewritten");
  expect(rewritten).toHaveLength(1);
  expect(rewritten[0]).toMatchObject({ severity: "high", commit: before });
  expect(rewritten[0]?.message).toMatch(/1 notes commit only here, 1 only on origin/);
  // Nothing of the clone was overwritten: its notes are read, the server's kept apart.
  expect(git(clone, ["rev-parse", "refs/notes/stagegate"]).trim()).toBe(before);
  expect(git(clone, ["rev-parse", "refs/stagegate-audit/origin-notes"]).trim()).toBe(git(origin, ["rev-parse", "refs/notes/stagegate"]).trim());
  expect(result.findings.filter((f) => f.kind === "missing-note")).toHaveLength(0);
});

it("says a shallow clone's audit starts at its boundary, and --fetch fetches the rest of the history", async () => {
  const origin = join(dir, "origin");
  const shallow = join(dir, "shallow");
  git(dir, ["clone", "-q", "--depth", "4", `file://${origin}`, shallow]);
  const full = await auditRepository({ repo: origin });
  const boundary = git(shallow, ["rev-list", "--max-parents=0", "HEAD"]).trim();
  const cut = await auditRepository({ repo: shallow });
  expect(cut.result.summary.warnings).toContainEqual(expect.stringContaining(`this clone is shallow: its history starts at ${boundary.slice(0, 12)}`));
  // The boundary's digests are where the clone's history starts: initial rows, not the promotions before it.
  expect(cut.result.rows.filter((r) => r.kind === "initial").map((r) => r.commit)).toEqual([boundary]);
  expect(cut.result.rows.length).toBeLessThan(full.result.rows.length);

  const { result } = await auditRepository({ repo: shallow, fetch: true });
  expect(git(shallow, ["rev-parse", "--is-shallow-repository"]).trim()).toBe("false");
  expect(result.summary.warnings).toEqual([]);
  expect(result.rows.map((r) => [r.commit, r.kind, r.digest])).toEqual(full.result.rows.map((r) => [r.commit, r.kind, r.digest]));
});

it("reads a partial clone (--filter=blob:none) with one fetch of the notes and one of the file versions, not one per object", async () => {
  // An origin of its own: the tests above rewrote the shared one's notes.
  const origin = join(dir, "partial-origin");
  const history = new HistoryBuilder([{ name: "prod" }, { name: "dev" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-07-01T00:00:00Z");
  history.init(new Date(t0), { prod: { api: digestOf(1) }, dev: { api: digestOf(1) } });
  for (let i = 0; i < 12; i++) history.promote({ env: i % 2 ? "prod" : "dev", service: "api", digest: digestOf(50 + i), at: new Date(t0 + (i + 1) * 3_600_000), style: i % 3 ? "squash" : "merge", approvers: ["alice"], deployment: { state: "success", at: new Date(t0 + (i + 1) * 3_600_000 + 60_000) } });
  history.write(origin);
  // Notes history to check: an append (no finding) and a rewrite (a finding) on the server.
  const [appended, rewritten] = history.expected.map((change) => history.shaOf(change));
  for (const [name, value] of [["user.name", "Test"], ["user.email", "test@example.com"]]) git(origin, ["config", name!, value!]);
  git(origin, ["notes", "--ref=stagegate", "append", "-m", '{"deployments":[]}', appended!]);
  git(origin, ["notes", "--ref=stagegate", "add", "-f", "-m", git(origin, ["notes", "--ref=stagegate", "show", rewritten!]).replace(/"alice"/g, '"mallory"'), rewritten!]);
  git(origin, ["config", "uploadpack.allowFilter", "true"]);
  git(origin, ["config", "uploadpack.allowAnySHA1InWant", "true"]);
  const partial = join(dir, "partial");
  git(dir, ["clone", "-q", "--filter=blob:none", "--no-checkout", `file://${origin}`, partial]);
  git(partial, ["fetch", "-q", "origin", "refs/notes/stagegate:refs/notes/stagegate"]); // the notes ref, without its blobs
  const promisorPacks = () => readdirSync(join(partial, ".git", "objects", "pack")).filter((f) => f.endsWith(".promisor")).length;
  const before = promisorPacks();
  const full = await auditRepository({ repo: origin });
  const { result } = await auditRepository({ repo: partial });
  expect(result.rows.map((r) => [r.commit, r.kind, r.digest, r.deployment])).toEqual(full.result.rows.map((r) => [r.commit, r.kind, r.digest, r.deployment]));
  expect(result.rows.filter((r) => r.hasNote)).toHaveLength(history.expected.length);
  expect(result.findings).toEqual(full.result.findings);
  // Each fetch leaves one promisor pack: the notes, the file versions, and the configuration git read on its own.
  // Fetched one object at a time (as git does on demand) this history would add one per note and per file version.
  expect(promisorPacks() - before).toBe(3);
  // A second audit fetches nothing more: what the clone holds is listed first.
  await auditRepository({ repo: partial });
  expect(promisorPacks() - before).toBe(3);

  // --notes-history needs the notes' old versions, which the partial clone lacks too: one more fetch.
  const checked = await auditRepository({ repo: partial, notesHistory: true });
  expect(checked.result.findings.filter((f) => f.kind === "note-edited").map((f) => f.commit)).toEqual([rewritten]);
  expect(checked.result.findings).toEqual((await auditRepository({ repo: origin, notesHistory: true })).result.findings);
  expect(promisorPacks() - before).toBe(4);
});

it("reads a treeless clone (--filter=tree:0) with one fetch of the trees, not one per tree and commit", async () => {
  const origin = join(dir, "treeless-origin");
  const history = new HistoryBuilder([{ name: "prod" }, { name: "dev" }], [{ name: "api", image: "ghcr.io/acme/api" }]);
  const t0 = Date.parse("2024-08-01T00:00:00Z");
  history.init(new Date(t0), { prod: { api: digestOf(1) }, dev: { api: digestOf(1) } });
  for (let i = 0; i < 12; i++) history.promote({ env: i % 2 ? "prod" : "dev", service: "api", digest: digestOf(70 + i), at: new Date(t0 + (i + 1) * 3_600_000), style: i % 3 ? "squash" : "merge", approvers: ["alice"], deployment: { state: "success", at: new Date(t0 + (i + 1) * 3_600_000 + 60_000) } });
  history.write(origin);
  const rewritten = history.shaOf(history.expected[1]!);
  for (const [name, value] of [["user.name", "Test"], ["user.email", "test@example.com"], ["uploadpack.allowFilter", "true"], ["uploadpack.allowAnySHA1InWant", "true"]]) git(origin, ["config", name!, value!]);
  git(origin, ["notes", "--ref=stagegate", "add", "-f", "-m", git(origin, ["notes", "--ref=stagegate", "show", rewritten]).replace(/"alice"/g, '"mallory"'), rewritten]);
  const treeless = join(dir, "treeless");
  git(dir, ["clone", "-q", "--filter=tree:0", "--no-checkout", `file://${origin}`, treeless]);
  git(treeless, ["fetch", "-q", "origin", "refs/notes/stagegate:refs/notes/stagegate"]); // notes commits only: no trees, no blobs
  // Every fetch from here on, git's own on-demand ones included, runs upload-pack once: count them.
  const fetches = countFetches(treeless);

  const full = await auditRepository({ repo: origin });
  const { result } = await auditRepository({ repo: treeless });
  expect(result.rows).toEqual(full.result.rows);
  expect(result.findings).toEqual(full.result.findings);
  expect(result.summary.warnings).toEqual([]);
  // The trees (root trees of the history and of the notes, with their subtrees), the notes, the file
  // versions, and the configuration git read on its own. Before, git fetched each tree as it read it: 27.
  expect(fetches()).toBe(4);
  await auditRepository({ repo: treeless });
  expect(fetches()).toBe(4);

  // --notes-history reads the notes commits' own trees (one fetch) and the old version of a note (one more).
  const checked = await auditRepository({ repo: treeless, notesHistory: true });
  expect(checked.result.findings.filter((f) => f.kind === "note-edited").map((f) => f.commit)).toEqual([rewritten]);
  expect(fetches()).toBe(6);
});

it.skipIf(spawnSync("gpg", ["--version"]).status !== 0)("--verify says how to check signatures made with a key git lacks (GitHub's web-flow key for the commits GitHub makes)", async () => {
  const signer = mkdtempSync(join(tmpdir(), "stagegate-gpg-"));
  const stranger = mkdtempSync(join(tmpdir(), "stagegate-gpg-empty-"));
  const home = process.env.GNUPGHOME;
  try {
    const gpg = (args: string[]) => execFileSync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", ...args], { env: { ...process.env, GNUPGHOME: signer } }).toString();
    gpg(["--quick-gen-key", "Signer <signer@example.com>", "default", "default", "never"]);
    const repo = join(dir, "signed");
    git(dir, ["clone", "-q", join(dir, "origin"), repo]);
    git(repo, ["remote", "remove", "origin"]); // the audit reads origin/main when there is one: the local main holds the signed commit
    execFileSync("git", ["-c", "user.name=Signer", "-c", "user.email=signer@example.com", "-c", "user.signingkey=signer@example.com", "commit", "-q", "-S", "--allow-empty", "-m", "Promote api to prod\n\nStagegate-Service: api\nStagegate-Environment: prod"], { cwd: repo, env: { ...process.env, GNUPGHOME: signer } });

    process.env.GNUPGHOME = stranger;
    const unchecked = await auditRepository({ repo, verify: true });
    expect(unchecked.result.findings.filter((f) => f.kind === "bad-signature").map((f) => f.message)).toEqual([expect.stringContaining("cannot be checked (missing key)")]);
    expect(unchecked.result.summary.warnings).toContainEqual(expect.stringMatching(/^1 commits are signed with keys git does not have .*web-flow\.gpg/));

    process.env.GNUPGHOME = signer;
    const checked = await auditRepository({ repo, verify: true });
    expect(checked.result.findings.filter((f) => f.kind === "bad-signature")).toEqual([]);
    expect(checked.result.summary.warnings.filter((w) => w.includes("web-flow"))).toEqual([]);
  } finally {
    if (home === undefined) delete process.env.GNUPGHOME;
    else process.env.GNUPGHOME = home;
    for (const d of [signer, stranger]) rmSync(d, { recursive: true, force: true });
  }
}, 60_000);
