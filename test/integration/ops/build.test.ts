// The build (`npm run build`, scripts/build.ts) that the container runs, held against the sources that
// tests and development run: the same output for the same commands. And bin/stagegate.js's choice
// between the two (bin/built-entry.js): never a build older than a source file.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtEntry } from "../../../bin/built-entry.js";
import { buildDist } from "../../../scripts/build.js";
import { digestOf, HistoryBuilder } from "../../support/history-builder.js";

const root = join(import.meta.dirname, "../../..");
const tmp = mkdtempSync(join(tmpdir(), "stagegate-build-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("builtEntry (bin/stagegate.js: the build or the sources)", () => {
  const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
  /** A package folder with dist/cli/main.js and src/ files, each with its modification time (folders at 0). */
  const layout = (name: string, files: Record<string, number>): string => {
    const dir = join(tmp, name);
    for (const [path, seconds] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), "");
      utimesSync(join(dir, path), at(seconds), at(seconds));
    }
    for (const folder of ["src", "src/cli", "src/core", "src/core/audit", "src/core/audit/deep"]) if (existsSync(join(dir, folder))) utimesSync(join(dir, folder), at(0), at(0));
    return dir;
  };

  it("runs the build when no source is newer than it", () => {
    const dir = layout("fresh", { "dist/cli/main.js": 10, "src/cli/main.ts": 5, "src/core/audit/deep/file.ts": 10 });
    expect(builtEntry(dir)).toBe(join(dir, "dist/cli/main.js"));
  });

  it("runs the sources when any file under src/ changed after the build, however deep", () => {
    const dir = layout("stale", { "dist/cli/main.js": 10, "src/cli/main.ts": 5, "src/core/audit/deep/file.ts": 11 });
    expect(builtEntry(dir)).toBeUndefined();
  });

  it("runs the sources when a file was removed or renamed after the build (its folder changed, no file did)", () => {
    const dir = layout("removed", { "dist/cli/main.js": 10, "src/cli/main.ts": 5, "src/core/audit/deep/file.ts": 5 });
    expect(builtEntry(dir)).toBe(join(dir, "dist/cli/main.js"));
    rmSync(join(dir, "src/core/audit/deep/file.ts"));
    expect(builtEntry(dir)).toBeUndefined();
  });

  it("runs the sources without a build, and the build without sources (the image)", () => {
    expect(builtEntry(layout("unbuilt", { "src/cli/main.ts": 5 }))).toBeUndefined();
    const image = layout("image", { "dist/cli/main.js": 1 });
    expect(builtEntry(image)).toBe(join(image, "dist/cli/main.js"));
  });
});

describe("the build against the sources", () => {
  const out = join(tmp, "package");
  let repo = "";

  beforeAll(async () => {
    // dist/ two levels below the package root, as in the repository; packages and the demo's template beside it.
    await buildDist(join(out, "dist"));
    symlinkSync(join(root, "node_modules"), join(out, "node_modules"));
    symlinkSync(join(root, "environments-template"), join(out, "environments-template"));
    repo = join(tmp, "environments");
    const envs = [{ name: "dev" }, { name: "prod", from: ["dev"] }];
    const builder = new HistoryBuilder(envs, [{ name: "api", image: "ghcr.io/acme/api" }]);
    builder.init(new Date("2026-01-01T00:00:00Z"), { dev: { api: digestOf(1) }, prod: { api: digestOf(1) } });
    for (let i = 0; i < 6; i++) {
      const at = new Date(Date.UTC(2026, 0, 2 + i));
      builder.promote({ env: i % 2 === 0 ? "dev" : "prod", service: "api", digest: digestOf(2 + Math.floor(i / 2)), at, style: i % 3 === 0 ? "squash" : "merge", approvers: ["alice"], deployment: { state: "success", at } });
    }
    builder.manual("direct-push", { env: "prod", service: "api", digest: digestOf(9), at: new Date("2026-01-20T00:00:00Z") });
    builder.write(repo);
  }, 60_000);

  const built = (...args: string[]) => spawnSync(process.execPath, [join(out, "dist/cli/main.js"), ...args], { encoding: "utf8", timeout: 60_000 });
  const sources = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", join(root, "src/cli/main.ts"), ...args], { cwd: root, encoding: "utf8", timeout: 60_000 });

  it.each([
    ["--version"],
    ["audit", "--repo", "<repo>", "--format", "json"],
    ["dora", "--repo", "<repo>", "--json", "--now", "2026-02-01T00:00:00Z"],
    ["validate", "--repo", join(root, "environments-template")],
  ])("stagegate %s: same output and exit code", (...args: string[]) => {
    const argv = args.map((arg) => (arg === "<repo>" ? repo : arg));
    const [a, b] = [built(...argv), sources(...argv)];
    expect(a.stdout).toBe(b.stdout);
    expect(a.stderr).toBe(b.stderr);
    expect(a.status).toBe(b.status);
    expect(a.status).toBe(0);
  });

  it("runs the demo, whose template it finds from its own module's URL", () => {
    const run = built("demo");
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("stagegate status --repo");
  }, 60_000);
});
