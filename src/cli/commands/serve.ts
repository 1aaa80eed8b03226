import { existsSync } from "node:fs";
import type { Command } from "commander";

/**
 * `stagegate serve`: runs the GitHub App (same as `npm start`), configured by environment variables
 * and by `.env` in the working directory (variables already set win over the file). Without any App
 * credential, outside production, it runs Probot's setup to register the App from app.yml first.
 */
export function register(program: Command): void {
  program
    .command("serve")
    .description("run the GitHub App server (env: APP_ID, PRIVATE_KEY[_PATH], WEBHOOK_SECRET, … see .env.example)")
    .action(async () => {
      // `cp .env.example .env`, or what Probot's setup wrote; the environment (a container's, a Deployment's) wins.
      if (existsSync(".env")) {
        try {
          process.loadEnvFile(".env");
        } catch (error) {
          console.error(`stagegate serve: cannot read .env: ${(error as Error).message.split("\n")[0]}`);
          process.exit(1);
        }
      }
      const { needsRegistration, parseAppEnv } = await import("../../app/env.js");
      if (needsRegistration(process.env)) {
        const { startSetup } = await import("../../app/setup-mode.js");
        if (!(await startSetup())) process.exit(1);
        return;
      }
      const parsed = parseAppEnv(process.env);
      if (!parsed.ok) {
        console.error(`stagegate serve: invalid configuration\n${parsed.errors.map((e) => `  - ${e}`).join("\n")}\nSee .env.example and docs/github-app.md.`);
        process.exit(1);
      }
      const { startServer } = await import("../../app/server.js");
      await startServer(parsed.env);
    });
}
