#!/usr/bin/env node
/**
 * The `stagegate` command line (DESIGN.md §6). Each command lives in src/cli/commands/<name>.ts and
 * exports `register(program)`; this file only wires them (loading only the command named, see
 * commands/index.ts). The contract is stable: scripts depend on it.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";
import { loadCommands } from "./commands/index.js";

const program = new Command()
  .name("stagegate")
  .description("GitOps promotion controller: promotion PRs, gates as required checks, deployments, rollbacks, audit from git.")
  .version(VERSION)
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander exits 1 on usage errors; keep 0 for --help/--version.
    process.exit(err.code === "commander.helpDisplayed" || err.code === "commander.version" ? 0 : err.exitCode || 1);
  });

for (const register of await loadCommands(process.argv.slice(2))) register(program);

await program.parseAsync(process.argv);
