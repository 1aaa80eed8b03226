import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { buildCells, buildMatrix, padMatrix } from "../../core/dashboard/index.js";
import { SUMMARY_CHECK } from "../../core/plan/index.js";
import type { CheckReport } from "../../core/ports/checks.js";
import type { EvaluateOutcome } from "../../services/evaluate-promotion.js";
import { loadSnapshotConfig, VERIFIER, type LifecycleDeps } from "../../services/lifecycle-deps.js";

const ICON = { success: "✔", failure: "✖", neutral: "·", pending: "…" } as const;

function iconOf(check: CheckReport | undefined): string {
  if (!check) return "?";
  return check.status === "in_progress" ? ICON.pending : ICON[check.conclusion ?? "neutral"];
}

/** Lines describing one PR evaluation (shared by approve and tick). */
export function describeEvaluation(e: EvaluateOutcome): string[] {
  if (e.status === "not-open" || e.status === "not-stagegate") return [`#${e.pr.number}: ${e.status}`];
  if (e.status === "untrusted") return [`#${e.pr.number}: ${e.note ?? "evaluated as a hand-made change"}`];
  const gates = e.results.map((r) => `${r.gate} ${r.conclusion === "pending" ? ICON.pending : ICON[r.conclusion]}`).join("  ");
  const lines = [`#${e.pr.number} ${e.pr.title}: ${e.summary?.conclusion} — ${e.summary?.summary}${gates ? ` [${gates}]` : ""}`];
  if (e.merged) lines.push(`  merged as ${e.merged.sha.slice(0, 7)}${e.merged.approvedBy.length ? `, approved by ${e.merged.approvedBy.join(", ")}` : ""}`);
  for (const g of e.escalated) lines.push(`  escalated review SLA of ${g}`);
  return lines;
}

/** The matrix services × environments (digest, since, health) and the open PRs with their gates. */
export async function renderStatus(deps: LifecycleDeps): Promise<string[]> {
  const snapshot = await deps.repo.readSnapshot();
  const loaded = loadSnapshotConfig(snapshot);
  const deployments = await deps.deployments.listDeployments();
  // The same matrix the dashboard issue shows (src/core/dashboard).
  const rows = buildMatrix({ environments: loaded.config.environments.map((e) => e.name), services: loaded.config.services.map((s) => s.name), cells: buildCells(snapshot, loaded, deployments, VERIFIER) });
  const lines = [`${snapshot.ref} at ${snapshot.oid.slice(0, 7)}`, "", ...padMatrix(rows), ""];
  const open = await deps.repo.listOpenPromotions();
  lines.push(open.length === 0 ? "No open promotion PRs." : "Open promotion PRs:");
  for (const pr of open) {
    const checks = await deps.checks.listChecks(pr.headSha);
    const summary = checks.find((c) => c.name === SUMMARY_CHECK);
    const gates = checks.filter((c) => c.name !== SUMMARY_CHECK).map((c) => `${c.name.replace(/^stagegate\//, "")} ${iconOf(c)}`);
    lines.push(`  #${pr.number} ${pr.title}  [${iconOf(summary)} ${summary?.title ?? "not evaluated yet: run stagegate tick"}]`);
    if (gates.length) lines.push(`      ${gates.join("  ")}`);
  }
  return lines;
}

/** `stagegate status --repo DIR` (local mode). */
export function register(program: Command): void {
  program
    .command("status")
    .description("Local mode: what runs where (digest, since when, health) and the open promotion PRs with their gates")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (options: { repo: string; now?: string }) => {
      process.exitCode = await runLocalCommand(options, ({ deps }) => renderStatus(deps));
    });
}
