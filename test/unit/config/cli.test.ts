import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readRepositoryFiles } from "../../../src/cli/commands/validate.js";
import { BASE_CONFIG, ROOT, TEMPLATE_DIR } from "./helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "stagegate-validate-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function stagegate(...args: string[]) {
  const run = spawnSync(process.execPath, [join(ROOT, "bin/stagegate.js"), ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function makeRepo(name: string, files: Record<string, string>): string {
  const dir = join(tmp, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe("stagegate validate", () => {
  it("exits 0 on the environments template with no diagnostics", () => {
    const dir = join(tmp, "template");
    cpSync(TEMPLATE_DIR, dir, { recursive: true });
    const run = stagegate("validate", "--repo", dir);
    expect(run.stderr).toBe(`${dir}: configuration is valid\n`);
    expect(run.stdout).toBe("");
    expect(run.code).toBe(0);
  });

  it("exits 1 with file:line:col lines and a summary on a broken repo; --json prints the report", () => {
    const dir = makeRepo("broken", {
      "stagegate.yaml": BASE_CONFIG.replace("from: [dev]", "from: [stagin]"),
      "policies/default.yaml": "gates:\n  - gate: soak\n    duration: soon\n",
      "policies/unused.yaml": "gates: []\n",
    });
    const run = stagegate("validate", "--repo", dir);
    expect(run.stderr.split("\n")).toEqual([
      'stagegate.yaml:7:12: environment "staging": unknown upstream "stagin" in from (known: dev)',
      'policies/default.yaml:3:15: gates[0].duration: must be a duration such as 30m, 2h, 1d or 1h30m (got "soon")',
      "policies/unused.yaml:1:1: warning: policy \"unused\" is used by no environment (set policy: unused on an environment, or delete the file)",
      `${dir}: configuration is invalid: 2 errors, 1 warning in 2 files`,
      "",
    ]);
    expect(run.stdout).toBe("");
    expect(run.code).toBe(1);

    const json = stagegate("validate", "--repo", dir, "--json");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { valid: boolean; diagnostics: { file: string; line: number; column: number; severity: string }[] };
    expect(report.valid).toBe(false);
    expect(report.diagnostics.map((d) => [d.file, d.line, d.column, d.severity])).toEqual([
      ["stagegate.yaml", 7, 12, "error"],
      ["policies/default.yaml", 3, 15, "error"],
      ["policies/unused.yaml", 1, 1, "warning"],
    ]);
  });

  it("exits 2 on usage errors", () => {
    expect(stagegate("validate", "--repo", join(tmp, "does-not-exist")).code).toBe(2);
    expect(stagegate("validate", "--no-such-flag").code).toBe(2);
  });
});

describe("readRepositoryFiles", () => {
  it("reads config, policies and manifests under environment paths only, skipping escaping symlinks and huge files", async () => {
    const outside = makeRepo("outside", { "secret.yaml": "token: hunter2\n" });
    const dir = makeRepo("reader", {
      "stagegate.yaml": BASE_CONFIG,
      "policies/default.yaml": "gates: []\n",
      "policies/analysis/rate.yaml": "kind: AnalysisTemplate\n",
      "environments/dev/web/kustomization.yaml": "images: []\n",
      "environments/dev/web/kustomization": "images: []\n",
      "environments/dev/web/notes.txt": "not a manifest\n",
      "environments/dev/big.yaml": `# ${"x".repeat(1024 * 1024 + 10)}\n`,
      "environments/staging/app.json": "{}\n",
      "docs/other.yaml": "outside every environment\n",
    });
    symlinkSync(join(outside, "secret.yaml"), join(dir, "environments/dev/leak.yaml"));
    symlinkSync(join(dir, "environments/staging/app.json"), join(dir, "environments/dev/inside.json"));
    const files = await readRepositoryFiles(dir);
    expect([...files.keys()].sort()).toEqual([
      "environments/dev/inside.json",
      "environments/dev/web/kustomization",
      "environments/dev/web/kustomization.yaml",
      "environments/staging/app.json",
      "policies/analysis/rate.yaml",
      "policies/default.yaml",
      "stagegate.yaml",
    ]);
  });

  it("hands an oversized stagegate.yaml to the loader (capped) so it is refused with a diagnostic", async () => {
    const dir = makeRepo("huge", { "stagegate.yaml": `version: 1\n# ${"x".repeat(3 * 1024 * 1024)}\n` });
    const files = await readRepositoryFiles(dir);
    expect(files.get("stagegate.yaml")?.length).toBe(1024 * 1024 + 1);
  });
});
