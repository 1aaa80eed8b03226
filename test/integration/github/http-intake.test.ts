import { describe, expect, it } from "vitest";
import { signIntake } from "../../../src/app/intake-route.js";
import { DIGEST_A, SOURCE_SHA } from "../../support/github/fixtures.js";
import { createWorld, loadStagegateApp, useFakeGitHub } from "../../support/github/harness.js";
import { postIntake, useHttpHandlers } from "../../support/github/http-app.js";

const fakeGitHub = useFakeGitHub();
const serve = useHttpHandlers();
const SECRET = "s".repeat(40);
const NOW = Date.parse("2026-03-01T12:00:00Z");

async function startApp(): Promise<string> {
  const { handlers } = await loadStagegateApp({ intakeSecret: SECRET, now: () => NOW });
  return serve(handlers);
}

const body = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ repository: "acme/environments", service: "checkout", digest: DIGEST_A, tag: "1.1.0", source: { repo: "acme/checkout", sha: SOURCE_SHA }, ...overrides });

function post(base: string, raw: string, options: { timestamp?: number; signature?: string; contentType?: string } = {}) {
  return postIntake(base, SECRET, raw, { ...options, timestamp: options.timestamp ?? Math.floor(NOW / 1000) });
}

describe("POST /stagegate/intake", () => {
  it("accepts a signed artifact and answers 202 with the PR", async () => {
    const fake = fakeGitHub(createWorld());
    const base = await startApp();
    const { status, json } = await post(base, body());
    expect(status).toBe(202);
    expect(json).toMatchObject({ status: "accepted", service: "checkout", digest: DIGEST_A, outcomes: [{ environment: "dev", status: "opened", pr: { url: expect.stringMatching(/\/pull\/\d+$/) } }] });
    expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ kind: "rest", method: "GET", path: "/repos/acme/environments/installation" });
  });

  it.each([
    ["a bad signature", { signature: `sha256=${"0".repeat(64)}` }],
    ["a missing signature", { signature: "" }],
    ["a timestamp 6 minutes old", { timestamp: Math.floor(NOW / 1000) - 360 }],
  ])("refuses %s with 401 without calling GitHub", async (_name, options) => {
    const fake = fakeGitHub(createWorld());
    const base = await startApp();
    expect((await post(base, body(), options)).status).toBe(401);
    expect(fake.requests).toEqual([]);
  });

  it("refuses an exact replay inside the window", async () => {
    fakeGitHub(createWorld());
    const base = await startApp();
    const raw = body();
    const timestamp = Math.floor(NOW / 1000);
    const signature = signIntake(SECRET, String(timestamp), raw);
    expect((await post(base, raw, { timestamp, signature })).status).toBe(202);
    expect(await post(base, raw, { timestamp, signature })).toMatchObject({ status: 401, json: { error: "replayed request" } });
  });

  it("refuses a body over 64 KiB with 413", async () => {
    const fake = fakeGitHub(createWorld());
    const base = await startApp();
    expect((await post(base, body({ padding: "x".repeat(70_000) }))).status).toBe(413);
    expect(fake.requests).toEqual([]);
  });

  it("answers 400 with the zod issues for a bad payload", async () => {
    fakeGitHub(createWorld());
    const base = await startApp();
    const { status, json } = await post(base, body({ digest: "sha256:123", service: "../etc" }));
    expect(status).toBe(400);
    expect(json.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^digest: /), expect.stringMatching(/^service: /)]));
  });

  it("answers 404 for an unknown service and 415 for a non-JSON body", async () => {
    fakeGitHub(createWorld());
    const base = await startApp();
    expect(await post(base, body({ service: "billing" }))).toMatchObject({ status: 404, json: { error: expect.stringContaining('unknown service "billing"') } });
    expect((await post(base, body(), { contentType: "text/plain" })).status).toBe(415);
  });

  it("answers 503 with Retry-After when GitHub rate-limits the write, and nothing is half-done", async () => {
    const fake = fakeGitHub(createWorld());
    fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateOpenPromotion", http: { status: 403, headers: { "retry-after": "30" }, body: { message: "You have exceeded a secondary rate limit" } } });
    const base = await startApp();
    expect((await post(base, body())).status).toBe(503);
    expect(fake.repo("acme/environments").refs.size).toBe(1);
  });
});
