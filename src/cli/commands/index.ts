import type { Command } from "commander";

/**
 * Every CLI command, in help order. Adding a command = one file in this folder exporting
 * `register(program: Command): void`, plus one line here.
 */
export const commands: ((program: Command) => void)[] = [];
