// A team of more than 100 is read page by page: an approver past the first 100 members counts.
import { describe, expect, it } from "vitest";
import { GitHubEnvironmentsRepo } from "../../../src/adapters/github/environments-repo.js";
import { promote } from "../../../src/services/promote.js";
import { createTestClient } from "../../support/github/harness.js";
import { useLifecycleGitHub } from "./support/use-lifecycle-github.js";
import { createLifecycleWorld, deliver, DIGEST_A, ENV_REPO, environmentsFiles, loadLifecycleApp, pullRequestEvent, SOURCE_SHA } from "./support/world.js";

const fakeGitHub = useLifecycleGitHub();

describe("approving teams of more than 100", () => {
  it("counts the approval of member 231, read on the third page of the team", async () => {
    const files = environmentsFiles();
    files["policies/dev.yaml"] = "version: 1\ngates:\n  - gate: approvals\n    count: 1\n    teams: [acme/release-managers]\nmerge:\n  mode: manual\n";
    const repos = createLifecycleWorld(files);
    repos[0]!.teams.set("release-managers", { id: "T_release", members: new Set([...Array.from({ length: 230 }, (_, i) => `member-${i}`), "zara"]) });
    const fake = fakeGitHub(repos);
    const { probot } = await loadLifecycleApp(fake);
    const repo = new GitHubEnvironmentsRepo(createTestClient(), { owner: "acme", repo: "environments" });
    const outcome = await promote({ repo }, { artifact: { service: "checkout", image: "ghcr.io/acme/checkout", digest: DIGEST_A, source: { repo: "acme/checkout", sha: SOURCE_SHA } }, environment: "dev", requestedBy: "alice" });
    const number = outcome.pr!.number;
    fake.state(ENV_REPO).review(number, "zara", "APPROVED", fake.clock.iso());
    fake.requests.length = 0;
    await deliver(probot, "pull_request", pullRequestEvent(fake, number));
    const head = fake.repo(ENV_REPO).refs.get(fake.repo(ENV_REPO).pulls.find((p) => p.number === number)!.head)!.oid;
    expect(fake.state(ENV_REPO).latestRuns(head, fake.app.id).find((r) => r.name === "stagegate/approvals")).toMatchObject({ conclusion: "success" });
    expect(fake.describe().filter((q) => q === "StagegateTeam")).toEqual(["StagegateTeam", "StagegateTeam", "StagegateTeam"]);
  });
});
