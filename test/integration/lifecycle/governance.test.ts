import { describe, expect, it } from "vitest";
import { INSTALLATION_ID } from "../../support/github/harness.js";
import { getExample } from "../../support/github/webhooks.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { checksOn, commentEvent, createLifecycleWorld, deliver, DIGEST_A, ENV_REPO, headOf, kustomization, loadLifecycleApp, openHandMadePr, openPromotion, POLICIES, pullRequestEvent, statusEvent } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

describe("gates on every PR", () => {
  it("blocks a hand-made PR to environments/prod with the prod policy (artifact gates apply to the digest it moves)", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = openHandMadePr(fake, "dana", "bump-prod", { "environments/prod/checkout/kustomization.yaml": kustomization("prod", DIGEST_A) });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(checksOn(fake, headOf(fake, number))).toEqual({ stagegate: "in_progress", "stagegate/upstream": "in_progress", "stagegate/approvals": "in_progress", "stagegate/window": "success" });
  });

  it("gives a PR touching nothing gated a green stagegate", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = openHandMadePr(fake, "dana", "docs", { "README.md": "# environments\nmore docs\n" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(checksOn(fake, headOf(fake, number))).toEqual({ stagegate: "success" });
  });

  it("does not let a PR weaken its own gates; stagegate/config validates the new policy on the PR head", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const weaker = POLICIES["policies/prod.yaml"]!.replace("  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\n", "");
    const number = openHandMadePr(fake, "dana", "weaken", { "policies/prod.yaml": weaker, "environments/prod/checkout/kustomization.yaml": kustomization("prod", DIGEST_A) });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    const checks = checksOn(fake, headOf(fake, number));
    expect(checks).toMatchObject({ stagegate: "in_progress", "stagegate/approvals": "in_progress", "stagegate/config": "success" });
    const config = fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate/config")!;
    expect(config.summary).toContain("never on its own gates");

    const broken = openHandMadePr(fake, "dana", "broken", { "policies/prod.yaml": "version: 1\ngates:\n  - gate: approvals\n    count: zero\n" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, broken));
    expect(checksOn(fake, headOf(fake, broken))).toMatchObject({ stagegate: "failure", "stagegate/config": "failure" });
    const run = fake.state(ENV_REPO).latestRuns(headOf(fake, broken), fake.app.id).find((r) => r.name === "stagegate/config")!;
    expect(run.summary).toMatch(/policies\/prod\.yaml:4:\d+: /);
    expect(run.annotations).toEqual([expect.objectContaining({ path: "policies/prod.yaml", start_line: 4, annotation_level: "failure" })]);
  });

  it("ignores a fake `stagegate` status and another app's `stagegate` check run", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = openHandMadePr(fake, "dana", "bump-prod", { "environments/prod/checkout/kustomization.yaml": kustomization("prod", DIGEST_A) });
    const head = headOf(fake, number);
    fake.state(ENV_REPO).foreignCheckRun(head, "stagegate", "success", 999, "impostor");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(checksOn(fake, head).stagegate).toBe("in_progress");
    fake.requests.length = 0;
    await deliver(probot, "status", statusEvent(ENV_REPO, head, "stagegate", "success"));
    expect(fake.apiRequests()).toEqual([]);
  });
});

describe("overrides and escalation", () => {
  it("applies an override by the policy's override team; a non-member's override is listed as ignored", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("staging");
    await deliver(probot, "issue_comment", commentEvent(fake, number, "mallory", "/stagegate override approvals reason: trust me"));
    const head = headOf(fake, number);
    const approvals = () => fake.state(ENV_REPO).latestRuns(head, fake.app.id).find((r) => r.name === "stagegate/approvals")!;
    expect(approvals().status).toBe("in_progress");
    expect(approvals().summary).toContain("@mallory is not allowed to override");
    await deliver(probot, "issue_comment", commentEvent(fake, number, "sam", "/stagegate override approvals reason: CAB approved in INC-42"));
    expect(approvals()).toMatchObject({ conclusion: "success", title: "overridden by @sam: CAB approved in INC-42" });
  });

  it("does not take an edited comment for a command: its author did not write what it says now", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("staging");
    // sam (override team) commented innocently; someone with write access edits it into an override.
    await deliver(probot, "issue_comment", commentEvent(fake, number, "sam", "looks fine to me"));
    const comment = fake.state(ENV_REPO).comments.find((c) => c.issue === number && c.user === "sam")!;
    Object.assign(comment, { body: "/stagegate override approvals reason: edited in", editedAt: fake.clock.iso() });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    const head = headOf(fake, number);
    const approvals = fake.state(ENV_REPO).latestRuns(head, fake.app.id).find((r) => r.name === "stagegate/approvals")!;
    expect(approvals.status).toBe("in_progress");
    expect(approvals.title).not.toContain("overridden");
  });

  it("waits for a second person when the policy requires one", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("prod");
    const head = headOf(fake, number);
    const approvals = () => fake.state(ENV_REPO).latestRuns(head, fake.app.id).find((r) => r.name === "stagegate/approvals")!;
    await deliver(probot, "issue_comment", commentEvent(fake, number, "sam", "/stagegate override approvals reason: incident INC-7"));
    expect(approvals().status).toBe("in_progress");
    expect(approvals().summary).toContain("waiting for a second person");
    await deliver(probot, "issue_comment", commentEvent(fake, number, "sue", "/stagegate approve-override approvals"));
    expect(approvals()).toMatchObject({ conclusion: "success", title: "overridden by @sam, confirmed by @sue: incident INC-7" });
  });

  it("escalates a breached review SLA once: mention + review request", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("staging");
    fake.clock.advance(5 * 3_600_000);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    const escalations = fake.state(ENV_REPO).comments.filter((c) => c.body.includes("stagegate:escalated:approvals"));
    expect(escalations).toHaveLength(1);
    expect(escalations[0]!.body).toContain("@acme/release-managers");
    expect(fake.state(ENV_REPO).requestedReviewers).toEqual([{ pr: number, users: [], teams: ["release-managers"] }]);
  });
});

describe("setup", () => {
  const installation = () => {
    const payload = getExample<Record<string, unknown>>("installation", (e) => e.action === "created");
    return Object.assign(payload, { installation: { ...(payload.installation as object), id: INSTALLATION_ID }, repositories: [{ id: 1, node_id: "R_1", name: "environments", full_name: ENV_REPO, private: true }, { id: 2, node_id: "R_2", name: "checkout", full_name: "acme/checkout", private: true }] });
  };

  it("creates the ruleset requiring `stagegate` pinned to the app on installation (environments repos only)", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    await deliver(probot, "installation", installation());
    const [ruleset] = fake.state(ENV_REPO).rulesets;
    expect(ruleset!.body).toMatchObject({ target: "branch", enforcement: "active", conditions: { ref_name: { include: ["~DEFAULT_BRANCH"] } }, rules: [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "stagegate", integration_id: fake.app.id }] } }] });
    expect(fake.state("acme/checkout").rulesets).toEqual([]);
  });

  it("opens the setup issue once when the app may not administer the repository", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    fake.state(ENV_REPO).administration = false;
    const { probot } = await loadLifecycleApp(fake);
    await deliver(probot, "installation", installation());
    await deliver(probot, "installation", installation());
    const issues = fake.state(ENV_REPO).issues;
    expect(issues.map((i) => i.title)).toEqual(["Stagegate setup: require the stagegate check"]);
    expect(issues[0]!.body).toContain(`gh api --method POST repos/${ENV_REPO}/rulesets --input -`);
    expect(issues[0]!.body).toContain(`"integration_id": ${fake.app.id}`);
  });
});

