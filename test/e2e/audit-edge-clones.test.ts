// The audit on clones and histories at the edges: a submodule inside an environment folder (a partial
// clone crashed on it), earlier config versions in a partial clone (fetched one by one), a clone
// shallow only on another branch (warned as cut), a --branch that git would read as an option, and a
// repository without commits.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { countFetches } from "../support/upload-packs.js";

let dir: string;
const D = (n: number) => `sha256:${String(n).padStart(64, "0")}`;
const git = (cwd: string, args: string[]) => execFileSync("git", args, { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();
const write = (repo: string, path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};
let tick = 0;
const commit = (repo: string, message: string) => {
  tick++;
  const date = `2024-05-${String(tick).padStart(2, "0")}T10:00:00Z`;
  execFileSync("git", ["commit", "-q", "-m", message], { cwd: repo, env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
  return git(repo, ["rev-parse", "HEAD"]).trim();
};
const config = (services: string[]) => `version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n${services.map((s) => `  - { name: ${s}, image: ghcr.io/acme/${s} }\n`).join("")}`;
const kustomization = (images: Record<string, number>) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n${Object.entries(images).map(([s, n]) => `  - name: ghcr.io/acme/${s}\n    digest: ${D(n)}\n`).join("")}`;
const init = (repo: string) => {
  mkdirSync(repo, { recursive: true });
  git(repo, ["init", "-q", "-b", "main"]);
  git(repo, ["config", "user.name", "Hand"]);
  git(repo, ["config", "user.email", "hand@example.com"]);
};
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-edges-"));
  tick = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("reads a partial clone whose environment folder holds a submodule, and its earlier configs in the files' one fetch", async () => {
  const origin = join(dir, "origin");
  init(origin);
  // Six versions of stagegate.yaml, each adding a service, with a hand-made bump between them.
  const services: string[] = [];
  for (let i = 0; i < 6; i++) {
    services.push(`svc${i}`);
    write(origin, "stagegate.yaml", config(services));
    write(origin, "envs/prod/kustomization.yaml", kustomization(Object.fromEntries(services.map((s, k) => [s, 10 * k + i]))));
    git(origin, ["add", "-A"]);
    commit(origin, `version ${i}`);
  }
  // A submodule in the environment folder: its entry names a commit of another repository.
  git(origin, ["update-index", "--add", "--cacheinfo", `160000,${"ab".repeat(20)},envs/prod/vendored`]);
  const submodule = commit(origin, "vendor a submodule");
  for (const [name, value] of [["uploadpack.allowFilter", "true"], ["uploadpack.allowAnySHA1InWant", "true"]]) git(origin, ["config", name!, value!]);
  const clone = join(dir, "partial");
  git(dir, ["clone", "-q", "--filter=blob:none", "--no-checkout", `file://${origin}`, clone]);
  const fetches = countFetches(clone);

  const full = await auditRepository({ repo: origin });
  const { result } = await auditRepository({ repo: clone });
  expect(result.rows).toEqual(full.result.rows);
  expect(result.rows.some((r) => r.commit === submodule)).toBe(false);
  expect(result.summary.warnings.filter((w) => !w.includes("refs/notes/stagegate"))).toEqual([]);
  // git's own read of the tip's config, then the file versions with the five earlier configs: before,
  // each earlier config was its own fetch (7), and the submodule's commit failed the files' fetch.
  expect(fetches()).toBe(2);
});

it("fetches from the partial clone's own promisor remote, whatever its name (git clone -o upstream)", async () => {
  const origin = join(dir, "origin");
  init(origin);
  write(origin, "stagegate.yaml", config(["api"]));
  for (let i = 0; i < 8; i++) {
    write(origin, "envs/prod/kustomization.yaml", kustomization({ api: i }));
    git(origin, ["add", "-A"]);
    commit(origin, `bump ${i}`);
  }
  for (const [name, value] of [["uploadpack.allowFilter", "true"], ["uploadpack.allowAnySHA1InWant", "true"]]) git(origin, ["config", name!, value!]);
  const clone = join(dir, "upstream");
  git(dir, ["clone", "-q", "--filter=blob:none", "--no-checkout", "-o", "upstream", `file://${origin}`, clone]);
  const fetches = countFetches(clone, "upstream");

  const { result } = await auditRepository({ repo: clone });
  expect(result.rows).toEqual((await auditRepository({ repo: origin })).result.rows);
  expect(result.summary.warnings.filter((w) => !w.includes("refs/notes/stagegate"))).toEqual([]);
  // git's own read of the tip's config, then the 8 file versions in one request (before: "origin"
  // does not exist, the bulk fetch failed with a warning, and git fetched each version on its own).
  expect(fetches()).toBe(2);
});

it("warns of a shallow history only when the audited branch's history is the part cut", async () => {
  const origin = join(dir, "origin");
  init(origin);
  write(origin, "stagegate.yaml", config(["api"]));
  write(origin, "envs/prod/kustomization.yaml", kustomization({ api: 1 }));
  git(origin, ["add", "-A"]);
  commit(origin, "init");
  for (let i = 2; i < 5; i++) {
    write(origin, "envs/prod/kustomization.yaml", kustomization({ api: i }));
    git(origin, ["add", "-A"]);
    commit(origin, `bump ${i}`);
  }
  git(origin, ["checkout", "-q", "-b", "other"]);
  write(origin, "notes.txt", "x");
  git(origin, ["add", "-A"]);
  commit(origin, "other work");
  git(origin, ["checkout", "-q", "main"]);
  const clone = join(dir, "clone");
  git(dir, ["clone", "-q", "--single-branch", "--branch", "main", `file://${origin}`, clone]);
  git(clone, ["fetch", "-q", "--depth=1", "origin", "other:refs/remotes/origin/other"]);
  expect(git(clone, ["rev-parse", "--is-shallow-repository"]).trim()).toBe("true");
  const shallowWarning = (warnings: readonly string[]) => warnings.filter((w) => w.startsWith("this clone is shallow"));
  expect(shallowWarning((await auditRepository({ repo: clone })).result.summary.warnings)).toEqual([]);

  const cut = join(dir, "cut");
  git(dir, ["clone", "-q", "--depth=2", `file://${origin}`, cut]);
  expect(shallowWarning((await auditRepository({ repo: cut })).result.summary.warnings)).toHaveLength(1);
});

it("refuses a --branch git would read as an option, and says a repository without commits has nothing to audit", async () => {
  const repo = join(dir, "repo");
  init(repo);
  await expect(auditRepository({ repo })).rejects.toThrow(/has no branches yet/);
  write(repo, "stagegate.yaml", config(["api"]));
  git(repo, ["add", "-A"]);
  commit(repo, "init");
  const written = join(dir, "written-by-git");
  for (const branch of [`--output=${written}`, "main~1", "a b", "x:y"]) await expect(auditRepository({ repo, branch })).rejects.toThrow(`--branch: "${branch}" is not a branch name`);
  expect(existsSync(written)).toBe(false);
  expect((await auditRepository({ repo, branch: "main" })).result.rows).toEqual([]);
});
