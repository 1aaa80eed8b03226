import type { Command } from "commander";

/** Adds one command (its options, help and action) to the program. */
export type RegisterCommand = (program: Command) => void;

/**
 * Every CLI command by name, in help order, each loaded on demand: a command's module pulls in its
 * own dependencies (the server's Probot and Octokit, the editors, the audit), and loading all of them
 * took about half a second of every run. Adding a command = one file in this folder exporting
 * `register(program: Command): void`, plus one line here (the key is the command's name).
 */
export const COMMANDS: Readonly<Record<string, () => Promise<RegisterCommand>>> = {
  validate: async () => (await import("./validate.js")).register,
  "set-image": async () => (await import("./set-image.js")).register,
  plan: async () => (await import("./plan.js")).register,
  promote: async () => (await import("./promote.js")).register,
  "promote-github": async () => (await import("./promote-remote.js")).register,
  approve: async () => (await import("./approve.js")).register,
  merge: async () => (await import("./merge.js")).register,
  "deploy-status": async () => (await import("./deploy-status.js")).register,
  "source-status": async () => (await import("./source-status.js")).register,
  team: async () => (await import("./team.js")).register,
  tick: async () => (await import("./tick.js")).register,
  status: async () => (await import("./status.js")).register,
  audit: async () => (await import("./audit.js")).register,
  dora: async () => (await import("./dora.js")).register,
  demo: async () => (await import("./demo.js")).register,
  serve: async () => (await import("./serve.js")).register,
  setup: async () => (await import("./setup.js")).register,
};

/**
 * The commands to register for a command line (`process.argv.slice(2)`): only the one it names when
 * it starts with a known command, so that command's module graph alone is loaded; every command
 * otherwise (`--help`, `--version`, no command, an unknown or misspelt one: commander then lists them
 * or suggests the closest).
 */
export async function loadCommands(args: readonly string[]): Promise<RegisterCommand[]> {
  const named = args[0] !== undefined && Object.hasOwn(COMMANDS, args[0]) ? COMMANDS[args[0]] : undefined;
  return Promise.all(named ? [named()] : Object.values(COMMANDS).map((load) => load()));
}
