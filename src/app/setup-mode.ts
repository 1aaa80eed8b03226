/**
 * `stagegate serve` before the App exists: Probot's setup server registers it from app.yml (GitHub's
 * App manifest flow) and writes APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_CLIENT_ID and
 * GITHUB_CLIENT_SECRET to .env in the working directory; `stagegate serve` run again reads them.
 * Probot would otherwise create a smee.io webhook channel first by downloading and running the
 * smee-client package with npx: not without being asked (NO_SMEE_SETUP defaults to "true"; set
 * WEBHOOK_PROXY_URL to use a channel of your own).
 */
import { existsSync } from "node:fs";
import { run } from "probot";

/**
 * Starts the setup server on HOST:PORT (Probot's defaults: localhost:3000); resolves once it listens.
 * Refuses (false) without app.yml in the working directory: Probot would then register an App with
 * package.json's name and none of Stagegate's permissions and events.
 */
export async function startSetup(): Promise<boolean> {
  // Probot's setup reads process.env itself (NO_SMEE_SETUP, WEBHOOK_PROXY_URL) and app.yml from the working directory.
  const env = process.env;
  if (!existsSync("app.yml")) {
    process.stderr.write("stagegate serve: no App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET), and no app.yml here to register the App from: set them (see .env.example), or run stagegate serve from the Stagegate folder that holds app.yml\n");
    return false;
  }
  env.NO_SMEE_SETUP ??= "true";
  const host = env.HOST ?? "localhost";
  const port = env.PORT ?? "3000";
  process.stderr.write(`stagegate serve: no App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) yet: register the App from app.yml at http://${host === "0.0.0.0" ? "localhost" : host}:${port}/ , then run stagegate serve again (it reads the .env the registration writes)\n`);
  await run(() => undefined, { env });
  return true;
}
