import type { Command } from "commander";
import { shouldColor } from "../../demo/narrator.js";
import { runDemo } from "../../demo/run-demo.js";

/** `stagegate demo [--dir DIR]`: the full lifecycle on a fresh local repository, narrated. */
export function register(program: Command): void {
  program
    .command("demo")
    .description("Run the whole promotion lifecycle on a fresh local git repository (no GitHub needed), narrated")
    .option("--dir <dir>", "where to create the environments repository (default: a new temp folder)")
    .action(async (options: { dir?: string }) => {
      const result = await runDemo({ ...(options.dir ? { dir: options.dir } : {}), write: (t) => process.stdout.write(t), color: shouldColor(process.stdout, process.env) });
      if (!result.ok) process.exitCode = 1;
    });
}
