import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { tick, type TickReport } from "../../services/tick.js";
import { describeEvaluation } from "./status.js";

/** One line per thing a tick did (nothing when it did nothing). */
export function describeTick(report: TickReport): string[] {
  const lines: string[] = [];
  for (const r of report.recorded) lines.push(`recorded deployment ${r.deployment.id} (${r.deployment.kind})`);
  for (const v of report.verifications) if (v.changed) lines.push(`${v.verdict}: ${v.deployment.id} — ${v.detail}`);
  for (const n of report.nextStages) for (const s of n.stages) if (s.status === "opened") lines.push(`opened next-stage PR #${s.pr} into ${s.environment}`);
  for (const r of report.rollbacks) {
    if (r.outcome.pr !== undefined) lines.push(`rollback PR #${r.outcome.pr} for ${r.deployment}`);
    if (r.outcome.decision.action === "refuse") lines.push(`rollback refused for ${r.deployment}: ${r.outcome.decision.reason}`);
    for (const c of r.outcome.closed) lines.push(`closed downstream PR #${c}`);
  }
  for (const e of report.evaluations) if (e.written.length > 0 || e.status === "merged") lines.push(...describeEvaluation(e));
  return lines.length > 0 ? lines : ["nothing to do"];
}

/** `stagegate tick --repo DIR [--now ISO]` (local mode): reconcile everything once. */
export function register(program: Command): void {
  program
    .command("tick")
    .description("Local mode: reconcile once — record deployments, verify, open next stages or rollbacks, re-evaluate and auto-merge PRs")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (options: { repo: string; now?: string }) => {
      process.exitCode = await runLocalCommand(options, async ({ deps }) => describeTick(await tick(deps)));
    });
}
