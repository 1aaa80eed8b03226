// Approvals given on an older head are dismissed on GitHub (dismissStale, the default): the approvals
// gate already does not count them, and dismissed they no longer show the PR as approved.
import { describe, expect, it } from "vitest";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { deliver, ENV_REPO, headOf, loadLifecycleApp, openPromotion, pullRequestEvent, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

async function setup(dismissStale: boolean) {
  const fake = fakeGitHub(worldWithPolicy("dev", `version: 1\ngates:\n  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\n    dismissStale: ${dismissStale}\nmerge:\n  mode: manual\n`));
  const { probot } = await loadLifecycleApp(fake);
  const number = await openPromotion("dev");
  const pull = fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!;
  const state = fake.state(ENV_REPO);
  // rita approves the first head; then the branch moves (a new commit on the PR).
  const first = headOf(fake, number);
  state.review(number, "rita", "APPROVED", fake.clock.iso(), first);
  // (A commit that changes nothing more: the PR still changes only what its evidence declares.)
  const second = fake.repo(ENV_REPO).push(pull.head, {}, "retrigger").oid;
  return { fake, probot, number, state, first, second };
}

describe("stale approvals", () => {
  it("are dismissed once, with the reason, and the gate waits for an approval of the new head", async () => {
    const { fake, probot, number, state, first, second } = await setup(true);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "synchronize"));
    expect(state.dismissals).toEqual([{ pr: number, review: expect.any(Number), message: `Stagegate: @rita approved ${first.slice(0, 7)}; the head is now ${second.slice(0, 7)}, so the approval no longer counts. Review the new head.` }]);
    expect(state.reviews.get(number)!.map((r) => r.state)).toEqual(["DISMISSED"]);
    const gate = () => state.latestRuns(second, fake.app.id).find((r) => r.name === "stagegate/approvals")!;
    expect(gate().conclusion ?? gate().status).not.toBe("success");
    // Level-triggered: another evaluation dismisses nothing more.
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(state.dismissals).toHaveLength(1);
    // An approval of the new head counts.
    state.review(number, "rob", "APPROVED", fake.clock.iso(), second);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "edited"));
    expect(gate().conclusion).toBe("success");
    expect(state.dismissals).toHaveLength(1);
  });

  it("stay (and count) with dismissStale: false", async () => {
    const { fake, probot, number, state, second } = await setup(false);
    await deliver(probot, "pull_request", pullRequestEvent(fake, number, "synchronize"));
    expect(state.dismissals).toEqual([]);
    expect(state.latestRuns(second, fake.app.id).find((r) => r.name === "stagegate/approvals")!.conclusion).toBe("success");
  });
});
