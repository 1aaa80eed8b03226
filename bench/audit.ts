/**
 * Benchmark of `stagegate audit`: builds a repository with 10,000 promotion commits (fast-import,
 * merge and squash style, notes on every merge), then times the in-process audit (adapter + pure
 * core + markdown rendering) against a plain `git log` over the same repository, best of 3 each.
 * Target: within 3× of git log. Writes bench/audit-results.json. Run alone: `npx tsx bench/audit.ts`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditRepository } from "../src/cli/commands/audit.js";
import { renderMarkdown } from "../src/core/audit/render-text.js";
import { digestOf, HistoryBuilder } from "../test/support/history-builder.js";

export interface AuditBenchResult {
  promotions: number;
  commits: number;
  rows: number;
  auditMs: number;
  gitLogMs: number;
  ratio: number;
  target: number;
  withinTarget: boolean;
}

function runGitLog(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["log", "main"], { cwd: dir });
    let bytes = 0;
    child.stdout.on("data", (chunk: Buffer) => (bytes += chunk.length));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`git log exited ${code}`))));
  });
}

async function bestOf(times: number, fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Builds the repository, measures, writes bench/audit-results.json and returns the figures. */
export async function runAuditBench(promotions = 10_000): Promise<AuditBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), "stagegate-bench-audit-"));
  try {
    const envs = [{ name: "dev" }, { name: "staging", from: ["dev"] }, { name: "prod", from: ["staging"] }];
    const services = ["api", "web", "worker", "billing", "search"].map((name) => ({ name, image: `ghcr.io/acme/${name}` }));
    const builder = new HistoryBuilder(envs, services);
    const t0 = Date.parse("2023-01-02T00:00:00Z");
    builder.init(new Date(t0), Object.fromEntries(envs.map((e) => [e.name, Object.fromEntries(services.map((s, i) => [s.name, digestOf(i + 1)]))])));
    for (let i = 0; i < promotions; i++) {
      const at = new Date(t0 + (i + 1) * 1_800_000);
      builder.promote({
        env: envs[i % envs.length]?.name ?? "dev",
        service: services[i % services.length]?.name ?? "api",
        digest: digestOf(1000 + i),
        at,
        style: i % 2 === 0 ? "merge" : "squash",
        approvers: ["alice"],
        gates: { upstream: "success", soak: "success" },
        sourceCommittedAt: new Date(at.getTime() - 3_600_000),
        deployment: { state: "success", at: new Date(at.getTime() + 300_000) },
      });
    }
    const repo = join(dir, "repo");
    builder.write(repo);
    let rows = 0;
    const auditMs = await bestOf(3, async () => {
      const { result } = await auditRepository({ repo });
      renderMarkdown(result);
      rows = result.rows.length;
    });
    const gitLogMs = await bestOf(3, () => runGitLog(repo));
    const commits = builder.marks.size;
    const ratio = auditMs / gitLogMs;
    const result: AuditBenchResult = { promotions, commits, rows, auditMs: Math.round(auditMs), gitLogMs: Math.round(gitLogMs), ratio: Number(ratio.toFixed(2)), target: 3, withinTarget: ratio <= 3 };
    writeFileSync(join(import.meta.dirname, "audit-results.json"), `${JSON.stringify({ ...result, node: process.version, date: new Date().toISOString() }, null, 2)}\n`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runAuditBench();
  console.log(JSON.stringify(result, null, 2));
}
