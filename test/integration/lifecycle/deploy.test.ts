import { describe, expect, it } from "vitest";
import { GitHubEnvironmentsRepo } from "../../../src/adapters/github/environments-repo.js";
import { GitHubNotes } from "../../../src/adapters/github/notes.js";
import { promote } from "../../../src/services/promote.js";
import { createTestClient } from "../../support/github/harness.js";
import type { LifecycleGitHub } from "./support/lifecycle-github.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, DIGEST_A, DIGEST_OLD, ENV_REPO, kustomization, loadLifecycleApp, pullRequestEvent, pushEvent, SOURCE_SHA, statusEvent } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

async function openPromotion(environment: string, digest = DIGEST_A, service = "checkout"): Promise<number> {
  const repo = new GitHubEnvironmentsRepo(createTestClient(), { owner: "acme", repo: "environments" });
  const outcome = await promote({ repo }, { artifact: { service, image: `ghcr.io/acme/${service}`, digest, tag: "1.1.0", source: { repo: "acme/checkout", sha: SOURCE_SHA } }, environment, requestedBy: "alice" });
  return outcome.pr!.number;
}

/** Opens and auto-merges a promotion into dev (dev's policy: no gates, merge auto). */
async function mergeIntoDev(fake: LifecycleGitHub, probot: Awaited<ReturnType<typeof loadLifecycleApp>>["probot"], service = "checkout") {
  const number = await openPromotion("dev", DIGEST_A, service);
  const head = fake.repo(ENV_REPO).head(`stagegate/dev/${service}/${"a".repeat(12)}`).oid;
  await deliver(probot, "pull_request", pullRequestEvent(fake, number));
  const merged = fake.state(ENV_REPO).merged.get(number)!;
  return { number, head, merge: merged.sha, parent: fake.repo(ENV_REPO).commits.get(merged.sha)!.parentOid! };
}

const posts = (fake: LifecycleGitHub, path: string) => fake.requests.filter((r) => r.kind === "rest" && r.method === "POST" && r.path === path).length;

describe("merge → deploy → verify → next stage, and rollback", () => {
  it("auto-merges a green promotion with the head pinned and trailers, records the deployment and writes a readable note", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const { number, head, merge } = await mergeIntoDev(fake, probot);
    const put = fake.requests.find((r) => r.kind === "rest" && r.method === "PUT")!;
    expect(put).toMatchObject({ path: `/repos/acme/environments/pulls/${number}/merge`, body: { sha: head, merge_method: "squash" } });
    const message = (put as { body: { commit_message: string } }).body.commit_message;
    expect(message).toContain(`Stagegate-PR: #${number}`);
    expect(message).toContain("Stagegate-Merged-By: stagegate[bot]");
    const [deployment] = fake.state(ENV_REPO).deployments;
    expect(deployment).toMatchObject({ sha: merge, environment: "dev", task: "deploy:checkout", productionEnvironment: false, payload: { stagegate: 1, service: "checkout", digest: DIGEST_A, previous: DIGEST_OLD, pr: number } });
    const note = await new GitHubNotes(createTestClient(), { owner: "acme", repo: "environments" }).readNote(merge);
    expect(JSON.parse(note!)).toMatchObject({ service: "checkout", environment: "dev", mergedBy: "stagegate[bot]", deployments: [{ environment: "dev", kind: "promotion" }] });
  });

  it("records one deployment for a push delivered twice, and one for a hand-made merge", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const { merge, parent } = await mergeIntoDev(fake, probot);
    fake.requests.length = 0;
    await deliver(probot, "push", pushEvent(fake, parent, merge, ["environments/dev/checkout/kustomization.yaml"]), "push-1");
    await deliver(probot, "push", pushEvent(fake, parent, merge, ["environments/dev/checkout/kustomization.yaml"]), "push-1");
    expect(posts(fake, "/repos/acme/environments/deployments")).toBe(0);
    expect(fake.state(ENV_REPO).deployments).toHaveLength(1);

    const repo = fake.repo(ENV_REPO);
    const before = repo.head().oid;
    const after = repo.push("main", { "environments/perf/checkout/kustomization.yaml": kustomization("perf", DIGEST_A) }, "perf: bump checkout by hand").oid;
    await deliver(probot, "push", pushEvent(fake, before, after, ["environments/perf/checkout/kustomization.yaml"]));
    await deliver(probot, "push", pushEvent(fake, before, after, ["environments/perf/checkout/kustomization.yaml"]));
    expect(fake.state(ENV_REPO).deployments.filter((d) => d.environment === "perf")).toHaveLength(1);
  });

  it("turns an Argo CD status into a verified deployment and opens the downstream PRs; the two-upstream environment waits for both", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const { merge } = await mergeIntoDev(fake, probot);
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/shop-dev", "success", "Sync succeeded, healthy"));
    const dev = fake.state(ENV_REPO).deployments[0]!;
    expect(dev.statuses.map((s) => [s.state, s.description])).toEqual([
      ["success", "[argocd/shop-dev] Sync succeeded, healthy"],
      ["success", "Verified: the deployer reported success ([argocd/shop-dev] Sync succeeded, healthy)"],
    ]);
    expect(fake.repo(ENV_REPO).openPulls().map((p) => p.head).sort()).toEqual([`stagegate/perf/checkout/${"a".repeat(12)}`, `stagegate/staging/checkout/${"a".repeat(12)}`]);
    // A redelivery changes nothing.
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/shop-dev", "success", "Sync succeeded, healthy"));
    expect(fake.state(ENV_REPO).deployments[0]!.statuses).toHaveLength(2);

    // staging verified alone: prod (from staging AND perf) still waits; once perf is verified too, its PR opens.
    const repo = fake.repo(ENV_REPO);
    const state = fake.state(ENV_REPO);
    const stagingSha = repo.push("main", { "environments/staging/checkout/kustomization.yaml": kustomization("staging", DIGEST_A) }, "staging: checkout").oid;
    const perfSha = repo.push("main", { "environments/perf/checkout/kustomization.yaml": kustomization("perf", DIGEST_A) }, "perf: checkout").oid;
    const deployment = (environment: string, sha: string) => ({ id: state.nextId(), sha, environment, task: "deploy:checkout", createdAt: fake.clock.iso(), creator: "stagegate[bot]", productionEnvironment: false, payload: { stagegate: 1, service: "checkout", digest: DIGEST_A, evidence: { kind: "promotion" } }, statuses: [] });
    state.deployments.push(deployment("staging", stagingSha), deployment("perf", perfSha));
    await deliver(probot, "status", statusEvent(ENV_REPO, stagingSha, "argocd/shop-staging", "success"));
    expect(repo.openPulls().some((p) => p.head.startsWith("stagegate/prod/"))).toBe(false);
    await deliver(probot, "status", statusEvent(ENV_REPO, perfSha, "argocd/shop-perf", "success"));
    expect(repo.openPulls().filter((p) => p.head.startsWith("stagegate/prod/")).map((p) => p.head)).toEqual([`stagegate/prod/checkout/${"a".repeat(12)}`]);
  });

  it("turns a Flux failure into a failed verification: rollback PR, downstream PRs closed, the deployment failed upstream", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const { probot } = await loadLifecycleApp(fake);
    const { merge } = await mergeIntoDev(fake, probot);
    const staging = await openPromotion("staging");
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "kustomization/flux-system/shop-dev", "failure", "Health check failed"));
    const pulls = fake.repo(ENV_REPO).pulls;
    expect(pulls.find((p) => p.number === staging)!.state).toBe("CLOSED");
    const rollback = pulls.find((p) => p.head.startsWith("stagegate/rollback/") || p.head.includes("rollback"));
    expect(rollback?.state).toBe("OPEN");
    expect(fake.repo(ENV_REPO).head(rollback!.head).files.get("environments/dev/checkout/kustomization.yaml")).toContain(DIGEST_OLD);
    expect(fake.state(ENV_REPO).deployments[0]!.statuses.at(-1)).toMatchObject({ state: "failure", creator: "stagegate[bot]" });
  });
});
