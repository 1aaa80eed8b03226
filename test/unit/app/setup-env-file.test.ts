// The .env that the App's registration writes: owner-only, merged into what was there, and read back by
// Node's own parser (what `stagegate serve` uses: process.loadEnvFile) as the values that were written.
import { generateKeyPairSync, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterEach, expect, it } from "vitest";
import { writeEnvFile } from "../../../src/app/setup-mode.js";

const dirs: string[] = [];
const saved = { ...process.env };
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), "stagegate-envfile-"));
  dirs.push(d);
  return d;
};
const PEM = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();

it("writes the credentials as Probot hands them (the key quoted), owner-only, readable back as a key", () => {
  const d = dir();
  writeEnvFile({ APP_ID: "4242", PRIVATE_KEY: `"${PEM}"`, WEBHOOK_SECRET: "0123456789abcdef0123", GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cr3t" }, d);
  const path = join(d, ".env");
  expect(statSync(path).mode & 0o777).toBe(0o600);
  const read = parseEnv(readFileSync(path, "utf8"));
  expect(read).toEqual({ APP_ID: "4242", PRIVATE_KEY: PEM, WEBHOOK_SECRET: "0123456789abcdef0123", GITHUB_CLIENT_ID: "Iv1.abc", GITHUB_CLIENT_SECRET: "s3cr3t" });
  expect(() => createPrivateKey(read.PRIVATE_KEY!)).not.toThrow();
  expect(process.env.APP_ID).toBe("4242");
});

it("keeps what the .env held, tightens its mode before the key goes in, and round-trips values that need quotes", () => {
  const d = dir();
  const path = join(d, ".env");
  writeFileSync(path, "# mine\nHOST=127.0.0.1\nLOG_LEVEL=debug\nGREETING='hello world'\n", { mode: 0o644 });
  const awkward = { HASHED: "a#b", QUOTED: `say "hi"`, BOTH: `it's "x"`, BACKSLASH: "C:\\new\\path", SPACES: "  padded  " };
  writeEnvFile({ APP_ID: "7", PRIVATE_KEY: `"${PEM}"`, ...awkward }, d);
  expect(statSync(path).mode & 0o777).toBe(0o600);
  expect(parseEnv(readFileSync(path, "utf8"))).toEqual({ HOST: "127.0.0.1", LOG_LEVEL: "debug", GREETING: "hello world", APP_ID: "7", PRIVATE_KEY: PEM, ...awkward });
});

it("refuses a value it cannot write faithfully rather than writing a different one", () => {
  expect(() => writeEnvFile({ ODD: 'line\nwith "quote"' }, dir())).toThrow(/ODD/);
  expect(() => writeEnvFile({ ODD: `'"\`#` }, dir())).toThrow(/ODD/);
});
