import { createVerify, generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { appJwtCheck, githubReachabilityCheck, isGithubReadinessEnabled, runReadinessChecks, validationCheck } from "../../../src/observability/readiness.js";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pkcs1 = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const pkcs8 = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
/** Half of the key's base64 body: a PEM that no longer decodes into a key. */
const truncatedPem = ((lines) => [...lines.slice(0, Math.floor(lines.length / 2)), lines.at(-1)].join("\n"))(pkcs1.trim().split("\n"));
const publicKey = keys.publicKey.export({ type: "spki", format: "pem" }).toString();

/** Verifies an RS256 App JWT the way GitHub does, with the App's public key. */
function isValidAppJwt(token: string, appId: number): boolean {
  const [header, payload, signature] = token.split(".");
  if (header === undefined || payload === undefined || signature === undefined) return false;
  const verifier = createVerify("RSA-SHA256").update(`${header}.${payload}`);
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { iss?: unknown };
  return verifier.verify(publicKey, Buffer.from(signature, "base64url")) && String(claims.iss) === String(appId);
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A loopback stand-in for GitHub's `GET /app`: 200 for a valid JWT of app 42, 401 otherwise; `delayMs` to simulate a slow GitHub. */
async function startFakeGithub(options: { delayMs?: number } = {}): Promise<{ baseUrl: string; requests: () => number }> {
  let count = 0;
  server = createServer((req, res) => {
    count++;
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    setTimeout(() => {
      if (req.url !== "/api/v3/app") res.writeHead(404).end();
      else if (!isValidAppJwt(token, 42)) res.writeHead(401, { "content-type": "application/json" }).end('{"message":"A JSON web token could not be decoded"}');
      else res.writeHead(200, { "content-type": "application/json" }).end('{"id":42,"slug":"stagegate"}');
    }, options.delayMs ?? 0);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/api/v3`, requests: () => count };
}

describe("appJwtCheck", () => {
  it.each([["PKCS#1", pkcs1], ["PKCS#8", pkcs8]])("passes with a %s key", async (_format, privateKey) => {
    await expect(runReadinessChecks([appJwtCheck({ appId: 42, privateKey })])).resolves.toMatchObject({ ok: true, checks: { "app-jwt": { ok: true } } });
  });

  it.each([
    ["a non-numeric APP_ID", { appId: "abc", privateKey: pkcs1 }, "APP_ID is not a positive integer"],
    ["something that is not a PEM", { appId: 42, privateKey: "ghs_notakey" }, "private key is not a PEM private key"],
    ["a corrupt PEM", { appId: 42, privateKey: truncatedPem }, "private key could not sign an App JWT"],
  ])("fails with %s and never echoes the key", async (_name, credentials, message) => {
    const report = await runReadinessChecks([appJwtCheck(credentials)]);
    expect(report.ok).toBe(false);
    expect(report.checks["app-jwt"]?.error).toBe(message);
  });
});

describe("githubReachabilityCheck", () => {
  it("passes when GitHub accepts the App JWT, and reuses the result within the cache window", async () => {
    const github = await startFakeGithub();
    let clock = 0;
    const check = githubReachabilityCheck({ appId: 42, privateKey: pkcs1, baseUrl: github.baseUrl, cacheMs: 30_000, now: () => clock });
    await Promise.all([check.run(AbortSignal.timeout(1000)), check.run(AbortSignal.timeout(1000))]);
    clock = 29_999;
    await check.run(AbortSignal.timeout(1000));
    expect(github.requests()).toBe(1);
    clock = 30_000;
    await check.run(AbortSignal.timeout(1000));
    expect(github.requests()).toBe(2);
  });

  it("names the likely fix when GitHub rejects the JWT", async () => {
    const github = await startFakeGithub();
    const report = await runReadinessChecks([githubReachabilityCheck({ appId: 7, privateKey: pkcs1, baseUrl: github.baseUrl })]);
    expect(report.checks.github).toMatchObject({ ok: false, error: "GitHub rejected the App JWT (401): check APP_ID and PRIVATE_KEY" });
  });

  it("fails within its own timeout when GitHub is slow", async () => {
    const github = await startFakeGithub({ delayMs: 2000 });
    const started = Date.now();
    const report = await runReadinessChecks([githubReachabilityCheck({ appId: 42, privateKey: pkcs1, baseUrl: github.baseUrl, timeoutMs: 200 })]);
    expect(report.checks.github?.ok).toBe(false);
    expect(report.checks.github?.error).toMatch(/GitHub unreachable/);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe("runReadinessChecks", () => {
  it("reports each check, fails overall when one fails, and bounds a hanging check", async () => {
    const report = await runReadinessChecks(
      [
        validationCheck("config", () => undefined),
        validationCheck("broken", () => {
          throw new Error("environments repo not configured");
        }),
        { name: "hangs", run: () => new Promise<void>(() => undefined) },
      ],
      { timeoutMs: 100 },
    );
    expect(report.ok).toBe(false);
    expect(report.checks).toMatchObject({
      config: { ok: true },
      broken: { ok: false, error: "environments repo not configured" },
      hangs: { ok: false, error: "timed out after 100 ms" },
    });
  });

  it("is ready with no checks", async () => {
    await expect(runReadinessChecks([])).resolves.toEqual({ ok: true, checks: {} });
  });
});

describe("isGithubReadinessEnabled", () => {
  it.each([["true", true], ["1", true], ["TRUE", true], ["false", false], ["", false], [undefined, false]])("%s → %s", (value, expected) => {
    expect(isGithubReadinessEnabled({ STAGEGATE_READYZ_GITHUB: value })).toBe(expected);
  });
});
