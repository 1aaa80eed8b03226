// A promotion PR whose branch was updated from main before it merged (GitHub's "Update branch", or
// `git merge main` on the branch): the merged head is "Merge branch 'main' into …", without trailers,
// and the promotion commit with them is below it. Without notes, this read as a hand-made change
// (medium); it is the promotion, with the low missing-note finding. Evidence is not borrowed from a
// commit that already landed, however the branch reaches it.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";

let dir: string;
const D = (n: number) => `sha256:${String(n).padStart(64, "0")}`;
const git = (args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();
let tick = 0;
const env = () => {
  tick++;
  const date = `2024-08-${String(tick).padStart(2, "0")}T10:00:00Z`;
  return { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date };
};
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
};
const commit = (message: string) => {
  git(["add", "-A"]);
  execFileSync("git", ["commit", "-q", "-m", message], { cwd: dir, env: env() });
  return git(["rev-parse", "HEAD"]).trim();
};
const merge = (branch: string, message: string) => {
  execFileSync("git", ["merge", "-q", "--no-ff", "-m", message, branch], { cwd: dir, env: env() });
  return git(["rev-parse", "HEAD"]).trim();
};
const kustomization = (api: number) => `images:\n  - name: ghcr.io/acme/api\n    digest: ${D(api)}\n`;
const trailers = (previous: number, digest: number) => `\n\nStagegate-Service: api\nStagegate-Environment: prod\nStagegate-Image: ghcr.io/acme/api@${D(digest)}\nStagegate-Previous: ${D(previous)}\nStagegate-Kind: promotion\nStagegate-Approved-By: rita\nStagegate-PR: #7`;
const audit = async () => (await auditRepository({ repo: dir })).result;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-updated-"));
  tick = 0;
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Dev"]);
  git(["config", "user.email", "dev@example.com"]);
  write("stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n");
  write("envs/prod/kustomization.yaml", kustomization(1));
  commit("init");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it("reads a promotion whose PR branch was updated from main (twice) as the promotion, not a hand-made change", async () => {
  git(["checkout", "-q", "-b", "stagegate/prod/api"]);
  write("envs/prod/kustomization.yaml", kustomization(2));
  const promotion = commit(`Promote api to prod${trailers(1, 2)}`);
  for (const file of ["README.md", "docs/notes.md"]) {
    git(["checkout", "-q", "main"]);
    write(file, "unrelated\n");
    commit(`docs: ${file}`);
    git(["checkout", "-q", "stagegate/prod/api"]);
    merge("main", "Merge branch 'main' into stagegate/prod/api");
  }
  git(["checkout", "-q", "main"]);
  const landed = merge("stagegate/prod/api", "Merge pull request #7 from acme/stagegate/prod/api");

  const result = await audit();
  const row = result.rows.find((r) => r.commit === landed);
  expect(row).toMatchObject({ kind: "promotion", digest: D(2), previous: D(1), approvedBy: ["rita"] });
  expect(result.findings.filter((f) => f.commit === landed).map((f) => [f.kind, f.severity])).toEqual([["missing-note", "low"]]);
  expect(result.findings.some((f) => f.kind === "bypass")).toBe(false);
  expect(promotion).toMatch(/^[0-9a-f]{40}$/);
});

it("does not lend a landed promotion's trailers to a later change through an update from main", async () => {
  git(["checkout", "-q", "-b", "stagegate/prod/api"]);
  write("envs/prod/kustomization.yaml", kustomization(2));
  commit(`Promote api to prod${trailers(1, 2)}`);
  git(["checkout", "-q", "main"]);
  merge("stagegate/prod/api", "Merge pull request #7 from acme/stagegate/prod/api");
  // api goes back to 1 by hand; later the old branch, updated from main, sets 2 again: the very swap
  // its landed promotion commit declared (1 → 2). That approval was spent: it is no evidence now.
  write("envs/prod/kustomization.yaml", kustomization(1));
  commit("put api back by hand");
  git(["checkout", "-q", "stagegate/prod/api"]);
  merge("main", "Merge branch 'main' into stagegate/prod/api");
  write("envs/prod/kustomization.yaml", kustomization(2));
  git(["add", "-A"]);
  execFileSync("git", ["commit", "-q", "--amend", "--no-edit"], { cwd: dir, env: env() });
  git(["checkout", "-q", "main"]);
  const again = merge("stagegate/prod/api", "Merge pull request #8 from acme/stagegate/prod/api");

  const result = await audit();
  const row = result.rows.find((r) => r.commit === again);
  expect(row).toMatchObject({ digest: D(2), previous: D(1), approvedBy: [] });
  expect(row?.kind).not.toBe("promotion");
  expect(result.findings.some((f) => f.commit === again && f.kind === "bypass")).toBe(true);
});
