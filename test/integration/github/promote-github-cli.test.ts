import { describe, expect, it } from "vitest";
import { runPromoteGithub } from "../../../src/cli/commands/promote-remote.js";
import { parsePromotionBody, sealProblem } from "../../../src/core/evidence/body.js";
import { hmacSeal } from "../../../src/core/evidence/seal.js";
import { DIGEST_A } from "../../support/github/fixtures.js";
import { createWorld, useFakeGitHub } from "../../support/github/harness.js";

const fakeGitHub = useFakeGitHub();

function io(env: Record<string, string> = { GITHUB_TOKEN: "ghs_ci" }) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { env, out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) }, out, err };
}

describe("stagegate promote-github", () => {
  it("opens the promotion PR with an installation token and prints it", async () => {
    const fake = fakeGitHub(createWorld());
    const { io: cli, out } = io();
    const code = await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A, to: "staging", json: true }, cli);
    expect(code).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ service: "checkout", outcomes: [{ environment: "staging", status: "opened" }] });
    expect(fake.repo("acme/environments").openPulls()).toHaveLength(1);
  });

  it("exits 1 with the reason for a bad digest or an unknown service, and 75 on a transient failure", async () => {
    const fake = fakeGitHub(createWorld());
    const bad = io();
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: "latest" }, bad.io)).toBe(1);
    expect(bad.err[0]).toContain("digest");
    const unknown = io();
    expect(await runPromoteGithub({ repo: "acme/environments", service: "billing", digest: DIGEST_A }, unknown.io)).toBe(1);
    expect(unknown.err[0]).toContain('unknown service "billing"');
    fake.faults.push({ match: (r) => r.kind === "graphql" && r.name === "StagegateSnapshot", http: { status: 503 } });
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A }, io().io)).toBe(75);
  });

  it("carries the scan report, provenance and source author into the artifact; refuses half a source commit", async () => {
    const fake = fakeGitHub(createWorld());
    const { io: cli } = io();
    const code = await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A, to: "staging", sourceRepo: "acme/checkout", sourceSha: "1".repeat(40), sourceAuthor: "dana", scanUrl: "https://scans.example.com/checkout.sarif", provenanceUrl: "https://example.com/provenance.json" }, cli);
    expect(code).toBe(0);
    const body = fake.repo("acme/environments").openPulls()[0]!.body;
    expect(body).toContain("https://scans.example.com/checkout.sarif");
    expect(body).toContain('"author":"dana"');

    const half = io();
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A, sourceRepo: "acme/checkout" }, half.io)).toBe(1);
    expect(half.err).toEqual(["--source-repo and --source-sha go together (and --source-author with them)"]);
  });

  it("seals the evidence block with STAGEGATE_EVIDENCE_KEY as the App does; warns when it cannot seal", async () => {
    const fake = fakeGitHub(createWorld());
    const key = "ab".repeat(32);
    const sealed = io({ GITHUB_TOKEN: "ghs_ci", STAGEGATE_EVIDENCE_KEY: key });
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A, to: "staging" }, sealed.io)).toBe(0);
    expect(sealed.err).toEqual([]);
    const parsed = parsePromotionBody(fake.repo("acme/environments").openPulls()[0]!.body);
    if (!parsed.ok) throw new Error("no evidence block");
    expect(sealProblem(parsed, hmacSeal([Buffer.from(key, "hex")]).bind("acme/environments"))).toBeUndefined();
    expect(sealProblem(parsed, hmacSeal([Buffer.from(key, "hex")]).bind("acme/other"))).toMatch(/does not match/);

    const plain = io();
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: `sha256:${"c".repeat(64)}`, to: "staging" }, plain.io)).toBe(0);
    expect(plain.err).toEqual([expect.stringContaining("not sealed")]);
  });

  it("names an unreadable PRIVATE_KEY_PATH (the seal's key) instead of failing as a bug", async () => {
    fakeGitHub(createWorld());
    const cli = io({ GITHUB_TOKEN: "ghs_ci", PRIVATE_KEY_PATH: "/nonexistent/app.pem" });
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A, to: "staging" }, cli.io)).toBe(1);
    expect(cli.err.join("\n")).toContain("cannot read /nonexistent/app.pem");
  });

  it("refuses to run without credentials", async () => {
    fakeGitHub(createWorld());
    const cli = io({});
    expect(await runPromoteGithub({ repo: "acme/environments", service: "checkout", digest: DIGEST_A }, cli.io)).toBe(1);
    expect(cli.err[0]).toContain("GITHUB_TOKEN");
  });
});
