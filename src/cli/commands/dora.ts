import { resolve } from "node:path";
import type { Command } from "commander";
import { readHistory } from "../../adapters/git/history.js";
import { auditOf } from "../../core/audit/build-audit.js";
import { computeDora, productionEnvironments, type DoraReport } from "../../core/audit/dora.js";
import { formatMs } from "../../core/audit/render-html.js";
import { isDuration, parseDuration } from "../../core/config/duration.js";
import { plural } from "../../core/evidence/markdown.js";
import { visibleControls } from "../../core/visible-text.js";
import { findImageReferences } from "../../editors/index.js";
import { UsageError } from "./audit.js";

/**
 * `stagegate dora --repo DIR [--env E] [--service S] [--window 30d] [--now ISO] [--json]`: the four
 * DORA keys over a window, from the same history the audit reads. Default environments: those with
 * no downstream (production-like). Exit 0, 1 on errors, 2 on usage errors.
 */
export interface DoraCommandOptions {
  repo: string;
  env?: string;
  service?: string;
  window?: string;
  now?: string;
  json?: boolean;
  branch?: string;
}

/** Reads the clone and computes the report. */
export async function doraRepository(options: DoraCommandOptions): Promise<{ report: DoraReport; warnings: string[] }> {
  const window = options.window ?? "30d";
  if (!isDuration(window) || parseDuration(window) <= 0) throw new UsageError(`--window: "${window}" is not a duration longer than zero (use e.g. 30d, 12w)`);
  const now = options.now ? new Date(options.now) : new Date();
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now: "${options.now}" is not an ISO 8601 time`);
  const history = await readHistory(resolve(options.repo), { branch: options.branch, extract: findImageReferences });
  const { rows } = auditOf(history, { branch: history.branch });
  const environments = options.env ? [options.env] : productionEnvironments(history.environments);
  const warnings = [...history.warnings];
  if (environments.length === 0) warnings.push("no environments known (stagegate.yaml unreadable): measuring every environment");
  return { report: computeDora(rows, { window: parseDuration(window), now, environments, service: options.service }), warnings };
}

/** The text form of a report. */
export function formatDora(report: DoraReport): string {
  const f = report.deploymentFrequency;
  const l = report.leadTime;
  const c = report.changeFailureRate;
  const t = report.timeToRestore;
  const lines = [
    `DORA for ${report.environments.join(", ") || "all environments"}${report.service ? ` / ${report.service}` : ""}, ${report.window.from} to ${report.window.to} (${plural(report.window.days, "day")})`,
    `deployment frequency   ${f.perDay.toFixed(2)}/day, ${f.perWeek.toFixed(1)}/week (${f.deployments} deployments)   ${f.band}`,
    `lead time for changes  median ${formatMs(l.medianMs)}, p90 ${formatMs(l.p90Ms)} (${l.changes} promotions; ${l.fromNote} from the source commit time, ${l.fromCommitFallback} from the promotion commit)   ${l.band}`,
    `change failure rate    ${c.rate === undefined ? "–" : `${(c.rate * 100).toFixed(1)}%`} (${c.failed} of ${c.changes} changes)   ${c.band}`,
    `time to restore        median ${formatMs(t.medianMs)} (${t.restored} of ${t.failures} failures restored)   ${t.band}`,
    "",
    "week        deploys  changes  failures  lead(median)  restore(median)",
    ...report.weekly.map((w) => `${w.week}  ${String(w.deployments).padStart(7)}  ${String(w.changes).padStart(7)}  ${String(w.failures).padStart(8)}  ${formatMs(w.medianLeadTimeMs).padStart(12)}  ${formatMs(w.medianRestoreMs).padStart(15)}`),
  ];
  return `${lines.join("\n")}\n`;
}

export function register(program: Command): void {
  program
    .command("dora")
    .description("Deployment frequency, lead time, change failure rate and time to restore, from git history")
    .option("--repo <dir>", "clone of the environments repository", ".")
    .option("--env <name>", "environment measured (default: environments with no downstream)")
    .option("--service <name>", "only this service")
    .option("--window <duration>", "window ending now, e.g. 30d or 12w", "30d")
    .option("--now <iso>", "end of the window (default: now)")
    .option("--json", "print the report as JSON")
    .option("--branch <name>", "branch to read (default: the repository's default branch)")
    .exitOverride((error) => {
      process.exit(error.code === "commander.helpDisplayed" ? 0 : 2);
    })
    .action(async (options: DoraCommandOptions) => {
      try {
        const { report, warnings } = await doraRepository(options);
        for (const warning of warnings) process.stderr.write(`warning: ${visibleControls(warning)}\n`);
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDora(report));
      } catch (error) {
        process.stderr.write(`stagegate dora: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
      }
    });
}
