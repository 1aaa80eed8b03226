import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS, loadCommands } from "../../../src/cli/commands/index.js";

const namesRegistered = (registers: ((program: Command) => void)[]) => {
  const program = new Command();
  for (const register of registers) register(program);
  return program.commands.map((command) => command.name());
};

describe("CLI commands loaded on demand", () => {
  it("keys every command by the name its module registers, in help order", async () => {
    const names = Object.keys(COMMANDS);
    expect(namesRegistered(await Promise.all(Object.values(COMMANDS).map((load) => load())))).toEqual(names);
  });

  it.each(Object.keys(COMMANDS))("loads only `%s` when the command line names it", async (name) => {
    expect(namesRegistered(await loadCommands([name, "--some-option"]))).toEqual([name]);
  });

  it.each([[[]], [["--help"]], [["--version"]], [["help", "audit"]], [["audti"]], [["constructor"]]])("loads every command for %j", async (args) => {
    expect(namesRegistered(await loadCommands(args))).toEqual(Object.keys(COMMANDS));
  });
});
