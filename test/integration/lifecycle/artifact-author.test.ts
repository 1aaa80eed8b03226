// Separation of duties in the GitHub App: the author of the artifact's source commit does not approve
// their own change, even when the intake does not name them — GitHub's account for the commit's author
// email is read with the source commit's checks (no extra query).
import { describe, expect, it } from "vitest";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { deliver, ENV_REPO, headOf, loadLifecycleApp, openPromotion, pullRequestEvent, SOURCE_SHA, worldWithPolicy } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

async function approvalsAfter(reviewers: string[], namedAuthor?: string) {
  const repos = worldWithPolicy("dev", "version: 1\ngates:\n  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\nmerge:\n  mode: manual\n");
  // rita (a release manager) wrote the source commit; GitHub knows her by its author email.
  repos[1]!.commits.get(SOURCE_SHA)!.authorLogin = "Rita";
  const fake = fakeGitHub(repos);
  const { probot } = await loadLifecycleApp(fake);
  const number = await openPromotion("dev", { source: { repo: "acme/checkout", sha: SOURCE_SHA, ...(namedAuthor ? { author: namedAuthor } : {}) } });
  for (const reviewer of reviewers) fake.state(ENV_REPO).review(number, reviewer, "APPROVED", fake.clock.iso());
  fake.requests.length = 0;
  await deliver(probot, "pull_request", pullRequestEvent(fake, number));
  return { gate: fake.state(ENV_REPO).latestRuns(headOf(fake, number), fake.app.id).find((r) => r.name === "stagegate/approvals")!, queries: fake.describe() };
}

describe("the artifact's author in the approvals gate", () => {
  it("does not count the approval of the source commit's author, found through GitHub, within the facts query", async () => {
    const { gate, queries } = await approvalsAfter(["rita"]);
    expect(gate.conclusion ?? gate.status).not.toBe("success");
    expect(`${gate.title} ${gate.summary} ${gate.text ?? ""}`).toContain("authored the artifact's source commit");
    expect(queries.filter((q) => q === "StagegateSourceChecks")).toEqual([]);
  });

  it("counts another release manager's approval", async () => {
    const { gate } = await approvalsAfter(["rita", "rob"]);
    expect(gate.conclusion).toBe("success");
  });

  it("keeps the author the intake names (a CI job knows who pushed)", async () => {
    const { gate } = await approvalsAfter(["rob"], "rob");
    expect(gate.conclusion ?? gate.status).not.toBe("success");
    expect(`${gate.title} ${gate.summary} ${gate.text ?? ""}`).toContain("authored the artifact's source commit");
  });
});
