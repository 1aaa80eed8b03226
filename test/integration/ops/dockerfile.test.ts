// hadolint cannot be installed here (not in Debian bookworm; its npm wrapper downloads a binary) and there is no
// Docker engine, so the image is checked by parsing the Dockerfile, and by laying out the runtime stage's files
// on disk and running the CLI from them (layOutRuntimeImage).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dockerignore, execForm, layOutRuntimeImage, parseCopy, parseDockerfile, workTreeFiles } from "./support/dockerfile.js";

const root = join(import.meta.dirname, "../../..");
const dockerfileText = readFileSync(join(root, "Dockerfile"), "utf8");
const stages = parseDockerfile(dockerfileText);
const runtime = stages.at(-1);
const runtimeInstructions = runtime?.instructions ?? [];
const all = (keyword: string) => runtimeInstructions.filter((instruction) => instruction.keyword === keyword);
const allStages = (keyword: string) => stages.flatMap((stage) => stage.instructions.filter((instruction) => instruction.keyword === keyword));

describe("Dockerfile", () => {
  it("builds in stages from node:24-slim, pinned by tag or digest, never latest", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) {
      expect(stage.image).toMatch(/^node:24-slim(@sha256:[0-9a-f]{64})?$/);
      expect(stage.name).toBeDefined();
    }
    expect(dockerfileText).not.toMatch(/:latest\b/);
  });

  it("installs production dependencies from the lockfile in the deps stage", () => {
    const deps = stages.find((stage) => stage.name === "deps");
    const runs = deps?.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args) ?? [];
    expect(runs.some((run) => /\bnpm ci\b.*--omit=dev/.test(run))).toBe(true);
    expect(deps?.instructions.find((i) => i.keyword === "COPY")?.args).toMatch(/package-lock\.json/);
  });

  it("runs as the non-root node user (uid 1000) with NODE_ENV=production, listening on 0.0.0.0:3000", () => {
    const users = all("USER").map((i) => i.args.trim());
    expect(users.at(-1)).toMatch(/^(node|1000)(:(node|1000))?$/);
    const userLine = all("USER").at(-1)?.line ?? Infinity;
    expect(userLine).toBeLessThan(all("CMD").at(-1)?.line ?? 0);
    const env = all("ENV").map((i) => i.args).join(" ");
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    // Probot binds to HOST (default "localhost"): inside a container that would refuse the kubelet's probes
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(all("EXPOSE").map((i) => i.args.trim())).toEqual(["3000"]);
  });

  it("has a HEALTHCHECK that asks /healthz with node (no curl in slim images)", () => {
    const [healthcheck] = all("HEALTHCHECK");
    expect(healthcheck).toBeDefined();
    const command = execForm(healthcheck?.args ?? "");
    expect(command?.[0]).toBe("node");
    expect(command?.join(" ")).toContain("/healthz");
    expect(healthcheck?.args).toMatch(/--timeout=\d+s/);
  });

  it("starts the server the way `npm start` does, without npm in between", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    expect(pkg.scripts.start).toBe("node bin/stagegate.js serve");
    expect(execForm(all("CMD").at(-1)?.args ?? "")).toEqual(["node", "bin/stagegate.js", "serve"]);
    expect(execForm(all("ENTRYPOINT").at(-1)?.args ?? "")?.[0]).toMatch(/tini$/);
  });

  it("runs the build: built in its own stage with the dev dependencies, copied without the sources or a TypeScript loader", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts: Record<string, string>; dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const build = stages.find((stage) => stage.name === "build");
    const runs = build?.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args) ?? [];
    expect(runs.some((run) => /\bnpm ci\b/.test(run) && !/--omit=dev/.test(run))).toBe(true);
    expect(runs.at(-1)).toBe("npm run build");
    expect(pkg.scripts.build).toBe("tsx scripts/build.ts");
    const copies = all("COPY").map((i) => parseCopy(i.args));
    expect(copies.find((copy) => copy.flags.from === "build")?.sources).toEqual(["/app/dist"]);
    // No sources in the image: bin/stagegate.js then always runs dist/ (built-entry.js), and tsx is a dev tool.
    expect(copies.flatMap((copy) => copy.sources).filter((source) => source.startsWith("src"))).toEqual([]);
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(pkg.devDependencies.tsx).toBeDefined();
    expect(pkg.devDependencies.esbuild).toBeDefined();
    // The build ships its source maps; errors in the logs name the TypeScript sources.
    expect(all("ENV").map((i) => i.args).join(" ")).toMatch(/\bNODE_OPTIONS=--enable-source-maps\b/);
  });

  it("installs no git (the server talks to GitHub's API only) and bakes in no secret", () => {
    const runs = allStages("RUN").map((i) => i.args);
    for (const run of runs) expect(run).not.toMatch(/apt-get install[^&]*\bgit\b/);
    for (const instruction of [...allStages("ARG"), ...allStages("ENV")]) {
      expect(instruction.args).not.toMatch(/(TOKEN|SECRET|PASSWORD|PRIVATE_KEY|APP_ID)\s*=?/i);
    }
    for (const copy of allStages("COPY")) expect(copy.args).not.toMatch(/\.pem|\.env\b|\.git\b/);
    expect(allStages("ADD")).toEqual([]);
  });

  it("copies code with explicit ownership that the runtime user cannot write to", () => {
    const copies = all("COPY").map((i) => parseCopy(i.args));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.flags.chown).toBe("root:root");
    expect(copies.find((copy) => copy.flags.from === "deps")?.sources).toEqual(["/app/node_modules"]);
    expect(copies.find((copy) => copy.flags.from === "build")?.sources).toEqual(["/app/dist"]);
  });
});

describe(".dockerignore", () => {
  const included = dockerignore(readFileSync(join(root, ".dockerignore"), "utf8"));

  it.each([
    ["src/cli/main.ts", true],
    ["bin/stagegate.js", true],
    ["scripts/build.ts", true],
    ["scripts/conformance.ts", false],
    ["dist/cli/main.js", false],
    ["policies/default.yaml", true],
    ["package-lock.json", true],
    ["node_modules/probot/package.json", false],
    [".git/HEAD", false],
    ["test/setup.ts", false],
    [".env", false],
    ["src/.env.local", false],
    ["private-key.pem", false],
    ["src/app/dev-key.pem", false],
    ["environments-template/stagegate.yaml", false],
  ])("%s sent to the daemon: %s", (path, expected) => {
    expect(included(path)).toBe(expected);
  });

  it("sends every file the Dockerfile copies and nothing from tests, docs or deploy", () => {
    const context = workTreeFiles(root).filter(included);
    const sources = stages.flatMap((stage) => stage.instructions.filter((i) => i.keyword === "COPY").map((i) => parseCopy(i.args))).filter((c) => c.flags.from === undefined);
    for (const source of sources.flatMap((copy) => copy.sources)) {
      expect(context.some((file) => file === source || file.startsWith(`${source}/`)), source).toBe(true);
    }
    // scripts/build.ts alone, for the build stage
    expect(context.filter((file) => /^(test|docs|deploy|bench|scripts|node_modules|dist)\//.test(file))).toEqual(["scripts/build.ts"]);
  });
});

describe("runtime image contents", () => {
  const hasGit = spawnSync("git", ["--version"]).status === 0;
  const dir = mkdtempSync(join(tmpdir(), "stagegate-image-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.skipIf(!hasGit)("run the CLI with production dependencies and the copied files only", () => {
    layOutRuntimeImage(root, dir);
    const output = execFileSync(process.execPath, ["bin/stagegate.js", "--help"], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, NODE_ENV: "production", HOME: dir } });
    expect(output).toContain("Usage: stagegate");
    // devDependencies are absent from the laid-out tree, so a runtime import of one would have failed above
    expect(spawnSync(process.execPath, ["-e", "import('vitest')"], { cwd: dir }).status).not.toBe(0);
  });
});
