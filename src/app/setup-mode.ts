/**
 * `stagegate serve` before the App exists: Probot's setup server registers it from app.yml (GitHub's
 * App manifest flow) and writes APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, GITHUB_CLIENT_ID and
 * GITHUB_CLIENT_SECRET to .env in the working directory; `stagegate serve` run again reads them.
 * Probot would otherwise create a smee.io webhook channel first by downloading and running the
 * smee-client package with npx: not without being asked (NO_SMEE_SETUP defaults to "true"; set
 * WEBHOOK_PROXY_URL to use a channel of your own).
 * The .env holds the App's private key: it is written owner-only (0600), where Probot's own writer
 * leaves it as the umask makes it (world-readable, usually).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { run } from "probot";

/**
 * Probot's `updateEnv` (merges `values` into .env in the working directory and into process.env),
 * with the file created or tightened to 0600 before the key is written. Probot hands the key wrapped
 * in double quotes (`"-----BEGIN…"`); a value with a line break is written double-quoted with `\n`
 * (what Node's --env-file / process.loadEnvFile read back as line breaks), other values that need
 * quotes in a quote character they do not hold.
 */
export function writeEnvFile(values: NodeJS.ProcessEnv, dir = process.cwd()): NodeJS.ProcessEnv {
  const path = join(dir, ".env");
  const merged: Record<string, string> = existsSync(path) ? { ...(parseEnv(readFileSync(path, "utf8")) as Record<string, string>) } : {};
  // Probot hands the key (setup and /probot/import) wrapped in double quotes, for its own writer.
  for (const [key, value] of Object.entries(values)) if (value !== undefined) merged[key] = key === "PRIVATE_KEY" && /^"[^"]*"$/s.test(value) ? value.slice(1, -1) : value;
  const lines = Object.entries(merged).map(([key, value]) => `${key}=${envValue(key, value)}`);
  if (existsSync(path)) chmodSync(path, 0o600);
  writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o600 });
  Object.assign(process.env, merged);
  return merged;
}

/** A value as a .env line holds it: bare when it can be, else quoted (double quotes for line breaks). */
function envValue(key: string, value: string): string {
  if (/[\n\r]/.test(value)) {
    if (value.includes('"')) throw new Error(`${key}: a value with line breaks and double quotes cannot be written to .env`);
    return `"${value.replace(/\r?\n/g, "\\n")}"`;
  }
  if (!/["'`#\s\\]/.test(value)) return value;
  const quote = ["'", "`", '"'].find((q) => !value.includes(q));
  if (!quote) throw new Error(`${key}: a value holding every quote character cannot be written to .env`);
  return `${quote}${value}${quote}`;
}

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
  await run(() => undefined, { env, updateEnv: writeEnvFile });
  return true;
}
