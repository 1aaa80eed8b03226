import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { TerminalError } from "../../core/errors.js";
import { reportDeploymentStatus } from "../../services/deploy-status.js";

/** `stagegate deploy-status <env> <service> success|failure --repo DIR` (local mode): what Argo CD/Flux would report. */
export function register(program: Command): void {
  program
    .command("deploy-status <env> <service> <state>")
    .description("Local mode: record the deployer's result (success|failure) for the latest deployment of a service in an environment")
    .option("--as <deployer>", "who reports (the deployer)", "deployer")
    .option("--description <text>", "status description")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (env: string, service: string, state: string, options: { as: string; description?: string; repo: string; now?: string }) => {
      process.exitCode = await runLocalCommand(options, async ({ deps }) => {
        if (state !== "success" && state !== "failure") throw new TerminalError(`state must be success or failure, not "${state}"`);
        const deployment = await reportDeploymentStatus(deps, { environment: env, service, state, by: options.as, ...(options.description ? { description: options.description } : {}) });
        return [`${options.as} reported ${state} for deployment ${deployment.id}`, "  next: stagegate tick (verifies, then opens next-stage PRs or a rollback)"];
      });
    });
}
