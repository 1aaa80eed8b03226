import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { evaluatePromotion } from "../../services/evaluate-promotion.js";
import { describeEvaluation } from "./status.js";

/** `stagegate approve <pr> --as USER --repo DIR` (local mode): an approving review, then the gates re-evaluated. */
export function register(program: Command): void {
  program
    .command("approve <pr>")
    .description("Local mode: approve a promotion PR as a user (what a reviewer does on GitHub), then re-evaluate its gates")
    .requiredOption("--as <user>", "reviewer login")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (pr: string, options: { as: string; repo: string; now?: string }) => {
      process.exitCode = await runLocalCommand(options, async ({ adapter, deps }) => {
        const number = Number(pr.replace(/^#/, ""));
        const review = await adapter.pulls.submitReview(number, options.as, "approved");
        const outcome = await evaluatePromotion(deps, number);
        return [`${options.as} approved #${number} at ${review.commitSha.slice(0, 7)}`, ...describeEvaluation(outcome)];
      });
    });
}
