import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { TerminalError } from "../../core/errors.js";
import type { SourceCheck } from "../../core/ports/source.js";

const CONCLUSIONS = ["success", "failure", "neutral", "skipped", "cancelled", "timed_out"] as const satisfies readonly NonNullable<SourceCheck["conclusion"]>[];
type Conclusion = (typeof CONCLUSIONS)[number];

/**
 * `stagegate source-status <owner/repo>@<sha> <check> success|failure|… [--as USER] --repo DIR` (local mode):
 * records what CI reported on an artifact's source commit, which the `source-checks` gate reads. On GitHub
 * the gate asks the source repository; a local repository keeps these facts in refs/stagegate/facts.
 */
export function register(program: Command): void {
  program
    .command("source-status <commit> <check> <conclusion>")
    .description("Local mode: record a CI result on a source commit (owner/repo@sha) for the source-checks gate")
    .option("--as <user>", "who reports (e.g. the CI system)", "ci")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (commit: string, check: string, conclusion: string, options: { as: string; repo: string; now?: string }) => {
      process.exitCode = await runLocalCommand(options, async ({ adapter }) => {
        const source = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)@([a-f0-9]{40})$/.exec(commit);
        if (!source) throw new TerminalError(`"${commit}" is not owner/repo@<40-hex sha>`);
        if (!CONCLUSIONS.includes(conclusion as Conclusion)) throw new TerminalError(`conclusion must be one of ${CONCLUSIONS.join(", ")}, not "${conclusion}"`);
        const checks = await adapter.source.recordSourceCheck(source[1]!, source[2]!, { name: check, status: "completed", conclusion: conclusion as Conclusion }, options.as);
        return [
          `recorded ${check}=${conclusion} on ${source[1]}@${source[2]!.slice(0, 12)} (now: ${checks.map((c) => `${c.name}=${c.conclusion ?? c.status}`).join(", ")})`,
          "  next: stagegate tick (re-evaluates the open promotion PRs)",
        ];
      });
    });
}
