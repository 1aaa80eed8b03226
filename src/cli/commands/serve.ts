import type { Command } from "commander";

/** `stagegate serve`: runs the GitHub App (same as `npm start`), configured by environment variables. */
export function register(program: Command): void {
  program
    .command("serve")
    .description("run the GitHub App server (env: APP_ID, PRIVATE_KEY[_PATH], WEBHOOK_SECRET, … see .env.example)")
    .action(async () => {
      const { parseAppEnv } = await import("../../app/env.js");
      const parsed = parseAppEnv(process.env);
      if (!parsed.ok) {
        console.error(`stagegate serve: invalid configuration\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}\nSee .env.example and docs/github-app.md.`);
        process.exit(1);
      }
      const { startServer } = await import("../../app/server.js");
      await startServer(parsed.env);
    });
}
