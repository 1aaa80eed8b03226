// The audit follows what each version of stagegate.yaml named, not only the tip's: a service retired
// since, or an environment whose folder moved, still ran what its files said. Before, their history
// vanished with the config, a hand-made push to a retired service included: a bypass the audit hid.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditRepository } from "../../src/cli/commands/audit.js";
import { layoutOf } from "../../src/adapters/git/config-history.js";

let dir: string;
const D = (n: number) => `sha256:${String(n).padStart(64, "0")}`;
const git = (args: string[]) => execFileSync("git", args, { cwd: dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }).toString();
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
};
let tick = 0;
const commit = (message: string) => {
  tick++;
  git(["add", "-A"]);
  execFileSync("git", ["commit", "-q", "-m", message], { cwd: dir, env: { ...process.env, GIT_AUTHOR_DATE: `2024-03-0${tick}T10:00:00Z`, GIT_COMMITTER_DATE: `2024-03-0${tick}T10:00:00Z` } });
  return git(["rev-parse", "HEAD"]).trim();
};
const config = (path: string, services: string[]) => `version: 1\nenvironments:\n  - { name: prod, path: ${path} }\nservices:\n${services.map((s) => `  - { name: ${s}, image: ghcr.io/acme/${s} }\n`).join("")}`;
const kustomization = (images: Record<string, number>) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nimages:\n${Object.entries(images).map(([s, n]) => `  - name: ghcr.io/acme/${s}\n    digest: ${D(n)}\n`).join("")}`;
const changes = async () => (await auditRepository({ repo: dir })).result;
/** The common start: envs/prod runs api at D(1), then a hand-made push bumps it to D(2); returns that push. */
const startWithHandBump = (message: string) => {
  write("stagegate.yaml", config("envs/prod", ["api"]));
  write("envs/prod/kustomization.yaml", kustomization({ api: 1 }));
  commit("init");
  write("envs/prod/kustomization.yaml", kustomization({ api: 2 }));
  return commit(message);
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "stagegate-audit-config-"));
  tick = 0;
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Hand"]);
  git(["config", "user.email", "hand@example.com"]);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("audit across versions of stagegate.yaml", () => {
  it("keeps a retired service's history: its hand-made push is a bypass, its retirement a removal", async () => {
    write("stagegate.yaml", config("envs/prod", ["api", "legacy"]));
    write("envs/prod/kustomization.yaml", kustomization({ api: 1, legacy: 5 }));
    commit("init");
    write("envs/prod/kustomization.yaml", kustomization({ api: 1, legacy: 6 }));
    const push = commit("bump legacy by hand");
    write("stagegate.yaml", config("envs/prod", ["api"]));
    write("envs/prod/kustomization.yaml", kustomization({ api: 1 }));
    const retire = commit("retire legacy");

    const result = await changes();
    expect(result.rows.filter((r) => r.service === "legacy").map((r) => [r.kind, r.previous, r.digest])).toEqual([
      ["initial", undefined, D(5)],
      ["direct-push", D(5), D(6)],
      ["removal", D(6), undefined],
    ]);
    expect(result.findings.filter((f) => f.kind === "bypass").map((f) => [f.commit, f.service])).toEqual([
      [push, "legacy"],
      [retire, "legacy"],
    ]);
  });

  it("follows an environment whose folder moved: the move is no change, pushes on either side of it are", async () => {
    const before = startWithHandBump("bump api by hand, old folder");
    mkdirSync(join(dir, "environments"));
    renameSync(join(dir, "envs/prod"), join(dir, "environments/prod"));
    write("stagegate.yaml", config("environments/prod", ["api"]));
    const move = commit("move environments");
    write("environments/prod/kustomization.yaml", kustomization({ api: 3 }));
    const after = commit("bump api by hand, new folder");

    const result = await changes();
    expect(result.rows.map((r) => [r.commit, r.kind, r.previous, r.digest])).toEqual([
      [expect.any(String), "initial", undefined, D(1)],
      [before, "direct-push", D(1), D(2)],
      [after, "direct-push", D(2), D(3)],
    ]);
    expect(result.rows.some((r) => r.commit === move)).toBe(false);
  });

  it("names a renamed service by its current name all along", async () => {
    startWithHandBump("bump");
    write("stagegate.yaml", config("envs/prod", ["api"]).replace("{ name: api,", "{ name: api-server,"));
    commit("rename the service");
    const result = await changes();
    expect(result.rows.map((r) => [r.service, r.digest])).toEqual([
      ["api-server", D(1)],
      ["api-server", D(2)],
    ]);
  });

  it("audits by the earlier versions when the tip has no usable stagegate.yaml (removed, or broken)", async () => {
    const push = startWithHandBump("bump by hand");
    rmSync(join(dir, "stagegate.yaml"));
    commit("stop using Stagegate");
    let result = await changes();
    expect(result.rows.map((r) => [r.kind, r.digest])).toEqual([
      ["initial", D(1)],
      ["direct-push", D(2)],
    ]);
    expect(result.findings.filter((f) => f.kind === "bypass").map((f) => f.commit)).toEqual([push]);
    expect(result.summary.warnings).toContainEqual("no stagegate.yaml at the tip of refs/heads/main: the audit follows the environments and services its 1 earlier version in the history named");

    write("stagegate.yaml", "environments: [ {{ broken\n");
    commit("a broken config");
    result = await changes();
    expect(result.rows.map((r) => [r.kind, r.digest])).toEqual([
      ["initial", D(1)],
      ["direct-push", D(2)],
    ]);
    expect(result.summary.warnings).toContainEqual(expect.stringMatching(/^stagegate\.yaml is not valid YAML .*: the audit follows the environments and services its 1 earlier version in the history named$/));
  });

  it("follows the environments a tip config the schema refuses still names (read leniently)", async () => {
    startWithHandBump("bump by hand");
    // The tip adds staging, with a key the schema does not know: invalid, yet staging runs what its files say.
    write("stagegate.yaml", `${config("envs/prod", ["api"]).replace("environments:\n", "environments:\n  - { name: staging, path: envs/staging }\n")}unknownKey: 1\n`);
    write("envs/staging/kustomization.yaml", kustomization({ api: 1 }));
    const added = commit("add staging");
    write("envs/staging/kustomization.yaml", kustomization({ api: 9 }));
    const push = commit("bump staging by hand");
    const result = await changes();
    expect(result.rows.filter((r) => r.environment === "staging").map((r) => [r.kind, r.previous, r.digest])).toEqual([
      ["initial", undefined, D(1)],
      ["direct-push", D(1), D(9)],
    ]);
    expect(result.findings.filter((f) => f.kind === "bypass" && f.environment === "staging").map((f) => f.commit)).toEqual([added, push]);
    expect(result.summary.warnings).toContainEqual("stagegate.yaml is invalid (run stagegate validate): the audit follows the environments and services it names (read leniently) and those its 1 earlier version in the history named");
  });

  it("reads an earlier config leniently, and says when one cannot be read", async () => {
    expect(layoutOf("version: 0\nenvironments: [{ name: prod, path: p, extra: 1 }]\nservices: [{ name: a, image: i }, { name: 7 }]\n")).toEqual({ environments: [{ name: "prod", path: "p" }], services: [{ name: "a", image: "i" }] });
    expect(layoutOf("{{ not yaml")).toBeUndefined();
    expect(layoutOf("just: text\n")).toBeUndefined();

    write("stagegate.yaml", "environments: [ {{ broken\n");
    write("envs/prod/kustomization.yaml", kustomization({ api: 1 }));
    commit("init with a broken config");
    write("stagegate.yaml", config("envs/prod", ["api"]));
    commit("fix the config");
    const result = await changes();
    expect(result.summary.warnings).toContainEqual("1 earlier version of stagegate.yaml could not be read: the environments and services only it named are not followed");
    expect(result.rows.map((r) => [r.kind, r.digest])).toEqual([["initial", D(1)]]);
  });
});
