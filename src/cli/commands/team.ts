import type { Command } from "commander";
import { runLocalCommand } from "../../adapters/git/local-lifecycle.js";
import { TerminalError } from "../../core/errors.js";

interface Options {
  add?: string[];
  remove?: string[];
  as: string;
  repo: string;
  now?: string;
}

/**
 * `stagegate team <org/team> [--add USER…] [--remove USER…] --repo DIR` (local mode): team membership, which
 * approvals, reviewers, promoters and overrides name. On GitHub it is the organisation's; a local repository
 * keeps it in refs/stagegate/facts. Without --add/--remove, prints the members.
 */
export function register(program: Command): void {
  program
    .command("team <team>")
    .description("Local mode: show or change the members of a team (org/slug) used by approvals, promoters and overrides")
    .option("--add <users...>", "logins to add")
    .option("--remove <users...>", "logins to remove")
    .option("--as <user>", "who changes it", "platform-team")
    .option("--repo <dir>", "local environments repository", ".")
    .option("--now <iso>", "simulated current time (or STAGEGATE_NOW)")
    .action(async (team: string, options: Options) => {
      process.exitCode = await runLocalCommand(options, async ({ adapter }) => {
        const name = team.replace(/^@/, "");
        if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(name)) throw new TerminalError(`"${team}" is not org/team`);
        const members = options.add?.length || options.remove?.length ? await adapter.source.changeTeam(name, { add: options.add ?? [], remove: options.remove ?? [] }, options.as) : await adapter.source.listTeamMembers(name);
        return [`${name.toLowerCase()}: ${members.length > 0 ? members.join(", ") : "(no members)"}`];
      });
    });
}
