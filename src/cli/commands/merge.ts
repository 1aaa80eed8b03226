import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { mergeAsPerson } from "../../services/evaluate-promotion.js";

/** `stagegate merge <pr> --repo DIR [--as USER]` (local mode): merges only when `stagegate` is green, as branch protection would. */
export function register(program: Command): void {
  program
    .command("merge <pr>")
    .description("Local mode: merge a promotion PR; refused unless the required `stagegate` check is green")
    .option("--as <user>", "who merges", process.env["USER"] ?? "local-user")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (pr: string, options: { as: string; repo: string; now?: string }) => {
      process.exitCode = await runLocalCommand(options, async ({ deps }) => {
        const number = Number(pr.replace(/^#/, ""));
        const outcome = await mergeAsPerson(deps, number, options.as);
        const merged = outcome.merged!;
        return [
          `merged #${number} as ${merged.sha.slice(0, 7)} (${options.as})`,
          ...merged.deployments.map((d) => `  deployment ${d.deployment.id}: ${d.deployment.kind} of ${d.deployment.digest.slice(0, 19)} to ${d.deployment.environment}`),
          "  next: report the rollout with stagegate deploy-status, then stagegate tick",
        ];
      });
    });
}
