import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { getEnvironment, getPolicy } from "../../core/config/index.js";
import { TerminalError } from "../../core/errors.js";
import type { DeploymentStatus } from "../../core/ports/deployments.js";
import { reportDeploymentStatus } from "../../services/deploy-status.js";
import { loadSnapshotConfig } from "../../services/lifecycle-deps.js";
import { isDeployerReport } from "../../services/verify.js";

interface Options {
  as: string;
  context?: string;
  description?: string;
  repo: string;
  now?: string;
}

/** `stagegate deploy-status <env> <service> success|failure [--as DEPLOYER] [--context NAME] --repo DIR` (local mode): what Argo CD/Flux would report. */
export function register(program: Command): void {
  program
    .command("deploy-status <env> <service> <state>")
    .description("Local mode: record the deployer's result (success|failure) for the latest deployment of a service in an environment")
    .option("--as <deployer>", "who reports (the deployer)", "deployer")
    .option("--context <name>", "the status name it reports under, matched against the policy's verification.statuses (default: the --as name)")
    .option("--description <text>", "status description")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (env: string, service: string, state: string, options: Options) => {
      process.exitCode = await runLocalCommand(options, async ({ deps }) => {
        if (state !== "success" && state !== "failure") throw new TerminalError(`state must be success or failure, not "${state}"`);
        const context = options.context ?? options.as;
        const deployment = await reportDeploymentStatus(deps, { environment: env, service, state, by: options.as, context, ...(options.description ? { description: options.description } : {}) });
        const loaded = loadSnapshotConfig(await deps.repo.readSnapshot());
        const environment = getEnvironment(loaded, env);
        const patterns = environment ? (getPolicy(loaded, environment).verification?.statuses ?? []) : [];
        const status: DeploymentStatus = { state: state === "success" ? "success" : "failure", description: "", creator: options.as, createdAt: "", context };
        if (!isDeployerReport(status, patterns)) {
          // Recorded (as GitHub keeps every commit status) but not the deployer's report: say which names count.
          return [
            `${options.as} reported ${state} as "${context}" for deployment ${deployment.id}`,
            `  ignored by verification: "${context}" matches none of the policy's verification.statuses (${patterns.join(", ")}); report with --context <name>`,
          ];
        }
        return [`${options.as} reported ${state} as "${context}" for deployment ${deployment.id}`, "  next: stagegate tick (verifies, then opens next-stage PRs or a rollback)"];
      });
    });
}
