import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { REDACTED, loggerOptions, redactLogLine, redactSecrets } from "../../../src/observability/redact.js";

/** A pino destination that keeps every line written to it. */
function captureStream(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      callback();
    },
  });
  return { stream, lines };
}

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const installationToken = "ghs_16C7e42F292c6912E7710c838347Ae178B4a";
const statelessToken = "ghs_123456_eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NTYifQ.c2lnbmF0dXJlc2lnbmF0dXJl";
const pat = "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOP";
const webhookSecret = "wh-secret-9f8e7d6c5b4a";
const intakeSignature = "sha256=" + "ab".repeat(32);
const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3MDAwMDAwMDAsImlzcyI6MTIzfQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU";
const secrets = [privateKey.split("\n")[1] ?? "", installationToken, statelessToken, pat, webhookSecret, intakeSignature, jwt, "redis-password-123"];

describe("loggerOptions", () => {
  it("removes tokens, keys, secrets, Authorization and signature headers from every part of a log line", () => {
    const { stream, lines } = captureStream();
    const log = pino(loggerOptions({ level: "debug" }), stream);

    log.child({ installationToken: `token ${installationToken}` }).info(
      {
        appId: 123,
        privateKey,
        webhookSecret,
        config: { secret: webhookSecret, token: installationToken, nested: { deeper: { private_key: privateKey } } },
        req: { method: "POST", url: "/api/stagegate/intake", headers: { authorization: `Bearer ${jwt}`, "x-stagegate-signature-256": intakeSignature, "x-hub-signature-256": intakeSignature, "x-github-delivery": "d-1" } },
        request: { headers: { authorization: `token ${installationToken}` } },
        redisUrl: "redis://:redis-password-123@redis:6379/0",
        stateless: statelessToken,
        pat,
      },
      `created installation token ${installationToken} for installation 42`,
    );
    const error = Object.assign(new Error(`GitHub said 401 for token ${installationToken}; key was ${privateKey}`), {
      request: { headers: { authorization: `Bearer ${jwt}` } },
    });
    log.error({ err: error }, "request failed");

    expect(lines).toHaveLength(2);
    const text = lines.join("\n");
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/BEGIN RSA PRIVATE KEY-----\\n[A-Za-z0-9+/]/);
    // what is not secret survives, and every line is still valid JSON
    const [first, second] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ appId: 123, msg: `created installation token ${REDACTED} for installation 42`, redisUrl: `redis://:${REDACTED}@redis:6379/0` });
    expect(first?.req).toMatchObject({ method: "POST", url: "/api/stagegate/intake", headers: { authorization: REDACTED, "x-stagegate-signature-256": REDACTED, "x-github-delivery": "d-1" } });
    expect(second).toMatchObject({ msg: "request failed", err: { type: "Error" } });
    expect(JSON.stringify(second)).toContain(REDACTED);
  });

  it("keeps a caller's own redact paths and streamWrite hook", () => {
    const { stream, lines } = captureStream();
    const log = pino(loggerOptions({ redact: ["customer.email"], hooks: { streamWrite: (line) => line.replace("hello", "HELLO") } }), stream);
    log.info({ customer: { email: "a@example.com" }, token: installationToken }, "hello");
    const parsed = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(parsed).toMatchObject({ msg: "HELLO", customer: { email: REDACTED }, token: REDACTED });
  });
});

describe("redactSecrets", () => {
  it.each([
    ["installation token", `token ${installationToken} used`, `token ${REDACTED} used`],
    ["stateless installation token", `x ${statelessToken} y`, `x ${REDACTED} y`],
    ["fine-grained PAT", pat, REDACTED],
    ["bearer JWT", `Authorization: Bearer ${jwt}`, `Authorization: Bearer ${REDACTED}`],
    ["HMAC signature", `got ${intakeSignature}`, `got ${REDACTED}`],
    ["password in URL", "redis://user:pa55word@redis:6379", `redis://user:${REDACTED}@redis:6379`],
    ["legacy v1 token", `v1.${"a".repeat(40)}`, REDACTED],
    ["cut-off PEM", "key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC", `key: ${REDACTED}`],
  ])("redacts a %s", (_name, input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it("leaves ordinary text alone", () => {
    const text = "promoted ghcr.io/acme/checkout@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef to prod (token bucket ok)";
    expect(redactSecrets(text)).toBe(text);
  });
});

describe("redactLogLine", () => {
  it("redacts values of secret keys at any depth of a JSON line", () => {
    const line = JSON.stringify({ a: { b: { c: { clientSecret: "s3cr3t-value", password: "pw", keep: "visible" } } } });
    expect(JSON.parse(redactLogLine(line))).toEqual({ a: { b: { c: { clientSecret: REDACTED, password: REDACTED, keep: "visible" } } } });
  });

  it("finds keys in arrays of objects and after values full of escaped quotes, and leaves text that only looks like a key", () => {
    const line = JSON.stringify({ issues: ['Unrecognized key: "' + '"'.repeat(5000) + '"'], list: [{ token: "t0ps3cret" }], note: 'said "password":"hunter2" once' });
    expect(JSON.parse(redactLogLine(line))).toEqual({ issues: ['Unrecognized key: "' + '"'.repeat(5000) + '"'], list: [{ token: REDACTED }], note: 'said "password":"hunter2" once' });
  });
});
