// Every intake path of the app (registry_package, repository_dispatch, the HTTP intake, `/stagegate
// promote`) seals the evidence block of the PR it opens with the app's key, so the app's own evaluation
// takes it for Stagegate's (test/integration/lifecycle/evidence-seal.test.ts: unsealed blocks are refused).
import { describe, expect, it } from "vitest";
import { parsePromotionBody, sealProblem } from "../../../src/core/evidence/body.js";
import { hmacSeal } from "../../../src/core/evidence/seal.js";
import { DIGEST_A, SOURCE_SHA } from "../../support/github/fixtures.js";
import { createWorld, INSTALLATION_ID, loadStagegateApp, useFakeGitHub } from "../../support/github/harness.js";
import { postIntake, useHttpHandlers } from "../../support/github/http-app.js";
import { issueComment, registryPackagePublished, repositoryDispatch } from "../../support/github/webhooks.js";

const fakeGitHub = useFakeGitHub();
const serve = useHttpHandlers();
const SECRET = "s".repeat(40);
const NOW = Date.parse("2026-03-01T12:00:00Z");
const seal = hmacSeal([Buffer.alloc(32, 5)]);

/** The one open PR's evidence block, checked against the app's key. */
function sealOfOnlyPr(fake: ReturnType<typeof fakeGitHub>): string | undefined {
  const pulls = fake.repo("acme/environments").openPulls();
  expect(pulls).toHaveLength(1);
  const parsed = parsePromotionBody(pulls[0]!.body);
  if (!parsed.ok) return parsed.message;
  return sealProblem(parsed, seal.bind("acme/environments"));
}

describe("the intake paths seal the evidence block", () => {
  it("registry_package", async () => {
    const fake = fakeGitHub(createWorld());
    const { probot } = await loadStagegateApp({ seal });
    await probot.receive({ id: "d1", name: "registry_package", payload: registryPackagePublished({ owner: "acme", name: "checkout", digest: DIGEST_A, tag: "1.1.0", installationId: INSTALLATION_ID }) } as never);
    expect(sealOfOnlyPr(fake)).toBeUndefined();
  });

  it("repository_dispatch", async () => {
    const fake = fakeGitHub(createWorld());
    const { probot } = await loadStagegateApp({ seal });
    const clientPayload = { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, source: { repo: "acme/checkout", sha: SOURCE_SHA } };
    await probot.receive({ id: "d1", name: "repository_dispatch", payload: repositoryDispatch("acme/checkout", INSTALLATION_ID, clientPayload) } as never);
    expect(sealOfOnlyPr(fake)).toBeUndefined();
  });

  it("the HTTP intake", async () => {
    const fake = fakeGitHub(createWorld());
    const { handlers } = await loadStagegateApp({ seal, intakeSecret: SECRET, now: () => NOW });
    const raw = JSON.stringify({ repository: "acme/environments", service: "checkout", digest: DIGEST_A });
    expect((await postIntake(await serve(handlers), SECRET, raw, { timestamp: Math.floor(NOW / 1000) })).status).toBe(202);
    expect(sealOfOnlyPr(fake)).toBeUndefined();
  });

  it("/stagegate promote", async () => {
    const fake = fakeGitHub(createWorld());
    const { probot } = await loadStagegateApp({ seal });
    await probot.receive({ id: "d1", name: "issue_comment", payload: issueComment("acme/environments", INSTALLATION_ID, `/stagegate promote checkout ${DIGEST_A} to dev`) } as never);
    expect(sealOfOnlyPr(fake)).toBeUndefined();
  });

  it("without a seal (a test app), blocks carry a checksum only", async () => {
    const fake = fakeGitHub(createWorld());
    const { probot } = await loadStagegateApp();
    await probot.receive({ id: "d1", name: "registry_package", payload: registryPackagePublished({ owner: "acme", name: "checkout", digest: DIGEST_A, installationId: INSTALLATION_ID }) } as never);
    expect(sealOfOnlyPr(fake)).toMatch(/carries no seal/);
  });
});
