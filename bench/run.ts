/**
 * `npm run bench`: runs every benchmark section, each in its own process (a failing or hanging section is
 * reported and the others still run), then writes bench/results.json and bench/results.md.
 *
 *   npm run bench                      every section
 *   npm run bench -- load faults       only these sections
 *   npx tsx bench/run.ts --section X   one section, JSON on stdout (used by the runner itself)
 *   npx tsx bench/run.ts --render      rewrite results.md from results.json
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { stripVTControlCharacters } from "node:util";
import { fileURLToPath } from "node:url";
import { renderReport, type SectionOutcome } from "./report.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const SECTIONS = ["editors", "github", "gates", "audit", "load", "faults", "fuzz"] as const;
type Section = (typeof SECTIONS)[number];
/** A section that takes longer is stopped and reported as failed. */
const TIMEOUT_MS = 15 * 60_000;

/** Runs vitest on `paths` with `env`; returns the summary lines the suites print and whether all passed. */
async function vitestLines(paths: string[], env: Record<string, string>, pattern: RegExp): Promise<{ lines: string[]; passed: boolean }> {
  const { code, stdout } = await run(process.execPath, [`${root}node_modules/vitest/vitest.mjs`, "run", ...paths], env);
  const lines = stdout.split("\n").map((l) => stripVTControlCharacters(l).trim()).filter((l) => pattern.test(l));
  return { lines: [...new Set(lines)], passed: code === 0 };
}

/** One section, in this process. */
async function runSection(name: Section): Promise<Record<string, unknown>> {
  switch (name) {
    case "editors":
      return { ...(await import("./editors.js")).runEditorBench() };
    case "github":
      return (await import("./github.js")).runGithubBench();
    case "gates":
      return { ...(await (await import("./gates.js")).runGatesBench()) };
    case "audit":
      return { ...(await (await import("./audit.js")).runAuditBench()) };
    case "load": {
      const { runLoadBench } = await import("./load.js");
      // Throughput and latency as deployed; retained memory with a small old space (V8 then collects eagerly).
      const throughput = await runLoadBench(10_000, 32);
      const retained = await runLoadBench(10_000, 32, "--max-old-space-size=64");
      return { ...throughput, retained };
    }
    case "faults": {
      // Every fault kind (500, 502, timeout, rate-limit, conflict, 422, crash) for every flow.
      const { lines, passed } = await vitestLines(["test/reliability"], { STAGEGATE_FAULT_MATRIX: "full" }, /^fault matrix:/);
      return { lines, passed };
    }
    case "fuzz": {
      const { lines, passed } = await vitestLines(["test/fuzz"], { FUZZ_RUNS: "1000" }, /^(fuzz|redos):/);
      return { summary: lines.join(" | "), passed };
    }
  }
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-10_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function runIsolated(name: Section): Promise<SectionOutcome> {
  const start = performance.now();
  const { code, stdout, stderr } = await run(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "--section", name]);
  const ms = performance.now() - start;
  const last = stdout.trim().split("\n").at(-1) ?? "";
  if (code === 0) {
    try {
      return { name, ok: true, ms, result: JSON.parse(last) as Record<string, unknown> };
    } catch {
      // fall through: report what it printed
    }
  }
  const lines = stderr.trim().split("\n").filter((l) => l.trim() !== "" && !l.startsWith("npm warn"));
  // Node ends a crash with its version line: the error is the last line that names one.
  return { name, ok: false, ms, error: lines.findLast((l) => /Error|error:/.test(l)) ?? lines.at(-1) ?? `exit ${code}` };
}

const args = process.argv.slice(2);
if (args[0] === "--render") {
  const saved = JSON.parse(readFileSync(new URL("./results.json", import.meta.url), "utf8")) as { date: string; node: string; host: string; sections: SectionOutcome[] };
  writeFileSync(new URL("./results.md", import.meta.url), renderReport(saved.sections, saved));
} else if (args[0] === "--section") {
  const result = await runSection(args[1] as Section);
  // Last line of stdout: the result (sections may print above it).
  process.stdout.write(`\n${JSON.stringify(result)}\n`);
  process.exit(0);
} else {
  const wanted = args.length > 0 ? SECTIONS.filter((s) => args.includes(s)) : [...SECTIONS];
  const outcomes: SectionOutcome[] = [];
  for (const name of wanted) {
    process.stderr.write(`bench: ${name}…\n`);
    const outcome = await runIsolated(name);
    process.stderr.write(`bench: ${name} ${outcome.ok ? "ok" : `FAILED: ${outcome.error}`} (${(outcome.ms / 1000).toFixed(1)} s)\n`);
    outcomes.push(outcome);
  }
  const meta = { date: new Date().toISOString(), node: process.version, host: hostname() };
  writeFileSync(new URL("./results.json", import.meta.url), JSON.stringify({ ...meta, sections: outcomes }, null, 2) + "\n");
  const markdown = renderReport(outcomes, meta);
  writeFileSync(new URL("./results.md", import.meta.url), markdown);
  process.stdout.write(markdown);
}
