import { describe, expect, it } from "vitest";
import type { LifecycleGitHub } from "./support/lifecycle-github.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, DIGEST_A, ENV_REPO, loadLifecycleApp, openPromotion, pullRequestEvent, SOURCE_SHA } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();
const HOUR = 3_600_000;

/** A deployment of the digest in `env`, verified by Stagegate at `verifiedAt`. */
function verifiedUpstream(fake: LifecycleGitHub, env: string, verifiedAt: string, digest = DIGEST_A) {
  const state = fake.state(ENV_REPO);
  state.deployments.push({
    id: state.nextId(), sha: fake.repo(ENV_REPO).head().oid, environment: env, task: "deploy:checkout", createdAt: verifiedAt, creator: "stagegate[bot]", productionEnvironment: false,
    payload: { stagegate: 1, service: "checkout", digest, evidence: { kind: "promotion" } },
    statuses: [{ id: state.nextId(), state: "success", description: "Verified", createdAt: verifiedAt, creator: "stagegate[bot]" }],
  });
}

function checks(fake: LifecycleGitHub, sha: string) {
  return Object.fromEntries(fake.state(ENV_REPO).latestRuns(sha, fake.app.id).map((r) => [r.name, r.conclusion ?? r.status]));
}

describe("gates as check runs", () => {
  it("takes a promotion PR from pending to success as facts arrive, writing only what changed", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const number = await openPromotion("staging", { tag: "1.1.0" });
    const { probot } = await loadLifecycleApp(fake);
    const head = fake.repo(ENV_REPO).head(`stagegate/staging/checkout/${"a".repeat(12)}`).oid;
    fake.requests.length = 0;

    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(checks(fake, head)).toEqual({ stagegate: "in_progress", "stagegate/upstream": "in_progress", "stagegate/soak": "in_progress", "stagegate/approvals": "in_progress", "stagegate/source-checks": "in_progress" });
    // The first evaluation of a head also checks that the PR changes only what its evidence declares
    // (the head's tree, the merge base, its tree): read once per head, then cached for the process.
    expect(fake.describe()).toEqual(["StagegateSnapshot", "StagegateGateFacts", "StagegateSubtree", expect.stringMatching(/^GET \/repos\/acme\/environments\/compare\/main\.\.\.[0-9a-f]{40}$/), "StagegateSubtree", ...Array(5).fill("POST /repos/acme/environments/check-runs")]);

    // Nothing changed: one read (the facts query, snapshot cached and still current), no write.
    fake.requests.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(fake.describe()).toEqual(["StagegateGateFacts"]);

    verifiedUpstream(fake, "dev", fake.clock.iso());
    fake.state("acme/checkout").foreignCheckRun(SOURCE_SHA, "build", "success");
    fake.state(ENV_REPO).review(number, "rita", "APPROVED", fake.clock.iso());
    fake.requests.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(checks(fake, head)).toMatchObject({ stagegate: "in_progress", "stagegate/upstream": "success", "stagegate/soak": "in_progress", "stagegate/approvals": "success", "stagegate/source-checks": "success" });
    const soak = fake.state(ENV_REPO).latestRuns(head, fake.app.id).find((r) => r.name === "stagegate/soak")!;
    expect(soak.externalId).toMatch(/^next=/);

    fake.clock.advance(HOUR + 1000);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(checks(fake, head)).toMatchObject({ stagegate: "success", "stagegate/soak": "success" });
    const summary = fake.state(ENV_REPO).latestRuns(head, fake.app.id).find((r) => r.name === "stagegate")!;
    expect(summary.summary).toContain("| ✅ | `stagegate/approvals` |");
  });
});
