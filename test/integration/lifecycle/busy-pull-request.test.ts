// A busy promotion PR: the facts query reads the last 100 reviews and comments; what came before is read in
// follow-up queries (earlier-activity.ts), so an override asked for long ago or an early approval still
// counts. A quiet PR costs no extra request.
import { describe, expect, it } from "vitest";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, ENV_REPO, headOf, loadLifecycleApp, openPromotion, pullRequestEvent } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

/** A staging promotion; `evaluate` re-evaluates it with the request log cleared first. */
async function stagingPromotion() {
  const fake = fakeGitHub(createLifecycleWorld());
  const { probot } = await loadLifecycleApp(fake);
  const number = await openPromotion("staging");
  const state = fake.state(ENV_REPO);
  const evaluate = async () => {
    fake.requests.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
  };
  const approvals = () => state.latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate/approvals")!;
  const earlierQueries = () => fake.describe().filter((r) => r === "StagegateEarlierActivity").length;
  return { fake, number, state, evaluate, approvals, earlierQueries };
}

describe("a promotion PR with more than 100 comments or reviews", () => {
  it("keeps an override posted before the last 100 comments, reading the earlier ones in one more query", async () => {
    const { fake, number, state, evaluate, approvals, earlierQueries } = await stagingPromotion();
    state.comment(number, "sam", "/stagegate override approvals reason: CAB approved in INC-42", fake.clock.iso());
    for (let i = 0; i < 180; i++) state.comment(number, "dana", `status update ${i}`, fake.clock.iso());
    await evaluate();
    expect(approvals()).toMatchObject({ conclusion: "success", title: "overridden by @sam: CAB approved in INC-42" });
    // 181 comments: the last 100 in the facts query, the 81 before them in one more.
    expect(earlierQueries()).toBe(1);
  });

  it("counts an approval given before the last 100 reviews", async () => {
    const { fake, number, state, evaluate, approvals, earlierQueries } = await stagingPromotion();
    state.review(number, "rita", "APPROVED", fake.clock.iso());
    for (let i = 0; i < 230; i++) state.review(number, "dana", "COMMENTED", fake.clock.iso());
    await evaluate();
    expect(approvals().conclusion).toBe("success");
    expect(earlierQueries()).toBe(2);
  });

  it("asks nothing more of a PR with 100 comments or fewer", async () => {
    const { fake, number, state, evaluate, earlierQueries } = await stagingPromotion();
    for (let i = 0; i < 90; i++) state.comment(number, "dana", `note ${i}`, fake.clock.iso());
    await evaluate();
    expect(earlierQueries()).toBe(0);
  });
});
