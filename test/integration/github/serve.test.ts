import { generateKeyPairSync } from "node:crypto";
import { spawnSync, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { needsRegistration } from "../../../src/app/env.js";
import { sealKeyFromPrivateKey, sealKeyId } from "../../../src/core/evidence/seal.js";
import { freePort, startServe, STAGEGATE_BIN as bin, stop, waitForHealthz, waitForOutput } from "../ops/support/processes.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "stagegate-serve-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let server: ChildProcess | undefined;
afterEach(async () => {
  await stop(server);
  server = undefined;
});

function serve(cwd: string, env: Record<string, string>) {
  const run = startServe(cwd, env);
  server = run.child;
  return run;
}

describe("stagegate serve", () => {
  it("exits 1 naming every missing or invalid variable", () => {
    const result = spawnSync(process.execPath, [bin, "serve"], {
      env: { PATH: process.env.PATH ?? "", WEBHOOK_SECRET: "short", PORT: "http" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("APP_ID: APP_ID is required");
    expect(result.stderr).toContain("WEBHOOK_SECRET: WEBHOOK_SECRET must be at least 16 characters");
    expect(result.stderr).toContain("PORT:");
    expect(result.stderr).toContain("PRIVATE_KEY or PRIVATE_KEY_PATH is required");
  });

  it("registers the App only when no credential is set, and never in production", () => {
    expect(needsRegistration({})).toBe(true);
    expect(needsRegistration({ NODE_ENV: "development", PORT: "3000" })).toBe(true);
    for (const name of ["APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET"]) expect(needsRegistration({ [name]: "x" }), name).toBe(false);
    expect(needsRegistration({ NODE_ENV: "production" })).toBe(false);
  });

  it("without credentials, serves Probot's setup: the App manifest built from app.yml, no smee.io channel", async () => {
    const dir = mkdtempSync(join(tmp, "setup-"));
    copyFileSync(join(root, "app.yml"), join(dir, "app.yml"));
    copyFileSync(join(root, "package.json"), join(dir, "package.json"));
    const port = await freePort();
    const run = serve(dir, { NODE_ENV: "development", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info" });
    await waitForOutput(run.child, /register the App from app\.yml/, 30_000);
    let page: Response | undefined;
    for (let i = 0; i < 100 && !page; i++) page = await fetch(`http://127.0.0.1:${port}/probot`).catch(() => new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 100)));
    expect(page?.status, run.output()).toBe(200);
    const html = await page!.text();
    // The manifest the page posts to GitHub: app.yml's name, permissions and events, the callback to this server.
    const manifest = JSON.parse(/name="manifest"[^>]*value='([^']*)'/.exec(html)?.[1] ?? "{}") as Record<string, unknown>;
    const appYml = parseYaml(readFileSync(join(root, "app.yml"), "utf8")) as Record<string, unknown>;
    expect(manifest).toMatchObject({ name: "Stagegate", public: false, default_permissions: appYml.default_permissions, default_events: appYml.default_events, redirect_url: `http://127.0.0.1:${port}/probot/setup` });
    expect(run.output()).not.toMatch(/smee/i);
  }, 60_000);

  it("refuses to register an App without app.yml in the working directory (it would get none of Stagegate's permissions)", () => {
    const dir = mkdtempSync(join(tmp, "no-manifest-"));
    const result = spawnSync(process.execPath, [bin, "serve"], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, NODE_ENV: "development" }, encoding: "utf8", timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("no app.yml here to register the App from");
  });

  it("exits 1 naming .env when it cannot be read", () => {
    const dir = mkdtempSync(join(tmp, "unreadable-"));
    mkdirSync(join(dir, ".env")); // a folder where the file should be
    const result = spawnSync(process.execPath, [bin, "serve"], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir }, encoding: "utf8", timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^stagegate serve: cannot read \.env: /);
    expect(result.stderr).not.toContain("    at ");
  });

  it("reads .env from the working directory, the environment winning over it", async () => {
    const dir = mkdtempSync(join(tmp, "dotenv-"));
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    writeFileSync(join(dir, "key.pem"), privateKey, { mode: 0o400 });
    const [filePort, envPort] = [await freePort(), await freePort()];
    writeFileSync(join(dir, ".env"), `# as .env.example\nAPP_ID=12345\nPRIVATE_KEY_PATH=${join(dir, "key.pem")}\nWEBHOOK_SECRET=0123456789abcdef0123\nHOST=127.0.0.1\nPORT=${filePort}\n`);
    const run = serve(dir, { NODE_ENV: "production", LOG_FORMAT: "json", PORT: String(envPort) });
    await waitForHealthz(run.child, `http://127.0.0.1:${envPort}`, 60_000, run.output);
    expect(run.output()).not.toContain("invalid configuration");
    // The evidence seal's key id, the same on every replica of this App key, in the log and /metrics; never the key.
    const id = sealKeyId(sealKeyFromPrivateKey(privateKey));
    const metrics = await (await fetch(`http://127.0.0.1:${envPort}/metrics`)).text();
    expect(metrics).toContain(`stagegate_evidence_seal_keys_info{sealing="${id}",verifying=""} 1`);
    const line = run.output().split("\n").find((l) => l.includes("evidence seal keys"));
    expect(line).toBeDefined();
    expect(JSON.parse(line!).evidenceSeal).toEqual({ source: "derived from the App's private key", sealing: id, verifying: [] });
    expect(run.output()).not.toContain("PRIVATE KEY");
  }, 90_000);
});
