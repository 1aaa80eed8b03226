import { describe, expect, it } from "vitest";
import { parseAppEnv } from "../../../src/app/env.js";
import { ReplayCache } from "../../../src/app/replay-cache.js";
import { signIntake, verifyIntakeSignature } from "../../../src/app/intake-route.js";
import { translateGitHubError } from "../../../src/adapters/github/errors.js";
import { ConflictError, NotFoundError, PermissionError, RetryableError, TerminalError } from "../../../src/core/errors.js";
import { parsePromoteCommand } from "../../../src/core/intake/command.js";
import { parseRegistryPackage } from "../../../src/core/intake/registry-package.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";

describe("parseAppEnv", () => {
  it("names every missing variable", () => {
    const result = parseAppEnv({});
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.join("\n");
    expect(errors).toContain("APP_ID");
    expect(errors).toContain("WEBHOOK_SECRET");
    expect(errors).toContain("PRIVATE_KEY or PRIVATE_KEY_PATH");
  });

  it("accepts a base64 key, coerces PORT and rejects a bad repo", () => {
    const base = { APP_ID: "12", WEBHOOK_SECRET: "w".repeat(20), PRIVATE_KEY: Buffer.from(PEM).toString("base64"), PORT: "8080" };
    const ok = parseAppEnv(base);
    expect(ok).toMatchObject({ ok: true, env: { PORT: 8080, privateKey: PEM, LOG_LEVEL: "info" } });
    expect(parseAppEnv({ ...base, STAGEGATE_ENVIRONMENTS_REPO: "../x" })).toMatchObject({ ok: false, errors: [expect.stringMatching(/^STAGEGATE_ENVIRONMENTS_REPO: /)] });
    expect(parseAppEnv({ ...base, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nope" }, () => { throw new Error("ENOENT"); })).toMatchObject({ ok: false, errors: [expect.stringContaining("cannot read /nope")] });
  });

  it("accepts an evidence key of 32 bytes or more and names the variable (never the value) when one is short", () => {
    const base = { APP_ID: "12", WEBHOOK_SECRET: "w".repeat(20), PRIVATE_KEY: PEM };
    expect(parseAppEnv({ ...base, STAGEGATE_EVIDENCE_KEY: "ab".repeat(32), STAGEGATE_EVIDENCE_PREVIOUS_KEYS: `${"cd".repeat(32)},${"ef".repeat(32)}` })).toMatchObject({ ok: true, env: { STAGEGATE_EVIDENCE_KEY: "ab".repeat(32) } });
    const short = parseAppEnv({ ...base, STAGEGATE_EVIDENCE_KEY: "s3cret-but-short" });
    expect(short).toMatchObject({ ok: false, errors: [expect.stringMatching(/^STAGEGATE_EVIDENCE_KEY: .*at least 32 bytes/)] });
    expect(JSON.stringify(short)).not.toContain("s3cret-but-short");
    expect(parseAppEnv({ ...base, STAGEGATE_EVIDENCE_PREVIOUS_KEYS: `${"cd".repeat(32)},short` })).toMatchObject({ ok: false, errors: [expect.stringMatching(/^STAGEGATE_EVIDENCE_PREVIOUS_KEYS: /)] });
  });

  it("reads the App's previous private key from STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH, and names the variable when it cannot", () => {
    const base = { APP_ID: "12", WEBHOOK_SECRET: "w".repeat(20), PRIVATE_KEY: PEM };
    const files: Record<string, string> = { "/keys/old.pem": PEM, "/keys/notes.txt": "not a key" };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error("ENOENT");
      return text;
    };
    expect(parseAppEnv({ ...base, STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH: "/keys/old.pem" }, read)).toMatchObject({ ok: true, env: { privateKey: PEM, previousPrivateKey: PEM } });
    expect(parseAppEnv(base, read)).not.toHaveProperty("env.previousPrivateKey");
    expect(parseAppEnv({ ...base, STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH: "/keys/gone.pem" }, read)).toMatchObject({ ok: false, errors: [expect.stringMatching(/^STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH: cannot read/)] });
    const wrong = parseAppEnv({ ...base, STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH: "/keys/notes.txt" }, read);
    expect(wrong).toMatchObject({ ok: false, errors: [expect.stringMatching(/^STAGEGATE_PREVIOUS_PRIVATE_KEY_PATH: not a PEM private key/)] });
    expect(JSON.stringify(wrong)).not.toContain("not a key");
  });
});

describe("parsePromoteCommand", () => {
  it.each([
    [`/stagegate promote checkout ${DIGEST} to prod-eu`, { ok: true, service: "checkout", environment: "prod-eu", ref: { kind: "digest", digest: DIGEST } }],
    ["please\n/stagegate promote checkout 1.2.3 to staging\nthanks", { ok: true, service: "checkout", environment: "staging", ref: { kind: "tag", tag: "1.2.3" } }],
    ["/stagegate promote checkout 1.2.3 into staging", { ok: false }],
    ["/stagegate promote ../x 1.2.3 to staging", { ok: false }],
  ])("%s", (body, expected) => {
    expect(parsePromoteCommand(body)).toMatchObject(expected);
  });

  it("ignores comments without the command", () => {
    expect(parsePromoteCommand("/stagegate recheck")).toBeUndefined();
    expect(parsePromoteCommand("we should /stagegate promote later")).toBeUndefined();
  });
});

describe("parseRegistryPackage", () => {
  it("lowercases the image and falls back to the tag digest", () => {
    expect(parseRegistryPackage({ name: "Checkout", namespace: "Acme", package_type: "CONTAINER", owner: { login: "Acme" }, package_version: { version: "v1", container_metadata: { tag: { name: "1.0", digest: DIGEST } } } })).toEqual({ ok: true, image: "ghcr.io/acme/checkout", digest: DIGEST, tag: "1.0" });
  });
});

describe("intake signatures and replays", () => {
  it("verifies in constant time and binds the timestamp", () => {
    const body = Buffer.from("{}");
    const sig = signIntake("k", "100", body);
    expect(verifyIntakeSignature("k", "100", body, sig)).toBe(true);
    expect(verifyIntakeSignature("k", "101", body, sig)).toBe(false);
    expect(verifyIntakeSignature("k", "100", body, "sha256=short")).toBe(false);
  });

  it("bounds the replay cache and forgets after the TTL", () => {
    const cache = new ReplayCache({ max: 2, ttlMs: 1000 });
    expect(cache.remember("a", 0)).toBe(true);
    expect(cache.remember("a", 10)).toBe(false);
    cache.remember("b", 20);
    cache.remember("c", 30);
    expect(cache.size).toBe(2);
    expect(cache.remember("a", 40)).toBe(true);
    expect(cache.remember("b", 2000)).toBe(true);
  });
});

describe("translateGitHubError", () => {
  const http = (status: number, message: string, headers: Record<string, string> = {}) => Object.assign(new Error(message), { status, response: { headers, data: {} } });
  const gql = (errors: { message: string; type?: string }[]) => Object.assign(new Error("x"), { name: "GraphqlResponseError", errors, data: null });
  it.each([
    [http(502, "Bad Gateway"), RetryableError],
    [http(403, "You have exceeded a secondary rate limit", { "retry-after": "60" }), RetryableError],
    [http(403, "Resource not accessible by integration"), PermissionError],
    [http(404, "Not Found"), NotFoundError],
    [http(422, "Reference already exists"), ConflictError],
    [http(422, "Validation Failed"), TerminalError],
    [gql([{ message: 'A ref named "refs/heads/x" already exists in the repository.', type: "UNPROCESSABLE" }]), ConflictError],
    [gql([{ message: "Expected branch to point to \"abc\" but it did not.", type: "STALE_DATA" }]), ConflictError],
    [gql([{ message: "Could not resolve to a Repository", type: "NOT_FOUND" }]), NotFoundError],
    [gql([{ message: "API rate limit exceeded", type: "RATE_LIMITED" }]), RetryableError],
  ])("%s → %o", (error, expected) => {
    expect(translateGitHubError(error, { operation: "t" })).toBeInstanceOf(expected);
  });

  it("keeps retry-after", () => {
    expect((translateGitHubError(http(429, "slow down", { "retry-after": "7" }), {}) as RetryableError).retryAfterMs).toBe(7000);
  });
});
