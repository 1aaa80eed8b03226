// A promotion PR's evidence block chooses its gates only while the PR changes what the block declares:
// the block is editable by anyone who can edit the PR (sealed when the App has a key: evidence-seal.test.ts),
// and its branch by anyone who can push. Edited into a rollback, its block declares another branch and the
// PR is refused; carrying changes beyond the declared swap, it is evaluated as a hand-made change (the
// gates of every environment it touches). Either way it is never merged by the bot.
import { describe, expect, it } from "vitest";
import { parsePromotionBody, renderPromotionBody } from "../../../src/core/evidence/body.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { deliver, DIGEST_A, ENV_REPO, headOf, kustomization, loadLifecycleApp, openPromotion, pullRequestEvent, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

/** dev: one release manager's approval, merged by Stagegate when green; rollbacks take the fast path (no gates, merged at once). */
async function openDevPromotion(devPolicy: string) {
  const fake = fakeGitHub(worldWithPolicy("dev", devPolicy));
  const { probot } = await loadLifecycleApp(fake);
  const number = await openPromotion("dev");
  const pull = fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!;
  const summary = () => fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate");
  return { fake, probot, number, pull, summary, merged: () => fake.state(ENV_REPO).merged.has(number) };
}

describe("a promotion PR that changes more than its evidence declares", () => {
  it("edited into a rollback (checksum recomputed), it is not merged on the rollback fast path", async () => {
    const { fake, probot, number, pull, summary, merged } = await openDevPromotion("version: 1\ngates:\n  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\nmerge:\n  mode: auto\n");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(merged()).toBe(false);
    const parsed = parsePromotionBody(pull.body);
    if (!parsed.ok) throw new Error("no evidence block");
    pull.body = renderPromotionBody({ ...parsed.evidence, kind: "rollback" });
    expect(parsePromotionBody(pull.body)).toMatchObject({ ok: true, evidence: { kind: "rollback" } });
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(merged()).toBe(false);
    // A rollback's block declares the rollback branch, not this one: refused (even without a seal), no gate passes.
    expect(summary()).toMatchObject({ conclusion: "failure", title: "evidence block not as Stagegate wrote it: refused" });
    expect(summary()?.summary).toContain("declares the change of branch stagegate/rollback/dev/checkout/");
    const approvals = fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate/dev/approvals" || r.name === "stagegate/approvals");
    expect(approvals?.conclusion ?? approvals?.status).not.toBe("success");
  });

  it("with a commit pushed to its branch that changes another environment, it is judged by that environment's gates", async () => {
    const { fake, probot, number, pull, merged } = await openDevPromotion("version: 1\nmerge:\n  mode: auto\n  method: squash\n");
    fake.repo(ENV_REPO).push(pull.head, { "environments/prod/checkout/kustomization.yaml": kustomization("prod", DIGEST_A) }, "also prod");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "synchronize"));
    expect(merged()).toBe(false);
    const names = fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).map((r) => r.name);
    // prod's gates (upstream, approvals, window) are reported on the PR.
    expect(names.some((n) => n.includes("approvals"))).toBe(true);
  });

  it("with an edit beside the declared swap in its own file, it is not merged as a promotion either", async () => {
    const { fake, probot, number, pull, merged } = await openDevPromotion("version: 1\nmerge:\n  mode: auto\n  method: squash\n");
    const path = "environments/dev/checkout/kustomization.yaml";
    const current = fake.repo(ENV_REPO).head(pull.head).files.get(path)!;
    fake.repo(ENV_REPO).push(pull.head, { [path]: current.replace("namespace: shop-dev", "namespace: kube-system") }, "tweak");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "synchronize"));
    // Evaluated as a change of dev (whose policy has no gates): not merged by Stagegate, which merges only promotions.
    expect(merged()).toBe(false);
  });

  it("untouched, it is merged as before", async () => {
    const { fake, probot, number, merged } = await openDevPromotion("version: 1\nmerge:\n  mode: auto\n  method: squash\n");
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(merged()).toBe(true);
  });
});
