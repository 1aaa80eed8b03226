import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { GitHubEnvironmentsRepo } from "../../../src/adapters/github/environments-repo.js";
import { createTickRoute, runTickPass } from "../../../src/app/tick.js";
import { silentLogger } from "../../../src/core/logger.js";
import { promote } from "../../../src/services/promote.js";
import { createTestClient, INSTALLATION_ID } from "../../support/github/harness.js";
import { getExample, retarget } from "../../support/github/webhooks.js";
import type { LifecycleGitHub } from "./support/lifecycle-github.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { checksOn, createLifecycleWorld, deliver, deploymentStatusEvent, DIGEST_A, DIGEST_OLD, ENV_REPO, kustomization, loadLifecycleApp, openHandMadePr, pullRequestEvent, pushEvent, SOURCE_SHA, statusEvent } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();
type Probot = Awaited<ReturnType<typeof loadLifecycleApp>>["probot"];

async function openPromotion(environment: string, service = "checkout"): Promise<number> {
  const repo = new GitHubEnvironmentsRepo(createTestClient(), { owner: "acme", repo: "environments" });
  return (await promote({ repo }, { artifact: { service, image: `ghcr.io/acme/${service}`, digest: DIGEST_A, source: { repo: "acme/checkout", sha: SOURCE_SHA } }, environment, requestedBy: "alice" })).pr!.number;
}

async function mergeIntoDev(fake: LifecycleGitHub, probot: Probot, service = "checkout") {
  const number = await openPromotion("dev", service);
  await deliver(probot, "pull_request", pullRequestEvent(fake, number));
  const merge = fake.state(ENV_REPO).merged.get(number)!.sha;
  return { number, merge };
}

describe("rollbacks", () => {
  it("records a person's revert as a rollback deployment and tells the promotion PR", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const { number, merge } = await mergeIntoDev(fake, probot);
    const revert = fake.repo(ENV_REPO).push("main", { "environments/dev/checkout/kustomization.yaml": kustomization("dev", DIGEST_OLD) }, `Revert "promote checkout to dev"`);
    revert.body = `This reverts commit ${merge}.`;
    await deliver(probot, "push", pushEvent(fake, merge, revert.oid, ["environments/dev/checkout/kustomization.yaml"]));
    const deployments = fake.state(ENV_REPO).deployments;
    expect(deployments.at(-1)).toMatchObject({ sha: revert.oid, environment: "dev", payload: { digest: DIGEST_OLD, previous: DIGEST_A, evidence: { kind: "rollback" } } });
    expect(deployments[0]!.statuses.at(-1)).toMatchObject({ state: "inactive" });
    expect(fake.state(ENV_REPO).comments.some((c) => c.issue === number && c.body.startsWith("Rolled back in dev"))).toBe(true);
  });

  it("refuses to roll a forward-only service back: failing stagegate/rollback on the commit, no rollback PR", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const { merge } = await mergeIntoDev(fake, probot, "ledger");
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/ledger-dev", "failure", "Degraded"));
    expect(checksOn(fake, merge)).toMatchObject({ "stagegate/rollback": "failure" });
    expect(fake.repo(ENV_REPO).openPulls()).toEqual([]);
  });

  it("takes a deploy workflow's deployment status as the rollout result", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    await mergeIntoDev(fake, probot);
    const deployment = fake.state(ENV_REPO).deployments[0]!;
    deployment.statuses.push({ id: 1, state: "success", description: "rollout success", createdAt: fake.clock.iso(), creator: "deploy-workflow[bot]" });
    await deliver(probot, "deployment_status", deploymentStatusEvent(fake, deployment.id, "success"));
    expect(deployment.statuses.at(-1)).toMatchObject({ state: "success", creator: "stagegate[bot]" });
    expect(fake.repo(ENV_REPO).openPulls().map((p) => p.head).sort()).toEqual([`stagegate/perf/checkout/${"a".repeat(12)}`, `stagegate/staging/checkout/${"a".repeat(12)}`]);
    // Stagegate's own status events are not acted upon.
    fake.requests.length = 0;
    await deliver(probot, "deployment_status", deploymentStatusEvent(fake, deployment.id, "success", "stagegate[bot]"));
    expect(fake.apiRequests()).toEqual([]);
  });
});

describe("re-evaluation", () => {
  it("re-evaluates on the Re-run button of a Stagegate check", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("staging");
    const head = fake.repo(ENV_REPO).head(`stagegate/staging/checkout/${"a".repeat(12)}`).oid;
    const payload = retarget(getExample<Record<string, unknown>>("check_run", (e) => e.action === "rerequested") as never, ENV_REPO, INSTALLATION_ID) as unknown as { check_run: Record<string, unknown> };
    Object.assign(payload.check_run, { head_sha: head, name: "stagegate", app: { ...(payload.check_run.app as object), id: fake.app.id }, pull_requests: [{ ...((payload.check_run.pull_requests as object[])[0] ?? {}), number }] });
    await deliver(probot, "check_run", payload as never);
    expect(checksOn(fake, head).stagegate).toBe("in_progress");
  });

  it("reports stagegate on a merge group when every PR of the group is green", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const number = openHandMadePr(fake, "dana", "docs", { "README.md": "# environments\nmore\n" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    const repo = fake.repo(ENV_REPO);
    const base = repo.head().oid;
    repo.refs.set(`gh-readonly-queue/main/pr-${number}-x`, { id: "REF_q", oid: base });
    const group = repo.push(`gh-readonly-queue/main/pr-${number}-x`, { "README.md": "# environments\nmore\n" }, `docs (#${number})`);
    const payload = retarget(getExample<Record<string, unknown>>("merge_group") as never, ENV_REPO, INSTALLATION_ID) as unknown as { merge_group: Record<string, unknown> };
    Object.assign(payload.merge_group, { head_sha: group.oid, base_sha: base, head_ref: `refs/heads/gh-readonly-queue/main/pr-${number}-x` });
    await deliver(probot, "merge_group", payload as never);
    expect(checksOn(fake, group.oid)).toEqual({ stagegate: "success" });
  });

  it("ticks every environments repository of every installation: the soak elapses without any event", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot, shared } = await loadLifecycleApp(fake);
    const number = await openPromotion("staging");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    const head = fake.repo(ENV_REPO).head(`stagegate/staging/checkout/${"a".repeat(12)}`).oid;
    expect(checksOn(fake, head)["stagegate/approvals"]).toBe("in_progress");
    fake.state(ENV_REPO).review(number, "rita", "APPROVED", fake.clock.iso());
    const report = await runTickPass(probot, shared, silentLogger);
    expect(report.repositories).toEqual([{ repo: ENV_REPO, ok: true, recorded: 0, evaluations: 1 }]);
    expect(checksOn(fake, head)["stagegate/approvals"]).toBe("success");
  });

  it("keeps the dashboard issue on tick passes: created once, not rewritten while nothing changed", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot, shared } = await loadLifecycleApp(fake);
    await openPromotion("staging");
    await runTickPass(probot, shared, silentLogger, { dashboard: true });
    const issues = fake.state(ENV_REPO).issues;
    expect(issues.map((i) => [i.title, i.labels])).toEqual([["Stagegate dashboard", ["stagegate:dashboard"]]]);
    expect(issues[0]!.body).toContain("checkout");
    await runTickPass(probot, shared, silentLogger, { dashboard: true });
    expect(fake.state(ENV_REPO).issues).toHaveLength(1);
    expect(fake.state(ENV_REPO).updates).toBe(0);
  });

  it("serves POST /stagegate/tick only to an authenticated scheduler", async () => {
    let runs = 0;
    const route = createTickRoute({ token: "tick-token-0123456789", run: async () => (runs++, { repositories: [] }) });
    const server = createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stagegate/tick`;
    try {
      expect((await fetch(url, { method: "POST" })).status).toBe(401);
      expect((await fetch(url, { method: "POST", headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      const ok = await fetch(url, { method: "POST", headers: { authorization: "Bearer tick-token-0123456789" } });
      expect(ok.status).toBe(200);
      expect(runs).toBe(1);
    } finally {
      server.close();
    }
  });
});
