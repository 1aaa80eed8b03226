// `stagegate plan` and `stagegate set-image` run as a user runs them: the real bin, in a child process,
// on a temporary environments repo (a git repo, so the plan's base is the real HEAD).
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, chmodSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRepoDir } from "../../src/adapters/fs/repo-dir.js";
import { D, fixtureFiles } from "../unit/plan/fixture.js";

const BIN = join(import.meta.dirname, "../../bin/stagegate.js");
const hasGit = spawnSync("git", ["--version"]).status === 0;
let root: string;
let repo: string;

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Runs the CLI in a child process (async, so the tests of a file run concurrently). */
function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const planArgs = (service: string, digest: string = D.new, ...more: string[]) => ["plan", "--repo", repo, "--service", service, "--to", "prod-eu", "--digest", digest, ...more];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "stagegate-cli-"));
  repo = join(root, "envs");
  write(repo, fixtureFiles());
  if (hasGit) {
    const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: repo, stdio: "pipe" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("commit", "-qm", "initial");
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.concurrent("stagegate plan", () => {
  it("prints the plan with diffs and exits 0 when there is something to change", async () => {
    const { code, stdout, stderr } = await cli(...planArgs("checkout", D.new, "--tag", "v1.5.0"));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toContain("promote checkout to prod-eu: sha256:abcdef123456 (v1.5.0)");
    expect(stdout).toContain("branch     stagegate/prod-eu/checkout/abcdef123456");
    expect(stdout).toContain(`--- a/environments/prod-eu/checkout/kustomization.yaml\n+++ b/environments/prod-eu/checkout/kustomization.yaml\n@@ -4,5 +4,5 @@\n   - ../../../base/checkout\n images:\n   - name: ghcr.io/acme/checkout\n-    newTag: v1.4.1\n-    digest: ${D.old}\n+    newTag: v1.5.0\n+    digest: ${D.new}\n`);
    // Planning changes nothing on disk.
    expect(readFileSync(join(repo, "environments/prod-eu/checkout/kustomization.yaml"), "utf8")).toContain(D.old);
  });

  it("prints JSON with branch, files and patches, and the git HEAD as base", async () => {
    const { code, stdout } = await cli(...planArgs("payments", D.new, "--json"));
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as Record<string, unknown> & { files: { path: string; patch: unknown[]; diff: string }[] };
    expect(plan).toMatchObject({ status: "changed", branch: "stagegate/prod-eu/payments/abcdef123456", previousDigests: [D.old], baseRef: "main", skipped: [{ path: "environments/prod-eu/payments/templates/job.yaml" }] });
    if (hasGit) expect(plan.baseOid).toBe(execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, encoding: "utf8" }).trim());
    expect(plan.files.map((f) => f.path)).toEqual(["environments/prod-eu/payments/values.yaml"]);
    expect(plan.files[0]?.patch).toEqual([
      { op: "test", path: "/image/digest", value: D.old },
      { op: "replace", path: "/image/digest", value: D.new },
    ]);
    expect(plan.files[0]?.diff).toContain(`+  digest: "${D.new}"\r`);
    expect(Object.keys(plan).sort()).toEqual(
      ["status", "message", "environment", "service", "kind", "image", "tag", "branch", "title", "baseRef", "baseOid", "previousDigests", "files", "skipped", "labels", "reviewers", "checks", "commitMessage", "body"].sort(),
    );
  });

  it("exits 0 with a message when the environment already runs the digest", async () => {
    const { code, stdout } = await cli(...planArgs("checkout", D.old));
    expect(code).toBe(0);
    expect(stdout.trim()).toBe("checkout is already at sha256:000000000000 in prod-eu (2 files); nothing to do.");
  });

  it("exits 2 when the environment does not reference the image", async () => {
    const { code, stdout } = await cli(...planArgs("ledger"));
    expect(code).toBe(2);
    expect(stdout).toContain("no file in environments/prod-eu/ (YAML and JSON files) references ghcr.io/acme/ledger");
  });

  it.each([
    [["--service", "nope"], 'stagegate plan: unknown service "nope" (known: checkout, payments, search, ledger)'],
    [["--to", "prod-us"], 'stagegate plan: unknown environment "prod-us" (known: staging, prod-eu)'],
    [["--digest", "sha256:123"], "stagegate plan: invalid promotion request: artifact.digest: must be sha256: followed by 64 lowercase hex characters"],
    [["--repo", "/nonexistent/stagegate"], "stagegate plan: --repo /nonexistent/stagegate: not a directory"],
  ])("exits 1 without a stack trace on %j", async (override, message) => {
    const args = planArgs("checkout");
    const at = args.indexOf(override[0] ?? "");
    args[at + 1] = override[1] ?? "";
    const { code, stderr } = await cli(...args);
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 1 with file:line:col diagnostics when the configuration is invalid", async () => {
    const broken = join(root, "broken");
    write(broken, { ...fixtureFiles(), "policies/prod.yaml": "version: 1\ngates:\n  - gate: soak\n    duration: soon\n" });
    const { code, stderr } = await cli("plan", "--repo", broken, "--service", "checkout", "--to", "prod-eu", "--digest", D.new);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^policies\/prod\.yaml:4:15: /m);
    expect(stderr).toContain("invalid configuration (run stagegate validate)");
  });
});

describe.concurrent("stagegate set-image", () => {
  const kustomization = (digest: string) => `# pinned\r\nimages:\r\n  - name: ghcr.io/acme/checkout\r\n    newTag: "v1"  # keep\r\n    digest: ${digest}`;

  it("--dry-run prints a unified diff and leaves the file alone", async () => {
    const file = join(root, "dry", "kustomization.yaml");
    write(join(root, "dry"), { "kustomization.yaml": kustomization(D.old) });
    const { code, stdout } = await cli("set-image", file, "--image", "ghcr.io/acme/checkout", "--digest", D.new, "--dry-run");
    expect(code).toBe(0);
    expect(stdout).toBe(`--- a/${file}\n+++ b/${file}\n@@ -2,4 +2,4 @@\n images:\r\n   - name: ghcr.io/acme/checkout\r\n     newTag: "v1"  # keep\r\n-    digest: ${D.old}\n\\ No newline at end of file\n+    digest: ${D.new}\n\\ No newline at end of file\n`);
    expect(readFileSync(file, "utf8")).toBe(kustomization(D.old));
  });

  it("writes the file in place, changing only the digest bytes and keeping the mode", async () => {
    const file = join(root, "write", "kustomization.yaml");
    write(join(root, "write"), { "kustomization.yaml": `\uFEFF${kustomization(D.old)}` });
    chmodSync(file, 0o640);
    const { code, stdout } = await cli("set-image", file, "--image", "ghcr.io/acme/checkout", "--digest", D.new, "--tag", "v2");
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`${file}: set ghcr.io/acme/checkout to ${D.new} (kustomize, 2 lines)`);
    expect(readFileSync(file, "utf8")).toBe(`\uFEFF${kustomization(D.new).replace('"v1"', '"v2"')}`);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const again = await cli("set-image", file, "--image", "ghcr.io/acme/checkout", "--digest", D.new, "--tag", "v2");
    expect(again).toMatchObject({ code: 0, stdout: `${file}: ghcr.io/acme/checkout is already at ${D.new}\n` });
  });

  it.each([
    ["an image the file does not reference", ["--image", "ghcr.io/acme/other", "--digest", D.new], 2, "no reference to ghcr.io/acme/other"],
    ["an invalid digest", ["--image", "ghcr.io/acme/checkout", "--digest", "sha256:xyz"], 1, '--digest must be sha256: followed by 64 lowercase hex characters, got "sha256:xyz"'],
  ])("exits with the right code for %s", async (_, args, code, message) => {
    const dir = join(root, `codes-${code}`);
    const file = join(dir, "kustomization.yaml");
    write(dir, { "kustomization.yaml": kustomization(D.old) });
    const result = await cli("set-image", file, ...args);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect(readFileSync(file, "utf8")).toBe(kustomization(D.old));
  });

  it("exits 1 for a missing file", async () => {
    expect(await cli("set-image", join(root, "missing.yaml"), "--image", "x", "--digest", D.new)).toMatchObject({ code: 1, stderr: `stagegate set-image: ${join(root, "missing.yaml")}: no such file\n` });
  });
});

describe("readRepoDir", () => {
  it("skips .git, node_modules, large and binary files and symlinks leaving the folder", async () => {
    const dir = join(root, "walk");
    write(dir, { "a.yaml": "a: 1\n", "node_modules/x/index.js": "x", "big.yaml": "x".repeat(2048), "bin.dat": "a\0b", "sub/b.yml": "b: 2\n" });
    write(root, { "outside.yaml": "secret: 1\n" });
    symlinkSync(join(root, "outside.yaml"), join(dir, "escape.yaml"));
    symlinkSync(join(dir, "a.yaml"), join(dir, "inside.yaml"));
    const snapshot = await readRepoDir(dir, { maxFileBytes: 1024 });
    expect([...snapshot.files.keys()]).toEqual(["a.yaml", "inside.yaml", "sub/b.yml"]);
    expect(snapshot.skipped.map((s) => s.path).sort()).toEqual(["big.yaml", "bin.dat", "escape.yaml"]);
    expect(snapshot.oid).toBe("0".repeat(40));
  });
});
