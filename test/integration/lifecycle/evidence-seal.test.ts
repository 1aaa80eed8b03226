// The evidence block's checksum is no signature: whoever can edit a promotion PR can rewrite the block and
// recompute it. With a seal (an HMAC under the deployment's key), a rewritten block no longer chooses the
// gates: the requester who deletes `requestedBy` to approve their own promotion gets a failing `stagegate`
// check (the required one) saying the block is not sealed, and the PR is never merged by Stagegate.
import { describe, expect, it } from "vitest";
import { parsePromotionBody, renderPromotionBody, sealProblem } from "../../../src/core/evidence/body.js";
import { hmacSeal } from "../../../src/core/evidence/seal.js";
import { createTestClient } from "../../support/github/harness.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { silentLogger } from "../../../src/core/logger.js";
import { runTickPass } from "../../../src/app/tick.js";
import { createLifecycleWorld, deliver, DIGEST_A, ENV_REPO, headOf, kustomization, loadLifecycleApp, openHandMadePr, openPromotion, pullRequestEvent, pushEvent, statusEvent, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

const KEY = Buffer.alloc(32, 7);
const OTHER_KEY = Buffer.alloc(32, 9);

/** dev: one release manager's approval (rita, rob), never the requester's; merged by Stagegate when green. */
const DEV_POLICY = "version: 1\ngates:\n  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\nmerge:\n  mode: auto\n";

/** A dev promotion rita (a release manager) asked for, sealed with `openedWith`, under an app holding KEY. */
async function ritasPromotion(openedWith = hmacSeal([KEY]).bind(ENV_REPO)) {
  const fake = fakeGitHub(worldWithPolicy("dev", DEV_POLICY));
  const { probot } = await loadLifecycleApp(fake, { seal: hmacSeal([KEY]) });
  const number = await openPromotion("dev", {}, { seal: openedWith, requestedBy: "rita" });
  const pull = fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!;
  const run = (name: string) => fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === name);
  const evaluate = (action = "edited") => deliver(probot, "pull_request", pullRequestEvent(fake, number, action));
  const approve = (login: string) => fake.state(ENV_REPO).review(number, login, "APPROVED", fake.clock.iso());
  return { fake, number, pull, run, evaluate, approve, merged: () => fake.state(ENV_REPO).merged.has(number) };
}

describe("sealed evidence blocks", () => {
  it("a PR Stagegate opened carries a seal the app verifies: approved by another release manager, it is merged", async () => {
    const { pull, evaluate, approve, merged, run } = await ritasPromotion();
    const parsed = parsePromotionBody(pull.body);
    expect(parsed).toMatchObject({ ok: true, evidence: { requestedBy: "rita" }, mac: expect.stringMatching(/^[a-f0-9]{64}$/) });
    approve("rita");
    await evaluate();
    // The requester's own approval does not count.
    expect(merged()).toBe(false);
    expect(run("stagegate/approvals")?.conclusion ?? run("stagegate/approvals")?.status).not.toBe("success");
    approve("rob");
    await evaluate();
    expect(merged()).toBe(true);
  });

  it("the requester who deletes requestedBy from the block (checksum recomputed) cannot approve their own promotion", async () => {
    const { pull, evaluate, approve, merged, run } = await ritasPromotion();
    const parsed = parsePromotionBody(pull.body);
    if (!parsed.ok) throw new Error("no evidence block");
    const { requestedBy: _dropped, ...rest } = parsed.evidence;
    pull.body = renderPromotionBody(rest);
    // The checksum is right: only the missing seal gives the edit away.
    expect(parsePromotionBody(pull.body)).toMatchObject({ ok: true });
    approve("rita");
    await evaluate();
    expect(merged()).toBe(false);
    // Refused: the required check fails and says why and what to do; no gate passed on rita's word.
    expect(run("stagegate")).toMatchObject({ conclusion: "failure", title: "evidence block not as Stagegate wrote it: refused" });
    expect(run("stagegate")?.summary).toMatch(/carries no seal[\s\S]*close this pull request/);
    expect(run("stagegate")?.summary).toContain("This pull request is refused: its evidence block carries no seal");
    expect(run("stagegate/approvals")?.conclusion).not.toBe("success");
  });

  it("keeping the old seal on a rewritten block does not help: the seal no longer matches", async () => {
    const { pull, evaluate, approve, merged, run } = await ritasPromotion();
    const parsed = parsePromotionBody(pull.body);
    if (!parsed.ok || !parsed.mac) throw new Error("no sealed block");
    const { requestedBy: _dropped, ...rest } = parsed.evidence;
    const forged = renderPromotionBody(rest).replace(/(sha256:[a-f0-9]{64})\n/, `$1 hmac-sha256:${parsed.mac}\n`);
    pull.body = forged;
    expect(parsePromotionBody(pull.body)).toMatchObject({ ok: true, mac: parsed.mac });
    approve("rita");
    await evaluate();
    expect(merged()).toBe(false);
    expect(run("stagegate")?.summary ?? "").toMatch(/seal does not match/);
  });

  it("a block sealed under another deployment's key is not this deployment's evidence", async () => {
    const { evaluate, approve, merged, run } = await ritasPromotion(hmacSeal([OTHER_KEY]).bind(ENV_REPO));
    approve("rob");
    await evaluate("opened");
    expect(merged()).toBe(false);
    expect(run("stagegate")?.summary ?? "").toMatch(/seal does not match/);
  });

  it("an earlier key still verifies while a key is rotated, and new blocks are sealed with the new one", async () => {
    const fake = fakeGitHub(worldWithPolicy("dev", DEV_POLICY));
    const { probot } = await loadLifecycleApp(fake, { seal: hmacSeal([OTHER_KEY, KEY]) });
    const number = await openPromotion("dev", {}, { seal: hmacSeal([KEY]).bind(ENV_REPO), requestedBy: "rita" });
    fake.state(ENV_REPO).review(number, "rob", "APPROVED", fake.clock.iso());
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(fake.state(ENV_REPO).merged.has(number)).toBe(true);
  });

  // The requester recorded on a deployment is copied to the next stage's promotion (and its approvals gate).
  it("merged by hand (a Stagegate-PR trailer written in) after its block was rewritten, the deployment does not take the block's word for who asked", async () => {
    const { fake, number, pull } = await ritasPromotion();
    const { probot } = await loadLifecycleApp(fake, { seal: hmacSeal([KEY]) });
    const parsed = parsePromotionBody(pull.body);
    if (!parsed.ok) throw new Error("no evidence block");
    pull.body = renderPromotionBody({ ...parsed.evidence, requestedBy: "mallory" });
    const before = fake.repo(ENV_REPO).head().oid;
    await createTestClient().request("PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge", { owner: "acme", repo: "environments", pull_number: number, merge_method: "squash", commit_title: `${pull.title} (#${number})`, commit_message: `Stagegate-PR: #${number}\n` });
    const after = fake.repo(ENV_REPO).head().oid;
    await deliver(probot, "push", pushEvent(fake, before, after, ["environments/dev/checkout/kustomization.yaml"]));
    const [deployment] = fake.state(ENV_REPO).deployments;
    expect(deployment).toMatchObject({ environment: "dev", payload: { service: "checkout", pr: number } });
    expect(JSON.stringify(deployment!.payload)).not.toContain("mallory");
  });

  it("the next stages' PRs, opened when dev's deployment is verified, are sealed too, and keep the requester", async () => {
    const fake = fakeGitHub(createLifecycleWorld());
    const seal = hmacSeal([KEY]);
    const { probot } = await loadLifecycleApp(fake, { seal });
    // dev's policy in this world: no gates, merged by Stagegate.
    const number = await openPromotion("dev", {}, { seal: seal.bind(ENV_REPO), requestedBy: "rita" });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    const merge = fake.state(ENV_REPO).merged.get(number)!.sha;
    await deliver(probot, "status", statusEvent(ENV_REPO, merge, "argocd/shop-dev", "success", "Sync succeeded, healthy"));
    const next = fake.repo(ENV_REPO).openPulls();
    expect(next.map((p) => p.head).sort()).toEqual([`stagegate/perf/checkout/${"a".repeat(12)}`, `stagegate/staging/checkout/${"a".repeat(12)}`]);
    for (const pull of next) {
      const parsed = parsePromotionBody(pull.body);
      if (!parsed.ok) throw new Error(parsed.message);
      expect(parsed.evidence.requestedBy).toBe("rita");
      expect(sealProblem(parsed, seal.bind(ENV_REPO))).toBeUndefined();
    }
  });

  it("the requester who deletes the whole block is refused too, not judged as a change they could approve", async () => {
    const { pull, evaluate, approve, merged, run } = await ritasPromotion();
    pull.body = "Just bumping checkout, nothing to see.";
    approve("rita");
    await evaluate();
    expect(merged()).toBe(false);
    expect(run("stagegate")).toMatchObject({ conclusion: "failure", title: "evidence block not as Stagegate wrote it: refused" });
    expect(run("stagegate")?.summary).toContain("no Stagegate evidence block");
  });

  it("a sealed block of another lane pasted in (here the same artifact as a rollback) declares another branch: refused", async () => {
    const { pull, evaluate, merged, run } = await ritasPromotion();
    const parsed = parsePromotionBody(pull.body);
    if (!parsed.ok) throw new Error("no evidence block");
    // A block Stagegate really sealed, as one could copy from a rollback PR of the same digest.
    pull.body = renderPromotionBody({ ...parsed.evidence, kind: "rollback" }, { seal: hmacSeal([KEY]).bind(ENV_REPO) });
    await evaluate();
    expect(merged()).toBe(false);
    expect(run("stagegate")?.summary).toMatch(/declares the change of branch stagegate\/rollback\/dev\/checkout\/a{12}, not of stagegate\/dev\/checkout\/a{12}/);
  });

  it("a block sealed for another repository (the App's key is the same in every installation) is refused", async () => {
    const { evaluate, merged, run, approve } = await ritasPromotion(hmacSeal([KEY]).bind("mallory/environments"));
    approve("rob");
    await evaluate("opened");
    expect(merged()).toBe(false);
    expect(run("stagegate")?.summary).toMatch(/seal does not match/);
  });

  it("a tick pass does not take a hand-made PR on a stagegate/ branch with a copied sealed block for a promotion", async () => {
    const fake = fakeGitHub(worldWithPolicy("dev", "version: 1\nmerge:\n  mode: auto\n  method: squash\n"));
    const seal = hmacSeal([KEY]);
    const { probot, shared } = await loadLifecycleApp(fake, { seal });
    const genuine = await openPromotion("dev", {}, { seal: seal.bind(ENV_REPO), requestedBy: "rita" });
    const original = fake.repo(ENV_REPO).pulls.find((p) => p.number === genuine)!;
    original.state = "CLOSED";
    // dana's own PR, on the closed PR's branch, carrying its sealed block: seal, branch and files all match.
    const number = openHandMadePr(fake, "dana", original.head, { "environments/dev/checkout/kustomization.yaml": kustomization("dev", DIGEST_A) });
    const copied = original.body;
    fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!.body = copied;
    await runTickPass(probot, shared, silentLogger);
    expect(fake.state(ENV_REPO).merged.has(number)).toBe(false);
  });

  it("a PR opened before the seal is refused, and asked again for the same artifact gets a sealed block", async () => {
    const fake = fakeGitHub(worldWithPolicy("dev", DEV_POLICY));
    const seal = hmacSeal([KEY]);
    const { probot } = await loadLifecycleApp(fake, { seal });
    // Opened by a Stagegate without a key (before the upgrade): no seal.
    const number = await openPromotion("dev", {}, { requestedBy: "rita" });
    const pull = fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!;
    const summary = () => fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(summary()).toMatchObject({ conclusion: "failure" });
    expect(summary()?.summary).toContain("promote this artifact again");
    // The intake asks again (here sam, through the same promote service): the open PR's block is replaced, sealed, with this request's requester.
    const again = await openPromotion("dev", {}, { seal: seal.bind(ENV_REPO), requestedBy: "sam" });
    expect(again).toBe(number);
    const parsed = parsePromotionBody(pull.body);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(parsed.evidence.requestedBy).toBe("sam");
    expect(sealProblem(parsed, seal.bind(ENV_REPO))).toBeUndefined();
    fake.state(ENV_REPO).review(number, "rob", "APPROVED", fake.clock.iso());
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(fake.state(ENV_REPO).merged.has(number)).toBe(true);
  });
  it("the sealed block of an earlier PR of the same branch, pasted into a later one, is refused", async () => {
    const fake = fakeGitHub(worldWithPolicy("dev", DEV_POLICY));
    const { probot } = await loadLifecycleApp(fake, { seal: hmacSeal([KEY]) });
    // Stagegate seals on the fake's clock, as it would on GitHub's time.
    const sealing = hmacSeal([KEY], undefined, () => new Date(fake.clock.iso())).bind(ENV_REPO);
    const pullOf = (number: number) => fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!;
    const first = await openPromotion("dev", {}, { seal: sealing, requestedBy: "rita" });
    const ritasBlock = pullOf(first).body;
    pullOf(first).state = "CLOSED";
    fake.clock.advance(3_600_000);
    // An hour later rob asks for the same artifact: the same branch, a new PR, his name in its block.
    const second = await openPromotion("dev", {}, { seal: sealing, requestedBy: "rob" });
    expect(second).not.toBe(first);
    const summary = () => fake.state(ENV_REPO).latestRuns(headOf(fake, second), fake.app.id).find((r) => r.name === "stagegate");
    // rob pastes rita's block (sealed by this deployment, for this very branch) and approves his own promotion.
    pullOf(second).body = ritasBlock;
    fake.state(ENV_REPO).review(second, "rob", "APPROVED", fake.clock.iso());
    await deliver(probot, "pull_request", pullRequestEvent(fake, second, "edited"));
    expect(fake.state(ENV_REPO).merged.has(second)).toBe(false);
    expect(summary()).toMatchObject({ conclusion: "failure" });
    expect(summary()?.summary).toContain("sealed for an earlier PR of this branch");
    // Asked again, the PR gets its own block back; rob's approval does not count for his own request, rita's does.
    await openPromotion("dev", {}, { seal: sealing, requestedBy: "rob" });
    expect(parsePromotionBody(pullOf(second).body)).toMatchObject({ ok: true, evidence: { requestedBy: "rob" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, second, "edited"));
    expect(fake.state(ENV_REPO).merged.has(second)).toBe(false);
    fake.state(ENV_REPO).review(second, "rita", "APPROVED", fake.clock.iso());
    await deliver(probot, "pull_request", pullRequestEvent(fake, second, "edited"));
    expect(fake.state(ENV_REPO).merged.has(second)).toBe(true);
  });
});
