// The audit predicts the file versions of declared swaps instead of reading them (predicted-versions.ts):
// proven on real repositories, SHA-1 and SHA-256, by what a partial clone did NOT fetch, with the rows
// equal to those of the full repository; promotions that write a tag beside the digest without declaring
// it, a lying hint and a hand edit are read as before.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";

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
  const date = `2024-06-${String(tick).padStart(2, "0")}T10:00:00Z`;
  execFileSync("git", ["commit", "-q", "-m", message], { cwd: repo, env: { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } });
  return git(repo, ["rev-parse", "HEAD"]).trim();
};
const PATH = "envs/prod/kustomization.yaml";
const kustomization = (api: number, web: number, tag?: string, webName = "ghcr.io/acme/web") =>
  `images:\n  - name: ghcr.io/acme/api\n${tag ? `    newTag: ${tag}\n` : ""}    digest: ${D(api)}\n  - name: ${webName}\n    digest: ${D(web)}\n`;
const promotion = (from: number, to: number, tag?: string) =>
  `Promote api to prod\n\nStagegate-Service: api\nStagegate-Environment: prod\nStagegate-Image: ghcr.io/acme/api@${D(to)}\n${tag ? `Stagegate-Tag: ${tag}\n` : ""}Stagegate-Previous: ${D(from)}\nStagegate-Kind: promotion\n`;

/** A history of exact swaps, tag-writing swaps, a hint that hides another change, and a hand edit. */
function build(repo: string, format: "sha1" | "sha256"): { versions: Map<string, string>; predictable: string[] } {
  mkdirSync(repo, { recursive: true });
  git(repo, ["init", "-q", "-b", "main", `--object-format=${format}`]);
  git(repo, ["config", "user.name", "Hand"]);
  git(repo, ["config", "user.email", "hand@example.com"]);
  write(repo, "stagegate.yaml", "version: 1\nenvironments:\n  - { name: prod, path: envs/prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n  - { name: web, image: ghcr.io/acme/web }\n");
  const versions = new Map<string, string>(); // label → blob id
  const predictable: string[] = [];
  const step = (label: string, text: string, message: string, predicted = false) => {
    write(repo, PATH, text);
    git(repo, ["add", "-A"]);
    commit(repo, message);
    const oid = git(repo, ["rev-parse", `HEAD:${PATH}`]).trim();
    versions.set(label, oid);
    if (predicted) predictable.push(oid);
  };
  step("init", kustomization(1, 100), "init");
  for (let i = 2; i <= 6; i++) step(`exact ${i}`, kustomization(i, 100), promotion(i - 1, i), true);
  // The editors that write the release's tag beside the digest: the declared swap, not an exact one.
  step("tag 7", kustomization(7, 100, "v7"), promotion(6, 7));
  step("tag 8", kustomization(8, 100, "v8"), promotion(7, 8));
  // Declares api 8 → 9 but also renames web's image: the hint is not the change, the version is read.
  step("lying 9", kustomization(9, 100, "v8", "ghcr.io/evil/web"), promotion(8, 9));
  step("hand 10", kustomization(9, 101, "v8", "ghcr.io/evil/web"), "bump web by hand");
  step("exact 11", kustomization(11, 101, "v8", "ghcr.io/evil/web"), promotion(9, 11), true);
  // The tag written beside the digest and declared (Stagegate-Tag), as Stagegate writes it: predicted too.
  step("tagged 12", kustomization(12, 101, "v12", "ghcr.io/evil/web"), promotion(11, 12, "v12"), true);
  git(repo, ["config", "uploadpack.allowFilter", "true"]);
  git(repo, ["config", "uploadpack.allowAnySHA1InWant", "true"]);
  return { versions, predictable };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-predicted-"));
  tick = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

for (const format of ["sha1", "sha256"] as const) {
  it(`reads a ${format} partial clone without fetching the versions it predicts, with the full repository's rows`, async () => {
    const origin = join(dir, "origin");
    const { versions, predictable } = build(origin, format);
    const clone = join(dir, "partial");
    git(dir, ["clone", "-q", "--filter=blob:none", "--no-checkout", `file://${origin}`, clone]);

    const full = await auditRepository({ repo: origin });
    const { result } = await auditRepository({ repo: clone });
    expect(result.rows).toEqual(full.result.rows);
    expect(result.findings).toEqual(full.result.findings);
    const api = result.rows.filter((r) => r.service === "api");
    expect(api.map((r) => [r.kind, r.digest])).toEqual([
      ["initial", D(1)],
      ...[2, 3, 4, 5, 6, 7, 8].map((n) => ["promotion", D(n)]),
      ["promotion", D(9)],
      ["promotion", D(11)],
      ["promotion", D(12)],
    ]);
    // The renamed web image under the lying hint is a change outside Stagegate, found as before.
    expect(result.rows.some((r) => r.service === "web" && r.kind !== "promotion" && r.commit === full.result.rows.find((x) => x.digest === D(9))?.commit)).toBe(true);

    // What the clone holds: the versions the audit read. The predicted ones were never fetched.
    const present = (oid: string) => {
      try {
        execFileSync("git", ["cat-file", "-e", oid], { cwd: clone, env: { ...process.env, GIT_NO_LAZY_FETCH: "1" }, stdio: "ignore" });
        return true;
      } catch {
        return false;
      }
    };
    expect(predictable).toHaveLength(7);
    for (const oid of predictable) expect(present(oid)).toBe(false);
    for (const label of ["init", "tag 7", "tag 8", "lying 9", "hand 10"]) expect(present(versions.get(label)!)).toBe(true);
  });
}
