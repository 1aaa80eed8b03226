// A team of more than 100 is read page by page: an approver past the first 100 members counts.
import { describe, expect, it } from "vitest";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { deliver, ENV_REPO, headOf, loadLifecycleApp, openPromotion, pullRequestEvent, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

describe("approving teams of more than 100", () => {
  it("counts the approval of member 231, read on the third page of the team", async () => {
    const repos = worldWithPolicy("dev", "version: 1\ngates:\n  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\nmerge:\n  mode: manual\n");
    repos[0]!.teams.set("release-managers", { id: "T_release", members: new Set([...Array.from({ length: 230 }, (_, i) => `member-${i}`), "zara"]) });
    const fake = fakeGitHub(repos);
    const { probot } = await loadLifecycleApp(fake);
    const number = await openPromotion("dev");
    fake.state(ENV_REPO).review(number, "zara", "APPROVED", fake.clock.iso());
    fake.requests.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    expect(fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate/approvals")).toMatchObject({ conclusion: "success" });
    expect(fake.describe().filter((q) => q === "StagegateTeam")).toEqual(["StagegateTeam", "StagegateTeam", "StagegateTeam"]);
  });
});
