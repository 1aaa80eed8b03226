/**
 * `stagegate serve` before the App exists: Probot's setup server registers it from app.yml (GitHub's
 * App manifest flow) and writes APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_CLIENT_ID and
 * GITHUB_CLIENT_SECRET to .env in the working directory; `stagegate serve` run again reads them.
 * Probot would otherwise create a smee.io webhook channel first by downloading and running the
 * smee-client package with npx: not without being asked (NO_SMEE_SETUP defaults to "true"; set
 * WEBHOOK_PROXY_URL to use a channel of your own).
 */
import { run } from "probot";

/** Starts the setup server on HOST:PORT (Probot's defaults: localhost:3000); resolves once it listens. */
export async function startSetup(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  env.NO_SMEE_SETUP ??= "true";
  const host = env.HOST ?? "localhost";
  const port = env.PORT ?? "3000";
  process.stderr.write(`stagegate serve: no App credentials (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET) yet: register the App from app.yml at http://${host === "0.0.0.0" ? "localhost" : host}:${port}/ , then run stagegate serve again (it reads the .env the registration writes)\n`);
  await run(() => undefined, { env });
}
