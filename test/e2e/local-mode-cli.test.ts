import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitCli } from "../../src/adapters/git/git-cli.js";
import { initLocalRepo } from "../../src/adapters/git/local-adapter.js";
import { parseNote } from "../../src/core/audit/note-schema.js";
import { getTrailer, getTrailers, parseTrailers } from "../../src/core/evidence/trailers.js";

const run = promisify(execFile);
const BIN = resolve("bin/stagegate.js");
const D = (c: string) => `sha256:${c.repeat(64)}`;
const values = (digest: string, tag = "1.0") => `# api values\nimage:\n  repository: ghcr.io/acme/api\n  tag: "${tag}"\n  digest: ${digest}\nreplicas: 2\n`;
const FILES = new Map([
  ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: dev }\n  - { name: staging, path: envs/staging, from: [dev], policy: staging }\n  - { name: prod, path: envs/prod, from: [staging], policy: prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
  ["policies/dev.yaml", "version: 1\nmerge: { mode: auto }\n"],
  ["policies/staging.yaml", "version: 1\ngates:\n  - gate: upstream\nmerge: { mode: auto }\n"],
  ["policies/prod.yaml", "version: 1\ngates:\n  - gate: upstream\n  - gate: approvals\n    users: [rita]\nmerge: { mode: manual }\nrollback: { mode: pr, merge: auto }\n"],
  ["envs/dev/values.yaml", values(D("0"))],
  ["envs/staging/values.yaml", values(D("0"))],
  ["envs/prod/values.yaml", values(D("0"))],
  ["envs/prod/README.md", "prod\n"],
]);

let root = "";
let dir = "";
let git: GitCli;

/** Runs the real CLI (bin/stagegate.js) in local mode at a fixed simulated time. */
async function cliOn(repo: string, args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args, "--repo", repo], { env: { ...process.env, STAGEGATE_NOW: "2026-03-02T10:00:00Z", NO_COLOR: "1" } });
  return stdout;
}

async function stagegate(...args: string[]): Promise<string> {
  return cliOn(dir, args);
}

/** A local repository of its own (under `root`): FILES with one policy replaced, and the CLI on it. */
async function repoWithPolicy(name: string, policy: string, yaml: string): Promise<{ dir: string; sg: (...args: string[]) => Promise<string> }> {
  const repo = join(root, name);
  const files = new Map(FILES);
  files.set(`policies/${policy}.yaml`, yaml);
  await initLocalRepo(repo, files, { clock: { now: () => new Date("2026-03-02T09:00:00Z") } });
  return { dir: repo, sg: (...args) => cliOn(repo, args) };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "stagegate-cli-"));
  dir = join(root, "envs-repo");
  await initLocalRepo(dir, FILES, { clock: { now: () => new Date("2026-03-02T09:00:00Z") } });
  git = new GitCli(dir);
  await stagegate("promote", "--service", "api", "--digest", D("1"), "--tag", "1.1", "--as", "dana");
  await stagegate("tick");
  await stagegate("deploy-status", "dev", "api", "success", "--as", "argocd");
  await stagegate("tick");
  await stagegate("deploy-status", "staging", "api", "success", "--as", "argocd");
  await stagegate("tick");
}, 240_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("local mode through the CLI: dev → staging → prod, then a failed verification in prod and its rollback", () => {
  it("refuses to merge the prod PR before the approval, then merges it", async () => {
    await expect(stagegate("merge", "3", "--as", "rita")).rejects.toMatchObject({ stderr: expect.stringContaining("required check `stagegate`") });
    await stagegate("approve", "3", "--as", "rita");
    await stagegate("merge", "3", "--as", "rita");
    expect(await git.run(["show", "main:envs/prod/values.yaml"])).toBe(values(D("1"), "1.1"));
    const trailers = parseTrailers(await git.run(["log", "-1", "--format=%B", "main"]));
    expect(getTrailer(trailers, "Stagegate-Environment")).toBe("prod");
    expect(getTrailers(trailers, "Stagegate-Approved-By")).toEqual(["rita"]);
    expect(getTrailer(trailers, "Stagegate-Gates")).toBe("upstream=success, approvals=success");
  }, 60_000);

  it("rolls prod back after the deployer reports failure", async () => {
    const promotion = (await git.run(["rev-parse", "main"])).trim();
    await stagegate("deploy-status", "prod", "api", "failure", "--as", "argocd");
    const out = await stagegate("tick");
    expect(out).toMatch(/rollback PR #4/);
    // Exactly the file the promotion changed, with the previous digest and tag, byte for byte.
    expect(await git.run(["show", "main:envs/prod/values.yaml"])).toBe(values(D("0")));
    expect((await git.run(["diff", "--name-only", `${promotion}`, "main"])).trim()).toBe("envs/prod/values.yaml");
    const trailers = parseTrailers(await git.run(["log", "-1", "--format=%B", "main"]));
    expect(getTrailer(trailers, "Stagegate-Kind")).toBe("rollback");
    expect(getTrailer(trailers, "Stagegate-PR")).toBe("#4");
    const note = parseNote(await git.run(["notes", "--ref=refs/notes/stagegate", "show", promotion]));
    expect("note" in note && note.note.deployments?.map((d) => d.state)).toEqual(["queued", "failure"]);
    const refs = (await git.run(["for-each-ref", "--format=%(refname)", "refs/stagegate/deployments/prod/api/"])).trim().split("\n");
    expect(refs).toHaveLength(2);
    const kinds = await Promise.all(refs.map(async (r) => JSON.parse(await git.run(["show", `${r}:deployment.json`])).kind));
    expect(kinds.sort()).toEqual(["promotion", "rollback"]);
    // The work tree follows main (local mode never leaves it behind).
    expect((await git.run(["status", "--porcelain"])).trim()).toBe("");
  }, 60_000);

  it("shows the state with stagegate status", async () => {
    const out = await stagegate("status");
    expect(out).toMatch(/api\s+1{12} healthy since .*1{12} healthy since .*0{12} deploying since/);
  }, 30_000);
});

describe("two stagegate promote processes at the same moment", () => {
  it("open exactly one PR: the loser of the ref transaction reports the winner's", async () => {
    const raceDir = join(root, "race-repo");
    await initLocalRepo(raceDir, FILES, { clock: { now: () => new Date("2026-03-02T09:00:00Z") } });
    const args = [BIN, "promote", "--service", "api", "--digest", D("7"), "--as", "dana", "--repo", raceDir];
    const env = { ...process.env, STAGEGATE_NOW: "2026-03-02T10:00:00Z", NO_COLOR: "1" };
    const outputs = (await Promise.all([run(process.execPath, args, { env }), run(process.execPath, args, { env })])).map((r) => r.stdout.split("\n")[0]);
    expect(outputs.sort()).toEqual(["exists PR #1: promote api to dev: sha256:777777777777", "opened PR #1: promote api to dev: sha256:777777777777"]);
    const refs = await new GitCli(raceDir).run(["for-each-ref", "--format=%(refname)", "refs/stagegate/pulls/", "refs/heads/stagegate/"]);
    expect(refs.trim().split("\n")).toEqual(["refs/heads/stagegate/dev/api/777777777777", "refs/stagegate/pulls/1"]);
  }, 60_000);
});

describe("recording the facts local mode needs: source CI results and teams", () => {
  it("lets a fresh user's staging PR pass source-checks and a team approval", async () => {
    const { dir: factsDir, sg } = await repoWithPolicy("facts-repo", "staging", "version: 1\ngates:\n  - gate: upstream\n  - gate: source-checks\n    checks: [build, test-*]\n  - gate: approvals\n    teams: [acme/release]\nmerge: { mode: manual }\n");
    const sha = "c".repeat(40);
    await sg("promote", "--service", "api", "--digest", D("5"), "--source", `acme/api@${sha}`, "--as", "dana");
    await sg("tick");
    await sg("deploy-status", "dev", "api", "success", "--as", "argocd");
    // Nobody recorded CI for the source commit yet: local mode has no GitHub to ask.
    expect(await sg("tick")).toMatch(/#2 .*pending — waiting for source-checks, approvals/);
    expect(await sg("source-status", `acme/api@${sha}`, "build", "success")).toContain(`recorded build=success on acme/api@${"c".repeat(12)} (now: build=success)`);
    expect(await sg("source-status", `acme/api@${sha}`, "test-unit", "failure", "--as", "github-actions")).toContain("(now: build=success, test-unit=failure)");
    expect(await sg("tick")).toMatch(/#2 .*failed: source-checks/);
    // A re-run replaces the earlier result of the same check.
    expect(await sg("source-status", `acme/api@${sha}`, "test-unit", "success")).toContain("(now: build=success, test-unit=success)");
    expect(await sg("team", "acme/release", "--add", "rita", "sol")).toBe("acme/release: rita, sol\n");
    expect(await sg("team", "acme/release", "--remove", "sol")).toBe("acme/release: rita\n");
    await expect(sg("merge", "2", "--as", "rita")).rejects.toMatchObject({ stderr: expect.stringContaining("approvals") });
    await sg("approve", "2", "--as", "rita");
    await sg("merge", "2", "--as", "rita");
    const git = new GitCli(factsDir);
    expect(getTrailer(parseTrailers(await git.run(["log", "-1", "--format=%B", "main"])), "Stagegate-Gates")).toBe("upstream=success, source-checks=success, approvals=success");
    expect(JSON.parse(await git.run(["show", "refs/stagegate/facts:teams.json"]))).toEqual({ "acme/release": ["rita"] });
    expect(JSON.parse(await git.run(["show", "refs/stagegate/facts:source-checks.json"]))).toEqual({
      [`acme/api@${sha}`]: [
        { name: "build", status: "completed", conclusion: "success" },
        { name: "test-unit", status: "completed", conclusion: "success" },
      ],
    });
  }, 180_000);

  it("refuses malformed facts with one line and exit 1", async () => {
    await expect(stagegate("source-status", "acme/api@abc", "build", "success")).rejects.toMatchObject({ code: 1, stderr: 'stagegate: "acme/api@abc" is not owner/repo@<40-hex sha>\n' });
    await expect(stagegate("source-status", `acme/api@${"c".repeat(40)}`, "build", "green")).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("conclusion must be one of success, failure") });
    await expect(stagegate("team", "release", "--add", "rita")).rejects.toMatchObject({ code: 1, stderr: 'stagegate: "release" is not org/team\n' });
  }, 60_000);

  it("says a bare repository (a mirror clone) needs a working tree, and a plain directory is no repository", async () => {
    const bare = join(root, "mirror.git");
    await run("git", ["clone", "-q", "--mirror", dir, bare]);
    const env = { ...process.env, NO_COLOR: "1" };
    await expect(run(process.execPath, [BIN, "status", "--repo", bare], { env })).rejects.toMatchObject({ code: 1, stderr: `stagegate: --repo ${bare}: a bare repository; local mode needs a working tree (git clone ${bare})\n` });
    await expect(run(process.execPath, [BIN, "status", "--repo", root], { env })).rejects.toMatchObject({ code: 1, stderr: `stagegate: --repo ${root}: not a git repository\n` });
  }, 60_000);
});

describe("the vulnerabilities gate in local mode", () => {
  it("reads the report `promote --scan-url` links, and fails closed when it cannot (here: a loopback URL the guard refuses)", async () => {
    const { dir: vulnsDir, sg } = await repoWithPolicy("vulns-repo", "dev", "version: 1\ngates:\n  - gate: vulnerabilities\n    max: { critical: 0 }\nmerge: { mode: auto }\n");
    await sg("promote", "--service", "api", "--digest", D("6"), "--scan-url", "http://127.0.0.1:9/api.sarif", "--as", "dana");
    expect(await sg("tick")).toMatch(/#1 .*failed: vulnerabilities/);
    const git = new GitCli(vulnsDir);
    expect(JSON.parse(await git.run(["show", "refs/stagegate/pulls/1:pr.json"])).body).toContain("http://127.0.0.1:9/api.sarif");
    // The check says why: the guard refused the URL (the report is not fetched, the gate does not pass).
    const head = JSON.parse(await git.run(["show", "refs/stagegate/pulls/1:pr.json"])).headSha as string;
    const checks = JSON.parse(await git.run(["show", `refs/stagegate/checks/${head}:checks.json`])) as { name: string; conclusion?: string; summary?: string; text?: string; title?: string }[];
    const gate = checks.find((c) => c.name === "stagegate/vulnerabilities")!;
    expect(gate.conclusion).toBe("failure");
    expect(JSON.stringify(gate)).toMatch(/the scan report cannot be read.*127\.0\.0\.1:9\/api\.sarif: refused 127\.0\.0\.1:9: 127\.0\.0\.1 is a loopback address/);
  });
});
