import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { initLocalRepo, openLocalRepo } from "../../../src/adapters/git/local-adapter.js";
import { toLifecycleDeps } from "../../../src/adapters/git/local-lifecycle.js";
import { GitCli } from "../../../src/adapters/git/git-cli.js";
import { parseTrailers, getTrailer } from "../../../src/core/evidence/trailers.js";
import { evaluatePromotion, mergeAsPerson } from "../../../src/services/evaluate-promotion.js";
import { reportDeploymentStatus } from "../../../src/services/deploy-status.js";
import { promote } from "../../../src/services/promote.js";
import { recordPush } from "../../../src/services/record-push.js";
import { tick } from "../../../src/services/tick.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const kustomization = (digest: string) => `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    digest: ${digest}\n`;
const FILES = new Map([
  ["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: auto }\n  - { name: prod, path: envs/prod, from: [dev], policy: prod }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"],
  ["policies/auto.yaml", "version: 1\nmerge: { mode: auto }\n"],
  ["policies/prod.yaml", "version: 1\ngates:\n  - gate: upstream\n  - gate: approvals\n    users: [rita, dana]\nmerge: { mode: manual }\n"],
  ["envs/dev/kustomization.yaml", kustomization(D("0"))],
  ["envs/prod/kustomization.yaml", kustomization(D("0"))],
]);

let dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  dirs = [];
});

async function setup(files: ReadonlyMap<string, string> = FILES) {
  const dir = await mkdtemp(join(tmpdir(), "stagegate-svc-"));
  dirs.push(dir);
  let t = Date.parse("2026-03-02T10:00:00Z");
  const clock = { now: () => new Date(t) };
  const adapter = await initLocalRepo(dir, files, { clock });
  const deps = toLifecycleDeps(adapter);
  const advance = (ms: number) => (t += ms);
  return { dir, adapter, deps, advance };
}

const artifact = (digest: string) => ({ service: "api", image: "ghcr.io/acme/api", digest, source: { repo: "acme/api", sha: "a".repeat(40), author: "dana" } });

describe("lifecycle services on a local repository", () => {
  it("promotes, auto-merges with trailers and a note, records one deployment, and a second tick does nothing", async () => {
    const { adapter, deps, advance } = await setup();
    const opened = await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" });
    expect(opened.status).toBe("opened");
    advance(60_000);
    const first = await tick(deps);
    expect(first.evaluations.map((e) => e.status)).toEqual(["merged"]);
    const head = await adapter.commits.getCommit(await adapter.commits.getDefaultHead());
    const trailers = parseTrailers(head.message);
    expect(getTrailer(trailers, "Stagegate-PR")).toBe(`#${opened.pr!.number}`);
    expect(getTrailer(trailers, "Stagegate-Merged-By")).toBe("stagegate");
    expect(getTrailer(trailers, "Stagegate-Environment")).toBe("dev");
    expect(head.committer.date).toBe("2026-03-02T10:01:00+00:00");
    const note = JSON.parse((await adapter.notes.readNote(head.sha))!);
    expect(note).toMatchObject({ service: "api", environment: "dev", mergedBy: "stagegate", deployments: [{ environment: "dev", state: "queued" }] });
    const again = await recordPush(deps, { before: head.parents[0]!, after: head.sha });
    expect(again.map((r) => r.created)).toEqual([false]);
    expect(await adapter.deployments.listDeployments()).toHaveLength(1);
    const second = await tick(deps);
    expect(second.recorded).toEqual([]);
    expect(second.evaluations).toEqual([]);
  });

  it("verifies from the deployer's status, opens the next stage, and refuses a manual merge until approved by someone else", async () => {
    const { adapter, deps } = await setup();
    await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" });
    await tick(deps);
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "argocd" });
    const report = await tick(deps);
    expect(report.verifications.map((v) => v.verdict)).toEqual(["verified"]);
    const prod = (await adapter.pulls.listOpen()).find((p) => p.branch.startsWith("stagegate/prod/"));
    expect(prod).toBeDefined();
    await adapter.pulls.submitReview(prod!.number, "dana", "approved");
    await expect(mergeAsPerson(deps, prod!.number, "dana")).rejects.toThrow(/required check `stagegate` is in_progress/);
    await adapter.pulls.submitReview(prod!.number, "rita", "approved");
    const outcome = await evaluatePromotion(deps, prod!.number);
    expect(outcome.status).toBe("evaluated");
    expect(outcome.summary?.conclusion).toBe("success");
    const merged = await mergeAsPerson(deps, prod!.number, "rita");
    const head = parseTrailers((await adapter.commits.getCommit(merged.merged!.sha)).message);
    expect(head.filter((t) => t.key === "Stagegate-Approved-By").map((t) => t.value)).toEqual(["rita"]);
  });

  it("records a revert made by a person as a rollback deployment and tells the promotion PR", async () => {
    const { dir, adapter, deps } = await setup();
    const opened = await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "dev" });
    await tick(deps);
    const merge = await adapter.commits.getDefaultHead();
    const git = new GitCli(dir);
    const env = { GIT_AUTHOR_NAME: "ops", GIT_AUTHOR_EMAIL: "ops@example.com", GIT_COMMITTER_NAME: "ops", GIT_COMMITTER_EMAIL: "ops@example.com" };
    await git.run(["revert", "--no-edit", merge], { env });
    const report = await tick(deps);
    expect(report.recorded.map((r) => [r.deployment.kind, r.deployment.digest])).toEqual([["rollback", D("0")]]);
    expect(report.recorded[0]?.rollbackReason).toMatch(/revert of/);
    const comments = await adapter.pulls.listComments(opened.pr!.number);
    expect(comments.at(-1)?.body).toMatch(/Rolled back in dev/);
  });

  it("opens exactly one PR when two processes open the same branch at the same moment", async () => {
    const { dir, adapter } = await setup();
    // A second adapter = a second process: its own git processes and ref listing, nothing shared in memory.
    const other = openLocalRepo(dir, { clock: adapter.clock });
    const outcomes = await Promise.all([adapter, other].map((a) => promote({ repo: a.repo }, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" })));
    expect(outcomes.map((o) => o.status).sort()).toEqual(["exists", "opened"]);
    expect(outcomes.map((o) => o.pr?.number)).toEqual([1, 1]);
    const git = new GitCli(dir);
    expect((await git.run(["for-each-ref", "--format=%(refname)", "refs/stagegate/pulls/", "refs/heads/stagegate/"])).trim().split("\n")).toEqual(["refs/heads/stagegate/dev/api/111111111111", "refs/stagegate/pulls/1"]);
  });

  it("gives two PRs opened at the same moment for different branches different numbers", async () => {
    const { dir, adapter } = await setup();
    const other = openLocalRepo(dir, { clock: adapter.clock });
    const [dev, prod] = await Promise.all([
      promote({ repo: adapter.repo }, { artifact: artifact(D("1")), environment: "dev" }),
      promote({ repo: other.repo }, { artifact: artifact(D("2")), environment: "prod" }),
    ]);
    expect([dev.status, prod.status]).toEqual(["opened", "opened"]);
    expect([dev.pr!.number, prod.pr!.number].sort()).toEqual([1, 2]);
    const opened = await openLocalRepo(dir, { clock: adapter.clock }).pulls.listOpen();
    expect(opened.map((p) => [p.number, p.branch]).sort()).toEqual([
      [dev.pr!.number, "stagegate/dev/api/111111111111"],
      [prod.pr!.number, "stagegate/prod/api/222222222222"],
    ].sort());
  });

  it("counts only deployer statuses whose name matches the policy's verification.statuses", async () => {
    const files = new Map(FILES);
    files.set("policies/auto.yaml", "version: 1\nmerge: { mode: auto }\nverification:\n  statuses: [\"deploy/*\", \"argocd/api-*\"]\n");
    const { adapter, deps } = await setup(files);
    await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "dev" });
    await tick(deps);
    // A status under another name (a CI job, a linter) is recorded but is not the deployer's report.
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "ci", context: "lint" });
    expect((await tick(deps)).verifications.map((v) => [v.verdict, v.detail])).toEqual([["pending", "waiting for the deployer to report the rollout"]]);
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "failure", by: "ci", context: "deploy-preview/api" });
    expect((await tick(deps)).verifications.map((v) => v.verdict)).toEqual(["pending"]);
    await reportDeploymentStatus(deps, { environment: "dev", service: "api", state: "success", by: "argocd", context: "argocd/api-dev" });
    expect((await tick(deps)).verifications.map((v) => v.verdict)).toEqual(["verified"]);
    const [deployment] = await adapter.deployments.listDeployments({ environment: "dev", service: "api" });
    expect(deployment!.statuses.map((s) => `${s.context ?? s.creator}:${s.state}`)).toEqual(["stagegate:queued", "lint:success", "deploy-preview/api:failure", "argocd/api-dev:success", "stagegate:success"]);
  });
});

describe("stale approvals in local mode", () => {
  it("dismisses a review (recorded, with the reason), once", async () => {
    const { adapter, deps, dir } = await setup();
    await promote({ repo: deps.repo }, { artifact: artifact(D("1")), environment: "dev", requestedBy: "dana" });
    const [pr] = await adapter.pulls.listOpen();
    const review = await adapter.pulls.submitReview(pr!.number, "rita", "approved");
    await adapter.pulls.dismissReview(pr!.number, review.id, "the head moved");
    await adapter.pulls.dismissReview(pr!.number, review.id, "the head moved");
    expect((await adapter.pulls.listReviews(pr!.number)).map((r) => [r.user, r.state])).toEqual([["rita", "dismissed"]]);
    const log = await new GitCli(dir).run(["log", "--format=%s", `refs/stagegate/pulls/${pr!.number}`]);
    expect(log.split("\n").filter((line) => line.startsWith("dismiss review"))).toEqual([`dismiss review ${review.id} on #${pr!.number}: the head moved`]);
  });
});

describe("a promotion PR's own changes are trusted as Stagegate planned them", () => {
  it.each([
    ["a Kustomization with newTag only", "envs/dev/kustomization.yaml", `kind: Kustomization\nimages:\n  - name: ghcr.io/acme/api\n    newTag: "1.0"\n`],
    ["a Deployment by tag", "envs/dev/deploy.yaml", `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: api }\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: ghcr.io/acme/api:1.0\n`],
    ["Helm values by tag", "envs/dev/values.yaml", `image:\n  repository: ghcr.io/acme/api\n  tag: "1.0"\n`],
  ])("pins %s to its first digest and merges it (no previous digest to swap)", async (_name, path, content) => {
    const files = new Map([["stagegate.yaml", "version: 1\nenvironments:\n  - { name: dev, path: envs/dev, policy: auto }\nservices:\n  - { name: api, image: ghcr.io/acme/api }\n"], ["policies/auto.yaml", "version: 1\nmerge: { mode: auto }\n"], [path, content]]);
    const { deps } = await setup(files);
    const outcome = await promote({ repo: deps.repo }, { artifact: { service: "api", image: "ghcr.io/acme/api", digest: D("1"), tag: "1.1" }, environment: "dev" });
    expect((await evaluatePromotion(deps, outcome.pr!.number)).status).toBe("merged");
  });
});
